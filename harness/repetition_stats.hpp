// Statistics over a benchmark's repetitions, computed by primbench itself.
//
// Google Benchmark's own aggregates (mean, median, stddev, cv) are kept as
// they are; this adds what they lack — MAD, IQR, a bootstrap CI of the median
// — and a noise verdict, so a noisy number is flagged instead of trusted. With
// a single repetition there is no spread to compute: the result says so.
#pragma once

#include <nlohmann/json.hpp>

namespace primbench {

inline constexpr double kNoiseCvThreshold = 0.05;  // CV above 5 %: flag as noisy

// For each run_name among the iteration entries (errors skipped):
// {run_name: {"repetitions": n, "estimator": "median", "real_time": Summary,
//  "cpu_time": Summary, "time_unit": ..., "noisy": bool, "noise": "..."}}.
// A run with aggregates and no iteration entries (GB's
// --benchmark_report_aggregates_only=true) gets GB's aggregates instead:
// "real_time"/"cpu_time" {mean, median, stddev, cv}, "from" saying so, and
// the noise verdict from GB's cv.
nlohmann::json repetition_statistics(const nlohmann::json& gbench_entries,
                                     double noise_cv_threshold = kNoiseCvThreshold);

}  // namespace primbench
