// Fuzz targets over what a user types: topology descriptions and the
// arguments of the commands that take them.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_targets.hpp"
#include "cli/cli_dispatch.hpp"
#include "cli/commands.hpp"
#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "harness/placement.hpp"
#include "harness/topology.hpp"
#include "harness/topology_format.hpp"

namespace primbench::fuzz {
namespace {

// Standard output goes to /dev/null while a command prints its tree or plan:
// the printing is exercised, the fuzzer's log stays readable.
class QuietStdout {
 public:
  QuietStdout() : saved_(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    if (FILE* null = std::fopen("/dev/null", "w")) {
      ::dup2(::fileno(null), STDOUT_FILENO);
      std::fclose(null);
    }
  }
  ~QuietStdout() {
    std::fflush(stdout);
    if (saved_ >= 0) {
      ::dup2(saved_, STDOUT_FILENO);
      ::close(saved_);
    }
  }
  QuietStdout(const QuietStdout&) = delete;
  QuietStdout& operator=(const QuietStdout&) = delete;

 private:
  int saved_;
};

}  // namespace

void synthetic_topology(Bytes data) {
  const std::string desc(reinterpret_cast<const char*>(data.data()), data.size());
  if (desc.find('\0') != std::string::npos) return;  // a command line cannot carry one
  try {
    const Topology topo = Topology::load("synthetic:" + desc);
    json_text(topology_summary_json(topo));
    format_table(plan_pairs(topo, /*all_pairs=*/topo.allowed_pus().size() <= 64));
    for (Policy policy : {Policy::compact, Policy::spread, Policy::cores}) {
      WorkerRequest request;
      request.policy = policy;
      request.workers = static_cast<unsigned>(topo.allowed_pus().size());
      format_table(plan_workers(topo, request), topo);
    }
  } catch (const UsageError&) {
  }
}

void cli_arguments(Bytes data) {
  // Tokens split at NUL; the first byte picks the command, so every input
  // exercises one of the two (and none can reach `run`).
  if (data.empty()) return;
  std::vector<std::string> args{"primbench", (data[0] & 1) ? "plan" : "topo"};
  std::string token;
  for (std::size_t i = 1; i < data.size(); ++i) {
    if (data[i] == 0) {
      args.push_back(token);
      token.clear();
    } else {
      token += static_cast<char>(data[i]);
    }
  }
  if (!token.empty()) args.push_back(token);
  if (args.size() > 64) return;
  // The live machine is real work per input and not what is under test here.
  for (const std::string& a : args)
    if (a.find("live") != std::string::npos || a.find(".xml") != std::string::npos) return;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());

  CLI::App app{"primbench fuzz"};
  app.require_subcommand(1);
  int status = 0;
  cli::add_topo_command(app, status);
  cli::add_plan_command(app, status);
  QuietStdout quiet;
  const cli::DispatchResult result = cli::dispatch(app, static_cast<int>(argv.size()), argv.data(), status);
  if (result.internal_error) throw std::logic_error("internal error: " + result.message);
}

}  // namespace primbench::fuzz
