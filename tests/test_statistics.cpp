#include "basics/statistics.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace primbench {
namespace {

std::vector<double> normal_samples(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> distribution(100.0, 10.0);
  std::vector<double> samples(n);
  for (double& sample : samples) sample = distribution(generator);
  return samples;
}

TEST(Statistics, OddSampleWithOutlierMatchesHandComputation) {
  const std::vector<double> samples{4, 100, 1, 3, 2};  // unsorted on purpose
  const Summary s = summarize(samples);
  EXPECT_EQ(s.n, 5u);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 100.0);
  EXPECT_DOUBLE_EQ(s.mean, 22.0);
  // Deviations -21 -20 -19 -18 78: squares sum to 7610, / (5 - 1) = 1902.5.
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(1902.5));
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(1902.5) / 22.0);
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  // |x - 3| = 2 1 0 1 97 -> median 1.
  EXPECT_DOUBLE_EQ(s.mad, 1.0);
  EXPECT_DOUBLE_EQ(s.mad_scaled, 1.4826);
  // Type 7: h = 4 * 0.25 = 1 -> x[1]; h = 3 -> x[3].
  EXPECT_DOUBLE_EQ(s.q1, 2.0);
  EXPECT_DOUBLE_EQ(s.q3, 4.0);
  EXPECT_DOUBLE_EQ(s.iqr, 2.0);
  EXPECT_EQ(s.ci_level, 0.95);
}

TEST(Statistics, EvenSampleInterpolates) {
  const std::vector<double> samples{4, 1, 3, 2};
  const Summary s = summarize(samples);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.q1, 1.75);  // h = 0.75: 1 + 0.75 * (2 - 1)
  EXPECT_DOUBLE_EQ(s.q3, 3.25);  // h = 2.25: 3 + 0.25 * (4 - 3)
  EXPECT_DOUBLE_EQ(s.mad, 1.0);  // |x - 2.5| = 1.5 0.5 0.5 1.5
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0 / 3.0));  // (2.25 + 0.25) * 2 / 3
}

TEST(Statistics, QuantileHelper) {
  const std::vector<double> sorted{10, 20, 30, 40};
  EXPECT_DOUBLE_EQ(quantile(sorted, 0.0), 10.0);
  EXPECT_DOUBLE_EQ(quantile(sorted, 1.0), 40.0);
  EXPECT_DOUBLE_EQ(quantile(sorted, 0.5), 25.0);
  EXPECT_DOUBLE_EQ(quantile(sorted, 0.9), 37.0);  // h = 2.7
  EXPECT_DOUBLE_EQ(quantile(std::vector<double>{7}, 0.3), 7.0);
  EXPECT_THROW((void)quantile(std::vector<double>{}, 0.5), std::invalid_argument);
  EXPECT_THROW((void)quantile(sorted, 1.5), std::invalid_argument);
  EXPECT_THROW((void)quantile(sorted, -0.1), std::invalid_argument);
}

TEST(Statistics, SingleSampleHasNoSpread) {
  const std::vector<double> samples{42.5};
  const Summary s = summarize(samples);
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.min, 42.5);
  EXPECT_EQ(s.max, 42.5);
  EXPECT_EQ(s.mean, 42.5);
  EXPECT_EQ(s.median, 42.5);
  EXPECT_EQ(s.stddev, 0.0);
  EXPECT_EQ(s.cv, 0.0);
  EXPECT_EQ(s.mad, 0.0);
  EXPECT_EQ(s.iqr, 0.0);
  EXPECT_EQ(s.ci_low, 42.5);
  EXPECT_EQ(s.ci_high, 42.5);
  EXPECT_FALSE(is_noisy(s));
}

TEST(Statistics, ZeroMeanGivesZeroCv) {
  const std::vector<double> samples{-1, 1};
  EXPECT_EQ(summarize(samples).cv, 0.0);
}

TEST(Statistics, RejectsBadInput) {
  EXPECT_THROW((void)summarize(std::vector<double>{}), std::invalid_argument);
  const std::vector<double> with_nan{1.0, std::numeric_limits<double>::quiet_NaN()};
  try {
    (void)summarize(with_nan);
    ADD_FAILURE() << "NaN accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("sample 1"), std::string::npos) << error.what();
  }
  const std::vector<double> ok{1.0, 2.0};
  EXPECT_THROW((void)summarize(ok, {.bootstrap_resamples = 0}), std::invalid_argument);
  EXPECT_THROW((void)summarize(ok, {.confidence = 1.0}), std::invalid_argument);
  EXPECT_THROW((void)summarize(ok, {.confidence = 0.0}), std::invalid_argument);
}

TEST(Statistics, CiContainsMedianAndStaysWithinRange) {
  const std::vector<double> samples = normal_samples(50, 3);
  const Summary s = summarize(samples);
  EXPECT_LE(s.ci_low, s.median);
  EXPECT_GE(s.ci_high, s.median);
  EXPECT_GE(s.ci_low, s.min);
  EXPECT_LE(s.ci_high, s.max);
  EXPECT_LT(s.ci_low, s.ci_high);
}

TEST(Statistics, CiNarrowsWithMoreSamples) {
  const Summary small = summarize(normal_samples(20, 4));
  const Summary large = summarize(normal_samples(2000, 4));
  EXPECT_LT(large.ci_high - large.ci_low, (small.ci_high - small.ci_low) / 2);
}

TEST(Statistics, HigherConfidenceGivesWiderCi) {
  const std::vector<double> samples = normal_samples(200, 5);
  const Summary narrow = summarize(samples, {.confidence = 0.5});
  const Summary wide = summarize(samples, {.confidence = 0.99});
  EXPECT_LT(narrow.ci_high - narrow.ci_low, wide.ci_high - wide.ci_low);
  EXPECT_EQ(wide.ci_level, 0.99);
}

TEST(Statistics, SameSeedSameCi) {
  const std::vector<double> samples = normal_samples(100, 6);
  const Summary first = summarize(samples, {.seed = 11});
  const Summary again = summarize(samples, {.seed = 11});
  EXPECT_EQ(first.ci_low, again.ci_low);
  EXPECT_EQ(first.ci_high, again.ci_high);
  const Summary default_seed_first = summarize(samples);
  const Summary default_seed_again = summarize(samples);
  EXPECT_EQ(default_seed_first.ci_low, default_seed_again.ci_low);
  EXPECT_EQ(default_seed_first.ci_high, default_seed_again.ci_high);
}

TEST(Statistics, NoiseFlagFollowsCv) {
  const std::vector<double> steady{100, 101, 99, 100, 100.5};
  const std::vector<double> noisy{100, 150, 60, 100, 130};
  EXPECT_FALSE(is_noisy(summarize(steady)));
  EXPECT_TRUE(is_noisy(summarize(noisy)));
  EXPECT_TRUE(is_noisy(summarize(steady), 0.001));
}

TEST(Statistics, JsonHasEveryField) {
  const nlohmann::json j = summarize(std::vector<double>{1, 2, 3});
  for (const char* key : {"n", "min", "max", "mean", "stddev", "cv", "median", "mad", "mad_scaled",
                          "q1", "q3", "iqr", "ci_low", "ci_high", "ci_level"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("n"), 3);
  EXPECT_EQ(j.at("median"), 2.0);
}

}  // namespace
}  // namespace primbench
