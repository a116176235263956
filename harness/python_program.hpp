// The CPython programs (scripts/python/primbench_py.py) as `primbench run
// --suite python` starts them: which interpreter, which script, and one call
// under the supervisor (own process group, watchdog, SIGINT), its stdout and
// stderr kept in files of the run's work folder.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/supervisor.hpp"

namespace primbench {

// Names another primbench_py.py than the one found above the executable.
inline constexpr const char* kPythonScriptEnv = "PRIMBENCH_PY_SCRIPT";

struct PythonProgram {
  std::string requested;    // --python as given ("python3", "/opt/py313/bin/python3")
  std::string interpreter;  // the file started: requested, or found on PATH
  std::filesystem::path script;
};

// Resolves --python (a path, or a name looked up on PATH as a shell would) and
// the script: $PRIMBENCH_PY_SCRIPT, else scripts/python/primbench_py.py in the
// first folder above the executable that has it (build folders live inside
// the checkout). Throws UsageError, one line, when either is missing.
PythonProgram find_python_program(const std::string& requested);

struct PythonCall {
  ChildOutcome outcome;
  std::string out;       // stdout: the JSON document, or the listing
  std::string err_tail;  // the last lines of stderr, on one line
};

// Runs `script args...` under the supervisor; `stem` names its files in
// `work_dir`. Throws UsageError when the interpreter cannot be started at all.
PythonCall call_python(const PythonProgram& program, const std::vector<std::string>& args,
                       const std::filesystem::path& work_dir, const std::string& stem,
                       std::chrono::milliseconds timeout);

// "interpreter script args..." for messages.
std::string describe_call(const PythonProgram& program, const std::vector<std::string>& args);

// Unlinks /dev/shm/primbench-py-<pid>-* blocks whose creating process is gone:
// a Python program the watchdog killed could not unlink its own, and neither
// could its resource tracker (same process group). A live creator's blocks,
// another run's included, are left alone. Returns how many were removed.
std::size_t sweep_orphaned_python_blocks();

}  // namespace primbench
