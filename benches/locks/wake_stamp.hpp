// Timing one wake-up across two PUs: the waker stamps Clock::now() and the
// round into shared memory just before it releases; the woken side reads the
// clock as soon as it runs and records the difference.
//
// The two stamps are taken on different PUs: with the TSC as the clock this
// assumes the TSC is synchronised across cores, as it is on invariant-TSC
// machines (clock.hpp picks the TSC only when it is invariant). A negative
// difference, which would betray a skew, is counted and recorded as 0. A wrong
// round means the waiter ran before its release (a broken primitive, or a
// stale wake-up): counted, and the run reports an error.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "benches/locks/busy_work.hpp"
#include "harness/clock.hpp"
#include "harness/workers.hpp"

namespace primbench::locks {

// How long the waker lets a waiter settle into its wait before releasing it:
// long enough to get past any spinning phase (glibc's adaptive mutex,
// libstdc++'s atomic wait) and into the kernel on a VM, short enough to allow
// thousands of rounds in a benchmark's minimum time.
inline constexpr double kSettleNs = 20'000;

// For the record of every wake-up measurement: which clock, and what that assumes.
inline nlohmann::json cross_core_clock_note() {
  return {{"source", std::string(clock_source_name(Clock::source()))},
          {"assumption", "waker and waiter stamp Clock::now() on different PUs; with the TSC this assumes it is "
                         "synchronised across cores (invariant TSC); negative differences are counted and recorded "
                         "as 0"}};
}

// Before a release: busy work on a PU of one's own, a yield when the waiter
// needs this very PU to reach its wait.
inline void let_waiter_settle(bool share_pu, std::uint64_t settle_steps) {
  if (share_pu)
    sched_yield();
  else
    BusyWork::run(settle_steps);
}

struct alignas(64) ReleaseStamp {
  std::atomic<std::uint64_t> at{0};
  std::atomic<std::uint64_t> round{0};

  // Waker, just before releasing round r; returns the stamp.
  std::uint64_t stamp(std::uint64_t r) noexcept {
    round.store(r, std::memory_order_relaxed);
    const std::uint64_t now = Clock::now();
    at.store(now, std::memory_order_release);
    return now;
  }
};

enum WakeCounter : unsigned { kNegativeDeltas = 6, kWrongRounds = 7 };  // slot counters 6 and 7

// One per woken worker.
class WakeRecorder {
 public:
  // First thing after waking up for round r.
  void woke(const ReleaseStamp& s, std::uint64_t r, LatencyHistogram& latency) noexcept {
    const std::uint64_t woke_at = Clock::now();
    const std::uint64_t released_at = s.at.load(std::memory_order_acquire);
    wrong_rounds_ += s.round.load(std::memory_order_relaxed) != r;
    negative_ += woke_at < released_at;
    latency.record_rounded(woke_at >= released_at ? Clock::to_ns(woke_at - released_at) : 0.0);
  }
  void publish(WorkerSlot& slot) const {
    slot.counters[kNegativeDeltas] = static_cast<double>(negative_);
    slot.counters[kWrongRounds] = static_cast<double>(wrong_rounds_);
  }

 private:
  std::uint64_t negative_ = 0;
  std::uint64_t wrong_rounds_ = 0;
};

struct WakeTally {
  std::uint64_t negative = 0;
  std::uint64_t wrong_rounds = 0;
  void add(const WorkerSlot& slot) {
    negative += static_cast<std::uint64_t>(slot.counters[kNegativeDeltas]);
    wrong_rounds += static_cast<std::uint64_t>(slot.counters[kWrongRounds]);
  }
};

}  // namespace primbench::locks
