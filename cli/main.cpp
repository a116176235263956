// primbench: what concurrency primitives really cost on this machine.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "harness/build_revision.hpp"
#include "cli/cli_dispatch.hpp"
#include "cli/commands.hpp"
#include "basics/errors.hpp"
#include "harness/machine_context.hpp"
#include "harness/supervisor.hpp"

#ifndef PRIMBENCH_VERSION
#define PRIMBENCH_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace primbench;
  if (argc > 1 && std::strcmp(argv[1], "__bench") == 0) {
    try {
      return cli::bench_child_main(argc - 1, argv + 1);
    } catch (const std::exception& e) {
      return cli::usage_failure(e.what());
    }
  }

  // `run` treats SIGINT/SIGTERM as a recorded interruption from its first
  // instruction on, not only once its arguments are parsed: a Ctrl-C during a
  // slow start (a sanitizer build, a loaded machine) still ends with exit 128 +
  // signal and a results file saying the run was interrupted. Other commands
  // keep the default disposition: nothing of theirs would look at the flag.
  if (argc > 1 && (std::strcmp(argv[1], "run") == 0 || std::strcmp(argv[1], "ab") == 0)) install_supervisor_signals();

  // `ab`'s arguments after -- belong to the `primbench run`s it starts.
  std::vector<char*> args(argv, argv + argc);
  if (argc > 1 && std::strcmp(argv[1], "ab") == 0) {
    const auto dash = std::find_if(args.begin() + 2, args.end(), [](const char* a) { return std::strcmp(a, "--") == 0; });
    if (dash != args.end()) {
      cli::set_ab_run_arguments({dash + 1, args.end()});
      args.erase(dash, args.end());
    }
  }

  CLI::App app{"primbench: measures what concurrency primitives (queues, pipes, shared memory, locks, pools, "
               "process and thread creation) cost on this machine, per placement."};
  app.require_subcommand(1);
  int status = 0;
  cli::add_topo_command(app, status);
  cli::add_plan_command(app, status);
  cli::add_run_command(app, status);
  cli::add_report_command(app, status);
  cli::add_compare_command(app, status);
  cli::add_export_command(app, status);
  cli::add_capacity_command(app, status);
  cli::add_ab_command(app, status);
  app.add_subcommand("version", "Print primbench's version and build")->callback([] {
    fmt::print("primbench {} ({})\n", PRIMBENCH_VERSION, build_git_revision());
  });

  return cli::dispatch(app, static_cast<int>(args.size()), args.data(), status).exit_status;
}
