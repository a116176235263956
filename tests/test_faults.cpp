// Faults injected into a real `primbench run`, and what the user finds after
// each: a prompt end with the documented exit status, a valid results.json
// that says what happened, and nothing left behind (no process of the run, no
// shared-memory segment, no half-written file). docs/RELIABILITY.md lists
// every fault and the test that proves its handling.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness/shm_segment.hpp"
#include "reports/result_reader.hpp"
#include "basics/benchmark_name.hpp"
#include "tests/test_support.hpp"

extern char** environ;

namespace primbench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A primbench run started in the background, so that a test can act on it
// (signal it, kill one of its workers) while it runs. Environment additions
// go to the child only: this process's environment stays clean, so scanning
// /proc for the run's marks never finds the test itself.
class BackgroundRun {
 public:
  BackgroundRun(std::vector<std::string> args, const std::vector<std::string>& env_add = {})
      : io_(test::scratch_dir("faults-io")) {
    args.insert(args.begin(), test::primbench_exe());
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    env.insert(env.end(), env_add.begin(), env_add.end());
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, (io_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, (io_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    started_ = Clock::now();
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~BackgroundRun() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(io_);
  }
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  pid_t pid() const { return pid_; }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  // Waits until the process catches `sig` (its bit in /proc/PID/status
  // SigCgt): before main() installs the handler, during the loader's and the
  // runtime's start (long in a sanitizer build), a signal still has its
  // default action, and a run that has created nothing yet dies of it.
  // Restarts seconds() from that moment. False after `limit_s`.
  bool wait_until_catching(int sig, double limit_s) {
    const auto give_up = Clock::now() + std::chrono::duration<double>(limit_s);
    while (Clock::now() < give_up) {
      std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
      for (std::string line; std::getline(status, line);) {
        if (line.rfind("SigCgt:", 0) != 0) continue;
        if ((std::stoull(line.substr(7), nullptr, 16) >> (sig - 1)) & 1) {
          started_ = Clock::now();
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
  }

  // Waits for the end (SIGKILL after `limit_s` more seconds: a hang fails the
  // test, not the suite) and collects what the run printed.
  test::CommandResult wait(double limit_s) {
    test::CommandResult r;
    const auto give_up = Clock::now() + std::chrono::duration<double>(limit_s);
    int status = 0;
    for (;;) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) break;
      if (Clock::now() >= give_up) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        r.err = "(killed by the test: still running after the limit)\n";
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    reaped_ = true;
    r.seconds = seconds();
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    r.out = slurp(io_ / "out");
    r.err += slurp(io_ / "err");
    return r;
  }

 private:
  fs::path io_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  Clock::time_point started_;
};

// The run id of a supervisor is "primbench-<its pid>-<random>" (run_identity.hpp).
std::string run_id_prefix_of(pid_t supervisor) { return "primbench-" + std::to_string(supervisor) + "-"; }

// Every process still carrying a mark of the run: its run id (every process a
// run starts inherits PRIMBENCH_RUN_ID) or `mark` (the --out folder, a pid
// folder) in its command line or environment.
std::vector<std::string> processes_of_run(pid_t supervisor, const std::string& mark) {
  const std::string run_id_prefix = run_id_prefix_of(supervisor);
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || std::stol(pid) == getpid()) continue;
    const std::string cmdline = slurp(entry.path() / "cmdline"), environment = slurp(entry.path() / "environ");
    if (cmdline.find(mark) != std::string::npos || environment.find(mark) != std::string::npos ||
        environment.find("PRIMBENCH_RUN_ID=" + run_id_prefix) != std::string::npos) {
      std::string shown = cmdline;
      for (char& c : shown) c = c == '\0' ? ' ' : c;
      found.push_back(pid + ": " + shown);
    }
  }
  return found;
}

std::vector<std::string> segments_of_run(pid_t supervisor) {
  std::vector<std::string> found;
  for (const std::string& name : test::primbench_segments())
    if (name.rfind(run_id_prefix_of(supervisor), 0) == 0) found.push_back(name);
  return found;
}

// Files a run must never leave in --out: its scratch folder, a temporary result.
std::vector<std::string> half_written(const fs::path& out) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(".work-", 0) == 0 || name.find(".tmp") != std::string::npos) found.push_back(name);
  }
  return found;
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& i : items) text += (text.empty() ? "" : "; ") + i;
  return text;
}

