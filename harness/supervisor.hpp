// Running one child process under a watchdog, and surviving interruption.
//
// The supervisor starts each benchmark process with posix_spawn (never fork:
// the supervisor may hold threads or state a fork would duplicate) in a
// process group of its own, and is the child subreaper, so anything the child
// forks and abandons is still ours to kill and reap. On the deadline or on
// SIGINT/SIGTERM the whole group is SIGKILLed and reaped.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace primbench {

struct ChildSpec {
  std::vector<std::string> argv;     // argv[0] is the program path
  std::vector<std::string> env_add;  // "NAME=value" entries added to ours
  std::string stdout_path;           // where the child's stdout goes (truncated)
  std::string stderr_path;           // and its stderr
  std::chrono::milliseconds timeout{60'000};
  // When we are interrupted: 0 kills the child's group at once; more sends it
  // SIGINT first and waits that long, for a child that cleans up after itself
  // (a nested `primbench run` writes what it measured and unlinks its memory).
  std::chrono::milliseconds interrupt_grace{0};
};

struct ChildOutcome {
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  bool timed_out = false;  // the watchdog killed it
  bool interrupted = false;  // we were interrupted while it ran
  double seconds = 0;
  bool ok() const { return exit_code == 0 && !timed_out && !interrupted; }
};

// Makes SIGINT/SIGTERM set a flag instead of killing the supervisor, and makes
// this process the subreaper of its descendants.
void install_supervisor_signals();
bool interrupted();
int interrupt_signal();  // the signal received, 0 if none

ChildOutcome run_child(const ChildSpec& spec);

// Describes an outcome that is not ok(), e.g. "killed by signal 11 (Segmentation fault)".
std::string describe_failure(const ChildOutcome& outcome, std::chrono::milliseconds timeout);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace primbench
