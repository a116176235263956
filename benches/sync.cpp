// Synchronisation primitives: what a wake-up costs, alone and across PUs.
//
//   sync/uncontended/<mode>/<primitive>            one worker: one use that never blocks (TSC batches)
//   sync/wakeup/<mode>/<class>/<primitive>         ping-pong: post/notify/set/write -> the waiter runs
//   sync/fanout/<mode>/compact/<primitive>/n<N>    one waker releases N - 1 waiters at once
//
// Primitives (benches/locks/sync_adapters.hpp): std::counting_semaphore and
// unnamed POSIX semaphores (sem_t), condition variables (std:: and pthread:
// notify_one ping-pong, notify_all fan-out, the `Condition` pattern), events
// (set / clear / wait, the `Event` pattern) on a futex and on a condvar,
// barriers (std::barrier and pthread_barrier), and eventfd as a wake-up. In
// processes mode the pthread and sem_t primitives are the process-shared
// variants; the std:: ones have no process-shared form and are threads only:
// no processes entry exists for them.
#include "benches/locks/bench_glue.hpp"
#include "benches/locks/fanout.hpp"
#include "benches/locks/sync_adapters.hpp"
#include "benches/locks/wakeup.hpp"

namespace primbench::locks {
namespace {

template <typename Prim>
BenchRecord sync_record(ExecMode mode, std::string latency_kind) {
  nlohmann::json extra{{"primitive", Prim::kName}, {"process_shared", mode == ExecMode::processes}};
  if (!Prim::kProcessShared) extra["threads_only"] = "std:: primitives have no process-shared form: no processes entry";
  return BenchRecord{"sync", std::string(to_string(mode)), "", {}, false, std::nullopt, std::move(latency_kind),
                     std::move(extra)};
}

template <typename Prim>
void register_uncontended(ExecMode mode) {
  const std::string name = fmt::format("sync/uncontended/{}/{}", to_string(mode), Prim::kName);
  register_bench(name, [mode](benchmark::State& state, const std::string& n) {
    measure_uncontended<Prim>(
        state, n, sync_record<Prim>(mode, ""), [](Prim& prim) { prim.cycle(); }, /*parties=*/1u);
  });
}

template <typename Prim>
void register_fanout(const BenchEnvironment& env, ExecMode mode) {
  register_compact_sweep(
      env, mode, 2,
      [mode](unsigned workers) {
        return fmt::format("sync/fanout/{}/compact/{}/n{}", to_string(mode), Prim::kName, workers);
      },
      sync_record<Prim>(mode, "release -> one waiter runs (every waiter)"),
      [](const GroupOptions& options, std::uint64_t rounds) {
        return run_fanout<Prim>(*bench_environment().topo, options, rounds);
      });
}

// --quick (the smoke suite: about 60 ms a benchmark process, a few seconds for
// both families) keeps every primitive through its threads wake-up and its
// fan-out in both modes, with their delivery checks; no uncontended entries.
template <typename Prim>
void register_primitive(const BenchEnvironment& env) {
  const bool quick = env.config.quick;
  for (ExecMode mode : modes_for(Prim::kProcessShared)) {
    if (!quick) register_uncontended<Prim>(mode);
    if constexpr (Doorbell<Prim>)
      if (!quick || mode == ExecMode::threads)
        register_wakeup<BellHandOff<Prim>>(env, mode, sync_record<Prim>(mode, "release -> the waiter runs"));
    if constexpr (FanOutPrimitive<Prim>) register_fanout<Prim>(env, mode);
  }
}

void register_sync(const BenchEnvironment& env) {
  register_primitive<StdSemaphoreSync>(env);
  register_primitive<PosixSemaphoreSync>(env);
  register_primitive<EventFdSync>(env);
  register_primitive<EventSync<FutexEvent>>(env);
  register_primitive<EventSync<CondvarEvent>>(env);
  register_primitive<CondvarSync<StdCondPair>>(env);
  register_primitive<CondvarSync<PthreadCondPair>>(env);
  register_primitive<StdBarrierSync>(env);
  register_primitive<PthreadBarrierSync>(env);
}

}  // namespace
}  // namespace primbench::locks

PRIMBENCH_FAMILY("sync", primbench::locks::register_sync);
