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

// Median of values (any order); throws std::invalid_argument when empty.
double median_of(std::span<const double> values);

}  // namespace primbench
