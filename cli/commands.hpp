// The primbench subcommands. Each returns the process exit status; UsageError
// escaping a command becomes one line on stderr and exit status 2 in main().
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace primbench::cli {

// Adds the subcommand and its options to `app`; the returned callable runs it.
void add_topo_command(CLI::App& app, int& exit_status);
void add_plan_command(CLI::App& app, int& exit_status);
void add_run_command(CLI::App& app, int& exit_status);
void add_report_command(CLI::App& app, int& exit_status);    // report_command.cpp
void add_compare_command(CLI::App& app, int& exit_status);   // compare_command.cpp
void add_export_command(CLI::App& app, int& exit_status);    // export_command.cpp
void add_capacity_command(CLI::App& app, int& exit_status);  // capacity_command.cpp
void add_ab_command(CLI::App& app, int& exit_status);        // ab_command.cpp

// `primbench ab ... -- RUN_ARGS`: main() takes what follows -- aside before
// parsing (they are primbench run's, not ab's) and hands them over here.
void set_ab_run_arguments(std::vector<std::string> args);
std::vector<std::string> ab_run_arguments();

// `primbench __bench ...`: the single-benchmark process the run loop starts.
// Everything it does not recognise goes to Google Benchmark.
int bench_child_main(int argc, char** argv);

// Shared by topo and plan: --topology SPEC.
void add_topology_option(CLI::App& cmd, std::string& spec);

}  // namespace primbench::cli
