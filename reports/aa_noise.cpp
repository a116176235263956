#include "reports/aa_noise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "harness/errors.hpp"
#include "harness/statistics.hpp"

namespace primbench {
namespace {

using nlohmann::json;

struct FamilyNoise {
  std::vector<double> far_ends, noises, half_widths;
  std::size_t false_alarms = 0;
};

double quantile_of(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return quantile(values, q);
}

}  // namespace

json aa_noise_profile(const Comparison& aa) {
  std::map<std::string, FamilyNoise> families;
  for (const auto& row : aa.rows) {
    if (!row.change_low || !row.change_high) continue;
    FamilyNoise& f = families[row.benchmark.substr(0, row.benchmark.find('/'))];
    f.far_ends.push_back(std::max(std::fabs(*row.change_low), std::fabs(*row.change_high)));
    f.half_widths.push_back((*row.change_high - *row.change_low) / 2.0);
    if (row.noise) f.noises.push_back(*row.noise);
    if (row.verdict == Verdict::regression || row.verdict == Verdict::improvement) ++f.false_alarms;
  }
  json out{{"kind", "primbench-aa-noise"},
           {"rounds", aa.rounds},
           {"threshold_quantile", kNoiseThresholdQuantile},
           {"families", json::object()}};
  for (const auto& [name, f] : families) {
    const double threshold = quantile_of(f.far_ends, kNoiseThresholdQuantile);
    const double half_width = quantile_of(f.half_widths, 0.5);
    out["families"][name] = {{"benchmarks", f.far_ends.size()},
                             {"threshold", threshold},
                             {"median_round_noise", f.noises.empty() ? json(nullptr) : json(quantile_of(f.noises, 0.5))},
                             {"median_half_width", half_width},
                             {"minimum_detectable_effect", threshold + half_width},
                             {"false_alarms", f.false_alarms}};
  }
  return out;
}

std::map<std::string, double> read_noise_thresholds(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("--noise '{}' cannot be read", path.string()));
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || doc.value("kind", "") != "primbench-aa-noise" ||
      !doc.contains("families") || !doc["families"].is_object())
    throw UsageError(fmt::format("--noise '{}' is not a noise.json written by primbench ab --aa", path.string()));
  std::map<std::string, double> out;
  for (const auto& [family, f] : doc["families"].items()) {
    if (!f.is_object() || !f.contains("threshold") || !f["threshold"].is_number())
      throw UsageError(fmt::format("--noise '{}': family '{}' has no numeric threshold", path.string(), family));
    out[family] = f["threshold"].get<double>();
  }
  return out;
}

}  // namespace primbench
