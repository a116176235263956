// Test-only benchmarks that fail on purpose, to prove the harness reports a
// hung, crashed, killed or deadlocked worker (or benchmark process) by name
// and carries on with the next benchmark. Registered only when PRIMBENCH_SELFTEST=1, so no real run
// ever lists them (tests/test_cli.cpp, tests/test_faults.cpp).
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>

#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/deliberate_crash.hpp"
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
void peer_crashes(WorkerContext&) { die_of_sigsegv(); }

// Waits to be SIGKILLed by a test: writes its pid to
// $PRIMBENCH_SELFTEST_PID_DIR/worker-<pid>.pid (complete when it appears) and
// sleeps. Without that variable (the whole family run by another test) it
// returns at once; a test that never kills it costs 20 s, not a hang.
void peer_waits_to_be_killed(WorkerContext&) {
  const char* dir = std::getenv("PRIMBENCH_SELFTEST_PID_DIR");
  if (dir == nullptr || *dir == '\0') return;
  const std::string pid = std::to_string(getpid());
  const std::string path = std::string(dir) + "/worker-" + pid + ".pid";
  const int fd = open((path + ".tmp").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const bool written = write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
  close(fd);
  if (!written || rename((path + ".tmp").c_str(), path.c_str()) != 0) return;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// Side A, the benchmark's own thread, fails while its peer process waits for
// it: with PRIMBENCH_SELFTEST_SIDE_A=hang it stops responding, so nothing
// inside the benchmark process can notice and the supervisor's watchdog
// (--timeout) must kill the whole process group, peer included; with =crash
// it dies of SIGSEGV and the supervisor reaps the group. Unset, it runs like
// "ok".
void run_failing_side_a(benchmark::State& state, const std::string& name, PuPair pair) {
  const char* how_env = std::getenv("PRIMBENCH_SELFTEST_SIDE_A");
  const std::string_view how = how_env ? how_env : "";
  const bool fails = how == "hang" || how == "crash";
  try {
    PeerSession session(*bench_environment().topo, ExecMode::processes, pair, 64, name + " [processes]",
                        fails ? peer_hangs : peer_returns);
    if (how == "crash") die_of_sigsegv();
    while (how == "hang") std::this_thread::sleep_for(std::chrono::seconds(1));
    for (auto _ : state) benchmark::DoNotOptimize(pair.a);
    record_bench(name, BenchRecord{"selftest", "processes", "same-pu", session.finish(), false, std::nullopt, "", {}});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// Two workers that take two locks in opposite orders: each holds one and
// waits forever for the other's. Process-shared mutexes, so the same body
// deadlocks threads and processes alike.
struct LockOrderInversion {
  pthread_mutex_t locks[2];
  std::atomic<unsigned> holding{0};
};

void deadlocking_worker(WorkerContext& ctx) {
  auto* d = static_cast<LockOrderInversion*>(ctx.shared);
  pthread_mutex_lock(&d->locks[ctx.index]);
  d->holding.fetch_add(1);
  while (d->holding.load() < 2) sched_yield();  // both hold their first lock: no way out
  pthread_mutex_lock(&d->locks[1 - ctx.index]);
  pthread_mutex_unlock(&d->locks[1 - ctx.index]);
  pthread_mutex_unlock(&d->locks[ctx.index]);
}

void run_deadlock(benchmark::State& state, const std::string& name, ExecMode mode, PuPair pair) {
  try {
    WorkerGroup::Options options;
    options.mode = mode;
    options.pus = {pair.a, pair.b};
    options.shared_bytes = sizeof(LockOrderInversion);
    options.label = name + " [" + std::string(to_string(mode)) + "]";
    WorkerGroup group(*bench_environment().topo, std::move(options));
    auto* d = new (group.shared()) LockOrderInversion{};
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    for (auto& lock : d->locks) pthread_mutex_init(&lock, &attr);
    pthread_mutexattr_destroy(&attr);
    group.run(deadlocking_worker);  // the deadline ends it: WorkerFailure (processes) or exit 86 (threads)
    for (auto _ : state) benchmark::DoNotOptimize(pair.a);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_selftest(const BenchEnvironment& env) {
  const char* enabled = std::getenv("PRIMBENCH_SELFTEST");
  if (enabled == nullptr || std::string_view(enabled) != "1") return;
  const PuPair pair = env.pairs.get(PairClass::same_pu).pairs.front();
  register_bench(bench_name("selftest", "side-a", ExecMode::processes, PairClass::same_pu),
                 [pair](benchmark::State& s, const std::string& n) { run_failing_side_a(s, n, pair); });
  const std::pair<const char*, void (*)(WorkerContext&)> behaviours[] = {
      {"hang", peer_hangs}, {"crash", peer_crashes}, {"ok", peer_returns}, {"killed", peer_waits_to_be_killed}};
  for (const auto& [what, peer] : behaviours)
    for (ExecMode mode : {ExecMode::processes, ExecMode::threads}) {
      // A crashing or SIGKILLed thread would take side A with it.
      if (std::string_view(what) != "hang" && std::string_view(what) != "ok" && mode == ExecMode::threads) continue;
      register_bench(bench_name("selftest", what, mode, PairClass::same_pu),
                     [mode, pair, peer](benchmark::State& s, const std::string& n) { run_faulty_peer(s, n, mode, pair, peer); });
    }
  for (ExecMode mode : {ExecMode::processes, ExecMode::threads})
    register_bench(bench_name("selftest", "deadlock", mode, PairClass::same_pu),
                   [mode, pair](benchmark::State& s, const std::string& n) { run_deadlock(s, n, mode, pair); });
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("selftest", primbench::register_selftest);
