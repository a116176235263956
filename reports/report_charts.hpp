// The charts of the HTML report, as blocks of the page's document model
// (reports/html_page.hpp); reports/web/page.js draws them with ECharts.
//
//   {"kind":"chart", "chart":"xy", "title", "note"?,
//    "x":{"label","unit","log","categories"?}, "y":{"label","unit","log"},
//    "series":[{"name", "style":"line"|"points"|"fit"|"linear"|"ideal", "group", "hidden"?, "points":[[x,y]...]}]}
//   {"kind":"chart", "chart":"heatmap", "title", "note"?, "x":{"label"}, "y":{"label"},
//    "x_categories":[str], "y_categories":[str], "cells":[[x index, y index, value]...], "value":{"label","unit"}}
//   {"kind":"chart", "chart":"bars", "title", "note"?, "x":{"label","unit","log"},
//    "categories":[str], "series":[{"name","values":[number|null]}], "reference":number?}
//   (horizontal bars, one group per category, one bar per series)
//
// A series' "group" gives it its colour: a fitted curve and a sweep's linear-scaling
// line share its points'; an "ideal" line (speedup = workers) belongs to every sweep.
// Each builder returns nullopt when the benchmarks give it nothing to draw.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "reports/report_benchmarks.hpp"

namespace primbench {

using BenchmarkViews = std::vector<const BenchmarkView*>;

// p50 ... p99.99 and max of every benchmark with a latency distribution, log scale.
std::optional<nlohmann::json> latency_percentile_chart(const BenchmarkViews& views);

// Throughput (bytes/s when the family counts bytes, else its operation rate)
// against message size, one line per sweep of at least two sizes; log-log.
std::optional<nlohmann::json> throughput_by_size_chart(const BenchmarkViews& views);

// Median latency against message size, for sweeps that measure a distribution.
std::optional<nlohmann::json> latency_by_size_chart(const BenchmarkViews& views);

// Throughput against workers, one sweep per line, each with the Universal
// Scalability Law fitted (reports/usl_fit.hpp) where the sweep has enough
// worker counts; the note gives the fit or why there is none.
std::optional<nlohmann::json> throughput_by_workers_chart(const BenchmarkViews& views);

// Speedup against workers (countdown), with the ideal line speedup = workers.
std::optional<nlohmann::json> speedup_chart(const BenchmarkViews& views);

// Latency against offered rate for open-loop benchmarks (the load family:
// extra.offered_rate with extra.latency_p50_ns / latency_p99_ns), p99 as a
// line and p50 as points per benchmark; log-log.
std::optional<nlohmann::json> offered_load_chart(const BenchmarkViews& views);

// A core-to-core round-trip matrix (shm/c2c_matrix: extra.pus, extra.rtt_ns).
std::optional<nlohmann::json> core_to_core_heatmap(const BenchmarkView& view);

// Round trips as multiples of the floor of their mode and placement class
// (CoreToCoreFloors::multiple): per family, smallest first, at most
// kMaxFloorBars bars a chart, each labelled with its absolute time. A round
// trip below its floor is not drawn as a win but listed as an anomaly.
inline constexpr std::size_t kMaxFloorBars = 40;
struct FloorCharts {
  std::vector<nlohmann::json> charts;
  std::vector<std::string> anomalies;  // "name: 120 ns, 0.48× its floor (250 ns)"
};
FloorCharts floor_multiple_charts(const BenchmarkViews& views, const CoreToCoreFloors& floors);

// Most lines a chart holds: beyond eight, colours repeat and legends page.
inline constexpr std::size_t kMaxSeries = 8;

// `chart` as parts of at most `max_series` lines each, titled "(1 of 3)";
// a sweep and its fitted curve stay together, an ideal line is in every
// part, and the note is said under the first. Charts that fit come back whole.
std::vector<nlohmann::json> split_chart(const nlohmann::json& chart, std::size_t max_series = kMaxSeries);

// How a benchmark is named in a chart or table of its family's section: the
// name without the family.
std::string short_name(const std::string& name);

}  // namespace primbench
