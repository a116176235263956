#include "harness/program_output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace primbench {
namespace {

// An anonymous in-memory file: the child's stdin, stdout or stderr. Files
// rather than pipes: nothing to pump while the child runs, so no deadlock
// whatever it writes to which stream.
struct MemoryFile {
  int fd = memfd_create("primbench-program", MFD_CLOEXEC);
  explicit MemoryFile(const std::string& content = "") {
    if (fd < 0) throw std::runtime_error(fmt::format("memfd_create failed: {}", std::strerror(errno)));
    for (std::size_t done = 0; done < content.size();) {
      const ssize_t n = write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error(fmt::format("writing a program's input failed: {}", std::strerror(errno)));
      done += static_cast<std::size_t>(n);
    }
    lseek(fd, 0, SEEK_SET);  // the child reads its stdin from the start
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { close(fd); }

  std::size_t size() const {
    struct stat st {};
    return fstat(fd, &st) == 0 ? static_cast<std::size_t>(st.st_size) : 0;
  }

  std::string text(std::size_t max_bytes) const {
    std::string out;
    char buffer[4096];
    for (off_t at = 0; out.size() < max_bytes;) {
      const ssize_t n = pread(fd, buffer, std::min(sizeof buffer, max_bytes - out.size()), at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
      at += n;
    }
    return out;
  }
};

// Polls rather than blocks: a child past its limits is stopped, not waited for.
int wait_within(pid_t pid, const ProgramLimits& limits, const MemoryFile& out, const MemoryFile& err,
                std::string& stopped) {
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) throw std::runtime_error(fmt::format("waitpid failed: {}", std::strerror(errno)));
    if (std::chrono::steady_clock::now() > deadline)
      stopped = fmt::format("ran past {:.0f} s", limits.timeout.count() / 1e3);
    else if (std::max(out.size(), err.size()) > limits.max_output_bytes)
      stopped = fmt::format("printed more than {} bytes", limits.max_output_bytes);
    if (!stopped.empty()) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

std::optional<ProgramOutput> run_program(const std::vector<std::string>& argv_in, const std::string& input,
                                         const ProgramLimits& limits) {
  MemoryFile in(input), out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd, STDIN_FILENO);  // dup2 clears close-on-exec
  posix_spawn_file_actions_adddup2(&actions, out.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd, STDERR_FILENO);
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return std::nullopt;

  ProgramOutput result;
  const int status = wait_within(pid, limits, out, err, result.stopped);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = out.text(limits.max_output_bytes);
  result.err = err.text(limits.max_output_bytes);
  return result;
}

}  // namespace primbench
