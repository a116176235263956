// The `forkserver` start method: a server process, forked early while the
// parent is still small and single-threaded, forks children on request. The
// client asks over a socketpair; the server answers with the new child's pid,
// reaps the child itself (the client cannot: it is not the child's parent) and
// then reports its exit status, so the client learns of the child's end
// without a zombie anywhere.
//
//   client                      server                       child
//   request ─────────────────▶  fork() ───────────────────▶  _exit(placement ok ? 0 : 3)
//           ◀──────── started{pid}
//                               waitpid(pid)
//           ◀──────── exited{pid, status}
//
// The server body runs in whatever process hosts it (the spawn family uses a
// PeerSession peer, so the server is pinned and its placement read back); its
// children inherit its binding and check it on exit.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

#include "benches/pools/creation.hpp"

namespace primbench::creation {

struct ForkServerMessage {
  enum Kind : std::int32_t { request = 1, quit, started, exited, failed };
  Kind kind = request;
  std::int32_t pid = 0;
  std::int32_t status = 0;  // exited: wait status; failed: errno of fork
};

// SOCK_SEQPACKET: one message per send, never merged or split.
class ForkServerLink {
 public:
  ForkServerLink() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw os_error("socketpair");
    client_fd_ = fds[0];
    server_fd_ = fds[1];
  }
  ~ForkServerLink() {
    close_client_end();
    close_server_end();
  }
  ForkServerLink(const ForkServerLink&) = delete;
  ForkServerLink& operator=(const ForkServerLink&) = delete;

  int client_fd() const { return client_fd_; }
  int server_fd() const { return server_fd_; }
  // Each side closes the other's end once the server is forked, so that
  // either side sees end-of-file when the other goes away.
  void close_client_end() { close_fd(client_fd_); }
  void close_server_end() { close_fd(server_fd_); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  int client_fd_ = -1;
  int server_fd_ = -1;
};

inline void send_message(int fd, const ForkServerMessage& m) {
  if (send(fd, &m, sizeof m, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof m)) throw os_error("fork server: send");
}

// False at end-of-file (the other side went away).
inline bool receive_message(int fd, ForkServerMessage& m) {
  for (;;) {
    const ssize_t n = recv(fd, &m, sizeof m, 0);
    if (n == static_cast<ssize_t>(sizeof m)) return true;
    if (n == 0) return false;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) throw std::runtime_error("fork server: no answer in time");
    throw os_error(fmt::format("fork server: recv returned {}", n));
  }
}

// The server's loop: one child per request until `quit` or end-of-file.
// Children exit 0 only when they run on `pu` (they inherit the server's binding).
inline void serve_forks(int fd, unsigned pu) {
  ForkServerMessage m;
  while (receive_message(fd, m) && m.kind == ForkServerMessage::request) {
    const pid_t pid = fork();
    if (pid == 0) _exit(exit_ok_on(pu));
    if (pid < 0) {
      send_message(fd, {ForkServerMessage::failed, 0, errno});
      continue;
    }
    send_message(fd, {ForkServerMessage::started, pid, 0});
    send_message(fd, {ForkServerMessage::exited, pid, reap(pid)});
  }
}

class ForkServerClient {
 public:
  // A receive that waits longer than `answer_timeout_s` throws: a hung server
  // becomes an error, not a hung benchmark.
  explicit ForkServerClient(int fd, int answer_timeout_s = 10) : fd_(fd) {
    const timeval timeout{answer_timeout_s, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  // Asks for a child; returns its pid once the server has forked it.
  pid_t request_child() {
    send_message(fd_, {ForkServerMessage::request, 0, 0});
    const ForkServerMessage m = next();
    if (m.kind == ForkServerMessage::failed) throw os_error("fork server: fork", m.status);
    if (m.kind != ForkServerMessage::started) throw std::runtime_error(fmt::format("fork server: answered {} to a request", static_cast<int>(m.kind)));
    return m.pid;
  }

  // Waits for the server's report that `pid` ended; returns its wait status.
  int wait_exit(pid_t pid) {
    const ForkServerMessage m = next();
    if (m.kind != ForkServerMessage::exited || m.pid != pid)
      throw std::runtime_error(fmt::format("fork server: expected the exit of child {}, got message {} for pid {}", pid,
                                           static_cast<int>(m.kind), m.pid));
    return m.status;
  }

  void quit() { send_message(fd_, {ForkServerMessage::quit, 0, 0}); }

 private:
  ForkServerMessage next() {
    ForkServerMessage m;
    if (!receive_message(fd_, m)) throw std::runtime_error("fork server: the server went away");
    return m;
  }
  int fd_;
};

}  // namespace primbench::creation
