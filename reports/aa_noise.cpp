#include "reports/aa_noise.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <vector>

#include "basics/errors.hpp"
#include "basics/statistics.hpp"

namespace primbench {
namespace {

using nlohmann::json;

struct FamilyNoise {
  std::vector<double> far_ends, noises, half_widths;
  std::size_t false_alarms = 0;
  std::map<std::string, std::size_t> without_interval;  // verdict -> rows
};

// Why a family has no threshold, e.g. "no interval: 4 machine changed".
std::string no_interval_reason(const std::map<std::string, std::size_t>& rows) {
  std::string reason = "no benchmark had an interval:";
  for (const auto& [verdict, count] : rows) reason += fmt::format(" {} {},", count, verdict);
  reason.pop_back();
  return reason;
}

double quantile_of(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return quantile(values, q);
}

}  // namespace

json aa_noise_profile(const Comparison& aa) {
  std::map<std::string, FamilyNoise> families;
  for (const auto& row : aa.rows) {
    FamilyNoise& f = families[row.benchmark.substr(0, row.benchmark.find('/'))];
    if (!row.change_low || !row.change_high) {
      ++f.without_interval[std::string(verdict_name(row.verdict))];
      continue;
    }
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
    if (f.far_ends.empty()) {
      // Listed all the same, so a CI job sees the family was compared and why it has no threshold.
      out["families"][name] = {{"benchmarks", 0}, {"threshold", nullptr}, {"reason", no_interval_reason(f.without_interval)}};
      continue;
    }
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
    if (f.is_object() && f.contains("threshold") && f["threshold"].is_null()) continue;  // A/A had no interval
    if (!f.is_object() || !f.contains("threshold") || !f["threshold"].is_number())
      throw UsageError(fmt::format("--noise '{}': family '{}' has no numeric threshold", path.string(), family));
    out[family] = f["threshold"].get<double>();
  }
  return out;
}

}  // namespace primbench
