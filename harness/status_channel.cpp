#include "harness/status_channel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace primbench {
namespace {

void write_all(int fd, std::string_view text) noexcept {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

void report_status(std::string_view line) noexcept {
  write_all(STDERR_FILENO, line);
  write_all(STDERR_FILENO, "\n");
  const char* path = std::getenv(kStatusFileEnv);
  if (path == nullptr || *path == '\0') return;
  const int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  write_all(fd, line);
  write_all(fd, "\n");
  close(fd);
}

}  // namespace primbench