// The names the run printed a progress line for ("[  3/12] name: ...").
std::set<std::string> reported_names(const std::string& err) {
  std::set<std::string> names;
  for (const std::string& line : test::nonempty_lines(err)) {
    if (line.empty() || line[0] != '[') continue;
    const auto open = line.find("] "), colon = line.find(": ", open == std::string::npos ? 0 : open);
    if (open != std::string::npos && colon != std::string::npos) names.insert(line.substr(open + 2, colon - open - 2));
  }
  return names;
}

// Every process and segment of the run gone, and no half-written file.
void expect_nothing_left(pid_t supervisor, const fs::path& out) {
  EXPECT_EQ(join(processes_of_run(supervisor, out.string())), "") << "processes of the run still alive";
  EXPECT_EQ(join(segments_of_run(supervisor)), "") << "shared-memory segments of the run left in /dev/shm";
  if (fs::exists(out)) {
    EXPECT_EQ(join(half_written(out)), "") << "left in " << out;
  }
}

void interrupt_at_random_points(int sig, int points) {
  // PRIMBENCH_FAULT_SEED replays a failure; the seed is in every message.
  const char* seed_env = std::getenv("PRIMBENCH_FAULT_SEED");
  const unsigned seed = seed_env && *seed_env ? static_cast<unsigned>(std::strtoul(seed_env, nullptr, 10))
                                              : std::random_device{}();
  std::mt19937 rng(seed);
  // From the moment its handler is in place (parsing the arguments, listing the
  // benchmarks) to the middle of the measuring.
  std::uniform_real_distribution<double> when(0.05, 2.0);
  for (int point = 0; point < points; ++point) {
    const double at = when(rng);
    SCOPED_TRACE(::testing::Message() << strsignal(sig) << " after " << at << " s (PRIMBENCH_FAULT_SEED=" << seed
                                      << ", point " << point + 1 << " of " << points << ")");
    const fs::path out = test::scratch_dir("faults-out");
    // About 4 s here (16 benchmarks, 6 measured for 0.3 s each): every point falls inside the run.
    BackgroundRun run({"run", "--quick", "--family", "c2c", "--benchmark_min_time=0.3", "--out", out.string()});
    ASSERT_GT(run.pid(), 0);
    ASSERT_TRUE(run.wait_until_catching(sig, 30)) << "the run never installed its handler";
    while (run.seconds() < at) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    kill(run.pid(), sig);
    const auto r = run.wait(/*limit_s=*/30);
    EXPECT_EQ(r.signal, 0) << "killed by its signal instead of handling it\n" << r.err;
    EXPECT_EQ(r.exit_code, 128 + sig) << r.err;
    EXPECT_LT(r.seconds - at, 20.0) << "the run must end promptly after the signal";
    expect_nothing_left(run.pid(), out);
    nlohmann::json doc;
    ASSERT_NO_THROW(doc = read_result_file(out / "results.json")) << "what was measured is written, and valid\n"
                                                                    << r.err;
    const auto& run_info = doc["primbench"]["run"];
    EXPECT_TRUE(run_info["interrupted"].get<bool>());
    EXPECT_EQ(run_info.value("interrupted_by", ""), strsignal(sig));
    // Exactly the benchmarks that finished before the signal: each printed
    // its progress line, and none half-run is in the file.
    std::set<std::string> in_file;
    for (const BenchmarkRun& b : benchmark_runs(doc)) in_file.insert(registered_name(b.name));  // unavailable ones too
    EXPECT_EQ(in_file, reported_names(r.err)) << r.err;
    EXPECT_EQ(run_info["benchmarks_run"].get<std::size_t>(), in_file.size());
    fs::remove_all(out);
  }
}

