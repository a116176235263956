#include "basics/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace primbench {

namespace {

// Makes a normal distribution's MAD estimate its standard deviation (1/Phi^-1(3/4)).
constexpr double kMadToStddev = 1.4826;

std::string show(double value) { return nlohmann::json(value).dump(); }

void validate(std::span<const double> samples, const SummaryOptions& options) {
  if (samples.empty()) throw std::invalid_argument("summarize: no samples");
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i])) {
      throw std::invalid_argument("summarize: sample " + std::to_string(i) + " is " +
                                  std::to_string(samples[i]));
    }
  }
  if (options.bootstrap_resamples == 0) {
    throw std::invalid_argument("summarize: bootstrap_resamples must be at least 1");
  }
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw std::invalid_argument("summarize: confidence " + show(options.confidence) +
                                " is outside (0, 1)");
  }
}

// Rearranges `values`; same result as quantile(sorted, 0.5) without sorting.
double median_in_place(std::vector<double>& values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  const double below = *std::max_element(values.begin(), middle);
  return below + (*middle - below) / 2.0;
}

// Uniform in [0, n) from a generator whose output is fixed by the standard
// (unlike std::uniform_int_distribution's), so a seed gives the same CI with
// any standard library. Rejecting the lowest 2^64 mod n outputs removes the
// modulo bias.
std::size_t draw_index(std::mt19937_64& generator, std::size_t n) {
  const std::uint64_t range = n;
  const std::uint64_t biased_below = (0 - range) % range;
  std::uint64_t draw = generator();
  while (draw < biased_below) draw = generator();
  return static_cast<std::size_t>(draw % range);
}

// Percentile bootstrap: the CI bounds are quantiles of the medians of
// resamples drawn with replacement.
void bootstrap_median_ci(std::span<const double> sorted, const SummaryOptions& options,
                         Summary& summary) {
  std::mt19937_64 generator(options.seed);
  std::vector<double> resample(sorted.size());
  std::vector<double> medians(options.bootstrap_resamples);
  for (double& median : medians) {
    for (double& value : resample) value = sorted[draw_index(generator, sorted.size())];
    median = median_in_place(resample);
  }
  std::sort(medians.begin(), medians.end());
  const double tail = (1.0 - options.confidence) / 2.0;
  summary.ci_low = quantile(medians, tail);
  summary.ci_high = quantile(medians, 1.0 - tail);
}

}  // namespace

double quantile(std::span<const double> sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("quantile: no values");
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("quantile: q " + show(q) + " is outside [0, 1]");
  }
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double fraction = h - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
}

double median_of(std::span<const double> values) {
  if (values.empty()) throw std::invalid_argument("median of no values");
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return quantile(sorted, 0.5);
}

Summary summarize(std::span<const double> samples, const SummaryOptions& options) {
  validate(samples, options);
  std::vector<double> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();

  Summary summary;
  summary.n = n;
  summary.min = sorted.front();
  summary.max = sorted.back();
  summary.ci_level = options.confidence;

  double total = 0.0;
  for (double value : sorted) total += value;
  summary.mean = total / static_cast<double>(n);

  summary.median = quantile(sorted, 0.5);
  summary.q1 = quantile(sorted, 0.25);
  summary.q3 = quantile(sorted, 0.75);
  summary.iqr = summary.q3 - summary.q1;

  if (n == 1) {
    summary.ci_low = summary.ci_high = summary.median;
    return summary;
  }

  // Two passes: summing squared deviations from the known mean avoids the
  // cancellation of the sum-of-squares shortcut on large, close values.
  double squared_deviations = 0.0;
  for (double value : sorted) squared_deviations += (value - summary.mean) * (value - summary.mean);
  summary.stddev = std::sqrt(squared_deviations / static_cast<double>(n - 1));
  summary.cv = summary.mean == 0.0 ? 0.0 : summary.stddev / std::fabs(summary.mean);

  std::vector<double> deviations(n);
  for (std::size_t i = 0; i < n; ++i) deviations[i] = std::fabs(sorted[i] - summary.median);
  summary.mad = median_in_place(deviations);
  summary.mad_scaled = kMadToStddev * summary.mad;

  bootstrap_median_ci(sorted, options, summary);
  return summary;
}

bool is_noisy(const Summary& summary, double cv_threshold) noexcept {
  return summary.n > 1 && summary.cv > cv_threshold;
}

void to_json(nlohmann::json& j, const Summary& summary) {
  j = nlohmann::json{
      {"n", summary.n},
      {"min", summary.min},
      {"max", summary.max},
      {"mean", summary.mean},
      {"stddev", summary.stddev},
      {"cv", summary.cv},
      {"median", summary.median},
      {"mad", summary.mad},
      {"mad_scaled", summary.mad_scaled},
      {"q1", summary.q1},
      {"q3", summary.q3},
      {"iqr", summary.iqr},
      {"ci_low", summary.ci_low},
      {"ci_high", summary.ci_high},
      {"ci_level", summary.ci_level},
  };
}

}  // namespace primbench
