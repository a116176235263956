// Turns one body call's counted workers into numbers per operation: flat
// Google Benchmark counters (ctx_switches_per_op, ...; GB divides by its own
// iteration count, so they are per operation of GB's time per operation) and
// the record's `counters` object, with every worker's totals and a reason for
// each counter the machine could not give (null there, never 0).
#pragma once

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "harness/op_counters.hpp"

namespace primbench {

struct MetricValue {
  std::optional<double> value;
  std::string reason;  // why there is no value
};

// Every metric of one reading, by name (task_clock_ns, ctx_switches, ..., the named events).
std::vector<std::pair<std::string, MetricValue>> metrics_of(const CounterReading& reading,
                                                            const std::vector<EventSpec>& events);

// The counters object of a record: per-op values, reasons, per-worker totals.
nlohmann::json counters_json(const std::vector<WorkerCounters>& workers, const std::vector<EventSpec>& events,
                             double iterations);

// Before a run: one line per reason some counters will be null here
// ("cycles, instructions, ...: the CPU's performance monitoring unit is not exposed").
std::vector<std::string> unavailable_counter_notes(const CounterConfig& config);

// After a body call (the register_bench wrapper): publishes the call's
// counters on `state` and keeps the record's `counters` under `name`.
void finish_counted_call(benchmark::State& state, const std::string& name);

// Adds each kept `counters` object to its record in `records` (keyed by the
// registered name or that name with GB's suffixes).
void attach_counter_records(nlohmann::json& records);

}  // namespace primbench
