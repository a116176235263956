// Running a helper program (hwloc's hwloc-calc) to completion and keeping what
// it printed: for short, bounded output, not for benchmark processes (those go
// through the supervisor, with a watchdog).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace primbench {

struct ProgramOutput {
  int exit_status = -1;  // -1 when a signal ended it
  std::string out, err;
};

// Runs argv (argv[0] looked up on PATH) with `input` as its stdin. nullopt
// when the program cannot be started (not installed); throws std::runtime_error
// when the system cannot provide the files to capture it.
std::optional<ProgramOutput> run_program(const std::vector<std::string>& argv, const std::string& input);

}  // namespace primbench
