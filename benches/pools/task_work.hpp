// The work a pool task does: real computation, calibrated against the clock
// so that "a 10 us task" means 10 us of CPU on this machine, not a sleep.
//
// One step is a 64-bit multiply-add followed by an xor-shift: each step needs
// the previous one's result (a dependency chain no compiler can vectorise,
// unroll into parallel work or reduce to a closed form, because the xor-shift
// breaks the algebra of the multiply), and the final value is returned and
// checked, so the work cannot be dropped either. The value depends on the
// input and the step count, which is how a collector proves a result was
// computed for the right task.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness/clock.hpp"

namespace primbench::pools {

inline std::uint64_t work_steps(std::uint64_t input, std::uint64_t steps) noexcept {
  std::uint64_t x = input | 1;
  for (std::uint64_t i = 0; i < steps; ++i) {
    x = x * 0x9E3779B97F4A7C15ull + i;
    x ^= x >> 29;
  }
  return x;
}

// The input of work item `item`: distinct for neighbouring items, so a result
// delivered for the wrong item does not pass the value check.
inline std::uint64_t item_input(std::uint64_t item) noexcept {
  std::uint64_t z = item + 0x9E3779B97F4A7C15ull;  // splitmix64 finaliser
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct WorkCalibration {
  double steps_per_us = 0;
  std::uint64_t steps_for_ns(std::uint64_t ns) const noexcept {
    return static_cast<std::uint64_t>(steps_per_us * static_cast<double>(ns) / 1000.0 + 0.5);
  }
};

// Times a ~2 ms chain a few times and keeps the fastest (the least disturbed
// by preemption): the rate at which this PU runs the work.
inline WorkCalibration calibrate_work() {
  constexpr std::uint64_t kSteps = 1'000'000;
  constexpr int kTrials = 5;
  double best_ns = 0;
  std::uint64_t sink = 0;
  for (int t = 0; t < kTrials; ++t) {
    const std::uint64_t t0 = Clock::now();
    sink += work_steps(static_cast<std::uint64_t>(t), kSteps);
    const double ns = Clock::to_ns(Clock::now() - t0);
    best_ns = t == 0 ? ns : std::min(best_ns, ns);
  }
  asm volatile("" : : "r"(sink));
  return {static_cast<double>(kSteps) / (std::max(best_ns, 1.0) / 1000.0)};
}

// Expected values of the items: item i's value is table[i % size()]. Computed
// once per benchmark (outside the timing), so checking a result costs a load.
class ExpectedValues {
 public:
  static constexpr std::uint64_t kDistinct = 256;
  explicit ExpectedValues(std::uint64_t steps) : steps_(steps), values_(kDistinct) {
    for (std::uint64_t i = 0; i < kDistinct; ++i) values_[i] = work_steps(input_of(i), steps);
  }
  static std::uint64_t input_of(std::uint64_t item) noexcept { return item_input(item % kDistinct); }
  std::uint64_t of(std::uint64_t item) const noexcept { return values_[item % kDistinct]; }
  std::uint64_t steps() const noexcept { return steps_; }

 private:
  std::uint64_t steps_;
  std::vector<std::uint64_t> values_;
};

}  // namespace primbench::pools
