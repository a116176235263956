// `primbench export RESULTS.json --filtered -o DIR`: the median of each
// benchmark, as Google Benchmark JSON and as github-action-benchmark's custom
// bigger/smaller-is-better files (reports/export_filtered.hpp).
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "basics/errors.hpp"
#include "reports/export_filtered.hpp"
#include "reports/result_reader.hpp"

namespace primbench::cli {
namespace {

struct ExportArgs {
  std::string results;
  bool filtered = false;
  std::string out_dir;
};

void run_export(const ExportArgs& a) {
  // The filtered export is the one there is; the flag keeps room for others
  // (and says in the command line what the files hold).
  if (!a.filtered) throw UsageError("export needs --filtered (the median of each benchmark, for dashboards)");
  if (a.out_dir.empty()) throw UsageError("export needs -o DIR: where median.json and the custom files go");
  const FilteredExport exported = filtered_export(read_result_file(a.results), a.results);
  for (const auto& path : write_filtered_export(exported, a.out_dir)) fmt::print("wrote {}\n", path.string());
  if (!exported.skipped.empty())
    fmt::print("left out {} failed or unavailable benchmark(s), e.g. {}\n", exported.skipped.size(),
               exported.skipped.front());
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("export", "Export results for dashboards (--filtered: one median per benchmark)");
  auto a = std::make_shared<ExportArgs>();
  cmd->add_option("results", a->results, "A result file (results.json of primbench run)")->required();
  cmd->add_flag("--filtered", a->filtered,
                "Median entries only: DIR/median.json (Google Benchmark JSON), DIR/bigger_is_better.json and "
                "DIR/smaller_is_better.json (github-action-benchmark custom formats)");
  cmd->add_option("-o,--out", a->out_dir, "Directory to write into (created if needed)");
  cmd->callback([a, &exit_status] {
    run_export(*a);
    exit_status = 0;
  });
}

}  // namespace primbench::cli
