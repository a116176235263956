#include "reports/quantity_text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "reports/result_reader.hpp"

namespace primbench {

std::string format_quantity(double value, const std::string& unit) {
  double ns_per_unit = 0.0;
  if (unit == "ns" || unit == "us" || unit == "ms" || unit == "s") ns_per_unit = nanoseconds_per(unit);
  if (ns_per_unit > 0.0) {
    static constexpr std::pair<double, const char*> scales[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}};
    const double ns = value * ns_per_unit;
    for (const auto& [size, name] : scales) {
      if (std::fabs(ns) >= size * 0.9995) return fmt::format("{:.3g} {}", ns / size, name);
    }
    return fmt::format("{:.3g} ns", ns);
  }
  static constexpr std::pair<double, const char*> prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [size, prefix] : prefixes) {
    if (std::fabs(value) >= size * 0.9995)
      return unit.empty() ? fmt::format("{:.3g}{}", value / size, prefix)
                          : fmt::format("{:.3g}{} {}", value / size, prefix, unit);
  }
  return unit.empty() ? fmt::format("{:.3g}", value) : fmt::format("{:.3g} {}", value, unit);
}

}  // namespace primbench
