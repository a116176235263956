// One open-loop run of a primitive: its closed-loop maximum first, then a
// paced step at each offered rate (a fraction of that maximum), every step
// drained before the next starts so that steps do not leak queueing into each
// other.
//
// A primitive enters as a "load side" (channel_load.hpp, pool_load.hpp):
//   StepOutcome closed_loop(std::uint64_t until);  // send back to back until the tick, drain, report
//   StepOutcome paced(const PacedSchedule& s, std::uint64_t n);  // send n messages on schedule, drain, report
// Both wait for every message of the step to be received (and checked)
// before they return.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "benches/load/paced_schedule.hpp"
#include "harness/clock.hpp"

namespace primbench::load {

// What one step saw. `first` is the step's first intended (or, closed loop,
// actual) send; `last_received` the receiver's stamp of its last message.
struct StepOutcome {
  std::uint64_t messages = 0;
  std::uint64_t first = 0, last_received = 0;
  StepLatency latency;
};

// Messages per second over a step: the n − 1 intervals between the first
// send and the last receive. For a paced step this is at most the offered
// rate (the last message cannot arrive before it is due) and falls below it
// when the primitive cannot keep up.
inline double delivered_rate(const StepOutcome& o) {
  if (o.messages < 2 || o.last_received <= o.first) return 0.0;
  return static_cast<double>(o.messages - 1) / (Clock::to_ns(o.last_received - o.first) * 1e-9);
}

struct LoadPlan {
  std::vector<double> fractions;  // offered rates as fractions of the closed-loop maximum, ascending
  double closed_loop_ms = 0;      // how long the maximum is measured, all bursts together
  double step_ms = 0;             // how long each paced step offers its rate
  std::uint64_t min_messages = 0; // per step, so that a slow primitive still gives a p99

  // Around the knee densely, and one step past the maximum to show overload.
  // The smoke suite keeps four steps of a fifth of the length.
  static LoadPlan for_run(bool quick) {
    if (quick) return {{0.25, 0.5, 0.9, 1.2}, 20, 40, 200};
    return {{0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 1.2}, 100, 200, 1000};
  }
};

struct StepResult {
  double fraction = 0, offered = 0, achieved = 0;
  StepOutcome outcome;
};

// The closed-loop maximum is the best of a few short bursts: one burst that
// loses the PU to another process would otherwise set every offered rate low.
inline constexpr int kClosedLoopBursts = 3;

struct LoadRun {
  double max_rate = 0;  // closed loop: the best burst
  std::vector<double> burst_rates;
  std::uint64_t closed_loop_messages = 0;
  std::vector<StepResult> steps;
};

template <class Side>
LoadRun run_load(Side& side, const LoadPlan& plan) {
  LoadRun run;
  const auto ticks = [](double ms) { return static_cast<std::uint64_t>(ms * 1e6 * Clock::ticks_per_ns()); };
  for (int burst = 0; burst < kClosedLoopBursts; ++burst) {
    const StepOutcome closed = side.closed_loop(Clock::now() + ticks(plan.closed_loop_ms / kClosedLoopBursts));
    run.burst_rates.push_back(delivered_rate(closed));
    run.max_rate = std::max(run.max_rate, run.burst_rates.back());
    run.closed_loop_messages += closed.messages;
  }
  if (!(run.max_rate > 0) || !std::isfinite(run.max_rate))
    throw std::runtime_error(fmt::format("the closed-loop maximum could not be measured ({} messages in {} ms)",
                                         run.closed_loop_messages, plan.closed_loop_ms));
  for (double fraction : plan.fractions) {
    const double offered = fraction * run.max_rate;
    const auto n = std::max(plan.min_messages, static_cast<std::uint64_t>(offered * plan.step_ms * 1e-3));
    const PacedSchedule schedule(Clock::now(), offered, Clock::ticks_per_ns());
    StepResult step{fraction, offered, 0, side.paced(schedule, n)};
    step.outcome.first = schedule.start();
    step.achieved = delivered_rate(step.outcome);
    run.steps.push_back(std::move(step));
  }
  return run;
}

}  // namespace primbench::load
