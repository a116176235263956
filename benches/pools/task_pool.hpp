// A small real task pool, as threads or as pre-forked processes: the
// multiprocessing.Pool / ThreadPool / concurrent.futures analogue.
//
// The workers are a WorkerGroup (pinned, placement read back, killed and
// reaped on failure). They take tasks from a lock-free MPMC ring in the
// group's shared memory (benches/rings/mpmc_ring.hpp, the Queue family's
// ring), compute, write each item's value into its result slot and send a
// per-task result (id, status, xor of the values, timestamps) through a second
// ring. Idle workers and a waiting collector spin briefly, then sleep on a
// futex (EventCount): a pool with a worker on every PU has no PU to burn.
// The same code serves threads and processes; only the WorkerGroup's mode
// differs.
//
// A task that throws is reported, not lost: the worker catches the exception
// and sends a failed result carrying the message, then serves on.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "benches/pools/event_count.hpp"
#include "benches/pools/task_work.hpp"
#include "benches/rings/mpmc_ring.hpp"
#include "harness/clock.hpp"
#include "harness/workers.hpp"

namespace primbench::pools {

// Both rings hold this many; it is also the most tasks a pool accepts in
// flight, so a worker always finds room for its result (no deadlock between a
// submitter waiting for task room and workers waiting for result room).
inline constexpr std::size_t kRingCapacity = 1024;
// Items per round at most: item i's result slot is i % kMaxItems.
inline constexpr std::size_t kMaxItems = 1024;

struct Task {
  std::uint64_t id = 0;          // unique over the pool's life
  std::uint64_t first_item = 0;  // the task computes items [first_item, first_item + items)
  std::uint32_t items = 0;       // 0 means "stop": the worker that takes it returns
  std::uint32_t fail = 0;        // nonzero: the task throws (the error path)
  std::uint64_t steps = 0;       // work steps per item
  std::uint64_t submitted = 0;   // Clock ticks
};
static_assert(sizeof(Task) == 40, "a task and its ring turn fit one cache line");

struct Result {
  std::uint64_t id = 0;
  std::uint64_t value = 0;  // xor of the task's item values
  std::uint64_t submitted = 0, started = 0, finished = 0;  // Clock ticks
  std::uint32_t items = 0;
  std::uint32_t worker = 0;
  std::uint32_t failed = 0;
  char error[68] = {};  // the exception's message when failed
};
static_assert(sizeof(Result) == 120, "a result and its ring turn fit two cache lines");

// One item's result slot: its value and how many times it was written (the
// collector checks 1, then clears it for the next round).
struct alignas(64) ItemSlot {
  std::atomic<std::uint64_t> value{0};
  std::atomic<std::uint32_t> writes{0};
};
static_assert(sizeof(ItemSlot) == 64, "workers writing neighbouring items must not share a line");

// Everything the workers and the submitter share; valid when zero-filled.
struct PoolShared {
  rings::MpmcRing<Task, kRingCapacity> tasks;
  rings::MpmcRing<Result, kRingCapacity> results;
  EventCount task_posted;
  EventCount result_posted;
  alignas(64) std::atomic<std::uint32_t> abandon{0};  // the submitter gave up: stop at once
  ItemSlot items[kMaxItems];
};

// Runs one task; never throws (a task's exception becomes a failed result).
inline Result run_task(const Task& task, ItemSlot* items, unsigned worker) noexcept {
  Result r;
  r.id = task.id;
  r.items = task.items;
  r.worker = worker;
  r.submitted = task.submitted;
  r.started = Clock::now();
  try {
    if (task.fail) throw std::runtime_error(fmt::format("injected failure in item {}", task.first_item));
    std::uint64_t folded = 0;
    for (std::uint64_t item = task.first_item; item < task.first_item + task.items; ++item) {
      const std::uint64_t v = work_steps(ExpectedValues::input_of(item), task.steps);
      ItemSlot& slot = items[item % kMaxItems];
      slot.value.store(v, std::memory_order_relaxed);
      slot.writes.fetch_add(1, std::memory_order_relaxed);  // published by the result push (release)
      folded ^= v;
    }
    r.value = folded;
  } catch (const std::exception& e) {
    r.failed = 1;
    std::snprintf(r.error, sizeof r.error, "%s", e.what());
  }
  r.finished = Clock::now();
  return r;
}

// How long a waiting worker or collector polls before it sleeps (~a few us:
// long enough to catch a back-to-back task, short enough not to starve a
// submitter sharing the PU; 0 when it does share one).
inline constexpr std::uint32_t kPoolSpins = 2000;

// A worker's loop: take a task, run it, send its result; return on a stop
// task or when the submitter abandons the pool.
inline void serve_tasks(PoolShared& shared, WorkerContext& ctx, std::uint32_t spins) {
  auto abandoned = [&] { return shared.abandon.load(std::memory_order_acquire) != 0; };
  const auto never = std::chrono::steady_clock::time_point::max();
  Task task;
  for (;;) {
    if (!shared.task_posted.wait([&] { return shared.tasks.try_pop(task); }, abandoned, spins, never)) return;
    if (task.items == 0) return;
    const Result r = run_task(task, shared.items, ctx.index);
    while (!shared.results.try_push(r)) {
      if (abandoned()) return;
      sched_yield();
    }
    shared.result_posted.notify();
    ctx.slot->counters[0] += 1;                                                // tasks run
    ctx.slot->counters[1] += Clock::to_ns(r.finished - r.started);             // ns spent in tasks
  }
}

class TaskPool {
 public:
  struct Options {
    ExecMode mode = ExecMode::threads;
    std::vector<unsigned> worker_pus;
    unsigned submitter_pu = 0;  // the calling thread is pinned here for the pool's life
    std::string label;
    std::chrono::milliseconds result_timeout = std::chrono::seconds(10);
  };

