// `primbench capacity RESULTS.json [--slo 10us] [--format text|json|markdown]`:
// scalability fits per worker sweep and the capacity at a latency target
// (reports/capacity.hpp says how sweeps, throughput and capacity are read).
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "reports/capacity.hpp"
#include "reports/result_reader.hpp"

namespace primbench::cli {

void add_capacity_command(CLI::App& app, int& exit_status) {
  struct Options {
    std::string results;
    std::string slo = "10us";
    std::string format = "text";
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "capacity", "Fit the Universal Scalability Law to every throughput-vs-workers sweep and tabulate the "
                  "sustainable rate at a p99 latency target (Little's law)");
  cmd->add_option("results", options->results, "A result file written by primbench run (results.json)")->required();
  cmd->add_option("--slo", options->slo, "p99 latency target, a number with a unit: ns, us, ms, s")
      ->capture_default_str();
  cmd->add_option("--format", options->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  cmd->callback([options, &exit_status] {
    const double slo_ns = parse_latency_target(options->slo);  // before reading: a bad flag fails fast
    const nlohmann::json doc = read_result_file(options->results);
    const CapacityAnalysis analysis = analyse_capacity(doc, slo_ns, options->results);
    if (options->format == "json")
      fmt::print("{}\n", json_text(capacity_json(analysis), 2));
    else if (options->format == "markdown")
      fmt::print("{}", capacity_markdown(analysis));
    else
      fmt::print("{}", capacity_text(analysis));
    exit_status = 0;
  });
}

}  // namespace primbench::cli
