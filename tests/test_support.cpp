#include "tests/test_support.hpp"

#include "basics/benchmark_name.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace primbench::test {
namespace fs = std::filesystem;

fs::path source_dir() {
  const char* env = std::getenv("PRIMBENCH_SOURCE_DIR");
  return env && *env ? fs::path(env) : fs::path(PRIMBENCH_TEST_SOURCE_DIR);
}

std::optional<fs::path> shared_topologies() {
  const fs::path dir = source_dir().parent_path() / "shared" / "topologies";
  if (fs::is_directory(dir)) return dir;
  return std::nullopt;
}

namespace {

// The scratch directories of this test program, removed at its exit. Only by
// the process that made them: a forked child that exits normally must not
// delete its parent's files.
class ScratchDirs {
 public:
  fs::path make(const std::string& what) {
    std::string pattern = (fs::temp_directory_path() / ("primbench-" + what + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) == nullptr)
      throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    std::lock_guard lock(mutex_);
    dirs_.push_back(pattern);
    return pattern;
  }
  ~ScratchDirs() {
    if (getpid() != owner_) return;
    std::error_code ignored;
    for (const auto& dir : dirs_) fs::remove_all(dir, ignored);
  }

 private:
  const pid_t owner_ = getpid();
  std::mutex mutex_;
  std::vector<fs::path> dirs_;
};

}  // namespace

fs::path scratch_dir(const std::string& what) {
  static ScratchDirs dirs;
  return dirs.make(what);
}

std::map<std::string, nlohmann::json> entries_by_registered_name(const nlohmann::json& doc) {
  std::map<std::string, nlohmann::json> entries;
  for (const auto& e : doc.at("benchmarks")) entries[registered_name(e.at("name").get<std::string>())] = e;
  return entries;
}

std::string primbench_exe() {
  const char* env = std::getenv("PRIMBENCH_EXE");
  return env && *env ? env : PRIMBENCH_TEST_EXE;
}

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, double interrupt_after_s, double kill_after_s) {
  char tmpl[] = "/tmp/primbench-test-XXXXXX";
  const fs::path dir = mkdtemp(tmpl);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, (dir / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, (dir / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  CommandResult r;
  if (posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&fa);
    r.err = "spawn failed";
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  bool interrupted = false;
  int status = 0;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (interrupt_after_s > 0 && !interrupted && t >= interrupt_after_s) {
      kill(pid, SIGINT);
      interrupted = true;
    }
    if (t >= kill_after_s) {  // a hang must fail the test, not the whole suite
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp(dir / "out");
  r.err = slurp(dir / "err");
  fs::remove_all(dir);
  return r;
}

CommandResult run_primbench(std::vector<std::string> args, double interrupt_after_s) {
  args.insert(args.begin(), primbench_exe());
  return run_command(args, interrupt_after_s);
}

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

std::string expect_one_line_error(const CommandResult& r, const std::string& fragment) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const auto lines = nonempty_lines(r.err);
  if (lines.size() != 1) {
    ADD_FAILURE() << "expected one line on stderr, got " << lines.size() << ":\n" << r.err;
    return "";
  }
  EXPECT_EQ(lines[0].rfind("primbench: error: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(fragment), std::string::npos) << "'" << fragment << "' not in: " << lines[0];
  return lines[0];
}

std::vector<std::string> primbench_segments() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/dev/shm", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("primbench", 0) != 0) continue;
    // Segments of another live process (a test running beside this one under
    // ctest -j or meson test, the CPython suite) are theirs, not a leak here.
    // Names carry their creator: primbench-<pid>-... or primbench-py-<pid>-...
    std::string rest = name.substr(std::string_view("primbench-").size());
    if (rest.rfind("py-", 0) == 0) rest = rest.substr(3);
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
    out.push_back(name);
  }
  return out;
}

}  // namespace primbench::test
