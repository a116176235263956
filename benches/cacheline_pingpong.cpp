// Core-to-core latency: one cache line bounced between two pinned sides.
//
// This is the machine's floor for any cross-PU communication: every other
// primitive's latency is compared with it. Each round trip is a store by side
// A, seen by B, answered by a store from B, seen by A. Two variants:
//   c2c/rtt/<mode>/<class>           through the harness (PeerSession, TSC batches)
//   c2c/rtt_plain/threads/<class>    the same protocol written as plainly as
//                                    possible (std::thread, sched_setaffinity,
//                                    steady_clock around the whole loop), so
//                                    the harness's own overhead is visible.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "harness/batch_timing.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/peer_session.hpp"
#include "harness/spin_wait.hpp"

namespace primbench {
namespace {

constexpr std::uint64_t kBatch = 16;  // round trips per timed sample

struct alignas(64) PingPongLine {
  std::atomic<std::uint64_t> ball{0};  // odd: A served, waiting for B; even: B answered
  std::atomic<std::uint32_t> stop{0};
};
static_assert(sizeof(PingPongLine) == 64, "the ball and stop flag share exactly one cache line");

void answer_until_stopped(PingPongLine& line, std::uint32_t spins) {
  for (std::uint64_t expect = 1;; expect += 2) {
    spin_until([&] { return line.ball.load(std::memory_order_acquire) == expect || line.stop.load(std::memory_order_relaxed); },
               spins);
    if (line.stop.load(std::memory_order_relaxed)) return;
    line.ball.store(expect + 1, std::memory_order_release);
  }
}

void bm_rtt(benchmark::State& state, const std::string& name, ExecMode mode, PairClass cls, PuPair pair) {
  const BenchEnvironment& env = bench_environment();
  const std::uint32_t spins = spin_budget(pair.a == pair.b);
  try {
    PeerSession session(*env.topo, mode, pair, sizeof(PingPongLine), name, [spins](WorkerContext& ctx) {
      answer_until_stopped(*static_cast<PingPongLine*>(ctx.shared), spins);
    });
    auto& line = *static_cast<PingPongLine*>(session.shared());
    LatencyHistogram hist;
    std::uint64_t ball = 1;
    timed_batches(state, hist, kBatch, [&](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i, ball += 2) {
        line.ball.store(ball, std::memory_order_release);
        spin_until([&] { return line.ball.load(std::memory_order_acquire) == ball + 1; }, spins);
      }
    });
    line.stop.store(1, std::memory_order_relaxed);
    const auto placements = session.finish();
    publish_latency_counters(state, hist);
    publish_placement_counter(state, placements);
    state.counters["one_way_ns"] = hist.percentiles().p50 / 2;  // RTT/2, labelled as such
    BenchRecord record{"c2c", std::string(to_string(mode)), std::string(to_string(cls)), placements, false, hist,
                       "round trip (mean of a batch)", {{"batch", kBatch}, {"pair", {pair.a, pair.b}}}};
    record_bench(name, std::move(record));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Deliberately free of the harness: raw affinity calls, one steady_clock
// interval around the whole timed loop, no histogram.
void pin_self_plainly(unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void bm_rtt_plain(benchmark::State& state, const std::string& name, PairClass cls, PuPair pair) {
  PingPongLine line;
  const std::uint32_t spins = spin_budget(pair.a == pair.b);
  cpu_set_t previous;
  pthread_getaffinity_np(pthread_self(), sizeof previous, &previous);
  pin_self_plainly(pair.a);
  std::thread peer([&] {
    pin_self_plainly(pair.b);
    answer_until_stopped(line, spins);
  });
  std::uint64_t ball = 1;
  for (auto _ : state) {
    line.ball.store(ball, std::memory_order_release);
    spin_until([&] { return line.ball.load(std::memory_order_acquire) == ball + 1; }, spins);
    ball += 2;
  }
  line.stop.store(1);
  peer.join();
  pthread_setaffinity_np(pthread_self(), sizeof previous, &previous);
  record_bench(name, BenchRecord{"c2c", "threads", std::string(to_string(cls)), {}, false, std::nullopt, "", {{"pair", {pair.a, pair.b}}, {"note", "plain reference: placement not read back"}}});
}

void register_c2c(const BenchEnvironment& env) {
  register_pair_benches(env, "c2c", "rtt", {ExecMode::threads, ExecMode::processes}, bm_rtt);
  for (const PairClassPlan& plan : env.pairs.classes) {
    if (!plan.present) continue;  // already reported absent by the harnessed variant
    const PairClass cls = plan.cls;
    const PuPair pair = plan.pairs.front();
    register_bench(bench_name("c2c", "rtt_plain", ExecMode::threads, cls),
                   [cls, pair](benchmark::State& s, const std::string& n) { bm_rtt_plain(s, n, cls, pair); });
  }
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("c2c", primbench::register_c2c);
