#include "reports/compare_statistics.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "basics/statistics.hpp"

namespace primbench {
namespace {

constexpr double kNoDifference = 0.0;  // lets an empty sample through the finite-value check

void check_sample(std::span<const double> values, const char* which) {
  if (values.empty()) throw std::invalid_argument(fmt::format("{} sample is empty", which));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw std::invalid_argument(fmt::format("{} sample: value {} is {}", which, i, values[i]));
  }
}

// Ranks of a and b pooled (average ranks for ties), the sum of a's ranks and
// sum(t^3 - t) over the groups of t tied values.
struct PooledRanks {
  double rank_sum_a = 0.0;
  double tie_term = 0.0;
};

PooledRanks pooled_ranks(std::span<const double> a, std::span<const double> b) {
  std::vector<std::pair<double, bool>> pooled;  // (value, is from a)
  pooled.reserve(a.size() + b.size());
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end());
  PooledRanks out;
  for (std::size_t first = 0; first < pooled.size();) {
    std::size_t last = first;
    while (last + 1 < pooled.size() && pooled[last + 1].first == pooled[first].first) ++last;
    const double tied = static_cast<double>(last - first + 1);
    const double rank = static_cast<double>(first + last) / 2.0 + 1.0;  // average of ranks first+1..last+1
    for (std::size_t i = first; i <= last; ++i) out.rank_sum_a += pooled[i].second ? rank : 0.0;
    out.tie_term += tied * tied * tied - tied;
    first = last + 1;
  }
  return out;
}

// Number of orderings of n1 + n2 ranks with each value of U, 0..n1*n2: the
// coefficients of the Gaussian binomial [n1+n2 choose n1](q), built as the
// product over i of (1 - q^(n2+i)) / (1 - q^i). Each step's result is itself a
// Gaussian binomial, so integer arithmetic is exact; the largest count,
// C(50, 25) ~ 1.3e14 at kExactRankTestMaxN, is far inside int64.
std::vector<std::int64_t> u_null_counts(std::size_t n1, std::size_t n2) {
  const std::size_t top = n1 * n2;
  std::vector<std::int64_t> counts(top + 1, 0);
  counts[0] = 1;
  for (std::size_t i = 1; i <= n1; ++i) {
    const std::size_t up = n2 + i;
    for (std::size_t u = top; u >= up; --u) counts[u] -= counts[u - up];  // * (1 - q^(n2+i))
    for (std::size_t u = i; u <= top; ++u) counts[u] += counts[u - i];    // / (1 - q^i)
  }
  return counts;
}

double exact_two_sided_p(double u1, std::size_t n1, std::size_t n2) {
  const std::vector<std::int64_t> counts = u_null_counts(n1, n2);
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  // Without ties U is a whole number; max(U1, U2) is the upper tail's start.
  const auto u = static_cast<std::size_t>(std::max(u1, static_cast<double>(n1 * n2) - u1));
  const std::int64_t at_least_u = std::accumulate(counts.begin() + static_cast<std::ptrdiff_t>(u), counts.end(), std::int64_t{0});
  return std::min(1.0, 2.0 * static_cast<double>(at_least_u) / static_cast<double>(total));
}

double normal_two_sided_p(double u1, std::size_t n1_size, std::size_t n2_size, double tie_term) {
  const double n1 = static_cast<double>(n1_size), n2 = static_cast<double>(n2_size), n = n1 + n2;
  const double variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
  if (!(variance > 0.0)) return 1.0;  // every value equal: nothing to tell apart
  const double u = std::max(u1, n1 * n2 - u1);
  const double z = (u - n1 * n2 / 2.0 - 0.5) / std::sqrt(variance);
  return std::clamp(std::erfc(z / std::sqrt(2.0)), 0.0, 1.0);
}

// SplitMix64 (Steele, Lea and Flood, 2014): 64 well-mixed bits from one add
// and three multiply-xorshifts. The bootstrap draws ~2 x 10^7 of them for a
// 1,000-benchmark comparison, where std::mt19937_64's state refills were a
// tenth of the command's time; its statistical quality is far beyond what
// picking resample indices needs, and the stream is the same everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t operator()() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// Draws resamples (with replacement) of a sorted sample and returns their
// median. A resample is kept as counts per original index, not as values: the
// median is then found by one walk over the counts, with no copy and no
// partial sort, which makes a 2000-resample interval cheap enough to give
// every benchmark of a large file one.
class MedianResampler {
 public:
  explicit MedianResampler(std::span<const double> values)
      : sorted_(values.begin(), values.end()), counts_(values.size()) {
    std::sort(sorted_.begin(), sorted_.end());
  }

  double draw(SplitMix64& generator) {
    const std::size_t n = sorted_.size();
    std::fill(counts_.begin(), counts_.end(), 0u);
    // Two indices from each 64-bit draw, each the high half of a 32 x 32-bit
    // product (Lemire): bias at most n / 2^32, far below what a bootstrap
    // resolves; unlike std::uniform_int_distribution the same indices with
    // any standard library, so a seed gives the same interval anywhere.
    for (std::size_t i = 0; i < n; i += 2) {
      const std::uint64_t bits = generator();
      ++counts_[static_cast<std::size_t>(((bits & 0xffffffffu) * n) >> 32)];
      if (i + 1 < n) ++counts_[static_cast<std::size_t>(((bits >> 32) * n) >> 32)];
    }
    // The middle order statistics: positions (n-1)/2 and n/2 (the same for odd n).
    const std::size_t lower = (n - 1) / 2, upper = n / 2;
    std::size_t seen = 0;
    double lower_value = 0.0;
    bool lower_found = false;
    for (std::size_t k = 0;; ++k) {
      seen += counts_[k];
      if (!lower_found && seen > lower) {
        lower_value = sorted_[k];
        lower_found = true;
      }
      if (seen > upper) return (lower_value + sorted_[k]) / 2.0;
    }
  }

