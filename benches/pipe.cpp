// The pipe family: kernel byte and message channels between two pinned sides.
//
//   pipe         pipe(2), one per direction
//   unix-stream  socketpair(AF_UNIX, SOCK_STREAM)
//   unix-dgram   socketpair(AF_UNIX, SOCK_DGRAM); sizes above the socket's
//                limit are "unavailable", not a crash
//   fifo         two named FIFOs (mkfifo in a private temp dir, unlinked as
//                soon as both ends are open)
//   eventfd      two eventfds: a wake-up carrying one 8-byte counter value,
//                so round trips only, at 8 bytes
//   tcp          a TCP connection over 127.0.0.1 (TCP_NODELAY): the same
//                exchange through the network stack, for reference
// Every primitive blocks in the kernel ("block"). Names:
//   pipe/<primitive>/<threads|processes>/<class>/<rtt|stream>/<size>
// The measuring code is benches/message_bench.hpp; here are only the
// transports: file descriptors created before the peer starts, so a forked
// peer inherits them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "benches/message_bench.hpp"

namespace primbench {
namespace {

using msgbench::Unavailable;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

int checked(int rc, const char* what) {
  if (rc < 0) throw_errno(what);
  return rc;
}

// Streams deliver bytes, not messages: loop over partial writes and reads.
// `io(offset)` moves bytes from `offset` on and returns read(2)/write(2)'s result.
template <class Io>
void transfer_fully(std::size_t total, const char* what, Io&& io) {
  std::size_t done = 0;
  while (done < total) {
    const ssize_t n = io(done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(what);
    }
    if (n == 0) throw std::runtime_error(fmt::format("peer closed the stream after {} of {} bytes", done, total));
    done += static_cast<std::size_t>(n);
  }
}

#ifndef PRIMBENCH_INJECT_READ_DELAY_NS
#define PRIMBENCH_INJECT_READ_DELAY_NS 0
#endif
// A known extra cost for judging regression verdicts (CMakeLists.txt's
// PRIMBENCH_INJECT_READ_DELAY_NS); 0 in every real build. After the read, so
// it lies on the receiver's path: once per stream message, twice per round trip.
constexpr long kInjectedReadDelayNs = PRIMBENCH_INJECT_READ_DELAY_NS;

void write_fully(int fd, std::span<const std::byte> m) {
  transfer_fully(m.size(), "write", [&](std::size_t at) { return ::write(fd, m.data() + at, m.size() - at); });
}

void read_fully(int fd, std::span<std::byte> m) {
  transfer_fully(m.size(), "read", [&](std::size_t at) { return ::read(fd, m.data() + at, m.size() - at); });
  if constexpr (kInjectedReadDelayNs > 0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(kInjectedReadDelayNs);
    while (std::chrono::steady_clock::now() < until) {
    }
  }
}

// One side of a byte stream: reads from one descriptor, writes to another
// (the same one for a socket).
struct StreamEndpoint {
  int in = -1, out = -1;
  std::size_t slot_bytes() const { return 0; }
  void send(std::span<const std::byte> m) const { write_fully(out, m); }
  void recv(std::span<std::byte> m) const { read_fully(in, m); }
};

// One side of a datagram socket: one message per send and per receive.
struct DatagramEndpoint {
  int fd = -1;
  std::size_t slot_bytes() const { return 0; }
  void send(std::span<const std::byte> m) const {
    ssize_t n;
    while ((n = ::send(fd, m.data(), m.size(), 0)) < 0 && errno == EINTR) {
    }
    if (n < 0) throw_errno("send");
    if (static_cast<std::size_t>(n) != m.size())
      throw std::runtime_error(fmt::format("datagram send wrote {} of {} bytes", n, m.size()));
  }
  void recv(std::span<std::byte> m) const {
    ssize_t n;
    // MSG_TRUNC: the real length is returned even when the datagram is longer.
    while ((n = ::recv(fd, m.data(), m.size(), MSG_TRUNC)) < 0 && errno == EINTR) {
    }
    if (n < 0) throw_errno("recv");
    if (static_cast<std::size_t>(n) != m.size())
      throw std::runtime_error(fmt::format("received a datagram of {} bytes, expected {}", n, m.size()));
  }
};

// One side of a pair of eventfds. The 8-byte message travels as the counter
// value: with one write outstanding per direction, read() returns exactly
// what was written. message_check never makes the value 0 or ~0.
struct EventfdEndpoint {
  int in = -1, out = -1;
  std::size_t slot_bytes() const { return 8; }
  void send(std::span<const std::byte> m) const {
    std::uint64_t v;
    std::memcpy(&v, m.data(), 8);
    while (::write(out, &v, 8) < 0)
      if (errno != EINTR) throw_errno("eventfd write");
  }
  void recv(std::span<std::byte> m) const {
    std::uint64_t v;
    while (::read(in, &v, 8) < 0)
      if (errno != EINTR) throw_errno("eventfd read");
    std::memcpy(m.data(), &v, 8);
  }
};

// Owns the descriptors; a forked peer has its own copies (closed at its exit).
template <class Endpoint>
struct FdTransport {
  Endpoint a_side, b_side;
  std::vector<int> fds;

