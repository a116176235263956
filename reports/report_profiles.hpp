// "Where the time goes": one flame graph per benchmark profiled with
// `run --profile`, drawn by d3-flame-graph from the folded stacks.
//
//   {"kind":"flamegraph", "title", "samples", "note",
//    "root":{"name":"all","value":N,"children":[{"name","value","children"}...]}}
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "reports/report_benchmarks.hpp"

namespace primbench {

// The stacks as the nested frames a flame graph draws: each frame's value
// counts the samples in it and under it.
nlohmann::json flame_tree(const nlohmann::json& stacks);

// nullopt when no benchmark of the run was profiled.
std::optional<nlohmann::json> profiles_section(const std::vector<BenchmarkView>& views);

}  // namespace primbench
