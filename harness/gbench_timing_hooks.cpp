// Where Google Benchmark starts and stops its timer, the benchmark thread's
// counters start and stop too: the measured region of every family, with no
// code in any bench. GB 1.7.1 has no hook there, so the executable is linked
// with `--wrap` for these four State members (CMakeLists.txt, meson.build):
// the benches' calls (from GB's inline loop code, and PauseTiming /
// ResumeTiming) reach the __wrap_ functions, which call GB's own (__real_).
// Compiled into the primbench executable only: the tests link without --wrap.
#include <benchmark/benchmark.h>

#include "harness/op_counters.hpp"

// The mangled names of benchmark::State::StartKeepRunning() etc.
extern "C" {
void __real__ZN9benchmark5State16StartKeepRunningEv(benchmark::State* state);
void __real__ZN9benchmark5State17FinishKeepRunningEv(benchmark::State* state);
void __real__ZN9benchmark5State11PauseTimingEv(benchmark::State* state);
void __real__ZN9benchmark5State12ResumeTimingEv(benchmark::State* state);

void __wrap__ZN9benchmark5State16StartKeepRunningEv(benchmark::State* state) {
  __real__ZN9benchmark5State16StartKeepRunningEv(state);
  primbench::benchmark_thread_resume();
}

void __wrap__ZN9benchmark5State17FinishKeepRunningEv(benchmark::State* state) {
  primbench::benchmark_thread_pause();
  __real__ZN9benchmark5State17FinishKeepRunningEv(state);
}

void __wrap__ZN9benchmark5State11PauseTimingEv(benchmark::State* state) {
  primbench::benchmark_thread_pause();
  __real__ZN9benchmark5State11PauseTimingEv(state);
}

void __wrap__ZN9benchmark5State12ResumeTimingEv(benchmark::State* state) {
  __real__ZN9benchmark5State12ResumeTimingEv(state);
  primbench::benchmark_thread_resume();
}
}
