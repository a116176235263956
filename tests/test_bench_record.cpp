// A benchmark's record in the result file: a latency the histogram cannot
// resolve is left out, never written as 0 ns.
#include <gtest/gtest.h>

#include "harness/bench_record.hpp"

namespace primbench {
namespace {

BenchRecord record_with_samples(std::uint64_t ns, std::uint64_t count) {
  BenchRecord r{"shm", "threads", "compact", {}, false, LatencyHistogram{}, "one increment", {}};
  r.latency->record_n(ns, count);
  return r;
}

TEST(BenchRecord, ALatencyOfZeroNanosecondsIsLeftOut) {
  EXPECT_FALSE(to_json(record_with_samples(0, 1000)).contains("latency")) << "median 0 ns: below the 1 ns unit";
  EXPECT_FALSE(to_json(BenchRecord{}).contains("latency")) << "nothing timed";
  const auto timed = to_json(record_with_samples(5, 1000));
  ASSERT_TRUE(timed.contains("latency"));
  EXPECT_EQ(timed["latency"]["percentiles"]["p50"], 5.0);
  EXPECT_EQ(timed["latency"]["sample"], "one increment");
}

}  // namespace
}  // namespace primbench
