// Summary statistics of repeated measurements (one value per repetition),
// including a bootstrap confidence interval of the median and a noise flag.
//
// Quantiles use linear interpolation between order statistics, Hyndman & Fan
// type 7 (the default of R, NumPy and Excel's PERCENTILE.INC): for sorted x of
// size n, h = (n - 1) q and Q(q) = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <nlohmann/json_fwd.hpp>

namespace primbench {

struct SummaryOptions {
  std::size_t bootstrap_resamples = 2000;  // >= 1
  double confidence = 0.95;                // in (0, 1)
  // Fixed so that re-running a report on the same samples gives the same CI.
  std::uint64_t seed = 0x7072696d62656e63;  // "primbenc"
};

struct Summary {
  std::size_t n = 0;
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;
  double stddev = 0.0;  // sample standard deviation (divides by n - 1)
  double cv = 0.0;      // stddev / |mean|; 0 when mean is 0
  double median = 0.0;
  double mad = 0.0;         // raw median absolute deviation from the median
  double mad_scaled = 0.0;  // 1.4826 * mad: estimates stddev for normal data
  double q1 = 0.0;
  double q3 = 0.0;
  double iqr = 0.0;      // q3 - q1
  double ci_low = 0.0;   // percentile-bootstrap CI of the median
  double ci_high = 0.0;
  double ci_level = 0.0;  // the confidence the CI was computed for
};

// Throws std::invalid_argument for empty input, a NaN or infinite sample
// (naming its index), or invalid options. With one sample every spread is 0
// and the CI is that sample.
Summary summarize(std::span<const double> samples, const SummaryOptions& options = {});

// Type 7 quantile (see above) of already sorted values, q in [0, 1]. Throws
// std::invalid_argument for empty input or q outside [0, 1].
double quantile(std::span<const double> sorted, double q);

// Median of values in any order (the type 7 quantile at 0.5). Throws
// std::invalid_argument when empty.
double median_of(std::span<const double> values);

// True when the repetitions disagree by more than cv_threshold (relative
// standard deviation), i.e. the mean should not be trusted at face value.
bool is_noisy(const Summary& summary, double cv_threshold = 0.05) noexcept;

void to_json(nlohmann::json& j, const Summary& summary);

}  // namespace primbench
