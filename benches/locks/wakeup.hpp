// Wake-up latency between two pinned sides: from "the waker releases" to "the
// waiter runs", for locks (unlock -> the blocked lock() returns) and for
// doorbell-like primitives (post/notify/set/write -> the wait returns).
//
// Round h has a taker (side h % 2) and a giver (the other side):
//   taker: waits until round h may start, announces h, then blocks in take()
//   giver: waits for the announcement, lets the taker settle into its wait,
//          stamps the clock and the round (wake_stamp.hpp), then give()s
//   taker: take() returns; it records the wake-up at once and lets round
//          h + 1 start.
// The roles alternate, so for a lock the taker of round h holds it and gives it
// in round h + 1; side 0 holds it before round 1 (begin) and whoever took the
// last round releases it at the end (finish). A lock's giver never re-acquires
// before the taker got it, so no round is lost to the giver barging back in.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "benches/locks/busy_work.hpp"
#include "benches/locks/group_run.hpp"
#include "benches/locks/wake_stamp.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::locks {

// A lock as a hand-off: take = lock, give = unlock. `holds` is a plain counter
// incremented by every holder: after R rounds it must be exactly R + 1.
template <typename Lock>
struct LockHandOff {
  static constexpr std::string_view kName = Lock::kName;
  void init(bool process_shared) { lock.init(process_shared); }
  void destroy() { lock.destroy(); }
  void begin(unsigned side) {
    if (side == 0) take(side);
  }
  void take(unsigned /*side*/) {
    lock.lock();
    ++holds;
  }
  void give(unsigned /*side*/) { lock.unlock(); }
  void finish(unsigned /*side*/, bool holding) {
    if (holding) lock.unlock();
  }
  std::string check(std::uint64_t rounds) const {
    if (holds == rounds + 1) return {};
    return fmt::format("mutual exclusion broken under {}: the counter incremented by every holder ended at {}, "
                       "expected {}",
                       kName, holds, rounds + 1);
  }
  Lock lock;
  std::uint64_t holds = 0;  // plain on purpose: touched only under the lock
};

// A doorbell (one wake-up channel per side) as a hand-off: give = ring the
// other side, take = wait for one's own bell.
template <typename Bell>
struct BellHandOff {
  static constexpr std::string_view kName = Bell::kName;
  void init(bool process_shared) { bell.init(process_shared, 2); }
  void destroy() { bell.destroy(); }
  void begin(unsigned /*side*/) {}
  void take(unsigned side) { bell.wait(side); }
  void give(unsigned side) { bell.ring(1 - side); }
  void finish(unsigned /*side*/, bool /*holding*/) {}
  std::string check(std::uint64_t /*rounds*/) const { return {}; }
  Bell bell;
};

template <typename HandOff>
struct alignas(64) WakeupState {
  HandOff prim;
  alignas(64) std::atomic<std::uint64_t> announced{0};  // the round whose taker is about to wait
  alignas(64) std::atomic<std::uint64_t> may_start{0};  // the round that may start
  ReleaseStamp released;

  void init(bool process_shared) { prim.init(process_shared); }
  void destroy() { prim.destroy(); }
};

template <typename HandOff>
void wakeup_side(WakeupState<HandOff>& s, WorkerContext& ctx, std::uint64_t rounds, bool share_pu,
                 std::uint64_t settle_steps) {
  const unsigned me = ctx.index;
  const std::uint32_t spins = spin_budget(share_pu);
  WakeRecorder recorder;
  s.prim.begin(me);
  if (me == 0) s.may_start.store(1, std::memory_order_release);
  for (std::uint64_t h = 1; h <= rounds; ++h) {
    if (h % 2 == me) {  // taker
      spin_until([&] { return s.may_start.load(std::memory_order_acquire) == h; }, spins);
      s.announced.store(h, std::memory_order_release);
      s.prim.take(me);
      recorder.woke(s.released, h, ctx.slot->latency);
      s.may_start.store(h + 1, std::memory_order_release);
    } else {  // giver
      spin_until([&] { return s.announced.load(std::memory_order_acquire) == h; }, spins);
      let_waiter_settle(share_pu, settle_steps);
      s.released.stamp(h);
      s.prim.give(me);
    }
  }
  s.prim.finish(me, rounds % 2 == me);
  recorder.publish(*ctx.slot);
}

// Runs `rounds` wake-ups between the two PUs of options.pus.
template <typename HandOff>
GroupRun run_wakeup(const Topology& topo, const GroupOptions& options, std::uint64_t rounds) {
  if (options.pus.size() != 2) throw std::logic_error("run_wakeup: needs exactly two PUs");
  const std::uint64_t settle_steps = BusyWork::calibrated().steps_for_ns(kSettleNs);
  const bool share_pu = workers_share_a_pu(options.pus);
  GroupWithState<WakeupState<HandOff>> run_state(topo, options);

  GroupRun out;
  out.wall = run_state.run([=](WakeupState<HandOff>& s, WorkerContext& ctx) {
    wakeup_side(s, ctx, rounds, share_pu, settle_steps);
  });
  out.operations = rounds;
  out.latency = run_state.group().merged_latency();
  out.workers = run_state.group().placements();
  WakeTally tally;
  for (const WorkerSlot& slot : run_state.group().slots()) tally.add(slot);
  out.error = run_state.state().prim.check(rounds);
  if (out.error.empty() && tally.wrong_rounds != 0)
    out.error = fmt::format("{}: {} of {} wake-ups found another round's stamp (woken before the release)",
                            HandOff::kName, tally.wrong_rounds, rounds);
  if (out.error.empty() && out.latency.count() != rounds)
    out.error = fmt::format("{}: {} wake-ups recorded for {} rounds", HandOff::kName, out.latency.count(), rounds);
  out.extra = {{"rounds", rounds},
               {"settle", share_pu ? "sched_yield (both sides on one PU)" : "busy work before each release"},
               {"settle_ns", share_pu ? 0.0 : kSettleNs},
               {"negative_deltas", tally.negative},
               {"clock", cross_core_clock_note()}};
  return out;
}

}  // namespace primbench::locks