TEST(Faults, SigtermAtRandomPointsEndsPromptlyWithValidPartialResults) { interrupt_at_random_points(SIGTERM, 3); }

TEST(Faults, SigintAtRandomPointsEndsPromptlyWithValidPartialResults) { interrupt_at_random_points(SIGINT, 2); }

// The end of a run in which a benchmark failed on purpose: exit status 1,
// nothing left behind, and results.json valid; its entries by name.
std::map<std::string, nlohmann::json> entries_of_failed_run(const test::CommandResult& r, pid_t pid,
                                                            const fs::path& out) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_nothing_left(pid, out);
  nlohmann::json doc;
  EXPECT_NO_THROW(doc = read_result_file(out / "results.json")) << r.err;
  return test::entries_by_registered_name(doc);
}

// selftest/killed/processes/same-pu (benches/selftest.cpp): its worker writes
// its pid where the test can find it and waits to be SIGKILLed.
TEST(Faults, SigkilledWorkerBecomesAnErrorNamingWorkerAndPlacement) {
  const fs::path out = test::scratch_dir("faults-out"), pids = test::scratch_dir("faults-pids");
  const std::string pid_dir_env = "PRIMBENCH_SELFTEST_PID_DIR=" + pids.string();
  BackgroundRun run({"run", "--family", "selftest", "--filter", "killed|/ok/", "--timeout", "60", "--out",
                     out.string()},
                    {"PRIMBENCH_SELFTEST=1", pid_dir_env});
  ASSERT_GT(run.pid(), 0);
  pid_t worker = -1;
  while (worker < 0 && run.seconds() < 30) {
    for (const auto& e : fs::directory_iterator(pids))
      if (e.path().extension() == ".pid") worker = static_cast<pid_t>(std::stol(slurp(e.path())));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(worker, 0) << "the selftest worker never wrote its pid\n" << run.wait(5).err;
  // The pid is that worker's, not a recycled one: it carries the marker.
  ASSERT_NE(slurp("/proc/" + std::to_string(worker) + "/environ").find(pid_dir_env), std::string::npos);
  // The checks for leftovers see a live run (so their silence later means something).
  EXPECT_NE(join(processes_of_run(run.pid(), out.string())), "");
  ASSERT_EQ(kill(worker, SIGKILL), 0);

  const auto r = run.wait(/*limit_s=*/40);
  EXPECT_EQ(r.exit_code, 1) << "a benchmark failed\n" << r.err;
  expect_nothing_left(run.pid(), out);
  EXPECT_EQ(join(processes_of_run(run.pid(), pids.string())), "");
  nlohmann::json doc;
  ASSERT_NO_THROW(doc = read_result_file(out / "results.json")) << r.err;
  auto entries = test::entries_by_registered_name(doc);
  const std::string killed = entries["selftest/killed/processes/same-pu"].value("error_message", "");
  for (const char* part : {"selftest/killed/processes/same-pu [processes]", "worker 0 (process on PU",
                           "killed by signal 9"})
    EXPECT_NE(killed.find(part), std::string::npos) << "'" << part << "' not in: " << killed;
  for (const char* ok : {"selftest/ok/processes/same-pu", "selftest/ok/threads/same-pu"}) {
    EXPECT_FALSE(entries[ok].value("error_occurred", false)) << ok << ": " << entries[ok].dump();
    EXPECT_GT(entries[ok].value("iterations", 0), 0) << ok;
  }
  EXPECT_NE(r.err.find("1 failed"), std::string::npos) << r.err;
  fs::remove_all(out);
  fs::remove_all(pids);
}

// Two workers take two locks in opposite orders (benches/selftest.cpp): the
// worker deadline ends it, naming every stuck worker, its PU and the
// benchmark with its placement, as threads and as processes.
TEST(Faults, DeadlockedWorkersAreNamedWithTheirPlacement) {
  const fs::path out = test::scratch_dir("faults-out");
  BackgroundRun run({"run", "--family", "selftest", "--filter", "deadlock", "--timeout", "30", "--out", out.string()},
                    {"PRIMBENCH_SELFTEST=1", "PRIMBENCH_WORKER_DEADLINE_MS=400"});
  const auto r = run.wait(/*limit_s=*/60);
  auto entries = entries_of_failed_run(r, run.pid(), out);
  for (const char* mode : {"processes", "threads"}) {
    const std::string name = std::string("selftest/deadlock/") + mode + "/same-pu";
    const std::string kind = std::string(mode) == "threads" ? "thread" : "process";
    const std::string error = entries[name].value("error_message", "");
    EXPECT_TRUE(entries[name].value("error_occurred", false)) << name;
    for (const std::string& part : std::vector<std::string>{name + " [" + mode + "]", "worker 0 (" + kind + " on PU",
                                                            "did not finish"})
      EXPECT_NE(error.find(part), std::string::npos) << "'" << part << "' not in: " << error;
  }
  fs::remove_all(out);
}

// selftest/side-a (benches/selftest.cpp): the benchmark's own thread hangs or
// crashes with a peer process waiting beside it. The benchmark becomes an
// error entry, its whole process group is killed and reaped, and the next
// benchmark runs.
void expect_side_a_failure_reported(const std::string& how, const std::string& error_part) {
  const fs::path out = test::scratch_dir("faults-out");
  BackgroundRun run({"run", "--family", "selftest", "--filter", "side-a|/ok/processes", "--timeout", "3", "--out",
                     out.string()},
                    {"PRIMBENCH_SELFTEST=1", "PRIMBENCH_SELFTEST_SIDE_A=" + how});
  const auto r = run.wait(/*limit_s=*/60);
  auto entries = entries_of_failed_run(r, run.pid(), out);
  const std::string error = entries["selftest/side-a/processes/same-pu"].value("error_message", "");
  EXPECT_NE(error.find("benchmark selftest/side-a/processes/same-pu " + error_part), std::string::npos) << error;
  EXPECT_EQ(error.find("Load Average"), std::string::npos) << "Google Benchmark's banner is no reason: " << error;
  const auto& next = entries["selftest/ok/processes/same-pu"];
  EXPECT_FALSE(next.value("error_occurred", false)) << "the run goes on\n" << r.err;
  EXPECT_GT(next.value("iterations", 0), 0) << r.err;
  fs::remove_all(out);
}

// Nothing inside the process can notice: only the supervisor's watchdog (--timeout) ends it.
TEST(Faults, HungBenchmarkProcessIsKilledByTheWatchdogWithItsWorkers) {
  expect_side_a_failure_reported("hang", "did not finish within 3 s (watchdog killed it)");
}

TEST(Faults, CrashedBenchmarkProcessIsNamedWithItsSignalAndItsWorkersReaped) {
  expect_side_a_failure_reported("crash", "killed by signal 11 (Segmentation fault)");
}

// PRIMBENCH_SHM_FAIL_AFTER=0: /dev/shm full from the start. The run's check
// stops it before anything is measured or written.
TEST(Faults, DevShmFullAtTheStartIsOneLineAndNothingIsWritten) {
  const fs::path parent = test::scratch_dir("faults-out"), out = parent / "results";
  BackgroundRun run({"run", "--quick", "--family", "c2c", "--out", out.string()}, {"PRIMBENCH_SHM_FAIL_AFTER=0"});
  const auto r = run.wait(/*limit_s=*/30);
  const std::string line = test::expect_one_line_error(r, "/dev/shm");
  EXPECT_NE(line.find("No space left on device"), std::string::npos) << line;
  EXPECT_FALSE(fs::exists(out)) << "nothing is created in --out";
  expect_nothing_left(run.pid(), parent);
  fs::remove_all(parent);
}

// PRIMBENCH_SHM_FAIL_AFTER=1: the run's check passes and /dev/shm "fills up"
// inside every benchmark process after its first segment (Google Benchmark
// calls a benchmark again with more iterations, which needs a second one).
TEST(Faults, DevShmFillingUpMidRunBecomesErrorEntriesNamingTheCause) {
  const fs::path out = test::scratch_dir("faults-out");
  BackgroundRun run({"run", "--family", "selftest", "--filter", "/ok/", "--out", out.string()},
                    {"PRIMBENCH_SELFTEST=1", "PRIMBENCH_SHM_FAIL_AFTER=1"});
  const auto r = run.wait(/*limit_s=*/60);
  auto entries = entries_of_failed_run(r, run.pid(), out);
  for (const char* name : {"selftest/ok/processes/same-pu", "selftest/ok/threads/same-pu"}) {
    const std::string error = entries[name].value("error_message", "");
    EXPECT_NE(error.find("No space left on device"), std::string::npos) << name << ": " << entries[name].dump();
    EXPECT_NE(r.err.find(std::string(name) + ": "), std::string::npos) << "progress line of " << name << "\n" << r.err;
  }
  EXPECT_NE(r.err.find("2 failed"), std::string::npos) << r.err;
  fs::remove_all(out);
}

// An --out the user cannot write into is refused before the run starts. As
// root (who may write anywhere) the run is started as nobody via setpriv.
TEST(Faults, UnwritableOutDirIsOneLineExitTwoAndNothingWritten) {
  const fs::path parent = test::scratch_dir("faults-out");
  {  // a folder that cannot be created: its parent is a file
    std::ofstream(parent / "file") << "x";
    test::expect_one_line_error(test::run_primbench({"run", "--quick", "--out", (parent / "file" / "results").string()}),
                                "cannot create output directory");
  }
  const fs::path locked = parent / "locked";
  fs::create_directory(locked);
  std::vector<std::string> argv{test::primbench_exe(), "run", "--quick", "--family", "c2c", "--out", locked.string()};
  if (geteuid() == 0) {
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "root and no setpriv to run as another user: not checked";
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
    fs::permissions(parent, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  }
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  const std::string line = test::expect_one_line_error(test::run_command(argv), "cannot write into output directory");
  EXPECT_NE(line.find("Permission denied"), std::string::npos) << line;
  EXPECT_TRUE(fs::is_empty(locked)) << "nothing written";
  fs::permissions(locked, fs::perms::owner_all);
  fs::remove_all(parent);
}

// Segments are owner-only (0600): another user can neither map nor open one.
TEST(Faults, ASegmentIsOwnerOnlyAndAnotherUserCannotOpenIt) {
  SharedSegment seg = SharedSegment::create("security", 4096);
  struct stat st {};
  ASSERT_EQ(stat(("/dev/shm" + seg.name()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, geteuid());
  if (geteuid() != 0) GTEST_SKIP() << "not root: cannot switch to another uid to try opening it (mode checked)";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Async-signal-safe calls only: this test process may have threads.
    // Exit codes: 0 refused as it must be, 10+ a step failed, 20+ it opened.
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
      _exit(10);
    if (geteuid() != 65534) _exit(11);
    const int rw = shm_open(seg.name().c_str(), O_RDWR, 0);
    if (rw >= 0) _exit(20);
    if (errno != EACCES) _exit(12);
    const int ro = shm_open(seg.name().c_str(), O_RDONLY, 0);
    if (ro >= 0) _exit(21);
    // Nor can it take the name over: O_EXCL create of the same name fails.
    const int taken = shm_open(seg.name().c_str(), O_CREAT | O_EXCL | O_RDWR, 0666);
    if (taken >= 0) _exit(22);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "0: refused; 10-12: the switch to uid 65534 failed; 20: opened read-write; "
                                       "21: opened read-only; 22: re-created the name";
}

}  // namespace
}  // namespace primbench
