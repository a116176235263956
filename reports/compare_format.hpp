// What `primbench compare` prints: a terminal table (coloured only on a
// terminal), Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY, or
// JSON for other programs. Both the two-file comparison and the hardware
// (several machines) comparison.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/compare.hpp"

namespace primbench {

enum class CompareFormat { terminal, markdown, json };

// "terminal" (also "text"), "markdown" (also "md"), "json"; throws UsageError.
CompareFormat parse_compare_format(std::string_view text);

// Where the two files came from: names as given, and their machine facts
// (machine_facts()) for the header and the context diff.
struct CompareSources {
  std::string base_file, new_file;
  std::vector<std::pair<std::string, std::string>> base_facts, new_facts;
};

// The whole output of a two-file comparison, ending in a newline. `colour`
// only matters for the terminal format (the caller decides: isatty(1), and
// NO_COLOR unset).
std::string format_comparison(const Comparison& comparison, const CompareSources& sources, CompareFormat format,
                              bool colour);

// The JSON format's document: options, summary counts, one object per row.
nlohmann::json comparison_json(const Comparison& comparison, const CompareSources& sources);

// A hardware_comparison_model() as text (terminal or markdown); the JSON
// format is the model itself.
std::string format_hardware_comparison(const nlohmann::json& model, CompareFormat format, bool colour);

}  // namespace primbench