 private:
  std::vector<double> sorted_;
  std::vector<std::uint32_t> counts_;
};

}  // namespace

TTestResult one_sample_t_test(std::span<const double> values) {
  check_sample(values.empty() ? std::span<const double>(&kNoDifference, 1) : values, "values");
  TTestResult result;
  result.n = values.size();
  if (result.n < 2) return result;
  const double n = static_cast<double>(result.n);
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0.0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double standard_error = std::sqrt(squares / (n - 1.0) / n);
  if (!(standard_error > 0.0)) {
    result.p_value = mean == 0.0 ? 1.0 : 0.0;
    result.t = mean == 0.0 ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), mean);
    return result;
  }
  result.t = mean / standard_error;
  const boost::math::students_t distribution(n - 1.0);
  result.p_value = std::clamp(2.0 * boost::math::cdf(boost::math::complement(distribution, std::fabs(result.t))), 0.0, 1.0);
  return result;
}

std::vector<double> benjamini_hochberg(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running = 1.0;  // step-up: the adjusted p never exceeds a larger one's
  for (std::size_t k = m; k-- > 0;) {
    const double scaled = p_values[order[k]] * static_cast<double>(m) / static_cast<double>(k + 1);
    running = std::min(running, scaled);
    adjusted[order[k]] = std::min(1.0, running);
  }
  return adjusted;
}

std::optional<RoundChange> paired_round_change(std::span<const double> base, std::span<const double> candidate,
                                               const BootstrapOptions& options) {
  check_sample(base, "base");
  check_sample(candidate, "candidate");
  if (base.size() != candidate.size())
    throw std::invalid_argument(fmt::format("paired rounds: {} base values, {} candidate values", base.size(), candidate.size()));
  if (options.resamples == 0) throw std::invalid_argument("bootstrap needs at least one resample");
  if (!(options.confidence > 0.0 && options.confidence < 1.0))
    throw std::invalid_argument(fmt::format("confidence {} is outside (0, 1)", options.confidence));
  RoundChange out;
  for (std::size_t i = 0; i < base.size(); ++i) {
    if (!(base[i] > 0.0) || !(candidate[i] > 0.0)) return std::nullopt;
    out.log_ratios.push_back(std::log(candidate[i] / base[i]));
  }
  const double centre = median_of(out.log_ratios);
  out.change = std::expm1(centre);
  std::vector<double> deviations;
  for (double d : out.log_ratios) deviations.push_back(std::fabs(d - centre));
  out.round_noise = std::expm1(1.4826 * median_of(deviations));

  SplitMix64 generator(options.seed);
  MedianResampler resamples(out.log_ratios);
  std::vector<double> medians(options.resamples);
  for (double& m : medians) m = resamples.draw(generator);
  std::sort(medians.begin(), medians.end());
  const double tail = (1.0 - options.confidence) / 2.0;
  out.low = std::expm1(quantile(medians, tail));
  out.high = std::expm1(quantile(medians, 1.0 - tail));
  return out;
}

RankTestResult mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  check_sample(a, "first");
  check_sample(b, "second");
  const std::size_t n1 = a.size(), n2 = b.size();
  const PooledRanks ranks = pooled_ranks(a, b);
  RankTestResult result;
  result.u = ranks.rank_sum_a - static_cast<double>(n1 * (n1 + 1)) / 2.0;
  const bool ties = ranks.tie_term > 0.0;
  if (!ties && n1 <= kExactRankTestMaxN && n2 <= kExactRankTestMaxN) {
    result.method = RankTestMethod::exact;
    result.p_value = exact_two_sided_p(result.u, n1, n2);
  } else {
    result.method = RankTestMethod::normal_approximation;
    result.p_value = normal_two_sided_p(result.u, n1, n2, ranks.tie_term);
  }
  return result;
}

std::optional<MedianChange> median_change(std::span<const double> base, std::span<const double> candidate,
                                          const BootstrapOptions& options) {
  check_sample(base, "base");
  check_sample(candidate, "candidate");
  if (options.resamples == 0) throw std::invalid_argument("bootstrap needs at least one resample");
  if (!(options.confidence > 0.0 && options.confidence < 1.0))
    throw std::invalid_argument(fmt::format("confidence {} is outside (0, 1)", options.confidence));

  MedianChange out;
  out.base_median = median_of(base);
  out.candidate_median = median_of(candidate);
  if (!(out.base_median > 0.0)) return std::nullopt;
  out.change = out.candidate_median / out.base_median - 1.0;

  SplitMix64 generator(options.seed);
  MedianResampler base_resamples(base), candidate_resamples(candidate);
  std::vector<double> changes(options.resamples);
  for (double& change : changes) {
    const double base_median = base_resamples.draw(generator);
    if (!(base_median > 0.0)) return std::nullopt;
    change = candidate_resamples.draw(generator) / base_median - 1.0;
  }
  std::sort(changes.begin(), changes.end());
  const double tail = (1.0 - options.confidence) / 2.0;
  out.low = quantile(changes, tail);
  out.high = quantile(changes, 1.0 - tail);
  return out;
}

}  // namespace primbench
