// Test-only benchmarks that fail on purpose, to prove the harness reports a
// hung or crashed worker by name and carries on with the next benchmark.
// Registered only when PRIMBENCH_SELFTEST=1, so no real run ever lists them.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/peer_session.hpp"

namespace primbench {
namespace {

// Side B misbehaves as asked; side A just waits for it to finish.
void run_faulty_peer(benchmark::State& state, const std::string& name, ExecMode mode, PuPair pair,
                     void (*peer)(WorkerContext&)) {
  try {
    PeerSession session(*bench_environment().topo, mode, pair, 64, name + " [" + std::string(to_string(mode)) + "]", peer);
    for (auto _ : state) benchmark::DoNotOptimize(pair.a);
    record_bench(name, BenchRecord{"selftest", std::string(to_string(mode)), "same-pu", session.finish(), false,
                                   std::nullopt, "", {}});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void peer_returns(WorkerContext&) {}
void peer_hangs(WorkerContext&) {
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}
void peer_crashes(WorkerContext&) { raise(SIGSEGV); }

void register_selftest(const BenchEnvironment& env) {
  const char* enabled = std::getenv("PRIMBENCH_SELFTEST");
  if (enabled == nullptr || std::string_view(enabled) != "1") return;
  const PuPair pair = env.pairs.get(PairClass::same_pu).pairs.front();
  const std::pair<const char*, void (*)(WorkerContext&)> behaviours[] = {
      {"hang", peer_hangs}, {"crash", peer_crashes}, {"ok", peer_returns}};
  for (const auto& [what, peer] : behaviours)
    for (ExecMode mode : {ExecMode::processes, ExecMode::threads}) {
      if (std::string_view(what) == "crash" && mode == ExecMode::threads) continue;  // would kill side A too
      register_bench(bench_name("selftest", what, mode, PairClass::same_pu),
                     [mode, pair, peer](benchmark::State& s, const std::string& n) { run_faulty_peer(s, n, mode, pair, peer); });
    }
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("selftest", primbench::register_selftest);
