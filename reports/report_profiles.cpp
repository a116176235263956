#include "reports/report_profiles.hpp"

#include <fmt/format.h>

#include <map>
#include <string>

namespace primbench {
namespace {

using nlohmann::json;

struct Frame {
  std::uint64_t value = 0;
  std::map<std::string, Frame> children;
};

json to_json(const std::string& name, const Frame& frame) {
  json children = json::array();
  for (const auto& [child, f] : frame.children) children.push_back(to_json(child, f));
  return {{"name", name}, {"value", frame.value}, {"children", std::move(children)}};
}

json flame_block(const BenchmarkView& v) {
  const json& p = v.profile;
  const auto samples = p.value("samples", std::uint64_t{0});
  return {{"kind", "flamegraph"},
          {"title", v.base},
          {"samples", samples},
          {"root", flame_tree(p.value("stacks", json::array()))},
          {"note", fmt::format("{} samples of {} at {} Hz per thread, every thread and process of the benchmark; the "
                               "first frame is the thread's name. Click a frame to zoom.",
                               samples, p.value("event", "cpu-clock"), p.value("frequency_hz", 0))}};
}

}  // namespace

json flame_tree(const json& stacks) {
  Frame root;
  for (const json& s : stacks) {
    if (!s.is_array() || s.size() != 2 || !s[0].is_string() || !s[1].is_number_integer() || s[1].get<std::int64_t>() < 0)
      continue;
    const auto count = s[1].get<std::uint64_t>();
    root.value += count;
    Frame* at = &root;
    const std::string stack = s[0].get<std::string>();
    for (std::size_t start = 0; start <= stack.size();) {
      const auto end = std::min(stack.find(';', start), stack.size());
      at = &at->children[stack.substr(start, end - start)];
      at->value += count;
      start = end + 1;
    }
  }
  return to_json("all", root);
}

std::optional<json> profiles_section(const std::vector<BenchmarkView>& views) {
  json blocks = json::array();
  std::size_t profiled = 0;
  for (const BenchmarkView& v : views) {
    if (!v.profile.is_object()) continue;
    ++profiled;
    const std::string error = v.profile.value("error", "");
    json inside = error.empty() ? json::array({flame_block(v)})
                                : json::array({{{"kind", "text"}, {"text", "No profile: " + error}}});
    blocks.push_back({{"kind", "details"},
                      {"summary", fmt::format("{} ({} samples)", v.base, v.profile.value("samples", 0))},
                      {"blocks", std::move(inside)}});
  }
  if (profiled == 0) return std::nullopt;
  blocks.insert(blocks.begin(),
                json{{"kind", "text"},
                 {"text", fmt::format("This run sampled the call stacks of {} benchmarks with Linux perf (run "
                                      "--profile), kernel frames included: where a primitive's time goes, in "
                                      "pipe_write, futex_wait or schedule. Sampling costs a little time, so these "
                                      "benchmarks' numbers are slightly slower than an unprofiled run's.",
                                      profiled)}});
  return json{{"id", "profiles"}, {"heading", "Where the time goes (profiles)"}, {"blocks", std::move(blocks)}};
}

}  // namespace primbench
