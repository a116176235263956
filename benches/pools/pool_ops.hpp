// The pool operations of Python's multiprocessing.Pool, on a TaskPool, and the
// ledger that proves every result comes back exactly once and right.
//
//   apply            submit one task, wait for its result
//   apply_async      submit many single-item tasks, then collect them all
//   map(chunksize)   split the items into chunks (one task each), submit all,
//                    collect all; the values land in the items' result slots,
//                    so the output is in item order by construction
//   imap_unordered   submit single-item tasks one by one, taking whatever
//                    results are ready between submissions, then the rest
//
// A failed task (its exception caught by the worker) is collected like any
// other result; once the operation has drained every result, it throws
// TaskFailed naming the task and its message, as AsyncResult.get() and
// Pool.map re-raise a task's exception. The pool stays usable.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "benches/pools/task_pool.hpp"
#include "benches/pools/task_work.hpp"
#include "harness/latency_histogram.hpp"

namespace primbench::pools {

struct TaskFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a measured run of operations saw, summed over its rounds.
struct PoolStats {
  LatencyHistogram submit_to_start;   // submit until a worker took the task
  LatencyHistogram submit_to_result;  // submit until the collector had its result
  LatencyHistogram first_result;      // imap_unordered: round start until its first result
  std::uint64_t tasks = 0;
  std::uint64_t items = 0;
  double task_ns = 0;  // time workers spent inside tasks (the useful work, plus its per-item loop)
};

// Exactly-once bookkeeping for one operation's tasks. Every problem is kept
// (the first is reported): an unknown or repeated id, a wrong item count, an
// item written other than once, a value that is not the one its input gives.
class ResultLedger {
 public:
  explicit ResultLedger(const ExpectedValues& expected) : expected_(expected) {}

  void expect(std::uint64_t id, const Task& task) { pending_[id] = task; }

  // Checks a result against its task and the items' result slots (whose write
  // counts it clears for the next round); records a failed task's message.
  void accept(const Result& r, ItemSlot* items, PoolStats& stats, std::uint64_t received) {
    const auto it = pending_.find(r.id);
    if (it == pending_.end()) {
      note(fmt::format("result for task {} that is not outstanding (unknown or delivered twice)", r.id));
      return;
    }
    const Task task = it->second;
    pending_.erase(it);
    stats.submit_to_start.record_rounded(Clock::to_ns(r.started - r.submitted));
    stats.submit_to_result.record_rounded(Clock::to_ns(received - r.submitted));
    stats.tasks += 1;
    stats.items += task.items;
    stats.task_ns += Clock::to_ns(r.finished - r.started);
    if (r.submitted != task.submitted) note(fmt::format("task {}: result carries another submit stamp", r.id));
    if (r.failed) {
      failures_.push_back(fmt::format("task {} (worker {}): {}", r.id, r.worker, r.error));
      return;
    }
    if (r.items != task.items) note(fmt::format("task {}: {} items in the result, {} submitted", r.id, r.items, task.items));
    std::uint64_t folded = 0;
    for (std::uint64_t item = task.first_item; item < task.first_item + task.items; ++item) {
      ItemSlot& slot = items[item % kMaxItems];
      const std::uint32_t writes = slot.writes.exchange(0, std::memory_order_relaxed);
      const std::uint64_t v = slot.value.load(std::memory_order_relaxed);
      if (writes != 1) note(fmt::format("item {} (task {}) was written {} times", item, r.id, writes));
      if (v != expected_.of(item))
        note(fmt::format("item {} (task {}): value {:#x}, expected {:#x}", item, r.id, v, expected_.of(item)));
      folded ^= v;
    }
    if (folded != r.value) note(fmt::format("task {}: result value {:#x} does not match its items ({:#x})", r.id, r.value, folded));
  }

  std::size_t outstanding() const { return pending_.size(); }
  const std::vector<std::string>& problems() const { return problems_; }
  const std::vector<std::string>& failures() const { return failures_; }

  // Throws std::logic_error for a broken delivery, TaskFailed for failed tasks.
  void settle() {
    if (!pending_.empty()) note(fmt::format("{} tasks never returned a result (first: task {})", pending_.size(), pending_.begin()->first));
    if (!problems_.empty())
      throw std::logic_error(fmt::format("{} delivery problems; first: {}", problems_.size(), problems_.front()));
    if (!failures_.empty()) {
      const std::string text = fmt::format("{} of the tasks failed; first: {}", failures_.size(), failures_.front());
      failures_.clear();
      throw TaskFailed(text);
    }
  }

 private:
  void note(std::string problem) { problems_.push_back(std::move(problem)); }

  const ExpectedValues& expected_;
  std::unordered_map<std::uint64_t, Task> pending_;
  std::vector<std::string> problems_;
  std::vector<std::string> failures_;
};

// Runs operations on a pool, checking every round. Item numbers grow from
// round to round, so each round computes fresh inputs; `fail_item` (if set)
// makes the task containing that item throw.
class PoolRunner {
 public:
  PoolRunner(TaskPool& pool, const ExpectedValues& expected, PoolStats& stats)
      : pool_(pool), expected_(expected), stats_(stats) {}

  void fail_item(std::uint64_t item) { fail_item_ = item; }
  std::uint64_t next_item() const { return next_item_; }

  void apply() { run_round(1, 1, Collect::after_all); }
  void apply_async(std::uint64_t tasks) { run_round(tasks, 1, Collect::after_all); }
  void map(std::uint64_t items, std::uint32_t chunksize) { run_round(items, chunksize, Collect::after_all); }
  void imap_unordered(std::uint64_t items) { run_round(items, 1, Collect::while_submitting); }

 private:
  enum class Collect { after_all, while_submitting };

  void run_round(std::uint64_t items, std::uint32_t chunksize, Collect how) {
    if (items == 0 || items > kMaxItems || chunksize == 0)
      throw std::logic_error(fmt::format("a round of {} items in chunks of {} (at most {} items)", items, chunksize, kMaxItems));
    ResultLedger ledger(expected_);
    const std::uint64_t first = next_item_;
    next_item_ += items;
    const std::uint64_t round_start = Clock::now();
    bool first_seen = false;
    auto take = [&](const Result& r) {
      const std::uint64_t now = Clock::now();
      if (!first_seen && how == Collect::while_submitting) stats_.first_result.record_rounded(Clock::to_ns(now - round_start));
      first_seen = true;
      ledger.accept(r, pool_.items(), stats_, now);
    };
    for (std::uint64_t item = first; item < first + items; item += chunksize) {
      Task task;
      task.first_item = item;
      task.items = static_cast<std::uint32_t>(std::min<std::uint64_t>(chunksize, first + items - item));
      task.steps = expected_.steps();
      task.fail = fail_item_ >= item && fail_item_ < item + task.items;
      ledger.expect(pool_.submit(task), task);
      if (how == Collect::while_submitting)
        while (const auto r = pool_.try_result()) take(*r);
    }
    while (pool_.in_flight() > 0) take(pool_.next_result());
    ledger.settle();
  }

  TaskPool& pool_;
  const ExpectedValues& expected_;
  PoolStats& stats_;
  std::uint64_t next_item_ = 0;
  std::uint64_t fail_item_ = UINT64_MAX;
};

}  // namespace primbench::pools
