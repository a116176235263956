#include "harness/python_program.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "basics/errors.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

// As execvp would: a name with a '/' is a path; otherwise each PATH folder in
// turn (an empty entry is the current folder).
std::string resolve_interpreter(const std::string& requested) {
  if (requested.empty()) throw UsageError("--python needs an interpreter (a path, or a name on PATH)");
  if (requested.find('/') != std::string::npos) {
    if (!is_executable_file(requested))
      throw UsageError(fmt::format("--python '{}': no executable file there", requested));
    return requested;
  }
  const char* path = std::getenv("PATH");
  std::istringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const fs::path candidate = fs::path(folder.empty() ? "." : folder) / requested;
    if (is_executable_file(candidate)) return candidate.string();
  }
  throw UsageError(fmt::format("--python '{}': not found on PATH (install CPython 3.9 or newer, or name one with "
                               "--python /path/to/python3)",
                               requested));
}

fs::path find_script() {
  if (const char* env = std::getenv(kPythonScriptEnv); env && *env) {
    if (!fs::is_regular_file(env)) throw UsageError(fmt::format("{}='{}': no such file", kPythonScriptEnv, env));
    return env;
  }
  const fs::path relative = fs::path("scripts") / "python" / "primbench_py.py";
  const fs::path exe = self_executable();
  for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / relative)) return dir / relative;
    if (dir == dir.root_path()) break;
  }
  throw UsageError(fmt::format("the CPython programs ({}) are not in any folder above {}; set {} to their path",
                               relative.string(), exe.string(), kPythonScriptEnv));
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The last `count` non-empty lines of `text`, joined with " | ": an error
// message keeps Python's traceback tail on one line.
std::string tail_on_one_line(const std::string& text, std::size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

}  // namespace

PythonProgram find_python_program(const std::string& requested) {
  return {requested, resolve_interpreter(requested), find_script()};
}

std::string describe_call(const PythonProgram& program, const std::vector<std::string>& args) {
  std::string out = program.interpreter + " " + program.script.string();
  for (const auto& a : args) out += " " + a;
  return out;
}

PythonCall call_python(const PythonProgram& program, const std::vector<std::string>& args,
                       const fs::path& work_dir, const std::string& stem, std::chrono::milliseconds timeout) {
  ChildSpec spec;
  spec.argv = {program.interpreter, program.script.string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  // Unbuffered stderr: a program the watchdog kills still leaves its last words.
  spec.env_add = {"PYTHONUNBUFFERED=1"};
  spec.stdout_path = (work_dir / (stem + ".stdout")).string();
  spec.stderr_path = (work_dir / (stem + ".stderr")).string();
  spec.timeout = timeout;
  PythonCall call;
  try {
    call.outcome = run_child(spec);
  } catch (const std::runtime_error& e) {  // posix_spawn refused it: not a program this system can run
    throw UsageError(fmt::format("--python '{}': {}", program.requested, e.what()));
  }
  call.out = slurp(spec.stdout_path);
  call.err_tail = tail_on_one_line(slurp(spec.stderr_path), 3);
  return call;
}

std::size_t sweep_orphaned_python_blocks() {
  constexpr std::string_view prefix = "primbench-py-";
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/dev/shm", ec)) {
    const std::string file = entry.path().filename().string();
    if (file.rfind(prefix, 0) != 0) continue;
    const std::string rest = file.substr(prefix.size());
    char* end = nullptr;
    const long pid = std::strtol(rest.c_str(), &end, 10);
    if (pid <= 0 || end == rest.c_str() || *end != '-') continue;
    // ESRCH: no such process. EPERM means it lives (another user's run).
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (shm_unlink(("/" + file).c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace primbench
