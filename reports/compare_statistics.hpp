// The statistics `primbench compare` decides with: a two-sided Mann-Whitney U
// test of "both sets of repetitions come from the same distribution", and a
// bootstrap confidence interval of the relative change of the median.
//
// Neither assumes normal data: repetitions of a benchmark are skewed (a slow
// outlier now and then, never a fast one), which is what rank tests and
// percentile bootstraps are for.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "basics/statistics.hpp"  // median_of and quantile, which these tests build on

namespace primbench {

enum class RankTestMethod { exact, normal_approximation };

struct RankTestResult {
  // U of the first sample: the pairs (a, b) with a > b, plus half the ties;
  // the second sample's U is n1 * n2 - u.
  double u = 0.0;
  double p_value = 1.0;  // two-sided
  RankTestMethod method = RankTestMethod::exact;
};

// Largest sample size the exact distribution is computed for: its cost grows
// as n1 * n1 * n2 and its counts as C(n1 + n2, n1) (exact in int64 up to
// here); past it the normal approximation is close (SciPy switches at 8).
inline constexpr std::size_t kExactRankTestMaxN = 25;

// Two-sided Mann-Whitney U test.
//  - exact: no value occurs in both samples or twice in one (no ties) and
//    both samples have at most kExactRankTestMaxN values. p = 2 P(U >= max(U1,
//    U2)) under the null distribution of U (every ordering of the ranks
//    equally likely), capped at 1 — SciPy's mannwhitneyu(method="exact").
//  - otherwise the normal approximation with the tie correction of the
//    variance and a continuity correction of 0.5 — SciPy's
//    mannwhitneyu(method="asymptotic", use_continuity=True):
//      sigma^2 = n1 n2 / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1)))
//      z = (max(U1, U2) - n1 n2 / 2 - 0.5) / sigma,  p = 2 (1 - Phi(z))
//    and p = 1 when every value is the same (sigma = 0).
// Throws std::invalid_argument for an empty sample or a non-finite value.
RankTestResult mann_whitney_u(std::span<const double> a, std::span<const double> b);

struct BootstrapOptions {
  std::size_t resamples = 2000;
  double confidence = 0.95;  // in (0, 1)
  std::uint64_t seed = 0x636f6d7061726521;  // "compare!": same input, same interval
};

// The relative change of the median from `base` to `candidate`,
// median(candidate) / median(base) - 1, with a percentile bootstrap interval:
// both samples are resampled with replacement, independently, and the
// interval is the (1 -/+ confidence) / 2 quantiles of the resampled changes.
struct MedianChange {
  double base_median = 0.0;
  double candidate_median = 0.0;
  double change = 0.0;  // e.g. 0.2 for 20 % higher
  double low = 0.0;
  double high = 0.0;
};

// nullopt when the change is not defined: a median of base at or below zero
// (a relative change of a signed or zero quantity means nothing here) or a
// resample whose base median is. Throws std::invalid_argument for empty
// samples, non-finite values or invalid options.
std::optional<MedianChange> median_change(std::span<const double> base, std::span<const double> candidate,
                                          const BootstrapOptions& options = {});

// Two-sided one-sample Student's t-test of "the mean is zero", n - 1 degrees
// of freedom; for the log ratios of paired rounds. A rank test cannot serve
// there: with n rounds the exact signed-rank p is never below 2 / 2^n (0.031
// for 6), which after the false-discovery adjustment over a few hundred
// benchmarks decides nothing unless most of them changed. Outlier rounds only
// widen t's spread (a loss of power, not a false alarm), and a verdict also
// needs the median's interval past the threshold. Fewer than two values or no
// spread with a mean of zero: p = 1; no spread otherwise: p = 0.
struct TTestResult {
  double t = 0.0;
  double p_value = 1.0;
  std::size_t n = 0;
};
TTestResult one_sample_t_test(std::span<const double> values);

// Benjamini-Hochberg adjusted p-values, in the input's order: with them below
// q, the expected share of false discoveries among all discoveries is at most q.
std::vector<double> benjamini_hochberg(std::span<const double> p_values);

// The change of a candidate against a base over paired rounds (base[i] and
// candidate[i] measured in round i, adjacent in time): the median of the
// per-round log ratios d_i = ln(candidate[i] / base[i]), as a relative change
// exp(median) - 1, with a percentile bootstrap interval of that median
// (rounds resampled), and the rounds' own spread: 1.4826 * MAD of d_i as a
// relative change (the noise one round's ratio carries). nullopt when a value
// is not above zero.
struct RoundChange {
  double change = 0.0, low = 0.0, high = 0.0;
  double round_noise = 0.0;
  std::vector<double> log_ratios;
};
std::optional<RoundChange> paired_round_change(std::span<const double> base, std::span<const double> candidate,
                                               const BootstrapOptions& options = {});

}  // namespace primbench
