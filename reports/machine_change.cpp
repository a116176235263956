#include "reports/machine_change.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/quantity_text.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// name -> finite values over the sets that carry it.
std::map<std::string, std::vector<double>> values_by_probe(const std::vector<json>& sets) {
  std::map<std::string, std::vector<double>> out;
  for (const json& set : sets) {
    if (!set.is_object()) continue;
    for (const auto& [name, value] : set.items()) {
      if (value.is_number() && std::isfinite(value.get<double>()) && value.get<double>() > 0.0)
        out[name].push_back(value.get<double>());
    }
  }
  return out;
}

double geometric_mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += std::log(v);
  return std::exp(sum / static_cast<double>(values.size()));
}

}  // namespace

double probe_move_factor(const std::string& probe) {
  return probe.rfind("cpu_loop/", 0) == 0 ? kCpuLoopMoveFactor : kRoundTripMoveFactor;
}

std::vector<json> run_probe_sets(const json& doc) {
  std::vector<json> sets;
  const json* probes = nullptr;
  if (doc.contains("primbench") && doc["primbench"].contains("machine") && doc["primbench"]["machine"].is_object())
    probes = doc["primbench"]["machine"].contains("probes") ? &doc["primbench"]["machine"]["probes"] : nullptr;
  if (!probes || !probes->is_object()) return sets;
  for (const char* when : {"start", "end"}) {
    if (probes->contains(when) && (*probes)[when].contains("values")) sets.push_back((*probes)[when]["values"]);
  }
  return sets;
}

std::vector<ProbeMove> moved_probes(const std::vector<json>& from, const std::vector<json>& to) {
  const auto from_values = values_by_probe(from), to_values = values_by_probe(to);
  std::vector<ProbeMove> moves;
  for (const auto& [name, before] : from_values) {
    const auto it = to_values.find(name);
    if (it == to_values.end()) continue;
    // Moved only when every set of one side lies beyond every set of the other
    // by the factor: a mode lasts for both of a run's probe sets, while a
    // single disturbed probe does not.
    const auto [low_b, high_b] = std::minmax_element(before.begin(), before.end());
    const auto [low_a, high_a] = std::minmax_element(it->second.begin(), it->second.end());
    const double factor = probe_move_factor(name);
    if (*low_a > factor * *high_b || *low_b > factor * *high_a)
      moves.push_back({name, geometric_mean(before), geometric_mean(it->second)});
  }
  return moves;
}

std::string describe(const ProbeMove& move) {
  return fmt::format("{} moved from {} to {}", move.probe, format_quantity(move.from_ns, "ns"),
                     format_quantity(move.to_ns, "ns"));
}

}  // namespace primbench
