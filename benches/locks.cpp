// Locks: what taking and releasing a lock costs alone, under contention, and
// when the release has to wake a blocked waiter.
//
//   locks/uncontended/<mode>/<lock>                              one worker: lock + unlock (TSC batches)
//   locks/uncontended_plain/threads/std_mutex                    the same loop with no harness at all
//   locks/contended/<mode>/compact/<lock>/cs<C>ns_gap<G>ns/n<N>  N workers: throughput, fairness, acquire wait
//   locks/wakeup/<mode>/<class>/<lock>                           unlock -> the blocked waiter runs
//
// Locks (lock_adapters.hpp): std::mutex, pthread mutex (default, adaptive),
// pthread spinlock, test-and-test-and-set spinlock, ticket lock, raw futex
// lock, std::shared_mutex (read-heavy 90 % shared, write-heavy 10 % shared),
// std::recursive_mutex taken 1 and 4 deep, robust pthread mutex, and a POSIX
// named semaphore. In processes mode the pthread locks are the
// PTHREAD_PROCESS_SHARED variants in shared memory; the std:: locks have no
// process-shared form, so they are threads only: no processes entry exists
// for them (rather than one that would measure something else).
//
// C and G (default 50 ns and 100 ns of busy work, benches/locks/busy_work.hpp)
// are set with PRIMBENCH_LOCK_CRITICAL_NS and PRIMBENCH_LOCK_GAP_NS; they are
// part of the names, so runs with other values never compare as equal.
#include <charconv>
#include <cstdlib>
#include <mutex>
#include <type_traits>

#include "benches/locks/bench_glue.hpp"
#include "benches/locks/contended.hpp"
#include "benches/locks/lock_adapters.hpp"
#include "benches/locks/wakeup.hpp"
#include "basics/errors.hpp"

namespace primbench::locks {
namespace {

enum Measures : unsigned { kUncontended = 1, kContended = 2, kWakeup = 4, kAllMeasures = 7 };

unsigned ns_from_environment(const char* variable, unsigned fallback) {
  const char* text = std::getenv(variable);
  if (text == nullptr || *text == '\0') return fallback;
  const std::string_view value(text);
  unsigned ns = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ns);
  if (ec != std::errc() || end != value.data() + value.size())
    throw UsageError(fmt::format("{}='{}': expected a whole number of nanoseconds", variable, value));
  return ns;
}

template <typename Lock>
nlohmann::json lock_extra(ExecMode mode) {
  nlohmann::json extra{{"lock", Lock::kName}, {"process_shared", mode == ExecMode::processes}};
  if (!Lock::kProcessShared) extra["threads_only"] = "std:: locks have no process-shared form: no processes entry";
  return extra;
}

template <typename Lock>
BenchRecord lock_record(ExecMode mode, std::string latency_kind) {
  return BenchRecord{"locks", std::string(to_string(mode)), "", {}, false, std::nullopt, std::move(latency_kind),
                     lock_extra<Lock>(mode)};
}

template <typename Lock>
void register_uncontended(ExecMode mode) {
  const std::string name = fmt::format("locks/uncontended/{}/{}", to_string(mode), Lock::kName);
  register_bench(name, [mode](benchmark::State& state, const std::string& n) {
    // A reader-writer lock takes each acquisition shared or exclusive as its mix says.
    measure_uncontended<Lock>(state, n, lock_record<Lock>(mode, ""),
                              [mix = AcquisitionMix<Lock>(0)](Lock& lock) mutable {
                                const bool shared = mix.next_is_shared();
                                acquire(lock, shared);
                                release(lock, shared);
                              });
  });
}

template <typename Lock>
void register_contended(const BenchEnvironment& env, ExecMode mode, const ContendedParams& params) {
  register_compact_sweep(
      env, mode, 1,
      [&](unsigned workers) {
        return fmt::format("locks/contended/{}/compact/{}/cs{}ns_gap{}ns/n{}", to_string(mode), Lock::kName,
                           params.critical_ns, params.gap_ns, workers);
      },
      lock_record<Lock>(mode, "acquire wait: one lock() call, sampled"),
      [params](const GroupOptions& options, std::uint64_t acquisitions) {
        ContendedParams asked = params;
        asked.acquisitions = acquisitions;
        return run_contended<Lock>(*bench_environment().topo, options, asked);
      });
}

// --quick (the smoke suite: about 60 ms a benchmark process, a few seconds for
// both families) keeps every lock through its contended entry in both modes,
// with the mutual-exclusion check, and its wake-up in threads mode; the
// uncontended cost only for std::mutex, beside its plain reference.
template <typename Lock>
void register_lock(const BenchEnvironment& env, const ContendedParams& params, unsigned measures) {
  const bool quick = env.config.quick;
  for (ExecMode mode : modes_for(Lock::kProcessShared)) {
    if ((measures & kUncontended) && (!quick || std::is_same_v<Lock, StdMutexLock>)) register_uncontended<Lock>(mode);
    if (measures & kContended) register_contended<Lock>(env, mode, params);
    if ((measures & kWakeup) && (!quick || mode == ExecMode::threads))
      register_wakeup<LockHandOff<Lock>>(env, mode, lock_record<Lock>(mode, "unlock -> the blocked waiter runs"));
  }
}

// The reference for the harnessed uncontended std::mutex: the bare loop, with
// no pinning, no clock reads and no adapter. The two should agree within ~20 %.
void std_mutex_plain(benchmark::State& state, const std::string& name) {
  std::mutex m;
  for (auto _ : state) {
    m.lock();
    m.unlock();
  }
  record_bench(name, BenchRecord{"locks", "threads", "none", {}, false, std::nullopt, "",
                                 {{"lock", "std_mutex"}, {"reference_for", "locks/uncontended/threads/std_mutex"},
                                  {"note", "plain loop: no harness, no pinning, placement not read back"}}});
}

void register_locks(const BenchEnvironment& env) {
  ContendedParams params;
  params.critical_ns = ns_from_environment("PRIMBENCH_LOCK_CRITICAL_NS", 50);
  params.gap_ns = ns_from_environment("PRIMBENCH_LOCK_GAP_NS", 100);

  register_lock<StdMutexLock>(env, params, kAllMeasures);
  register_lock<PthreadMutexLock>(env, params, kAllMeasures);
  register_lock<PthreadAdaptiveMutexLock>(env, params, kAllMeasures);
  register_lock<PthreadSpinLock>(env, params, kAllMeasures);
  register_lock<TtasLock>(env, params, kAllMeasures);
  register_lock<TicketSpinLock>(env, params, kAllMeasures);
  register_lock<RawFutexLock>(env, params, kAllMeasures);
  // The wake-up of a shared_mutex is exclusive to exclusive whatever the mix:
  // measured once, under the write-heavy name.
  register_lock<SharedMutexLock<90>>(env, params, kUncontended | kContended);
  register_lock<SharedMutexLock<10>>(env, params, kAllMeasures);
  // Re-entering does not change how the outermost lock wakes: depth 1 only.
  register_lock<RecursiveMutexLock<1>>(env, params, kAllMeasures);
  register_lock<RecursiveMutexLock<4>>(env, params, kUncontended | kContended);
  register_lock<RobustMutexLock>(env, params, kAllMeasures);
  register_lock<NamedSemaphoreLock>(env, params, kAllMeasures);

  register_bench("locks/uncontended_plain/threads/std_mutex", std_mutex_plain);
}

}  // namespace
}  // namespace primbench::locks

PRIMBENCH_FAMILY("locks", primbench::locks::register_locks);
