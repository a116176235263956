// N pinned workers, as threads or as processes, started together.
//
// Every worker pins itself to its planned PU, waits at a shared start gate,
// runs the benchmark's body, and reads back where it actually ran. Results go
// into a per-worker slot in shared memory, so the same code serves threads and
// forked processes. A worker that fails, crashes or misses the deadline turns
// into a WorkerFailure naming the label (benchmark + placement), the worker and
// its PU; a hung process is killed and reaped.
//
// Fork rule: process workers are forked, so launch() in processes mode must be
// called from a single-threaded process (checked: /proc/self/task). primbench
// runs each benchmark in its own single-threaded child, which holds that true.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/counter_group.hpp"
#include "harness/latency_histogram.hpp"
#include "harness/pinning.hpp"
#include "harness/shm_segment.hpp"
#include "harness/start_barrier.hpp"
#include "harness/topology.hpp"

namespace primbench {

enum class ExecMode { threads, processes };
std::string_view to_string(ExecMode m);
ExecMode parse_exec_mode(std::string_view name);  // throws UsageError

enum class WorkerState : std::uint32_t { starting, running, done, failed };

inline constexpr std::size_t kWorkerCounters = 8;

// One per worker, in shared memory: plain data only.
struct WorkerSlot {
  LatencyHistogram latency;
  std::array<double, kWorkerCounters> counters{};
  ObservedPlacement placement;
  std::atomic<WorkerState> state{WorkerState::starting};
  std::int64_t cpu_time_ns = 0;     // the worker's own CPU time over its body
  std::int64_t finished_at_ns = 0;  // steady_clock, for the group's wall time
  CounterReading op_counters;       // over the body, when counters are on (op_counters.hpp)
  char error[240] = {};
};

struct WorkerContext {
  unsigned index = 0;
  unsigned count = 0;
  unsigned pu = 0;
  ExecMode mode = ExecMode::threads;
  WorkerSlot* slot = nullptr;
  void* shared = nullptr;  // the group's zeroed shared region
  std::size_t shared_bytes = 0;
};

struct WorkerFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Default deadline for one group; PRIMBENCH_WORKER_DEADLINE_MS overrides it.
std::chrono::milliseconds default_worker_deadline();

// Reports a worker hang to the supervisor (PRIMBENCH_STATUS_FILE) and ends the
// process: a hung thread cannot be killed on its own.
[[noreturn]] void abandon_hung_threads(const std::string& message);

// Throws std::logic_error when the process has more than one thread.
void require_single_threaded(const char* why);

class WorkerGroup {
 public:
  struct Options {
    ExecMode mode = ExecMode::threads;
    std::vector<unsigned> pus;  // one per worker (OS indexes)
    std::size_t shared_bytes = 0;
    std::string label;  // "<benchmark> [placement]" for error messages
    std::chrono::milliseconds deadline = default_worker_deadline();
  };

  WorkerGroup(const Topology& topo, Options options);
  ~WorkerGroup();  // kills and reaps whatever still runs
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  // Starts the workers; each pins itself and waits at the start gate.
  void launch(std::function<void(WorkerContext&)> body);
  // Waits until every worker is at the gate (throws WorkerFailure at deadline).
  void wait_ready();
  void release() { barrier_->open_gate(); }
  // Waits for all workers to finish; throws WorkerFailure on any failure.
  void join();
  // launch + wait_ready + release + join, returning the wall time from the
  // gate opening to the last worker finishing.
  std::chrono::nanoseconds run(std::function<void(WorkerContext&)> body);

  std::span<WorkerSlot> slots() { return {slots_, size()}; }
  void* shared() const { return shared_; }
  std::size_t size() const { return options_.pus.size(); }
  ExecMode mode() const { return options_.mode; }
  std::vector<ObservedPlacement> placements() const;
  LatencyHistogram merged_latency() const;

 private:
  void run_worker(unsigned index, const std::function<void(WorkerContext&)>& body);
  std::string describe(unsigned index) const;
  void kill_processes() noexcept;
  void reap_processes(std::chrono::steady_clock::time_point deadline, std::vector<std::string>& problems);
  void join_threads(std::chrono::steady_clock::time_point deadline, std::vector<std::string>& problems);

  const Topology& topo_;
  Options options_;
  SharedSegment segment_;
  StartBarrier* barrier_ = nullptr;
  WorkerSlot* slots_ = nullptr;
  void* shared_ = nullptr;
  std::vector<std::thread> threads_;
  std::vector<pid_t> pids_;
  std::chrono::steady_clock::time_point launched_at_{};
};

}  // namespace primbench
