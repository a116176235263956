// `primbench compare BASE.json NEW.json`: regressions between two runs on one
// machine; `primbench compare --hardware A.json B.json ...`: machines side by
// side. Exit status 1 when the comparison has what --fail-on names, 0
// otherwise, 2 on bad input.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <future>
#include <memory>
#include <vector>

#include "cli/commands.hpp"
#include "cli/verdict_options.hpp"
#include "basics/errors.hpp"
#include "reports/compare.hpp"
#include "reports/compare_format.hpp"
#include "reports/hardware_compare.hpp"
#include "reports/hardware_html.hpp"
#include "reports/result_reader.hpp"

namespace primbench::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> files;
  bool hardware = false;
  std::string baseline = "1";
  std::string html_out;
  std::string format = "terminal";
  VerdictArgs verdict;
};

// Freeing a result document of a million nodes one node at a time took a
// tenth of `compare`'s time on large files, and the process ends right after
// printing: the documents are kept on a list that outlives the command
// instead (still reachable, so no leak checker reports them).
const nlohmann::json& kept_until_exit(nlohmann::json doc) {
  static auto* const kept = new std::vector<std::unique_ptr<nlohmann::json>>;
  kept->push_back(std::make_unique<nlohmann::json>(std::move(doc)));
  return *kept->back();
}

bool colour_wanted() { return isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr; }

// 1-based position, or a machine's label.
std::size_t baseline_index(const std::string& text, const std::vector<HardwareInput>& inputs) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    const unsigned long position = std::stoul(text);
    if (position == 0) throw UsageError("--baseline counts from 1");
    return position - 1;
  }
  const auto labels = hardware_machine_labels(inputs);
  const auto it = std::find(labels.begin(), labels.end(), text);
  if (it == labels.end())
    throw UsageError(fmt::format("--baseline '{}' is neither a position nor one of the machines: {}", text,
                                 fmt::join(labels, ", ")));
  return static_cast<std::size_t>(it - labels.begin());
}

int run_hardware(const CompareArgs& a, const CompareOptions& rule, CompareFormat format) {
  std::vector<HardwareInput> inputs;
  for (const auto& file : a.files) inputs.push_back({file, read_result_file(file)});
  const nlohmann::json model = hardware_comparison_model(inputs, baseline_index(a.baseline, inputs), rule);
  if (!a.html_out.empty()) {
    try {
      write_hardware_html(model, a.html_out);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());  // an unwritable path is the user's to fix
    }
    fmt::print(stderr, "wrote {}\n", a.html_out);
  }
  fmt::print("{}", format_hardware_comparison(model, format, colour_wanted() && format == CompareFormat::terminal));
  return 0;
}

int run_compare(const CompareArgs& a) {
  const CompareFormat format = parse_compare_format(a.format);
  const FailOn fail_on = parse_fail_on(a.verdict.fail_on);
  const CompareOptions options = resolve_verdict_options(a.verdict);
  if (a.hardware) {
    if (a.files.size() < 2) throw UsageError("compare --hardware needs at least two result files");
    return run_hardware(a, options, format);
  }
  if (a.files.size() != 2)
    throw UsageError(fmt::format("compare needs BASE.json NEW.json ({} file(s) given; several machines: --hardware)",
                                 a.files.size()));
  if (!a.html_out.empty()) throw UsageError("-o writes the --hardware comparison's HTML; without --hardware use --format");

  // Parsing is most of the time for large files: both at once.
  auto base_read = std::async(std::launch::async, [&] { return read_result_file(a.files[0]); });
  const nlohmann::json& candidate = kept_until_exit(read_result_file(a.files[1]));
  const nlohmann::json& base = kept_until_exit(base_read.get());
  require_same_machine(base, a.files[0], candidate, a.files[1]);
  const Comparison comparison = compare_results(base, candidate, options);
  const CompareSources sources{a.files[0], a.files[1], machine_facts(base), machine_facts(candidate)};
  fmt::print("{}", format_comparison(comparison, sources, format, colour_wanted()));
  return exit_status(comparison, fail_on);
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand(
      "compare",
      "Compare two result files of one machine (regressions, exit 1), or several machines side by side (--hardware)");
  auto a = std::make_shared<CompareArgs>();
  cmd->add_option("files", a->files, "BASE.json NEW.json, or with --hardware two or more result files")->required();
  cmd->add_flag("--hardware", a->hardware,
                "Compare different machines side by side (one column each, normalised to --baseline)");
  cmd->add_option("--baseline", a->baseline, "With --hardware: the baseline machine, by position (1 = first) or label")
      ->capture_default_str();
  cmd->add_option("-o,--output", a->html_out, "With --hardware: write the comparison as an HTML page here");
  cmd->add_option("--format", a->format, "terminal | markdown | json")->capture_default_str();
  add_verdict_options(*cmd, a->verdict);
  cmd->add_flag("--counters", a->verdict.options.counters,
                "Also compare counters with a direction (throughput up is better, *_ns down is better)");
  cmd->callback([a, &exit_status] { exit_status = run_compare(*a); });
}

}  // namespace primbench::cli
