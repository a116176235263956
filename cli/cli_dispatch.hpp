// Parsing a command line and running the chosen command, with every error
// turned into what the user sees: one "primbench: error: ..." line and exit 2
// for bad input, "internal error" and exit 3 for a bug. Shared by main() and
// the CLI fuzz target, which treats an internal error as a finding.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace primbench::cli {

struct DispatchResult {
  int exit_status = 0;
  bool internal_error = false;  // an exception other than a usage error escaped
  std::string message;          // what was printed for an error
};

// `command_status` is where the commands' callbacks leave their exit status.
DispatchResult dispatch(CLI::App& app, int argc, char** argv, const int& command_status);

// Prints "primbench: error: <message>" and returns 2.
int usage_failure(const std::string& message);

}  // namespace primbench::cli
