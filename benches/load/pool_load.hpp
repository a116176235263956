// Open-loop load on a task pool (benches/pools/task_pool.hpp): this thread
// submits one-item tasks on schedule and collects results while it waits for
// the next one to be due; a task's latency is from its intended submit time
// until its result is collected. The pool's ResultLedger checks every result
// (exactly once, right value) per step.
//
// The pool accepts at most kRingCapacity tasks in flight: when a step offers
// more than the pool can take, the submitter waits for a result before it
// submits, and the tasks behind it keep their intended times (the stall counts).
#pragma once

#include <array>
#include <cstdint>

#include "benches/load/load_run.hpp"
#include "benches/pools/pool_ops.hpp"
#include "benches/pools/task_pool.hpp"

namespace primbench::load {

class PoolLoad {
 public:
  PoolLoad(pools::TaskPool& pool, const pools::ExpectedValues& expected, std::uint32_t spins)
      : pool_(pool), expected_(expected), spins_(spins) {}

  StepOutcome closed_loop(std::uint64_t until) {
    Step step(*this);
    while (Clock::now() < until) {
      if (pool_.in_flight() < pools::kRingCapacity) {
        const std::uint64_t now = Clock::now();
        submit(step, now);
      } else {
        step.take(pool_.next_result());
      }
      collect_ready(step);
    }
    return step.finish();
  }

  StepOutcome paced(const PacedSchedule& schedule, std::uint64_t n) {
    Step step(*this);
    run_paced(
        schedule, n, [] { return Clock::now(); },
        [&] {
          if (!collect_ready(step)) pause_before_due(spins_);
        },
        [&](std::uint64_t, std::uint64_t due, std::uint64_t) {
          while (pool_.in_flight() >= pools::kRingCapacity) step.take(pool_.next_result());
          submit(step, due);
        });
    return step.finish();
  }

  std::uint64_t tasks() const { return tasks_; }

 private:
  // One step's bookkeeping: its ledger, its latencies, its intended times.
  struct Step {
    explicit Step(PoolLoad& load_side) : owner(load_side), ledger(load_side.expected_) { outcome.first = Clock::now(); }

    void take(const pools::Result& r) {
      const std::uint64_t now = Clock::now();
      ledger.accept(r, owner.pool_.items(), stats, now);
      outcome.latency.record(intended[r.id % intended.size()], r.submitted, now, Clock::to_ns(1));
      outcome.last_received = now;
      ++outcome.messages;
    }

    StepOutcome finish() {
      while (owner.pool_.in_flight() > 0) take(owner.pool_.next_result());
      ledger.settle();  // throws on a lost, repeated or wrong result
      return outcome;
    }

    PoolLoad& owner;
    pools::ResultLedger ledger;
    pools::PoolStats stats;  // the ledger's own tallies; the latencies that matter are in `outcome`
    StepOutcome outcome;
    // In flight ids are consecutive and at most kRingCapacity, so id mod capacity is unique among them.
    std::array<std::uint64_t, pools::kRingCapacity> intended{};
  };

  void submit(Step& step, std::uint64_t intended) {
    pools::Task task;
    task.first_item = next_item_++;
    task.items = 1;
    task.steps = expected_.steps();
    const std::uint64_t id = pool_.submit(task);  // stamps the actual submit time into the task
    step.intended[id % step.intended.size()] = intended;
    step.ledger.expect(id, task);
    ++tasks_;
  }

  bool collect_ready(Step& step) {
    bool any = false;
    while (const auto r = pool_.try_result()) {
      step.take(*r);
      any = true;
    }
    return any;
  }

  pools::TaskPool& pool_;
  const pools::ExpectedValues& expected_;
  std::uint32_t spins_;
  std::uint64_t next_item_ = 0;
  std::uint64_t tasks_ = 0;
};

}  // namespace primbench::load
