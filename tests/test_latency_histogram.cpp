#include "harness/latency_histogram.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace primbench {
namespace {

using H = LatencyHistogram;

constexpr std::uint64_t kHundredSecondsNs = 100'000'000'000;

double relative_error(double reported, double actual) {
  return std::fabs(reported - actual) / actual;
}

// Values from 1 ns to 100 s, dense at the small end and log-spaced above.
std::vector<std::uint64_t> values_across_range() {
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 1; v <= 5000; ++v) values.push_back(v);
  for (double v = 5000; v <= static_cast<double>(kHundredSecondsNs); v *= 1.0037) {
    values.push_back(static_cast<std::uint64_t>(v));
  }
  values.push_back(kHundredSecondsNs);
  return values;
}

TEST(LatencyHistogram, IsPlainData) {
  static_assert(std::is_trivially_copyable_v<H>);
  // Zeroed memory (a fresh shared mapping) must already be an empty histogram.
  alignas(H) unsigned char zeroed[sizeof(H)];
  std::memset(zeroed, 0, sizeof(zeroed));
  H from_zeroes;
  std::memcpy(&from_zeroes, zeroed, sizeof(H));
  EXPECT_EQ(from_zeroes, H{});
  from_zeroes.record(42);
  EXPECT_EQ(from_zeroes.min(), 42u);
  EXPECT_EQ(from_zeroes.max(), 42u);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(H::bucket_lower(0), 0u);
  for (std::size_t i = 0; i + 1 < H::kBucketCount; ++i) {
    ASSERT_EQ(H::bucket_upper(i), H::bucket_lower(i + 1)) << "bucket " << i;
    ASSERT_EQ(H::bucket_index(H::bucket_lower(i)), i);
    ASSERT_EQ(H::bucket_index(H::bucket_upper(i) - 1), i);
  }
  EXPECT_EQ(H::bucket_upper(H::kBucketCount - 1), H::kMaxTrackableNs + 1);
  EXPECT_GE(H::kMaxTrackableNs, kHundredSecondsNs);
}

TEST(LatencyHistogram, BucketMidpointWithinOnePercentEverywhere) {
  for (std::uint64_t value : values_across_range()) {
    const double reported = static_cast<double>(H::bucket_midpoint(H::bucket_index(value)));
    ASSERT_LE(relative_error(reported, static_cast<double>(value)), 0.01) << value;
  }
}

TEST(LatencyHistogram, SingleValueComesBackExactly) {
  for (std::uint64_t value : values_across_range()) {
    H histogram;
    histogram.record(value);
    ASSERT_EQ(histogram.percentile(50), static_cast<double>(value));
    ASSERT_EQ(histogram.percentile(99.9), static_cast<double>(value));
  }
}

TEST(LatencyHistogram, PercentileWithinOnePercentWhenNotClampedByMinMax) {
  for (std::uint64_t value : values_across_range()) {
    H histogram;
    histogram.record_n(value, 2);
    histogram.record(0);
    histogram.record(H::kMaxTrackableNs);
    ASSERT_LE(relative_error(histogram.percentile(50), static_cast<double>(value)), 0.01)
        << value;
  }
}

