// The identity of one `primbench run`, shared by every process it starts.
//
// Every shared-memory name begins with the run id ("primbench-<pid>-<random>"),
// so the supervisor can sweep exactly its own segments after a crash or SIGINT
// without touching another run's, and another user cannot guess a name.
#pragma once

#include <string>

namespace primbench {

inline constexpr const char* kRunIdEnv = "PRIMBENCH_RUN_ID";

// From PRIMBENCH_RUN_ID when a supervisor set it, else made once per process
// from the pid and 64 bits of getrandom().
const std::string& run_id();

// Makes a fresh id and exports it in PRIMBENCH_RUN_ID for child processes.
const std::string& start_new_run_id();

}  // namespace primbench
