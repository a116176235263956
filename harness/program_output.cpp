#include "harness/program_output.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

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

  std::string text() const {
    std::string out;
    char buffer[4096];
    for (off_t at = 0;;) {
      const ssize_t n = pread(fd, buffer, sizeof buffer, at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return out;
      out.append(buffer, static_cast<std::size_t>(n));
      at += n;
    }
  }
};

}  // namespace

std::optional<ProgramOutput> run_program(const std::vector<std::string>& argv_in, const std::string& input) {
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

  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error(fmt::format("waiting for {} failed: {}", args[0], std::strerror(errno)));
  return ProgramOutput{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out.text(), err.text()};
}

}  // namespace primbench
