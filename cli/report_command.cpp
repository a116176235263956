// `primbench report RESULTS.json [-o report.html]`: the HTML report of a
// result file (reports/html_report.hpp).
#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "cli/commands.hpp"
#include "basics/errors.hpp"
#include "reports/html_report.hpp"
#include "reports/result_reader.hpp"

namespace primbench::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string results;
  std::string out;
};

int report(const ReportArgs& a) {
  const fs::path results(a.results);
  const nlohmann::json doc = read_result_file(results);
  const fs::path run_dir = results.parent_path().empty() ? fs::path(".") : results.parent_path();
  const fs::path out = a.out.empty() ? run_dir / "report.html" : fs::path(a.out);
  if (fs::is_directory(out))
    throw UsageError(fmt::format("-o '{}' is a directory; name the HTML file to write", out.string()));
  try {
    write_html_report(doc, out, run_dir);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());  // cannot write the file: the user's path, not a bug
  }
  fmt::print("{}\n", out.string());
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("report", "Write a self-contained HTML report (charts, tables, machine context) "
                                           "of a result file; it opens offline");
  auto a = std::make_shared<ReportArgs>();
  cmd->add_option("results", a->results, "The result file (results.json) of a primbench run")->required();
  cmd->add_option("-o,--out", a->out, "The HTML file to write (default: report.html beside RESULTS)");
  cmd->callback([a, &exit_status] { exit_status = report(*a); });
}

}  // namespace primbench::cli
