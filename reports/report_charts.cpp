#include "reports/report_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "basics/json_text.hpp"
#include "reports/quantity_text.hpp"
#include "reports/usl_fit.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// Beyond this many lines a chart is unreadable; the rest start hidden (a
// click on the legend shows them).
constexpr std::size_t kVisibleSeries = 12;

json axis(const std::string& label, const std::string& unit, bool log) {
  return {{"label", label}, {"unit", unit}, {"log", log}};
}

json xy_chart(const std::string& title, json x, json y) {
  return {{"kind", "chart"}, {"chart", "xy"}, {"title", title}, {"x", std::move(x)}, {"y", std::move(y)},
          {"series", json::array()}};
}

json series(const std::string& name, const std::string& style, std::size_t group, json points) {
  json s{{"name", name}, {"style", style}, {"group", group}, {"points", std::move(points)}};
  if (group >= kVisibleSeries) s["hidden"] = true;
  return s;
}

void add_note(json& chart, const std::string& line) {
  if (line.empty()) return;
  const std::string old = chart.value("note", "");
  chart["note"] = old.empty() ? line : old + "\n" + line;
}

// One sweep: the benchmarks whose names differ only in one parameter, in the
// order of their first appearance, each sorted by that parameter.
struct Sweep {
  std::string name;  // the shared name, the parameter written '*'
  std::vector<std::pair<double, const BenchmarkView*>> points;
};

using Parameter = std::function<std::optional<double>(const BenchmarkView&)>;
using SegmentOf = std::function<std::optional<std::size_t>(const BenchmarkView&)>;
using Metric = std::function<std::optional<double>(const BenchmarkView&)>;

std::vector<Sweep> sweeps(const BenchmarkViews& views, const Parameter& parameter, const SegmentOf& segment,
                          const Metric& metric) {
  std::vector<Sweep> out;
  std::map<std::string, std::size_t> index;
  for (const BenchmarkView* v : views) {
    const auto x = parameter(*v);
    const auto at = segment(*v);
    if (!x || !at || !v->error.empty() || !metric(*v)) continue;
    const std::string key = name_without_segment(*v, *at);
    auto [it, added] = index.try_emplace(key, out.size());
    if (added) out.push_back({key, {}});
    out[it->second].points.emplace_back(*x, v);
  }
  std::erase_if(out, [](const Sweep& s) {
    std::set<double> distinct;
    for (const auto& p : s.points) distinct.insert(p.first);
    return distinct.size() < 2;
  });
  for (auto& s : out) std::stable_sort(s.points.begin(), s.points.end(), [](auto& a, auto& b) { return a.first < b.first; });
  return out;
}

json sweep_points(const Sweep& s, const Metric& metric) {
  json points = json::array();
  for (const auto& [x, v] : s.points) points.push_back({x, *metric(*v)});
  return points;
}

std::optional<double> size_of(const BenchmarkView& v) { return v.size_bytes; }
std::optional<std::size_t> size_segment_of(const BenchmarkView& v) { return v.size_segment; }
std::optional<double> workers_of(const BenchmarkView& v) { return v.workers; }
std::optional<std::size_t> workers_segment_of(const BenchmarkView& v) { return v.workers_segment; }

// The rate a family's throughput charts use: bytes/s when any benchmark
// counts bytes, else the operation rate; with its unit.
std::pair<Metric, std::string> rate_metric(const BenchmarkViews& views, const Parameter& parameter) {
  for (const BenchmarkView* v : views)
    if (v->byte_rate && parameter(*v))
      return {[](const BenchmarkView& b) { return b.byte_rate ? std::optional(b.byte_rate->per_second) : std::nullopt; },
              v->byte_rate->unit};
  for (const BenchmarkView* v : views)
    if (v->op_rate && parameter(*v))
      return {[](const BenchmarkView& b) { return b.op_rate ? std::optional(b.op_rate->per_second) : std::nullopt; },
              v->op_rate->unit};
  return {[](const BenchmarkView&) { return std::optional<double>(); }, ""};
}

std::optional<json> sweep_chart(const BenchmarkViews& views, const std::string& title, const Parameter& parameter,
                                const SegmentOf& segment, json x, const Metric& metric, json y) {
  const auto found = sweeps(views, parameter, segment, metric);
  if (found.empty()) return std::nullopt;
  json chart = xy_chart(title, std::move(x), std::move(y));
  for (std::size_t i = 0; i < found.size(); ++i)
    chart["series"].push_back(series(short_name(found[i].name), "line", i, sweep_points(found[i], metric)));
  return chart;
}

std::string fit_summary(const std::string& sweep, const UslFit& fit, const std::string& unit) {
  std::string peak = fit.peak_workers ? fmt::format("peak at {:.3g} workers", *fit.peak_workers)
                                      : std::string("no peak within the model");
  return fmt::format("{}: USL fit λ = {} per worker, σ = {:.3g}, κ = {:.3g}, R² = {:.3f}; {}. {}", sweep,
                     format_quantity(fit.parameters.lambda, unit), fit.parameters.sigma, fit.parameters.kappa,
                     fit.r_squared, peak, scaling_limit_reason(fit));
}

}  // namespace

