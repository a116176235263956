// Open-loop pacing: a producer that offers a fixed rate whatever the receiver
// does, and latency measured from when each message was *meant* to be sent.
//
// Message i of a step is due at start + i / rate (its intended send time). The
// producer sends it no earlier than that; when it falls behind (blocked on a
// full queue, preempted) it sends the overdue messages back to back, but each
// keeps its intended time. The receiver's latency is receive time − intended
// time, so the time a message spent waiting behind a stall (in the producer or
// in the queue) is counted. Measuring from the actual send time instead would
// hide that delay for every message queued behind the stall, the error Gil Tene
// named coordinated omission; the uncorrected view is kept next to it so the
// difference can be seen.
//
// Times are ticks of one clock (Clock::now(): the TSC where invariant, else
// steady_clock ns); the arithmetic takes the tick rate as a parameter, so a
// test can drive it with a fake clock.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "harness/latency_histogram.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::load {

class PacedSchedule {
 public:
  // `rate_per_s` messages per second from `start` (ticks); `ticks_per_ns` of the clock.
  PacedSchedule(std::uint64_t start, double rate_per_s, double ticks_per_ns)
      : start_(start), rate_(rate_per_s), ticks_per_message_(ticks_per_ns * 1e9 / rate_per_s) {
    if (!(rate_per_s > 0) || !(ticks_per_ns > 0))
      throw std::invalid_argument("a paced schedule needs a rate and a tick rate above 0, got " +
                                  std::to_string(rate_per_s) + " msgs/s at " + std::to_string(ticks_per_ns) +
                                  " ticks/ns");
  }

  // The intended send time of message i (ticks). Computed from i, never by
  // adding up intervals, so rounding does not drift over a long step.
  std::uint64_t intended(std::uint64_t i) const noexcept {
    return start_ + static_cast<std::uint64_t>(static_cast<double>(i) * ticks_per_message_);
  }
  std::uint64_t start() const noexcept { return start_; }
  double rate() const noexcept { return rate_; }
  double ticks_per_message() const noexcept { return ticks_per_message_; }

 private:
  std::uint64_t start_;
  double rate_;
  double ticks_per_message_;
};

// Between two looks at the clock while the next message is not due: a pause,
// or at once a yield when the receiver needs this very PU (`spins` is the
// pair's spin_budget(), 0 when both sides share a PU).
inline void pause_before_due(std::uint32_t spins) noexcept {
  if (spins == 0)
    sched_yield();
  else
    cpu_relax();
}

// Sends messages 0 .. n-1 of `schedule`: waits (calling `idle()` between
// looks at `now()`) until each is due, then calls send(i, intended, now) with
// the time it was actually sent. Never skips a message and never re-bases the
// schedule on a late send.
template <class Now, class Idle, class Send>
void run_paced(const PacedSchedule& schedule, std::uint64_t n, Now&& now, Idle&& idle, Send&& send) {
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t due = schedule.intended(i);
    std::uint64_t t = now();
    while (t < due) {
      idle();
      t = now();
    }
    send(i, due, t);
  }
}

// The receiver's side: one step's latencies, corrected (from the intended
// time) and uncorrected (from the actual send). Plain data, so it can live in
// shared memory and be written by a consumer in another process.
struct StepLatency {
  LatencyHistogram corrected;    // receive − intended send time
  LatencyHistogram uncorrected;  // receive − actual send time
  std::uint64_t negative = 0;    // received "before" it was sent (clock skew between PUs): recorded as 0

  void record(std::uint64_t intended, std::uint64_t sent, std::uint64_t received, double ns_per_tick) noexcept {
    negative += received < sent;
    corrected.record_rounded(ns_between(intended, received, ns_per_tick));
    uncorrected.record_rounded(ns_between(sent, received, ns_per_tick));
  }

 private:
  static double ns_between(std::uint64_t from, std::uint64_t to, double ns_per_tick) noexcept {
    return to >= from ? static_cast<double>(to - from) * ns_per_tick : 0.0;
  }
};

}  // namespace primbench::load
