// What an A/A comparison (one build against itself, `primbench ab --aa`)
// says about this runner: per family, how far apart two identical builds
// measure, which sets the threshold a real comparison is judged against, and
// the smallest change that threshold lets the method detect.
//
// noise.json:
//   {"kind": "primbench-aa-noise", "rounds": 8, "threshold_quantile": 0.95,
//    "families": {"pipe": {"benchmarks": 30, "threshold": 0.043,
//                          "median_round_noise": 0.021, "median_half_width": 0.018,
//                          "minimum_detectable_effect": 0.061, "false_alarms": 0}}}
// threshold: the 95th percentile over the family's benchmarks of the farther
// end of their A/A interval; minimum_detectable_effect: threshold plus the
// family's median interval half-width (a change must clear the threshold with
// its whole interval). A family whose benchmarks all lacked an interval (too
// few rounds left, machine changed) has "threshold": null and a "reason".
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "reports/compare.hpp"

namespace primbench {

inline constexpr double kNoiseThresholdQuantile = 0.95;

// The noise profile of an A/A comparison.
nlohmann::json aa_noise_profile(const Comparison& aa);

// family -> threshold, from a noise.json; throws UsageError naming the file
// when it is not one.
std::map<std::string, double> read_noise_thresholds(const std::filesystem::path& path);

}  // namespace primbench
