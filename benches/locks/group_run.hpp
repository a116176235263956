// What every multi-worker measurement in the locks and sync families shares:
// a WorkerGroup whose shared region holds the measurement's state (placed and
// initialised by the parent before the workers start), and the result shape
// the benchmark glue turns into Google Benchmark numbers and a record.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "benches/locks/placed.hpp"
#include "harness/latency_histogram.hpp"
#include "harness/workers.hpp"

namespace primbench::locks {

struct GroupOptions {
  ExecMode mode = ExecMode::threads;
  std::vector<unsigned> pus;  // one per worker
  std::string label;          // benchmark name, for error messages
  std::chrono::milliseconds deadline = default_worker_deadline();
};

// One run of a group measurement. `error` is set when a consistency check
// failed: the benchmark then reports it instead of any number.
struct GroupRun {
  std::chrono::nanoseconds wall{};  // gate opening to the last worker's finish
  std::uint64_t operations = 0;     // what Google Benchmark's time is per
  LatencyHistogram latency;
  std::vector<ObservedPlacement> workers;
  std::vector<std::pair<std::string, double>> counters;  // extra Google Benchmark counters
  nlohmann::json extra = nlohmann::json::object();
  std::string error;
};

// Threads, and processes for primitives that can be shared between them.
inline std::vector<ExecMode> modes_for(bool process_shared) {
  if (process_shared) return {ExecMode::threads, ExecMode::processes};
  return {ExecMode::threads};
}

// True when two workers are planned on one PU: their waits must yield at once.
inline bool workers_share_a_pu(std::vector<unsigned> pus) {
  std::sort(pus.begin(), pus.end());
  return std::adjacent_find(pus.begin(), pus.end()) != pus.end();
}

// A worker group with a `State` in its shared region. Member order matters:
// the group (owner of the memory) is built first and torn down last.
template <typename State>
class GroupWithState {
 public:
  template <typename... InitArgs>
  GroupWithState(const Topology& topo, const GroupOptions& options, InitArgs&&... init_args)
      : group_(topo, WorkerGroup::Options{options.mode, options.pus, sizeof(State), options.label, options.deadline}),
        state_(group_.shared(), sizeof(State), options.mode == ExecMode::processes,
               std::forward<InitArgs>(init_args)...) {}

  State& state() { return *state_; }
  WorkerGroup& group() { return group_; }

  // Runs body(state, ctx) on every worker; returns the group's wall time.
  template <typename Body>
  std::chrono::nanoseconds run(Body body) {
    State* state = &*state_;
    return group_.run([state, body](WorkerContext& ctx) { body(*state, ctx); });
  }

 private:
  WorkerGroup group_;
  Placed<State> state_;
};

}  // namespace primbench::locks
