// One cache line handed back and forth between two sides: the core-to-core
// round trip every other primitive is compared with.
//
// The line holds a counter. Side A owns the even values: it waits for 2r and
// writes 2r+1; side B waits for 2r+1 and writes 2r+2. One round trip is one
// A-then-B pair of hand-offs. How a side "waits, then writes" is the variant,
// a template parameter, so the measuring code is written once:
//   StoreHandoff  poll with loads, then one release store (the line is read
//                 shared while waiting, taken exclusive once per hand-off);
//   CasHandoff    poll with compare-exchange (every failed poll takes the line
//                 exclusive, so the waiter fights the writer for it).
// The `stop` flag shares the line so that polling it costs nothing extra.
// (benches/cacheline_pingpong.cpp, family c2c, runs the store protocol with its
// own copy; it could call serve_rounds/answer_until_stopped from here.)
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "harness/spin_wait.hpp"

namespace primbench::shm {

struct alignas(64) HandoffLine {
  std::atomic<std::uint64_t> ball{0};
  std::atomic<std::uint32_t> stop{0};
};
static_assert(sizeof(HandoffLine) == 64, "the ball and the stop flag share exactly one cache line");
static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the line is shared between processes");

// Waits until the ball reads `expect`, then stores `next`. Returns false,
// without writing, when the line was stopped first.
struct StoreHandoff {
  static constexpr std::string_view name = "store";
  static bool pass(HandoffLine& line, std::uint64_t expect, std::uint64_t next, std::uint32_t spins) noexcept {
    bool mine = false;
    spin_until(
        [&] {
          mine = line.ball.load(std::memory_order_acquire) == expect;
          return mine || line.stop.load(std::memory_order_relaxed) != 0;
        },
        spins);
    if (mine) line.ball.store(next, std::memory_order_release);
    return mine;
  }
};

// Polls with compare-exchange until it turns `expect` into `next`.
struct CasHandoff {
  static constexpr std::string_view name = "cas";
  static bool pass(HandoffLine& line, std::uint64_t expect, std::uint64_t next, std::uint32_t spins) noexcept {
    bool mine = false;
    spin_until(
        [&] {
          std::uint64_t seen = expect;
          mine = line.ball.compare_exchange_strong(seen, next, std::memory_order_acq_rel, std::memory_order_acquire);
          return mine || line.stop.load(std::memory_order_relaxed) != 0;
        },
        spins);
    return mine;
  }
};

// Side A: `rounds` round trips starting at the even value `ball` (0 on a fresh
// line); returns the value to continue from. Each round waits for B's answer
// to the previous one, so n consecutive rounds span exactly n round trips once
// the first has been served.
template <typename Handoff>
std::uint64_t serve_rounds(HandoffLine& line, std::uint64_t ball, std::uint64_t rounds, std::uint32_t spins) noexcept {
  for (std::uint64_t r = 0; r < rounds; ++r, ball += 2) Handoff::pass(line, ball, ball + 1, spins);
  return ball;
}

// Side B: answers every serve until side A sets `stop`.
template <typename Handoff>
void answer_until_stopped(HandoffLine& line, std::uint32_t spins) noexcept {
  for (std::uint64_t ball = 1; Handoff::pass(line, ball, ball + 1, spins); ball += 2) {
  }
}

}  // namespace primbench::shm
