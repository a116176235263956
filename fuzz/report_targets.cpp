// Fuzz targets over result files: the reader, and every report that reads
// what the reader accepted. The reader's job is to make the reports safe, so a
// document it lets through must never crash a report.
#include <string>

#include "fuzz/fuzz_targets.hpp"
#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "reports/capacity.hpp"
#include "reports/compare.hpp"
#include "reports/compare_format.hpp"
#include "reports/export_filtered.hpp"
#include "reports/hardware_compare.hpp"
#include "reports/html_page.hpp"
#include "reports/html_report.hpp"
#include "reports/result_reader.hpp"

namespace primbench::fuzz {
namespace {

std::string_view as_text(Bytes data) { return {reinterpret_cast<const char*>(data.data()), data.size()}; }

// The reader's verdict: the document, or nothing when it refused the text.
std::optional<nlohmann::json> read(std::string_view text, const std::string& source) {
  try {
    return parse_result_text(text, source);
  } catch (const UsageError&) {
    return std::nullopt;
  }
}

}  // namespace

void result_file(Bytes data) {
  const auto doc = read(as_text(data), "fuzz.json");
  if (!doc) return;
  render_html_page(html_report_document(*doc, {}));
  const CapacityAnalysis capacity = analyse_capacity(*doc);
  json_text(capacity_json(capacity));
  capacity_text(capacity);
  capacity_markdown(capacity);
  filtered_export(*doc, "fuzz.json");
}

void compare_inputs(Bytes data) {
  const std::string_view text = as_text(data);
  const std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  const auto base = read(text.substr(0, nul), "base.json");
  const auto candidate = read(text.substr(nul + 1), "new.json");
  if (!base || !candidate) return;
  CompareOptions options;
  options.bootstrap_resamples = 100;  // enough to exercise the interval, fast enough to fuzz
  const Comparison comparison = compare_results(*base, *candidate, options);
  const CompareSources sources{"base.json", "new.json", {}, {}};
  for (CompareFormat format : {CompareFormat::terminal, CompareFormat::markdown, CompareFormat::json})
    format_comparison(comparison, sources, format, true);
  exit_status(comparison, FailOn::any_change);
  try {
    require_same_machine(*base, "base.json", *candidate, "new.json");
  } catch (const UsageError&) {
  }
  try {
    const nlohmann::json model = hardware_comparison_model(std::vector<HardwareInput>{{"base.json", *base}, {"new.json", *candidate}}, 0);
    format_hardware_comparison(model, CompareFormat::markdown, false);
  } catch (const UsageError&) {
    // two files of one machine are one column: refused, by design
  }
}

}  // namespace primbench::fuzz
