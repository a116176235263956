// The one-way channels the load family paces envelopes through
// (channel_load.hpp): the pipe family's pipe(2) and the queue family's
// shared-memory SPSC ring, as the other families build them (the pipe
// family's adapters live in pipe.cpp and carry both directions; open loop
// needs one).
//
// Both are created before the peer starts: a forked consumer inherits the
// pipe's descriptors and the ring's mapping.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstddef>
#include <new>
#include <system_error>

#include "benches/load/channel_load.hpp"
#include "benches/rings/spsc_ring.hpp"
#include "harness/shm_segment.hpp"

namespace primbench::load {

// pipe(2), blocking both ways. An envelope is far below PIPE_BUF, so each
// write(2) lands whole; a read may still return part of one, so reads loop.
class PipeChannel {
 public:
  explicit PipeChannel(std::uint32_t) {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  }
  ~PipeChannel() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  PipeChannel(const PipeChannel&) = delete;
  PipeChannel& operator=(const PipeChannel&) = delete;

  struct Writer {
    int fd;
    void send(const Envelope& e) const {
      ssize_t n;
      while ((n = ::write(fd, &e, sizeof e)) < 0 && errno == EINTR) {
      }
      if (n != static_cast<ssize_t>(sizeof e))
        throw std::system_error(errno, std::generic_category(), fmt::format("pipe write returned {}", n));
    }
  };
  struct Reader {
    int fd;
    void recv(Envelope& e) const {
      auto* bytes = reinterpret_cast<std::byte*>(&e);
      for (std::size_t got = 0; got < sizeof e;) {
        const ssize_t n = ::read(fd, bytes + got, sizeof e - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::system_error(errno, std::generic_category(), fmt::format("pipe read returned {}", n));
        got += static_cast<std::size_t>(n);
      }
    }
  };
  Writer writer() const { return {fds_[1]}; }
  Reader reader() const { return {fds_[0]}; }
  static nlohmann::json notes() {
    return {{"channel", "pipe(2), blocking"}, {"pipe_buf_bytes", PIPE_BUF}, {"envelope_bytes", sizeof(Envelope)}};
  }

 private:
  int fds_[2] = {-1, -1};
};

// The queue family's SPSC ring (benches/rings/spsc_ring.hpp) in a segment of
// its own, unlinked at once; both sides spin, then yield (at once when they
// share a PU).
class RingChannel {
 public:
  static constexpr std::size_t kCapacity = 1024;  // the queue family's capacity for small slots
  using Ring = rings::SpscRing<Envelope, kCapacity>;

  explicit RingChannel(std::uint32_t spins)
      : segment_(SharedSegment::create("load-ring", sizeof(Ring))), ring_(new (segment_.data()) Ring{}), spins_(spins) {
    segment_.unlink();
  }

  struct Writer {
    Ring* ring;
    std::uint32_t spins;
    void send(const Envelope& e) const { ring->push(e, spins); }
  };
  struct Reader {
    Ring* ring;
    std::uint32_t spins;
    void recv(Envelope& e) const { ring->pop(e, spins); }
  };
  Writer writer() const { return {ring_, spins_}; }
  Reader reader() const { return {ring_, spins_}; }
  static nlohmann::json notes() {
    return {{"channel", "SpscRing in shared memory, spin then yield"},
            {"capacity", kCapacity},
            {"envelope_bytes", sizeof(Envelope)}};
  }

 private:
  SharedSegment segment_;
  Ring* ring_;
  std::uint32_t spins_;
};

}  // namespace primbench::load
