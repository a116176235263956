#include "reports/op_counter_changes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "reports/compare_statistics.hpp"

namespace primbench {
namespace {

constexpr double kRelativeChange = 0.10;
// Below these a change is rounding, not a reason: one switch in 20 operations, 5 ns.
constexpr double kCountFloor = 0.05;
constexpr double kNanosecondFloor = 5.0;

std::optional<double> median_counter(const BenchmarkRun& run, std::string_view counter) {
  const std::vector<double> values = repetition_values(run, counter);
  if (values.empty()) return std::nullopt;
  return median_of(values);
}

}  // namespace

std::string op_counter_text(double value, std::string_view unit) {
  if (unit == "ns") return value >= 1000 ? fmt::format("{:.3g} us", value / 1000) : fmt::format("{:.3g} ns", value);
  return std::fabs(value) >= 0.1 || value == 0 ? fmt::format("{:.1f}", value) : fmt::format("{:.2g}", value);
}

std::string op_counter_changes(const BenchmarkRun& base, const BenchmarkRun& candidate) {
  std::vector<std::string> parts;
  for (const OpCounterLabel& label : kOpCounterLabels) {
    const auto before = median_counter(base, label.counter), after = median_counter(candidate, label.counter);
    if (!before || !after) continue;
    const double moved = std::fabs(*after - *before);
    const double floor = label.unit == "ns" ? kNanosecondFloor : kCountFloor;
    if (moved < floor || moved < kRelativeChange * std::max(std::fabs(*before), std::fabs(*after))) continue;
    parts.push_back(fmt::format("{} {} -> {}", label.words, op_counter_text(*before, label.unit),
                                op_counter_text(*after, label.unit)));
  }
  return parts.empty() ? "" : fmt::format("{} per op", fmt::join(parts, ", "));
}

}  // namespace primbench
