// What an open-loop run leaves in the result file: one Google Benchmark entry
// and one primbench record per benchmark.
//
// The record's extra holds the latency-vs-offered-load curve as parallel
// arrays, one element per paced step, the shape `primbench capacity` reads
// (reports/capacity.cpp, open_loop_capacity): offered_rate, achieved_rate
// (rate_unit), latency_p50_ns / p99 / p999 / mean / max (from the intended
// send time), uncorrected_p50_ns / p99 (from the actual send), plus the
// closed-loop max_rate and the clock. The entry's time is the time per message
// at the highest sustained step (achieved ≥ kSustainedShare of offered), its
// latency counters that step's distribution.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "basics/load_terms.hpp"
#include "benches/load/load_run.hpp"
#include "harness/bench_record.hpp"
#include "harness/placement.hpp"
#include "harness/workers.hpp"

namespace primbench::load {

struct LoadSubject {
  std::string primitive;  // "pipe", "spsc-ring", "pool"
  ExecMode mode = ExecMode::processes;
  PairClass cls = PairClass::same_pu;
  PuPair pair;
  std::string rate_unit = "msgs/s";
  std::string rate_counter = "msgs_per_s";
  std::string sample;  // what one latency sample is
  std::string checks;  // how delivery was proved
  nlohmann::json notes = nlohmann::json::object();
};

// The highest step whose achieved rate kept up with its offered rate.
inline std::optional<std::size_t> highest_sustained(const LoadRun& run) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < run.steps.size(); ++i)
    if (run.steps[i].achieved >= kSustainedShare * run.steps[i].offered) best = i;
  return best;
}

inline nlohmann::json load_curve(const LoadRun& run) {
  nlohmann::json curve = nlohmann::json::object();
  const auto column = [&](const char* key, auto value_of) {
    nlohmann::json values = nlohmann::json::array();
    for (const StepResult& s : run.steps) values.push_back(value_of(s));
    curve[key] = std::move(values);
  };
  const auto corrected = [](const StepResult& s) { return s.outcome.latency.corrected.percentiles(); };
  const auto uncorrected = [](const StepResult& s) { return s.outcome.latency.uncorrected.percentiles(); };
  column("fraction_of_max", [](const StepResult& s) { return s.fraction; });
  column("offered_rate", [](const StepResult& s) { return s.offered; });
  column("achieved_rate", [](const StepResult& s) { return s.achieved; });
  column("sustained", [](const StepResult& s) { return s.achieved >= kSustainedShare * s.offered; });
  column("messages", [](const StepResult& s) { return s.outcome.messages; });
  column("latency_p50_ns", [&](const StepResult& s) { return corrected(s).p50; });
  column("latency_p99_ns", [&](const StepResult& s) { return corrected(s).p99; });
  column("latency_p999_ns", [&](const StepResult& s) { return corrected(s).p999; });
  column("latency_mean_ns", [&](const StepResult& s) { return corrected(s).mean; });
  column("latency_max_ns", [&](const StepResult& s) { return corrected(s).max; });
  column("uncorrected_p50_ns", [&](const StepResult& s) { return uncorrected(s).p50; });
  column("uncorrected_p99_ns", [&](const StepResult& s) { return uncorrected(s).p99; });
  return curve;
}

// Everything about the run beyond the latency distribution: the curve, the
// maximum it is relative to, and what the numbers mean.
inline nlohmann::json load_extra(const LoadSubject& subject, const LoadPlan& plan, const LoadRun& run,
                                 const std::optional<std::size_t>& best) {
  std::uint64_t negative = 0;
  for (const StepResult& s : run.steps) negative += s.outcome.latency.negative;
  nlohmann::json extra = load_curve(run);
  extra["primitive"] = subject.primitive;
  extra["pair"] = {subject.pair.a, subject.pair.b};
  extra["rate_unit"] = subject.rate_unit;
  extra["max_rate"] = run.max_rate;
  extra["max_rate_how"] = fmt::format("closed loop: the best of {} bursts sent back to back ({} ms, {} messages in "
                                      "all), each (messages - 1) / (first send .. last receive)",
                                      run.burst_rates.size(), plan.closed_loop_ms, run.closed_loop_messages);
  extra["max_rate_bursts"] = run.burst_rates;
  extra["sustained_rate"] = best ? nlohmann::json(run.steps[*best].achieved) : nlohmann::json();
  extra["sustained_means"] = fmt::format("achieved >= {:g} x offered", kSustainedShare);
  extra["step_ms"] = plan.step_ms;
  extra["latency_from"] = "intended send time (step start + i / offered rate): coordinated omission corrected; "
                          "uncorrected_* are from the actual send";
  extra["achieved_means"] = "(messages - 1) / (step start .. last receive)";
  extra["clock"] = {{"source", std::string(clock_source_name(Clock::source()))},
                    {"assumption", "sender and receiver stamp Clock::now() on different PUs; with the TSC this assumes "
                                   "it is synchronised across cores (invariant TSC)"},
                    {"negative_deltas_recorded_as_0", negative}};
  extra["checks"] = subject.checks;
  extra["notes"] = subject.notes;
  return extra;
}

// The entry (time, counters, label) and the record of one run.
inline void publish_load_run(benchmark::State& state, const std::string& name, const LoadSubject& subject,
                             const LoadPlan& plan, const LoadRun& run, std::vector<ObservedPlacement> placements) {
  const std::optional<std::size_t> best = highest_sustained(run);
  // No step sustained (an overloaded machine): the lowest step stands in, said so in the label.
  const StepResult& shown = run.steps.at(best.value_or(0));
  state.SetIterationTime(1.0 / (best ? shown.achieved : run.max_rate));
  if (best) state.counters[subject.rate_counter] = shown.achieved;
  // Not named *_per_s: the reports take a *_per_s counter as the benchmark's
  // throughput, which is the sustained rate above, not this normaliser.
  state.counters["max_rate"] = run.max_rate;
  state.counters["sustained_fraction"] = best ? shown.fraction : 0.0;
  const LatencyHistogram& hist = shown.outcome.latency.corrected;
  publish_latency_counters(state, hist);
  publish_placement_counter(state, placements);
  state.SetLabel(best ? fmt::format("{} sustained {:.3g} {} ({:g} x closed-loop max)", subject.primitive, shown.achieved,
                                    subject.rate_unit, shown.fraction)
                      : fmt::format("{}: no step sustained; time is 1 / closed-loop max", subject.primitive));
  record_bench(name, BenchRecord{"load", std::string(to_string(subject.mode)), std::string(to_string(subject.cls)),
                                 std::move(placements), false, hist,
                                 fmt::format("{} at {:.3g} {} offered ({})", subject.sample, shown.offered,
                                             subject.rate_unit, best ? "the highest sustained step" : "no step sustained"),
                                 load_extra(subject, plan, run, best)});
}

}  // namespace primbench::load
