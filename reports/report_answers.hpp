// The report's first screen: the answers its readers come for, from the
// results alone — which primitive to choose (threads against processes), the
// machine's core-to-core floor, what it scales to, and how far the run can be
// trusted for comparisons. Every number links to the row it came from.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "reports/report_benchmarks.hpp"

namespace primbench {

// The id of a benchmark's row in its family's table: "b-" and its registered
// name (Google Benchmark's suffixes dropped), white space replaced.
std::string benchmark_anchor(const std::string& name);

// The highest offered rate within the p99 target per open-loop benchmark
// (primbench capacity), as a text and a table block; empty without any.
nlohmann::json open_loop_capacity_blocks(const nlohmann::json& results);

// {"id":"summary","heading":..., "blocks":[...]}: cards in a grid.
nlohmann::json answers_section(const nlohmann::json& results, const std::vector<BenchmarkView>& views);

}  // namespace primbench