TEST(LatencyHistogram, ExactCountMinMaxSumMean) {
  H histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.max(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
  EXPECT_EQ(histogram.percentile(50), 0.0);
  for (std::uint64_t v : {1234567u, 17u, 999u, 1234568u, 18u}) histogram.record(v);
  EXPECT_EQ(histogram.count(), 5u);
  EXPECT_EQ(histogram.min(), 17u);
  EXPECT_EQ(histogram.max(), 1234568u);
  EXPECT_EQ(histogram.sum(), 1234567u + 17u + 999u + 1234568u + 18u);
  EXPECT_DOUBLE_EQ(histogram.mean(), (1234567.0 + 17 + 999 + 1234568 + 18) / 5);
  EXPECT_EQ(histogram.percentile(0), 17.0);
  EXPECT_EQ(histogram.percentile(100), 1234568.0);
}

TEST(LatencyHistogram, UniformPercentilesWithinOnePercent) {
  H histogram;
  for (std::uint64_t v = 1; v <= 100'000; ++v) histogram.record(v);
  const Percentiles p = histogram.percentiles();
  EXPECT_EQ(p.count, 100'000u);
  EXPECT_EQ(p.min, 1.0);
  EXPECT_EQ(p.max, 100'000.0);
  EXPECT_DOUBLE_EQ(p.mean, 50'000.5);
  EXPECT_LE(relative_error(p.p50, 50'000), 0.01) << p.p50;
  EXPECT_LE(relative_error(p.p90, 90'000), 0.01) << p.p90;
  EXPECT_LE(relative_error(p.p99, 99'000), 0.01) << p.p99;
  EXPECT_LE(relative_error(p.p999, 99'900), 0.01) << p.p999;
  EXPECT_LE(relative_error(p.p9999, 99'990), 0.01) << p.p9999;
}

TEST(LatencyHistogram, PercentileIsNearestRank) {
  H histogram;
  for (std::uint64_t v = 1; v <= 10; ++v) histogram.record(v);  // unit buckets: exact
  EXPECT_EQ(histogram.percentile(10), 1.0);
  EXPECT_EQ(histogram.percentile(10.0001), 2.0);
  EXPECT_EQ(histogram.percentile(50), 5.0);
  EXPECT_EQ(histogram.percentile(90), 9.0);
  EXPECT_EQ(histogram.percentile(99.9), 10.0);
}

TEST(LatencyHistogram, PercentileRejectsOutOfRangeQ) {
  H histogram;
  histogram.record(5);
  EXPECT_THROW((void)histogram.percentile(-1), std::invalid_argument);
  EXPECT_THROW((void)histogram.percentile(100.5), std::invalid_argument);
  EXPECT_THROW((void)histogram.percentile(std::nan("")), std::invalid_argument);
}

TEST(LatencyHistogram, ClampsBeyondRangeButKeepsExactMax) {
  H histogram;
  const std::uint64_t huge = 1'000'000'000'000;  // 1000 s
  histogram.record(huge);
  histogram.record(0);
  EXPECT_EQ(histogram.bucket_count(H::kBucketCount - 1), 1u);
  EXPECT_EQ(histogram.bucket_count(0), 1u);
  EXPECT_EQ(histogram.max(), huge);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.percentile(100), static_cast<double>(huge));
  EXPECT_EQ(H::bucket_index(~std::uint64_t{0}), H::kBucketCount - 1);
}

TEST(LatencyHistogram, RecordRoundedRoundsAndClamps) {
  H histogram;
  histogram.record_rounded(2.5);
  histogram.record_rounded(2.49);
  histogram.record_rounded(0.3);
  histogram.record_rounded(-7.0);
  histogram.record_rounded(std::nan(""));
  EXPECT_EQ(histogram.bucket_count(3), 1u);
  EXPECT_EQ(histogram.bucket_count(2), 1u);
  EXPECT_EQ(histogram.bucket_count(0), 3u);
  histogram.record_rounded(1e30);
  EXPECT_EQ(histogram.max(), ~std::uint64_t{0});
}

TEST(LatencyHistogram, RecordNEqualsRepeatedRecord) {
  H repeated;
  H batched;
  for (int i = 0; i < 7; ++i) repeated.record(12345);
  batched.record_n(12345, 7);
  batched.record_n(99, 0);  // no-op, must not touch min/max
  EXPECT_EQ(repeated, batched);
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  H all;
  H first;
  H second;
  std::mt19937_64 generator(1);
  std::lognormal_distribution<double> latency(8.0, 2.0);
  for (int i = 0; i < 20'000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(generator));
    all.record(v);
    (i % 3 == 0 ? first : second).record(v);
  }
  H merged;
  merged.merge(first);
  merged.merge(second);
  EXPECT_EQ(merged, all);
  merged.merge(H{});
  EXPECT_EQ(merged, all);
}

TEST(LatencyHistogram, ResetEmpties) {
  H histogram;
  histogram.record(5);
  histogram.record(5'000'000);
  histogram.reset();
  EXPECT_EQ(histogram, H{});
}

TEST(LatencyHistogram, JsonRoundTrip) {
  H original;
  std::mt19937_64 generator(2);
  std::lognormal_distribution<double> latency(10.0, 3.0);
  for (int i = 0; i < 10'000; ++i) original.record(static_cast<std::uint64_t>(latency(generator)));
  original.record(5'000'000'000'000);  // clamped

  const nlohmann::json j = original;
  const auto reparsed = nlohmann::json::parse(j.dump());
  H restored;
  restored = reparsed.get<H>();
  EXPECT_EQ(restored, original);

  H empty;
  empty = nlohmann::json(H{}).get<H>();
  EXPECT_EQ(empty, H{});
}

TEST(LatencyHistogram, JsonListsOnlyNonEmptyBuckets) {
  H histogram;
  histogram.record(3);
  histogram.record(1000);
  histogram.record(1001);
  const nlohmann::json j = histogram;
  EXPECT_EQ(j.at("count"), 3);
  EXPECT_EQ(j.at("min"), 3);
  EXPECT_EQ(j.at("max"), 1001);
  EXPECT_EQ(j.at("sum"), 2004);
  EXPECT_EQ(j.at("buckets"), nlohmann::json::parse("[[3,4,1],[1000,1008,2]]"));
}

void expect_rejected(const std::string& text, const std::string& mention) {
  const auto j = nlohmann::json::parse(text);
  try {
    (void)j.get<H>();
    ADD_FAILURE() << "accepted " << text;
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(mention), std::string::npos)
        << "message '" << error.what() << "' should mention '" << mention << "'";
  }
}

TEST(LatencyHistogram, JsonRejectsMalformedInput) {
  expect_rejected(R"([1,2])", "expected an object");
  expect_rejected(R"({"min":0,"max":0,"sum":0,"buckets":[]})", "count");
  expect_rejected(R"({"count":-1,"min":0,"max":0,"sum":0,"buckets":[]})", "count");
  expect_rejected(R"({"count":0,"min":0,"max":0,"sum":0.5,"buckets":[]})", "sum");
  expect_rejected(R"({"count":0,"min":0,"max":0,"sum":0})", "buckets");
  expect_rejected(R"({"count":0,"min":0,"max":0,"sum":0,"buckets":{}})", "buckets");
  expect_rejected(R"({"count":1,"min":3,"max":3,"sum":3,"buckets":[[3,4]]})", "[3,4]");
  expect_rejected(R"({"count":1,"min":3,"max":3,"sum":3,"buckets":[[3,5,1]]})", "[3,5,1]");
  expect_rejected(R"({"count":1,"min":1000,"max":1000,"sum":1000,"buckets":[[1001,1009,1]]})",
                  "layout");
  expect_rejected(R"({"count":2,"min":3,"max":3,"sum":6,"buckets":[[3,4,1],[3,4,1]]})", "twice");
  expect_rejected(R"({"count":5,"min":3,"max":3,"sum":3,"buckets":[[3,4,1]]})", "add up to 1");
  expect_rejected(R"({"count":1,"min":4,"max":3,"sum":3,"buckets":[[3,4,1]]})", "exceeds");
  expect_rejected(R"({"count":1,"min":2,"max":3,"sum":3,"buckets":[[3,4,1]]})", "min");
  expect_rejected(R"({"count":1,"min":3,"max":9,"sum":3,"buckets":[[3,4,1]]})", "max");
  expect_rejected(R"({"count":0,"min":0,"max":7,"sum":0,"buckets":[]})", "empty");
}

}  // namespace
}  // namespace primbench