  // Pins the caller, starts the workers and waits until all are serving.
  TaskPool(const Topology& topo, Options options)
      : options_(std::move(options)),
        pin_(topo, options_.submitter_pu),
        group_(topo, {options_.mode, options_.worker_pus, sizeof(PoolShared), options_.label, default_worker_deadline()}) {
    shared_ = new (group_.shared()) PoolShared{};
    const unsigned submitter = options_.submitter_pu;
    group_.launch([submitter](WorkerContext& ctx) {
      serve_tasks(*static_cast<PoolShared*>(ctx.shared), ctx, ctx.pu == submitter ? 0 : kPoolSpins);
    });
    group_.wait_ready();
    group_.release();
  }

  // An abandoned pool (an exception on the submitter's side) stops its
  // workers at once; the WorkerGroup then joins or kills and reaps them.
  ~TaskPool() {
    if (!stopped_) {
      shared_->abandon.store(1, std::memory_order_release);
      shared_->task_posted.notify(true);
    }
  }
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  unsigned workers() const { return static_cast<unsigned>(group_.size()); }
  bool submitter_shares_a_worker_pu() const {
    for (unsigned pu : options_.worker_pus)
      if (pu == options_.submitter_pu) return true;
    return false;
  }
  std::uint64_t in_flight() const { return in_flight_; }
  ItemSlot* items() { return shared_->items; }

  // Queues a task, stamping its id and submit time into it; returns the id.
  std::uint64_t submit(Task& task) {
    if (in_flight_ >= kRingCapacity) throw std::logic_error(fmt::format("{}: more than {} tasks in flight", options_.label, kRingCapacity));
    task.id = ++last_id_;
    task.submitted = Clock::now();
    while (!shared_->tasks.try_push(task)) sched_yield();  // cannot stay full: in_flight_ bounds it
    shared_->task_posted.notify();
    ++in_flight_;
    return task.id;
  }

  // The next result, in completion order; throws if none arrives in time.
  Result next_result() {
    Result r;
    const auto deadline = std::chrono::steady_clock::now() + options_.result_timeout;
    if (!shared_->result_posted.wait([&] { return shared_->results.try_pop(r); }, [] { return false; }, spins(), deadline))
      throw std::runtime_error(fmt::format("{}: no result within {} ms with {} tasks in flight (a worker died or hangs)",
                                           options_.label, options_.result_timeout.count(), in_flight_));
    --in_flight_;
    return r;
  }

  // A result if one is ready, without waiting.
  std::optional<Result> try_result() {
    Result r;
    if (!shared_->results.try_pop(r)) return std::nullopt;
    --in_flight_;
    return r;
  }

  // Stops the workers (one stop task each), joins them and returns where
  // everyone ran: {submitter, worker 0, worker 1, ...}. Throws WorkerFailure.
  std::vector<ObservedPlacement> shutdown() {
    if (in_flight_ != 0) throw std::logic_error(fmt::format("{}: shutdown with {} tasks in flight", options_.label, in_flight_));
    const ObservedPlacement submitter = pin_.observe();
    for (unsigned w = 0; w < workers(); ++w)
      while (!shared_->tasks.try_push(Task{})) sched_yield();
    shared_->task_posted.notify(true);
    stopped_ = true;
    group_.join();
    std::vector<ObservedPlacement> all{submitter};
    for (const ObservedPlacement& p : group_.placements()) all.push_back(p);
    return all;
  }

  // Per worker: {tasks run, ns spent in tasks} (valid after shutdown()).
  std::vector<std::pair<double, double>> worker_totals() {
    std::vector<std::pair<double, double>> out;
    for (const WorkerSlot& s : group_.slots()) out.emplace_back(s.counters[0], s.counters[1]);
    return out;
  }

 private:
  std::uint32_t spins() const { return submitter_shares_a_worker_pu() ? 0 : kPoolSpins; }

  Options options_;
  ScopedThreadPin pin_;
  WorkerGroup group_;
  PoolShared* shared_ = nullptr;
  std::uint64_t last_id_ = 0;
  std::uint64_t in_flight_ = 0;
  bool stopped_ = false;
};

}  // namespace primbench::pools
