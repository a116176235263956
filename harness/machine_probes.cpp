#include "harness/machine_probes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "harness/futex.hpp"
#include "harness/machine_context.hpp"
#include "harness/pinning.hpp"
#include "harness/placement.hpp"
#include "harness/spin_wait.hpp"

namespace primbench {
namespace {

using Clock = std::chrono::steady_clock;

double ns_since(Clock::time_point start) {
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

// Every probe is the best of a few batches: a batch slower than the best was
// interrupted (another process, an interrupt), while a mode of the machine
// lasts for all of them.
double cpu_loop_ns_per_step(const Topology& topo, unsigned pu) {
  const ScopedThreadPin pin(topo, pu);
  constexpr int kSteps = 1 << 20;
  double best = std::numeric_limits<double>::infinity();
  std::uint64_t x = pu + 1;
  for (int batch = 0; batch < 5; ++batch) {
    const auto start = Clock::now();
    for (int i = 0; i < kSteps; ++i) {
      x = x * 6364136223846793005u + 1442695040888963407u;
      asm volatile("" : "+r"(x));  // one dependent step each: the compiler may not fold the chain
    }
    best = std::min(best, ns_since(start) / kSteps);
  }
  return best;
}

// Runs `side(turn)` on PU b in a second thread and `side(turn)` on PU a here;
// each side's function performs `trips` round trips. Returns ns per round trip.
template <typename Side>
double round_trip_ns(const Topology& topo, PuPair pair, int trips, const Side& side) {
  std::atomic<bool> go{false};
  std::thread partner([&] {
    const ScopedThreadPin pin(topo, pair.b);
    spin_until([&] { return go.load(std::memory_order_acquire); }, spin_budget(pair.a == pair.b));
    side(false, trips);
  });
  const ScopedThreadPin pin(topo, pair.a);
  go.store(true, std::memory_order_release);
  const auto start = Clock::now();
  side(true, trips);
  const double elapsed = ns_since(start);
  partner.join();
  return elapsed / trips;
}

// A spinning cache-line ping-pong.
double c2c_rtt_ns(const Topology& topo, PuPair pair) {
  double best = std::numeric_limits<double>::infinity();
  for (int batch = 0; batch < 7; ++batch) {
    alignas(64) std::atomic<std::uint64_t> line{0};
    best = std::min(best, round_trip_ns(topo, pair, 1000, [&](bool first, int trips) {
      for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(trips); ++i) {
        const std::uint64_t mine = 2 * i + (first ? 0 : 1);
        spin_until([&] { return line.load(std::memory_order_acquire) == mine; });
        line.store(mine + 1, std::memory_order_release);
      }
      if (first) spin_until([&] { return line.load(std::memory_order_acquire) == 2u * trips; });  // the last reply
    }));
  }
  return best;
}

// A futex ping-pong: each side sleeps until the other wakes it, so a round
// trip is two wake-ups through the scheduler.
double wakeup_rtt_ns(const Topology& topo, PuPair pair) {
  double best = std::numeric_limits<double>::infinity();
  for (int batch = 0; batch < 5; ++batch) {
    alignas(64) std::atomic<std::uint32_t> word{0};
    best = std::min(best, round_trip_ns(topo, pair, 150, [&](bool first, int trips) {
      for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(trips); ++i) {
        const std::uint32_t mine = 2 * i + (first ? 0 : 1);
        for (std::uint32_t seen; (seen = word.load(std::memory_order_acquire)) != mine;) futex_wait(&word, seen);
        word.store(mine + 1, std::memory_order_release);
        futex_wake(&word, 1);
      }
      if (first)  // the last reply
        for (std::uint32_t seen; (seen = word.load(std::memory_order_acquire)) != 2u * trips;) futex_wait(&word, seen);
    }));
  }
  return best;
}

}  // namespace

ProbeSet measure_machine_probes(const Topology& topo) {
  ProbeSet probes;
  probes.taken_at = utc_now_iso8601();
  for (unsigned pu : topo.allowed_pus()) probes.values[fmt::format("cpu_loop/pu{}", pu)] = cpu_loop_ns_per_step(topo, pu);
  const PairPlan plan = plan_pairs(topo);
  bool cross_wakeup_done = false;
  for (const PairClassPlan& cls : plan.classes) {
    if (!cls.present) continue;
    const std::string name(to_string(cls.cls));
    const PuPair pair = cls.pairs.front();
    if (cls.cls == PairClass::same_pu) {
      probes.values["wakeup_rtt/" + name] = wakeup_rtt_ns(topo, pair);
      continue;
    }
    probes.values["c2c_rtt/" + name] = c2c_rtt_ns(topo, pair);
    if (!cross_wakeup_done) {
      probes.values["wakeup_rtt/" + name] = wakeup_rtt_ns(topo, pair);
      cross_wakeup_done = true;
    }
  }
  return probes;
}

nlohmann::json to_json(const ProbeSet& probes) {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [name, ns] : probes.values) values[name] = ns;
  return {{"taken_at", probes.taken_at}, {"unit", "ns"}, {"values", values}};
}

}  // namespace primbench
