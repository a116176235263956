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

json axis(const std::string& label, const std::string& unit, bool log) {
  return {{"label", label}, {"unit", unit}, {"log", log}};
}

json xy_chart(const std::string& title, json x, json y) {
  return {{"kind", "chart"}, {"chart", "xy"}, {"title", title}, {"x", std::move(x)}, {"y", std::move(y)},
          {"series", json::array()}};
}

json series(const std::string& name, const std::string& style, std::size_t group, json points) {
  return {{"name", name}, {"style", style}, {"group", group}, {"points", std::move(points)}};
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
  json x = axis("workers", "", false);
  x["integer"] = true;
  json chart = xy_chart("Throughput by workers", std::move(x), axis("throughput", unit, false));
  std::map<std::string, std::vector<std::string>> refused;  // reason -> sweeps: said once per reason
  for (std::size_t i = 0; i < found.size(); ++i) {
    const std::string name = short_name(found[i].name);
    chart["series"].push_back(series(name, "points", i, sweep_points(found[i], metric)));
    // Ideal scaling from the smallest worker count: how far each point falls short of it.
    const auto& [n0, first] = found[i].points.front();
    const double n_max = found[i].points.back().first, x0 = *metric(*first);
    if (n_max > n0 && n0 > 0)
      chart["series"].push_back(series(name + " (linear scaling)", "linear", i, json{{n0, x0}, {n_max, x0 * n_max / n0}}));
    std::vector<UslPoint> points;
    for (const auto& [n, v] : found[i].points) points.push_back({n, *metric(*v)});
    try {
      const UslFit fit = fit_usl(points);
      json fitted;
      to_json(fitted, fit);
      chart["series"].push_back(series(name + " (USL fit)", "fit", i, fitted["curve"]));
      add_note(chart, fit_summary(name, fit, unit));
    } catch (const UslFitRefused& e) {
      refused[e.what()].push_back(name);
    }
  }
  for (const auto& [reason, names] : refused)
    add_note(chart, names.size() == 1 ? fmt::format("{}: scaling fit unavailable: {}", names.front(), reason)
                                      : fmt::format("{} sweeps have no scaling fit: {}", names.size(), reason));
  return chart;
}

std::optional<json> speedup_chart(const BenchmarkViews& views) {
  const Metric speedup = [](const BenchmarkView& v) { return v.speedup; };
  const auto found = sweeps(views, workers_of, workers_segment_of, speedup);
  if (found.empty()) return std::nullopt;
  json x = axis("workers", "", false);
  x["integer"] = true;
  json chart = xy_chart("Speedup by workers", std::move(x), axis("speedup", "×", false));
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

FloorCharts floor_multiple_charts(const BenchmarkViews& views, const CoreToCoreFloors& floors) {
  struct Bar {
    double multiple, cost;
    std::string name;
  };
  std::map<std::string, std::vector<Bar>> by_family;
  std::vector<std::string> families;
  FloorCharts out;
  for (const BenchmarkView* v : views) {
    const auto multiple = floors.multiple(*v);
    if (!multiple) continue;
    const double cost = *cost_ns(*v);
    if (*multiple < 1.0) {
      out.anomalies.push_back(fmt::format("{}: {}, {:.2f}× its floor ({})", v->base, format_quantity(cost, "ns"),
                                          *multiple, format_quantity(cost / *multiple, "ns")));
      continue;
    }
    if (by_family[v->family].empty()) families.push_back(v->family);
    by_family[v->family].push_back({*multiple, cost, v->base});
  }
  for (const std::string& family : families) {
    auto& bars = by_family[family];
    std::stable_sort(bars.begin(), bars.end(), [](const Bar& a, const Bar& b) { return a.multiple < b.multiple; });
    const std::size_t parts = (bars.size() + kMaxFloorBars - 1) / kMaxFloorBars;
    for (std::size_t part = 0; part < parts; ++part) {
      json categories = json::array(), values = json::array(), texts = json::array();
      for (std::size_t i = part * kMaxFloorBars; i < std::min(bars.size(), (part + 1) * kMaxFloorBars); ++i) {
        categories.push_back(bars[i].name);
        values.push_back(bars[i].multiple);
        texts.push_back(fmt::format("{} · {:.3g}×", format_quantity(bars[i].cost, "ns"), bars[i].multiple));
      }
      std::string title = fmt::format("Round trips against the core-to-core floor: {}", family);
      if (parts > 1) title += fmt::format(" ({} of {})", part + 1, parts);
      out.charts.push_back(
          {{"kind", "chart"},
           {"chart", "bars"},
           {"title", std::move(title)},
           {"x", axis("multiple of the c2c round trip (same mode and placement class)", "×", true)},
           {"categories", std::move(categories)},
           {"series", json::array({{{"name", "round trip ÷ floor"}, {"values", std::move(values)}, {"texts", std::move(texts)}}})},
           {"reference", 1.0}});
    }
  }
  return out;
}

std::vector<json> split_chart(const json& chart, std::size_t max_series) {
  if (chart.value("chart", "") != "xy" || chart["series"].size() <= max_series) return {chart};
  // A group (a sweep and its fit) stays in one part; an "ideal" line goes into every part.
  std::vector<json> ideal;
  std::vector<std::vector<json>> groups;
  std::map<std::size_t, std::size_t> group_index;
  for (const json& s : chart["series"]) {
    if (s.value("style", "") == "ideal") {
      ideal.push_back(s);
      continue;
    }
    const auto [it, added] = group_index.emplace(s.value("group", std::size_t{0}), groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(s);
  }
  std::vector<json> parts;
  std::vector<json> current;
  std::size_t next_group = 0;
  auto close_part = [&] {
    if (current.empty()) return;
    json part = chart;
    part["series"] = current;
    for (const json& line : ideal) part["series"].push_back(line);
    parts.push_back(std::move(part));
    current.clear();
    next_group = 0;
  };
  const std::size_t room = max_series > ideal.size() ? max_series - ideal.size() : 1;
  for (auto& group : groups) {
    if (!current.empty() && current.size() + group.size() > room) close_part();
    for (json& s : group) {
      s["group"] = next_group;  // colours restart in each part: the palette's first eight
      current.push_back(std::move(s));
    }
    ++next_group;
  }
  close_part();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    parts[i]["title"] = fmt::format("{} ({} of {})", chart["title"].get<std::string>(), i + 1, parts.size());
    if (i > 0) parts[i].erase("note");  // said once, under the first part
  }
  return parts;
}

}  // namespace primbench