  FdTransport() = default;
  FdTransport(FdTransport&& other) noexcept
      : a_side(other.a_side), b_side(other.b_side), fds(std::exchange(other.fds, {})) {}
  FdTransport& operator=(FdTransport&&) = delete;
  ~FdTransport() {
    for (int fd : fds) ::close(fd);
  }
  int own(int fd) {
    fds.push_back(fd);
    return fd;
  }
  Endpoint a() const { return a_side; }
  Endpoint b() const { return b_side; }
};

using StreamTransport = FdTransport<StreamEndpoint>;

StreamTransport make_pipes(std::size_t) {
  StreamTransport t;
  int ab[2], ba[2];
  checked(::pipe2(ab, O_CLOEXEC), "pipe2");
  t.own(ab[0]), t.own(ab[1]);
  checked(::pipe2(ba, O_CLOEXEC), "pipe2");
  t.own(ba[0]), t.own(ba[1]);
  t.a_side = {ba[0], ab[1]};
  t.b_side = {ab[0], ba[1]};
  return t;
}

StreamTransport make_unix_stream(std::size_t) {
  StreamTransport t;
  int sv[2];
  checked(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair(AF_UNIX, SOCK_STREAM)");
  t.own(sv[0]), t.own(sv[1]);
  t.a_side = {sv[0], sv[0]};
  t.b_side = {sv[1], sv[1]};
  return t;
}

FdTransport<DatagramEndpoint> make_unix_dgram(std::size_t size) {
  FdTransport<DatagramEndpoint> t;
  int sv[2];
  checked(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), "socketpair(AF_UNIX, SOCK_DGRAM)");
  t.own(sv[0]), t.own(sv[1]);
  // Probe the size limit with one real datagram before anything is measured.
  std::vector<std::byte> probe(size);
  if (::send(sv[0], probe.data(), size, MSG_DONTWAIT) < 0) {
    const int err = errno;
    int sndbuf = 0;
    socklen_t len = sizeof sndbuf;
    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &len);
    throw Unavailable(fmt::format("AF_UNIX datagram of {} bytes is above this socket's limit (SO_SNDBUF {} bytes): {}",
                                  size, sndbuf, std::strerror(err)));
  }
  checked(static_cast<int>(::recv(sv[1], probe.data(), size, 0)), "recv (probe)");
  t.a_side = {sv[0]};
  t.b_side = {sv[1]};
  return t;
}

// Two FIFOs in a private directory. Opening the read end non-blocking first
// lets the write end open without a second party; the names go as soon as
// both ends are open, so nothing is left behind whatever happens next.
StreamTransport make_fifos(std::size_t) {
  StreamTransport t;
  std::string dir = (std::filesystem::temp_directory_path() / "primbench-fifo-XXXXXX").string();
  if (!::mkdtemp(dir.data())) throw_errno("mkdtemp " + dir);
  int ends[4] = {-1, -1, -1, -1};  // ab read, ab write, ba read, ba write
  std::string error;
  for (int i = 0; i < 2 && error.empty(); ++i) {
    const std::string path = dir + (i == 0 ? "/ab" : "/ba");
    if (::mkfifo(path.c_str(), 0600) < 0) {
      error = fmt::format("mkfifo {}: {}", path, std::strerror(errno));
      break;
    }
    ends[2 * i] = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (ends[2 * i] >= 0) ends[2 * i + 1] = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (ends[2 * i] < 0 || ends[2 * i + 1] < 0) error = fmt::format("open {}: {}", path, std::strerror(errno));
    if (ends[2 * i] >= 0) ::fcntl(ends[2 * i], F_SETFL, ::fcntl(ends[2 * i], F_GETFL) & ~O_NONBLOCK);
    ::unlink(path.c_str());
  }
  ::rmdir(dir.c_str());
  for (int fd : ends)
    if (fd >= 0) t.own(fd);
  if (!error.empty()) throw std::runtime_error(error);
  t.a_side = {ends[2], ends[1]};
  t.b_side = {ends[0], ends[3]};
  return t;
}

FdTransport<EventfdEndpoint> make_eventfds(std::size_t size) {
  if (size != 8) throw Unavailable(fmt::format("an eventfd carries one 8-byte counter, not {} bytes", size));
  FdTransport<EventfdEndpoint> t;
  const int ab = t.own(checked(::eventfd(0, EFD_CLOEXEC), "eventfd"));
  const int ba = t.own(checked(::eventfd(0, EFD_CLOEXEC), "eventfd"));
  t.a_side = {ba, ab};
  t.b_side = {ab, ba};
  return t;
}

// A connected TCP pair over 127.0.0.1 (never another address).
StreamTransport make_tcp_loopback(std::size_t) {
  StreamTransport t;
  const int listener = t.own(checked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // any free port
  socklen_t len = sizeof addr;
  checked(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), "bind 127.0.0.1");
  checked(::listen(listener, 1), "listen");
  checked(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), "getsockname");
  const int client = t.own(checked(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  checked(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), "connect 127.0.0.1");
  const int server = t.own(checked(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC), "accept"));
  const int one = 1;
  for (int fd : {client, server}) checked(::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), "TCP_NODELAY");
  t.a_side = {client, client};
  t.b_side = {server, server};
  return t;
}

