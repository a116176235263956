// Fan-out wake-up: one waker releases N - 1 waiters at once (condvar
// notify_all, an event's set, the last arrival at a barrier).
//
// Round r: every waiter announces itself and blocks in fan_wait(r); the waker
// waits for all announcements, lets them settle into their waits, stamps the
// clock and r (wake_stamp.hpp) and calls fan_release(r). Each waiter records
// its own wake-up as soon as it runs (one sample per waiter per round); the
// waker records when it has seen every waiter acknowledge (the time until the
// last one ran, plus one cache-line transfer). Before the next round the waker
// resets the primitive (an event must be cleared) and only then lets the
// waiters announce again, so no waiter can pass through a stale release.
//
// A primitive provides fan_wait(r), fan_release(r) and fan_reset(), and
// init(process_shared, parties) with parties = all workers (for barriers).
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>

#include "benches/locks/busy_work.hpp"
#include "benches/locks/group_run.hpp"
#include "benches/locks/wake_stamp.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::locks {

template <typename Prim>
concept FanOutPrimitive = requires(Prim& p, std::uint64_t round) {
  p.fan_wait(round);
  p.fan_release(round);
  p.fan_reset();
};

template <typename Prim>
struct alignas(64) FanoutState {
  Prim prim;
  alignas(64) std::atomic<std::uint64_t> arrived{0};       // announcements, over all rounds
  alignas(64) std::atomic<std::uint64_t> acknowledged{0};  // waiters that ran, over all rounds
  alignas(64) std::atomic<std::uint64_t> reset_done{0};    // the last round the primitive was reset after
  ReleaseStamp released;

  void init(bool process_shared, unsigned parties) { prim.init(process_shared, parties); }
  void destroy() { prim.destroy(); }
};

template <typename Prim>
void fan_out(FanoutState<Prim>& s, WorkerContext& ctx, std::uint64_t rounds, bool share_pu,
             std::uint64_t settle_steps) {
  const std::uint64_t waiters = ctx.count - 1;
  const std::uint32_t spins = spin_budget(share_pu);
  for (std::uint64_t r = 1; r <= rounds; ++r) {
    spin_until([&] { return s.arrived.load(std::memory_order_acquire) >= waiters * r; }, spins);
    let_waiter_settle(share_pu, settle_steps);
    const std::uint64_t released_at = s.released.stamp(r);
    s.prim.fan_release(r);
    spin_until([&] { return s.acknowledged.load(std::memory_order_acquire) >= waiters * r; }, spins);
    ctx.slot->latency.record_rounded(Clock::to_ns(Clock::now() - released_at));
    s.prim.fan_reset();
    s.reset_done.store(r, std::memory_order_release);
  }
}

template <typename Prim>
void wait_for_fan_out(FanoutState<Prim>& s, WorkerContext& ctx, std::uint64_t rounds, bool share_pu) {
  const std::uint32_t spins = spin_budget(share_pu);
  WakeRecorder recorder;
  for (std::uint64_t r = 1; r <= rounds; ++r) {
    spin_until([&] { return s.reset_done.load(std::memory_order_acquire) >= r - 1; }, spins);
    s.arrived.fetch_add(1, std::memory_order_acq_rel);
    s.prim.fan_wait(r);
    recorder.woke(s.released, r, ctx.slot->latency);
    s.acknowledged.fetch_add(1, std::memory_order_acq_rel);
  }
  recorder.publish(*ctx.slot);
}

// Runs `rounds` fan-outs from worker 0 to the others (at least two workers).
template <typename Prim>
GroupRun run_fanout(const Topology& topo, const GroupOptions& options, std::uint64_t rounds) {
  if (options.pus.size() < 2) throw std::logic_error("run_fanout: needs a waker and at least one waiter");
  const std::uint64_t settle_steps = BusyWork::calibrated().steps_for_ns(kSettleNs);
  const bool share_pu = workers_share_a_pu(options.pus);
  const auto workers = static_cast<unsigned>(options.pus.size());
  GroupWithState<FanoutState<Prim>> run_state(topo, options, workers);

  GroupRun out;
  out.wall = run_state.run([=](FanoutState<Prim>& s, WorkerContext& ctx) {
    if (ctx.index == 0)
      fan_out(s, ctx, rounds, share_pu, settle_steps);
    else
      wait_for_fan_out(s, ctx, rounds, share_pu);
  });
  out.operations = rounds;
  WakeTally tally;
  const auto slots = run_state.group().slots();
  for (std::size_t i = 1; i < slots.size(); ++i) {
    out.latency.merge(slots[i].latency);
    tally.add(slots[i]);
  }
  out.workers = run_state.group().placements();
  const std::uint64_t expected = rounds * (workers - 1);
  if (tally.wrong_rounds != 0)
    out.error = fmt::format("{}: {} of {} wake-ups found another round's stamp (woken before the release)",
                            Prim::kName, tally.wrong_rounds, expected);
  else if (out.latency.count() != expected)
    out.error = fmt::format("{}: {} wake-ups recorded, expected {} ({} rounds x {} waiters)", Prim::kName,
                            out.latency.count(), expected, rounds, workers - 1);
  const Percentiles all = slots[0].latency.percentiles();
  out.extra = {{"rounds", rounds},
               {"waiters", workers - 1},
               {"settle_ns", share_pu ? 0.0 : kSettleNs},
               {"negative_deltas", tally.negative},
               {"all_woken_ns", {{"p50", all.p50}, {"p99", all.p99}, {"max", all.max}, {"count", all.count}}},
               {"all_woken", "the waker's view: from its release until every waiter acknowledged"},
               {"clock", cross_core_clock_note()}};
  return out;
}

}  // namespace primbench::locks
