// Running a helper program (hwloc's hwloc-calc) to completion and keeping what
// it printed: for short, bounded output, not for benchmark processes (those go
// through the supervisor, with a watchdog).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace primbench {

// A helper given absurd input can loop and print for minutes (hwloc-calc
// warns once per missing object of "pu:0-100000000"): it is stopped instead.
struct ProgramLimits {
  std::chrono::milliseconds timeout{10'000};
  std::size_t max_output_bytes = 1 << 20;  // on stdout or stderr
};

struct ProgramOutput {
  int exit_status = -1;  // -1 when a signal ended it
  std::string out, err;  // at most max_output_bytes each
  std::string stopped;   // why it was killed ("ran past 10 s"); empty when it finished
};

// Runs argv (argv[0] looked up on PATH) with `input` as its stdin. nullopt
// when the program cannot be started (not installed); throws std::runtime_error
// when the system cannot provide the files to capture it.
std::optional<ProgramOutput> run_program(const std::vector<std::string>& argv, const std::string& input,
                                         const ProgramLimits& limits = {});

}  // namespace primbench