// Registers one fd primitive for both modes; every one of them blocks in the kernel.
template <class Transport>
void register_fd_primitive(const BenchEnvironment& env, const std::string& primitive, Transport (*make)(std::size_t),
                           std::vector<msgbench::Measure> measures = {msgbench::Measure::rtt, msgbench::Measure::stream},
                           std::vector<std::size_t> only_sizes = {}) {
  msgbench::PrimitiveSpec spec;
  spec.family = "pipe";
  spec.primitive = primitive;
  spec.wait = "block";
  spec.modes = {ExecMode::threads, ExecMode::processes};
  spec.measures = std::move(measures);
  spec.rtt_batch = 4;  // round trips take microseconds: small batches show the tail
  spec.only_sizes = std::move(only_sizes);
  msgbench::register_primitive(env, spec, [make](benchmark::State& state, const std::string& name,
                                                 const msgbench::Subject& s) {
    msgbench::run_measure<Transport>(state, name, s, [make](const msgbench::Subject& subject) {
      return make(subject.size);
    });
  });
}

void register_pipe(const BenchEnvironment& env) {
  register_fd_primitive(env, "pipe", make_pipes);
  register_fd_primitive(env, "unix-stream", make_unix_stream);
  register_fd_primitive(env, "unix-dgram", make_unix_dgram);
  register_fd_primitive(env, "fifo", make_fifos);
  register_fd_primitive(env, "eventfd", make_eventfds, {msgbench::Measure::rtt}, {8});
  register_fd_primitive(env, "tcp", make_tcp_loopback);
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("pipe", primbench::register_pipe);
