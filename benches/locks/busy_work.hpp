// Real work of a chosen length in nanoseconds, for the inside of a critical
// section and the gap between two acquisitions.
//
// Sleeping would measure the scheduler instead of the lock, and an empty loop
// would be folded away, so the work is a dependent chain of 64-bit
// multiply-adds (one LCG step each): every step needs the previous result, so
// the CPU cannot overlap steps, and the empty asm makes the value opaque to the
// compiler. The steps per nanosecond are calibrated once per process against
// Clock; forked workers inherit the calibration when the parent calibrated
// first (calibrated() before launching them).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "harness/clock.hpp"

namespace primbench::locks {

class BusyWork {
 public:
  // Runs `steps` dependent steps and returns the chain's value (never folded).
  static std::uint64_t run(std::uint64_t steps) noexcept {
    std::uint64_t x = steps | 1;
    for (std::uint64_t i = 0; i < steps; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // Knuth's MMIX LCG constants
      asm volatile("" : "+r"(x));
    }
    return x;
  }

  // The process-wide calibration; the first call measures it (about 1 ms).
  static const BusyWork& calibrated() {
    static const BusyWork work = calibrate();
    return work;
  }

  double steps_per_ns() const noexcept { return steps_per_ns_; }
  std::uint64_t steps_for_ns(double ns) const noexcept {
    return ns > 0 ? static_cast<std::uint64_t>(std::llround(ns * steps_per_ns_)) : 0;
  }

 private:
  explicit BusyWork(double steps_per_ns) : steps_per_ns_(steps_per_ns) {}

  // The fastest of several runs: interruptions only ever make a run slower.
  static BusyWork calibrate() {
    constexpr std::uint64_t kSteps = 100'000;  // ~0.1 ms: long against the clock read, short against a time slice
    constexpr int kRuns = 9;
    double best_ns = std::numeric_limits<double>::infinity();
    for (int i = 0; i < kRuns; ++i) {
      const std::uint64_t t0 = Clock::now();
      volatile std::uint64_t sink = run(kSteps);
      (void)sink;
      best_ns = std::min(best_ns, Clock::to_ns(Clock::now() - t0));
    }
    return BusyWork(static_cast<double>(kSteps) / std::max(best_ns, 1.0));
  }

  double steps_per_ns_;
};

}  // namespace primbench::locks