std::string short_name(const std::string& name) {
  const std::size_t slash = name.find('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

std::optional<json> latency_percentile_chart(const BenchmarkViews& views) {
  static const std::vector<std::pair<const char*, std::optional<double> BenchmarkView::*>> percentiles{
      {"p50", &BenchmarkView::p50},     {"p90", &BenchmarkView::p90},       {"p99", &BenchmarkView::p99},
      {"p99.9", &BenchmarkView::p999}, {"p99.99", &BenchmarkView::p9999}, {"max", &BenchmarkView::max}};
  json categories = json::array();
  for (const auto& [label, member] : percentiles) categories.push_back(label);
  json x = axis("percentile", "", false);
  x["categories"] = categories;
  json chart = xy_chart("Latency percentiles", std::move(x), axis("latency", "ns", true));
  std::size_t group = 0;
  for (const BenchmarkView* v : views) {
    if (!v->error.empty() || !v->p50) continue;
    json points = json::array();
    for (const auto& [label, member] : percentiles)
      if (const auto value = v->*member; value && *value > 0) points.push_back({label, *value});
    chart["series"].push_back(series(short_name(v->base), "line", group++, std::move(points)));
  }
  if (group == 0) return std::nullopt;
  if (group > kVisibleSeries)
    add_note(chart, fmt::format("{} benchmarks: the first {} are drawn; click a name in the legend to show another.",
                                group, kVisibleSeries));
  return chart;
}

std::optional<json> throughput_by_size_chart(const BenchmarkViews& views) {
  const auto [metric, unit] = rate_metric(views, size_of);
  return sweep_chart(views, "Throughput by message size", size_of, size_segment_of, axis("message size", "B", true),
                     metric, axis("throughput", unit, true));
}

std::optional<json> latency_by_size_chart(const BenchmarkViews& views) {
  return sweep_chart(views, "Median latency by message size", size_of, size_segment_of,
                     axis("message size", "B", true), [](const BenchmarkView& v) { return v.p50; },
                     axis("p50 latency", "ns", true));
}

std::optional<json> throughput_by_workers_chart(const BenchmarkViews& views) {
  const auto [metric, unit] = rate_metric(views, workers_of);
  const auto found = sweeps(views, workers_of, workers_segment_of, metric);
  if (found.empty()) return std::nullopt;
  json chart = xy_chart("Throughput by workers", axis("workers", "", false), axis("throughput", unit, false));
  for (std::size_t i = 0; i < found.size(); ++i) {
    const std::string name = short_name(found[i].name);
    chart["series"].push_back(series(name, "points", i, sweep_points(found[i], metric)));
    std::vector<UslPoint> points;
    for (const auto& [n, v] : found[i].points) points.push_back({n, *metric(*v)});
    try {
      const UslFit fit = fit_usl(points);
      json fitted;
      to_json(fitted, fit);
      chart["series"].push_back(series(name + " (USL fit)", "fit", i, fitted["curve"]));
      add_note(chart, fit_summary(name, fit, unit));
    } catch (const UslFitRefused& e) {
      add_note(chart, fmt::format("{}: scaling fit unavailable: {}", name, e.what()));
    }
  }
  return chart;
}

std::optional<json> speedup_chart(const BenchmarkViews& views) {
  const Metric speedup = [](const BenchmarkView& v) { return v.speedup; };
  const auto found = sweeps(views, workers_of, workers_segment_of, speedup);
  if (found.empty()) return std::nullopt;
  json chart = xy_chart("Speedup by workers", axis("workers", "", false), axis("speedup", "×", false));
  double most = 1;
  for (std::size_t i = 0; i < found.size(); ++i) {
    chart["series"].push_back(series(short_name(found[i].name), "line", i, sweep_points(found[i], speedup)));
    most = std::max(most, found[i].points.back().first);
  }
  chart["series"].push_back(series("ideal (speedup = workers)", "ideal", found.size(), json{{1, 1}, {most, most}}));
  return chart;
}

// extra[key] as [[x, y], ...] against extra["offered_rate"]; empty unless both
// are arrays of numbers of the same length.
json offered_points(const json& extra, const char* key) {
  json points = json::array();
  const json& x = extra.is_object() ? extra.value("offered_rate", json()) : json();
  const json& y = extra.is_object() ? extra.value(key, json()) : json();
  if (!x.is_array() || !y.is_array() || x.size() != y.size()) return points;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!x[i].is_number() || !y[i].is_number()) return json::array();
    points.push_back({x[i], y[i]});
  }
  return points;
}

