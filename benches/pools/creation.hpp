// Creating a thread or a process and waiting for it to end: the primitives the
// spawn family times and the pool family's "fresh worker per task" baselines
// are built from. Each one reaps what it starts, so nothing is left behind
// (no zombie, no unjoined thread), and each reports a child that did not end
// cleanly as an exception naming how it ended.
#pragma once

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;  // the exec family's environment (unistd.h declares it only under _GNU_SOURCE)

namespace primbench::creation {

inline std::system_error os_error(const std::string& what, int err = errno) {
  return std::system_error(err, std::generic_category(), what);
}

// Waits for `pid` (retrying on EINTR) and returns its wait status.
inline int reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw os_error(fmt::format("waitpid({})", pid));
  return status;
}

// "exited with status 3", "killed by signal 9 (Killed)".
inline std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("ended with wait status {:#x}", status);
}

// Throws unless the child exited with status 0.
inline void expect_clean_exit(int status, const std::string& who) {
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format("{} {}", who, describe_status(status)));
}

// True when this process has no child left at all, zombie or running.
inline bool no_children_left() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// Exit status a forked child uses to say "I did not run where I was placed".
inline constexpr int kExitWrongPu = 3;

// Forks; the child runs `child()` (which returns its exit status) and
// _exits without running atexit handlers or flushing the parent's stdio
// buffers twice. Returns the child's pid to the parent.
template <typename ChildFn>
pid_t fork_child(ChildFn&& child) {
  const pid_t pid = fork();
  if (pid < 0) throw os_error("fork");
  if (pid == 0) _exit(child());
  return pid;
}

// fork + the child's work + _exit + waitpid: the `fork` start method per task.
template <typename ChildFn>
void fork_and_reap(ChildFn&& child, const std::string& who = "forked child") {
  expect_clean_exit(reap(fork_child(std::forward<ChildFn>(child))), who);
}

// A child body that exits 0 only when it runs on `pu` (it inherited the
// parent's binding): the placement of every child is checked, at the cost of
// one vDSO call.
inline int exit_ok_on(unsigned pu) { return sched_getcpu() == static_cast<int>(pu) ? 0 : kExitWrongPu; }

// A new pthread, bound to `pu` by its creation attribute when given
// (pthread_attr_setaffinity_np: bound before it first runs), otherwise
// inheriting the creator's binding; runs `fn` and is joined.
class PinnedThreadAttr {
 public:
  explicit PinnedThreadAttr(std::optional<unsigned> pu) {
    pthread_attr_init(&attr_);
    if (pu) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(*pu, &set);
      if (const int rc = pthread_attr_setaffinity_np(&attr_, sizeof set, &set); rc != 0)
        throw os_error(fmt::format("pthread_attr_setaffinity_np(PU {})", *pu), rc);
    }
  }
  ~PinnedThreadAttr() { pthread_attr_destroy(&attr_); }
  PinnedThreadAttr(const PinnedThreadAttr&) = delete;
  PinnedThreadAttr& operator=(const PinnedThreadAttr&) = delete;

  template <typename Fn>
  void run_and_join(Fn& fn) const {
    pthread_t thread;
    auto trampoline = [](void* arg) -> void* {
      (*static_cast<Fn*>(arg))();
      return nullptr;
    };
    if (const int rc = pthread_create(&thread, &attr_, trampoline, &fn); rc != 0) throw os_error("pthread_create", rc);
    if (const int rc = pthread_join(thread, nullptr); rc != 0) throw os_error("pthread_join", rc);
  }

 private:
  pthread_attr_t attr_;
};

// An argv for exec: owns the strings, hands out the char* const[] exec wants.
class ExecArgs {
 public:
  ExecArgs(std::string path, std::vector<std::string> args) : path_(std::move(path)), args_(std::move(args)) {
    for (auto& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
  }
  const char* path() const { return path_.c_str(); }
  char* const* argv() const { return argv_.data(); }
  std::string describe() const {
    std::string text = path_;
    for (std::size_t i = 1; i < args_.size(); ++i) text += " " + args_[i];
    return text;
  }

 private:
  std::string path_;
  std::vector<std::string> args_;
  std::vector<char*> argv_;
};

// A file descriptor on /dev/null for the children's stdout: a spawned
// program's output must not end up in the benchmark's own output.
class DevNull {
 public:
  DevNull() : fd_(open("/dev/null", O_WRONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw os_error("open /dev/null");
  }
  ~DevNull() { close(fd_); }
  DevNull(const DevNull&) = delete;
  DevNull& operator=(const DevNull&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// posix_spawn + waitpid; the child's stdout goes to /dev/null.
class Spawner {
 public:
  Spawner() {
    posix_spawn_file_actions_init(&actions_);
    posix_spawn_file_actions_adddup2(&actions_, devnull_.fd(), STDOUT_FILENO);
  }
  ~Spawner() { posix_spawn_file_actions_destroy(&actions_); }
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  // Returns the child's wait status.
  int run_and_reap(const ExecArgs& program) const {
    pid_t pid = 0;
    if (const int rc = posix_spawn(&pid, program.path(), &actions_, nullptr, program.argv(), environ); rc != 0)
      throw os_error(fmt::format("posix_spawn {}", program.describe()), rc);
    return reap(pid);
  }

 private:
  DevNull devnull_;
  posix_spawn_file_actions_t actions_;
};

// vfork + execve + waitpid. The child shares the parent's memory until it
// execs, so it does nothing but dup2 (a system call on its own descriptor
// table), execve and _exit.
class VforkExecer {
 public:
  int run_and_reap(const ExecArgs& program) const { return reap(start(program.path(), program.argv(), devnull_.fd())); }

 private:
  // Everything the child touches is an argument, already computed: nothing
  // is kept in variables that vfork's shared stack could clobber.
  [[gnu::noinline]] static pid_t start(const char* path, char* const* argv, int devnull) {
    const pid_t pid = vfork();
    if (pid == 0) {
      dup2(devnull, STDOUT_FILENO);
      execve(path, argv, environ);
      _exit(127);
    }
    if (pid < 0) throw os_error("vfork");
    return pid;
  }

  DevNull devnull_;
};

// fork + execve + waitpid: a fresh program image, as Python's `spawn` start
// method does (fork_exec of a new interpreter).
class ForkExecer {
 public:
  int run_and_reap(const ExecArgs& program) const {
    const pid_t pid = fork_child([&] {
      dup2(devnull_.fd(), STDOUT_FILENO);
      execve(program.path(), program.argv(), environ);
      return 127;
    });
    return reap(pid);
  }

 private:
  DevNull devnull_;
};

}  // namespace primbench::creation
