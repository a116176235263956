#include "harness/cpu_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "basics/errors.hpp"

namespace primbench {
namespace {

unsigned parse_cpu_number(std::string_view part, std::string_view whole) {
  unsigned value = 0;
  const auto* end = part.data() + part.size();
  auto [ptr, ec] = std::from_chars(part.data(), end, value);
  if (part.empty() || ec != std::errc() || ptr != end)
    throw UsageError(fmt::format("bad CPU list '{}': '{}' is not a CPU number", whole, part));
  return value;
}

}  // namespace

std::string format_cpu_list(std::vector<unsigned> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

std::vector<unsigned> parse_cpu_list(std::string_view text) {
  std::vector<unsigned> out;
  if (text.empty()) throw UsageError("bad CPU list: it is empty");
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = text.substr(start, comma - start);
    const std::size_t dash = part.find('-');
    if (dash == std::string_view::npos) {
      out.push_back(parse_cpu_number(part, text));
    } else {
      const unsigned lo = parse_cpu_number(part.substr(0, dash), text);
      const unsigned hi = parse_cpu_number(part.substr(dash + 1), text);
      if (hi < lo) throw UsageError(fmt::format("bad CPU list '{}': range '{}' runs backwards", text, part));
      for (unsigned c = lo; c <= hi; ++c) out.push_back(c);
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace primbench