std::optional<json> offered_load_chart(const BenchmarkViews& views) {
  std::set<std::string> units;
  json drawn = json::array();
  for (const BenchmarkView* v : views) {
    json p99 = v->error.empty() ? offered_points(v->extra, "latency_p99_ns") : json::array();
    if (p99.empty()) continue;
    const std::size_t group = drawn.size() / 2;
    drawn.push_back(series(short_name(v->base) + " p99", "line", group, std::move(p99)));
    drawn.push_back(series(short_name(v->base) + " p50", "points", group, offered_points(v->extra, "latency_p50_ns")));
    units.insert(v->extra.value("rate_unit", "ops/s"));
  }
  if (drawn.empty()) return std::nullopt;
  json chart = xy_chart("Latency vs offered load", axis("offered rate", units.size() == 1 ? *units.begin() : "/s", true),
                        axis("latency", "ns", true));
  chart["series"] = std::move(drawn);
  add_note(chart, "Open loop: a paced producer offers each rate (a fraction of the primitive's closed-loop maximum) "
                  "whatever the receiver does; latency is from each message's intended send time, so waiting behind "
                  "a stall counts (coordinated omission corrected). Where p99 turns up sharply the primitive is near "
                  "its capacity; `primbench capacity --slo` reads the same data.");
  return chart;
}

std::optional<json> core_to_core_heatmap(const BenchmarkView& view) {
  const json& extra = view.extra;
  if (!view.error.empty() || !extra.is_object() || !extra.contains("pus") || !extra.contains("rtt_ns")) return std::nullopt;
  const json& pus = extra["pus"];
  const json& rtt = extra["rtt_ns"];
  if (!pus.is_array() || !rtt.is_array() || pus.empty()) return std::nullopt;
  json labels = json::array();
  for (const json& pu : pus) labels.push_back(pu.is_number() ? fmt::format("PU {}", pu.get<long long>()) : json_text(pu));
  json cells = json::array();
  std::optional<double> lo, hi;  // over the pairs of distinct PUs
  for (std::size_t r = 0; r < rtt.size() && r < pus.size(); ++r) {
    if (!rtt[r].is_array()) continue;
    for (std::size_t c = 0; c < rtt[r].size() && c < pus.size(); ++c) {
      if (!rtt[r][c].is_number()) continue;
      cells.push_back({c, r, rtt[r][c]});
      const double v = rtt[r][c].get<double>();
      if (r == c) continue;
      lo = std::min(lo.value_or(v), v);
      hi = std::max(hi.value_or(v), v);
    }
  }
  if (cells.empty()) return std::nullopt;
  json chart{{"kind", "chart"},         {"chart", "heatmap"},
             {"title", fmt::format("Core-to-core round trip: {}", view.base)},
             {"x", {{"label", "responding PU"}}}, {"y", {{"label", "initiating PU"}}},
             {"x_categories", labels},  {"y_categories", labels},
             {"cells", std::move(cells)}, {"value", {{"label", "round trip"}, {"unit", "ns"}}}};
  // The diagonal (two workers time-sharing a PU, ~1-2 us) would stretch the colour scale
  // until every cross-PU cell looked alike; the scale spans the cross-PU cells instead.
  if (lo && hi && *lo < *hi) {
    chart["color_range"] = {*lo, *hi};
    add_note(chart, fmt::format("Colours span the pairs of distinct PUs ({:.0f}-{:.0f} ns); cells outside that range "
                                "(the same-PU diagonal, unless a cross-PU pair is slower) are grey.",
                                *lo, *hi));
  }
  for (const char* key : {"unexplained_note", "statistic", "sample_note", "diagonal_note", "symmetric_note"})
    if (extra.contains(key) && extra[key].is_string()) add_note(chart, extra[key].get<std::string>());
  return chart;
}

std::optional<json> floor_multiple_chart(const BenchmarkViews& views, const CoreToCoreFloors& floors) {
  std::vector<std::pair<double, std::string>> bars;
  for (const BenchmarkView* v : views) {
    if (!v->error.empty() || v->family == "c2c") continue;
    const auto floor = floors.floor_ns(v->mode, v->placement);
    const auto cost = cost_ns(*v);
    if (floor && cost && *floor > 0 && *cost > 0) bars.emplace_back(*cost / *floor, v->base);
  }
  if (bars.empty()) return std::nullopt;
  std::stable_sort(bars.begin(), bars.end(), [](auto& a, auto& b) { return a.first < b.first; });
  json categories = json::array(), values = json::array();
  for (const auto& [multiple, name] : bars) {
    categories.push_back(name);
    values.push_back(multiple);
  }
  json chart{{"kind", "chart"},
             {"chart", "bars"},
             {"title", "Cost as a multiple of the core-to-core floor"},
             {"x", axis("multiple of the c2c round trip (same mode and placement)", "×", true)},
             {"categories", std::move(categories)},
             {"series", json::array({{{"name", "cost ÷ floor"}, {"values", std::move(values)}}})},
             {"reference", 1.0}};
  add_note(chart,
           "Cost: the median latency sample where the benchmark records a distribution (a round trip for rtt "
           "benchmarks), else the time per operation. Floor: the median round trip of c2c/rtt/<mode>/<placement>, "
           "one cache line bounced between the same two PUs. 1× means the primitive costs no more than the "
           "hardware's own cache-line hand-off.");
  return chart;
}

}  // namespace primbench
