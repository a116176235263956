// Counters per operation for every benchmark, with no code in any bench.
//
// A benchmark process counts, for each call of a benchmark's body:
//   - the benchmark thread over Google Benchmark's timed region (hooked where
//     GB starts and stops its timer, gbench_timing_hooks.cpp), minus the time
//     it only waits for its workers (CoordinatorWait);
//   - every WorkerGroup worker (thread or process, PeerSession's side B too)
//     over its body, from the start gate to its return (workers.cpp).
// The register_bench wrapper opens the call (begin_counted_call) and, after
// the body, publishes the totals divided by GB's iteration count
// (op_counter_report.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/counter_group.hpp"
#include "harness/perf_events.hpp"

namespace primbench {

inline constexpr const char* kCountersFlag = "--counters";

struct CounterConfig {
  bool enabled = false;
  bool syscalls = false;           // the raw_syscalls:sys_enter tracepoint (it costs: see perf_events.hpp)
  std::vector<std::string> named;  // libpfm4 events counted beside the default set
};

// `--counters` as given: "default" (the kernel's accounting, and the
// hardware events where the PMU is exposed), "none" (no counters), or
// "ITEM,ITEM..." (the default set plus these: "syscalls", or libpfm4 event
// names). Throws UsageError for an empty item or too many events.
CounterConfig parse_counters_option(std::string_view text);

// The perf events a configuration opens: syscalls if asked, the hardware
// events, then its named events.
std::vector<EventSpec> events_for(const CounterConfig& config);

// The benchmark process's configuration (off until set): resolves the events
// once, before any worker starts, so forked workers inherit them.
void set_counter_config(CounterConfig config);
const CounterConfig& counter_config();
const std::vector<EventSpec>& counter_events();

// One worker's totals over one body call.
struct WorkerCounters {
  std::string role;  // "benchmark_thread" or "worker"
  unsigned index = 0;
  std::string mode;  // "threads" / "processes"
  int pu = -1;       // where it was pinned; -1 unknown
  CounterReading reading;
};

// Starts a body call: forgets the previous call's workers and opens the
// benchmark thread's counters (on the calling thread).
void begin_counted_call();
// Adds a worker's totals to this call (summed with an earlier entry of the
// same role, index and PU: a group run once per GB iteration).
void add_worker_counters(WorkerCounters counters);
// Ends the call: stops the benchmark thread's counters and returns every
// worker's totals, the benchmark thread first.
std::vector<WorkerCounters> end_counted_call();

// Google Benchmark's timer starting and stopping, on the benchmark thread.
void benchmark_thread_resume();
void benchmark_thread_pause();

// While the benchmark thread only waits for workers (start gate, join), it is
// not a worker: its counters pause.
class CoordinatorWait {
 public:
  CoordinatorWait();
  ~CoordinatorWait();
  CoordinatorWait(const CoordinatorWait&) = delete;
  CoordinatorWait& operator=(const CoordinatorWait&) = delete;

 private:
  bool paused_ = false;
};

}  // namespace primbench
