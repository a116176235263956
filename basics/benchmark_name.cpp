#include "basics/benchmark_name.hpp"

namespace primbench {

std::vector<std::string> split_benchmark_name(std::string_view name) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t slash = name.find('/', start);
    parts.emplace_back(name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

std::string join_benchmark_name(std::span<const std::string> segments) {
  std::string out;
  for (const std::string& s : segments) {
    if (!out.empty()) out += '/';
    out += s;
  }
  return out;
}

bool is_gbench_suffix(std::string_view segment) {
  return segment == "real_time" || segment == "manual_time" || segment == "process_time" ||
         segment.starts_with("repeats:") || segment.starts_with("threads:") || segment.starts_with("iterations:") ||
         segment.starts_with("min_time:") || segment.starts_with("min_warmup_time:");
}

bool has_fixed_iterations(std::string_view name) {
  for (const std::string& segment : split_benchmark_name(name))
    if (segment.starts_with("iterations:")) return true;
  return false;
}

std::string registered_name(std::string_view name) {
  std::vector<std::string> segments = split_benchmark_name(name);
  while (segments.size() > 1 && is_gbench_suffix(segments.back())) segments.pop_back();
  return join_benchmark_name(segments);
}

}  // namespace primbench
