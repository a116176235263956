#include "harness/supervisor.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace primbench {
namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }

// Kills the child's whole group and reaps every descendant that was handed to
// us as subreaper, so no zombie and no orphaned worker survives a benchmark.
// A descendant that left the group (setsid) cannot be reached by kill(-pgid);
// after a bounded wait we stop rather than hang, and the next reap gets it.
void kill_and_reap_group(pid_t pgid) {
  kill(-pgid, SIGKILL);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < give_up) {
    const pid_t r = waitpid(-1, nullptr, WNOHANG);
    if (r > 0) continue;
    if (r < 0) return;  // ECHILD: nothing left
    kill(-pgid, SIGKILL);  // members still exiting
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Passes an interruption on to the child's group and waits up to `grace` for
// the child to exit; true (and the status) when it did.
bool interrupt_and_wait(pid_t pid, std::chrono::milliseconds grace, int& status) {
  kill(-pid, SIGINT);
  const auto give_up = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < give_up) {
    if (waitpid(pid, &status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

struct SpawnFileActions {
  posix_spawn_file_actions_t actions;
  SpawnFileActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions); }
};

struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
};

}  // namespace

void install_supervisor_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
}

bool interrupted() { return g_signal != 0; }
int interrupt_signal() { return g_signal; }

std::string self_executable() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

ChildOutcome run_child(const ChildSpec& spec) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), spec.env_add.begin(), spec.env_add.end());
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  SpawnFileActions fa;
  posix_spawn_file_actions_addopen(&fa.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa.actions, STDOUT_FILENO, spec.stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa.actions, STDERR_FILENO, spec.stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  SpawnAttr sa;
  // Own process group: one kill(-pgid) reaches the child and all it forked.
  // Default signal dispositions: our SIGINT handler must not be inherited.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&sa.attr, &defaults);
  posix_spawnattr_setpgroup(&sa.attr, 0);
  posix_spawnattr_setflags(&sa.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int err = posix_spawn(&pid, argv[0], &fa.actions, &sa.attr, argv.data(), envp.data());
  if (err != 0) throw std::runtime_error(fmt::format("cannot start '{}': {}", spec.argv[0], std::strerror(err)));

  ChildOutcome out;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
      break;
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (interrupted() || elapsed > spec.timeout) {
      out.interrupted = interrupted();
      out.timed_out = !out.interrupted;
      if (out.interrupted && spec.interrupt_grace.count() > 0 && interrupt_and_wait(pid, spec.interrupt_grace, status)) {
        if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  kill_and_reap_group(pid);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::string describe_failure(const ChildOutcome& o, std::chrono::milliseconds timeout) {
  if (o.interrupted) return "interrupted";
  if (o.timed_out) return fmt::format("did not finish within {:.0f} s (watchdog killed it)", timeout.count() / 1e3);
  if (o.signal) return fmt::format("killed by signal {} ({})", o.signal, strsignal(o.signal));
  return fmt::format("exited with status {}", o.exit_code);
}

}  // namespace primbench
