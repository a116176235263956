// A request/response server process (the `Manager` proxy analogue), as a
// workload for run_workload (workload_run.hpp): worker 0 is the server, a
// single-threaded poll() loop over one AF_UNIX stream socketpair per client;
// workers 1..N are clients, each sending `ops` requests one at a time and
// timing each round trip.
//
// Every request carries its client id and sequence number and the response
// must echo both: a wrong echo fails the client, which fails the benchmark
// with the numbers. The server counts what it answered; verify() checks it
// answered exactly clients x ops requests. A client always shuts its socket
// down when it stops (done or failed), so the server ends when all have.
#pragma once

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/clock.hpp"
#include "harness/workers.hpp"

namespace primbench::shm {

struct EchoMessage {
  std::uint64_t seq = 0;
  std::uint32_t client = 0;
  std::uint32_t reserved = 0;
};
static_assert(sizeof(EchoMessage) == 16, "a fixed-size message: no framing needed on the stream");

// Reads exactly one message; false on a clean end of stream before its first byte.
inline bool read_message(int fd, EchoMessage& m) {
  auto* at = reinterpret_cast<char*>(&m);
  for (std::size_t got = 0; got < sizeof m;) {
    const ssize_t n = ::read(fd, at + got, sizeof m - got);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      if (got == 0) return false;
      throw std::runtime_error(fmt::format("echo socket closed after {} bytes of a {}-byte message", got, sizeof m));
    } else if (errno != EINTR) {
      throw std::runtime_error(fmt::format("echo socket read: {}", std::strerror(errno)));
    }
  }
  return true;
}

inline void write_message(int fd, const EchoMessage& m) {
  const auto* at = reinterpret_cast<const char*>(&m);
  for (std::size_t sent = 0; sent < sizeof m;) {
    // MSG_NOSIGNAL: a peer that died makes this an error, not a SIGPIPE.
    const ssize_t n = ::send(fd, at + sent, sizeof m - sent, MSG_NOSIGNAL);
    if (n >= 0)
      sent += static_cast<std::size_t>(n);
    else if (errno != EINTR)
      throw std::runtime_error(fmt::format("echo socket write: {}", std::strerror(errno)));
  }
}

// "" when the response echoes the request, else what went wrong.
inline std::string echo_mismatch(const EchoMessage& request, const EchoMessage& response) {
  if (response.seq == request.seq && response.client == request.client) return {};
  return fmt::format("wrong echo: client {} request seq {} was answered with client {} seq {}", request.client,
                     request.seq, response.client, response.seq);
}

class EchoServer {
 public:
  // `wrong_echo_at` > 0 makes the server answer its wrong_echo_at-th request
  // with a wrong sequence number: the tests' proof that the check bites.
  explicit EchoServer(unsigned clients, std::uint64_t wrong_echo_at = 0) : wrong_echo_at_(wrong_echo_at) {
    for (unsigned c = 0; c < clients; ++c) {
      int fds[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        close_all();
        throw std::runtime_error(fmt::format("socketpair for echo client {}: {}", c, std::strerror(errno)));
      }
      server_ends_.push_back(fds[0]);
      client_ends_.push_back(fds[1]);
    }
  }
  ~EchoServer() { close_all(); }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  std::size_t shared_bytes() const { return 64; }
  void prepare(void*) const {}

  void work(WorkerContext& ctx, std::uint64_t ops) const {
    if (ctx.index == 0)
      serve(ctx);
    else
      request(ctx, ctx.index - 1, ops);
  }

  std::string verify(void*, std::span<WorkerSlot> slots, std::uint64_t ops) const {
    const auto answered = static_cast<std::uint64_t>(slots[0].counters[0]);
    const std::uint64_t expected = client_ends_.size() * ops;
    if (answered == expected) return {};
    return fmt::format("the server answered {} requests, expected {} clients x {} = {}", answered, client_ends_.size(),
                       ops, expected);
  }

  nlohmann::json describe() const {
    return {{"transport", "AF_UNIX SOCK_STREAM socketpair per client, 16-byte messages"},
            {"server", "worker 0: one process, poll() over every client's socket, blocking I/O"},
            {"clients", client_ends_.size()},
            {"check", "every response echoes its request's client id and sequence number; server answered "
                      "clients x ops_per_worker"}};
  }

 private:
  void serve(WorkerContext& ctx) const {
    // A server that stops early (an error) must not leave clients waiting.
    struct HangUpAll {
      const std::vector<int>& fds;
      ~HangUpAll() {
        for (int fd : fds) ::shutdown(fd, SHUT_RDWR);
      }
    } hang_up{server_ends_};
    std::vector<pollfd> open;
    for (int fd : server_ends_) open.push_back({fd, POLLIN, 0});
    std::uint64_t answered = 0;
    while (!open.empty()) {
      if (::poll(open.data(), open.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("echo server poll: {}", std::strerror(errno)));
      }
      for (std::size_t i = 0; i < open.size();) {
        EchoMessage m;
        if (open[i].revents == 0) {
          ++i;
        } else if (!read_message(open[i].fd, m)) {
          open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));  // that client is done
        } else {
          if (++answered == wrong_echo_at_) ++m.seq;
          write_message(open[i].fd, m);
          ++i;
        }
      }
      ctx.slot->counters[0] = static_cast<double>(answered);
    }
  }

  void request(WorkerContext& ctx, unsigned client, std::uint64_t ops) const {
    const int fd = client_ends_[client];
    // However this client stops, the server must see it go, or it would wait
    // for it until the deadline.
    struct HangUp {
      int fd;
      ~HangUp() { ::shutdown(fd, SHUT_WR); }
    } hang_up{fd};
    const double overhead_ns = clock_info().read_overhead_ns;
    for (std::uint64_t seq = 1; seq <= ops; ++seq) {
      const EchoMessage sent{seq, client, 0};
      EchoMessage got;
      const std::uint64_t t0 = Clock::now();
      write_message(fd, sent);
      if (!read_message(fd, got))
        throw std::runtime_error(fmt::format("client {}: the server hung up before answering request {}", client, seq));
      ctx.slot->latency.record_rounded(Clock::to_ns(Clock::now() - t0) - overhead_ns);
      if (const std::string wrong = echo_mismatch(sent, got); !wrong.empty()) throw std::runtime_error(wrong);
    }
  }

  void close_all() noexcept {
    for (int fd : server_ends_) ::close(fd);
    for (int fd : client_ends_) ::close(fd);
    server_ends_.clear();
    client_ends_.clear();
  }

  std::vector<int> server_ends_, client_ends_;
  std::uint64_t wrong_echo_at_;
};

}  // namespace primbench::shm
