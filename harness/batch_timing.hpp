// Per-operation latency samples for operations too short to time one by one.
//
// The clock is read once per batch of `batch` operations (TSC where invariant,
// see clock.hpp), the clock's own read overhead is subtracted, and the batch
// mean goes into the histogram as one sample. Small batches keep the tail
// visible; the batch size is reported with the results.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

#include "harness/clock.hpp"
#include "harness/latency_histogram.hpp"

namespace primbench {

template <typename BatchFn>
void timed_batches(benchmark::State& state, LatencyHistogram& hist, std::uint64_t batch, BatchFn&& run_batch) {
  const double overhead_ns = clock_init().read_overhead_ns;
  while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(batch))) {
    const std::uint64_t t0 = Clock::now();
    run_batch(batch);
    const std::uint64_t t1 = Clock::now();
    const double per_op = (Clock::to_ns(t1 - t0) - overhead_ns) / static_cast<double>(batch);
    hist.record_rounded(per_op > 0 ? per_op : 0);
  }
}

}  // namespace primbench
