#include "reports/report_python.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "basics/benchmark_name.hpp"
#include "reports/json_fields.hpp"
#include "reports/quantity_text.hpp"
#include "reports/report_charts.hpp"

namespace primbench {
namespace {

using nlohmann::json;

constexpr std::string_view kPythonPrefix = "py/";

const json& python_info(const json& results) {
  static const json none = json::object();
  if (!results.contains("primbench") || !results["primbench"].is_object()) return none;
  const auto it = results["primbench"].find("python");
  return it != results["primbench"].end() && it->is_object() ? *it : none;
}

// '*' matches any text within the segment; nothing else is special.
bool segment_matches(std::string_view pattern, std::string_view text) {
  const std::size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  const std::string_view head = pattern.substr(0, star);
  if (!text.starts_with(head)) return false;
  const std::string_view rest = pattern.substr(star + 1);
  for (std::size_t at = head.size(); at <= text.size(); ++at)
    if (segment_matches(rest, text.substr(at))) return true;
  return false;
}

bool name_matches(const std::vector<std::string>& pattern, const std::vector<std::string>& segments) {
  if (pattern.size() != segments.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if (!segment_matches(pattern[i], segments[i])) return false;
  return true;
}

// The native name (or pattern) a py/ benchmark pairs with; nullopt when it has none.
std::optional<std::string> native_name_of(const json& pairing, const BenchmarkView& py) {
  const auto it = pairing.is_object() ? pairing.find(py.base) : pairing.end();
  if (it == pairing.end()) return py.base.substr(kPythonPrefix.size());
  if (!it->is_object() || !it->contains("native") || !(*it)["native"].is_string()) return std::nullopt;
  return (*it)["native"].get<std::string>();
}

std::optional<double> work_count(const BenchmarkView& v) {
  if (!v.extra.is_object() || !v.extra.contains("count") || !v.extra["count"].is_number()) return std::nullopt;
  const double count = v.extra["count"].get<double>();
  return count > 0 ? std::optional(count) : std::nullopt;
}

std::optional<NativePythonPair> compare(const BenchmarkView& native, const BenchmarkView& py) {
  NativePythonPair pair{&native, &py, "", 0, 0};
  if (native.p50 && py.p50) {
    pair = {&native, &py, "p50 latency", *native.p50, *py.p50};
  } else if (native.time_ns && py.time_ns) {
    pair = {&native, &py, "time / op", *native.time_ns, *py.time_ns};
    const auto n = work_count(native), p = work_count(py);
    if (n && p && *n != *p) pair = {&native, &py, "time / op ÷ count", *native.time_ns / *n, *py.time_ns / *p};
  }
  if (!(pair.native_ns > 0) || !(pair.python_ns > 0)) return std::nullopt;
  return pair;
}

std::string text_of(const json& value) { return value.is_null() ? "unknown" : value_text(value); }

json interpreter_facts(const json& info) {
  json rows = json::array();
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"implementation", "implementation"},
           {"version", "version"},
           {"executable", "executable"},
           {"gil_enabled", "GIL enabled"},
           {"free_threaded_build", "free-threaded build"},
           {"switch_interval_s", "switch interval (s)"}})
    if (info.contains(key)) rows.push_back({label, text_of(info[key])});
  return {{"kind", "facts"}, {"rows", std::move(rows)}};
}

json pairs_table(const std::vector<NativePythonPair>& pairs) {
  json columns = json::array();
  for (const auto& [label, numeric] : std::vector<std::pair<const char*, bool>>{
           {"native benchmark", false}, {"CPython benchmark", false}, {"measure", false},
           {"native", true},  {"CPython", true},  {"CPython ÷ native", true}})
    columns.push_back({{"label", label}, {"numeric", numeric}});
  json rows = json::array();
  for (const auto& p : pairs)
    rows.push_back({p.native->base, p.python->base, p.measure, format_quantity(p.native_ns, "ns"),
                    format_quantity(p.python_ns, "ns"), fmt::format("{:.3g}×", p.factor())});
  return {{"kind", "table"},
          {"caption", "Each CPython benchmark beside its native counterpart (same placement, same mode)"},
          {"columns", std::move(columns)},
          {"rows", std::move(rows)}};
}

// The name's segments in the native layout: a py/ name without its prefix.
std::vector<std::string> native_layout(const BenchmarkView& v) {
  std::vector<std::string> s = v.segments;
  if (is_python_benchmark(v)) s.erase(s.begin());
  return s;
}

// countdown/split/<mode>/<placement>/w<N> in either language, measured.
bool countdown_split(const BenchmarkView& v) {
  const auto s = native_layout(v);
  return s.size() == 5 && s[0] == "countdown" && s[1] == "split" && v.error.empty() && v.workers_segment;
}

// The speedup the chart plots: the program reports none for its one-thread
// baseline (split/threads/w1), which is 1× by definition.
std::optional<double> countdown_speedup(const BenchmarkView& v) {
  if (v.speedup || !is_python_benchmark(v) || native_layout(v)[2] != "threads" || v.workers != 1.0) return v.speedup;
  return 1.0;
}

std::string placement_of_countdown(const BenchmarkView& v) { return native_layout(v)[3]; }

// Native threads, native processes, CPython threads, CPython processes: the
// split countdown under one placement policy (compact when both have it).
std::optional<json> countdown_chart(const std::vector<BenchmarkView>& views, const json& info) {
  std::vector<BenchmarkView> measured;
  for (const auto& v : views)
    if (countdown_split(v) && countdown_speedup(v)) {
      measured.push_back(v);
      measured.back().speedup = countdown_speedup(v);
    }
  std::map<std::string, std::pair<bool, bool>> languages_by_placement;  // native?, CPython?
  for (const auto& v : measured) {
    auto& [native, python] = languages_by_placement[placement_of_countdown(v)];
    (is_python_benchmark(v) ? python : native) = true;
  }
  std::string placement;
  for (const auto& [p, langs] : languages_by_placement)
    if (langs.first && langs.second && (placement.empty() || p == "compact")) placement = p;
  if (placement.empty()) return std::nullopt;

  BenchmarkViews chosen;
  std::map<std::string, std::string> label_of;  // the speedup chart's series name -> language and mode
  for (const auto& v : measured) {
    if (placement_of_countdown(v) != placement) continue;
    chosen.push_back(&v);
    label_of[short_name(name_without_segment(v, *v.workers_segment))] =
        fmt::format("{} {}", is_python_benchmark(v) ? "CPython" : "native", native_layout(v)[2]);
  }
  auto chart = speedup_chart(chosen);
  if (!chart) return std::nullopt;
  (*chart)["title"] = fmt::format("Countdown speedup by workers, native vs CPython (split, {})", placement);
  for (json& s : (*chart)["series"])
    if (const auto it = label_of.find(s.value("name", "")); it != label_of.end()) s["name"] = it->second;
  const bool gil = info.value("gil_enabled", true);
  (*chart)["note"] = gil ? "The interpreter runs with the GIL: CPython threads take turns, so their line stays near "
                           "1× however many workers count; processes have an interpreter (and a GIL) each."
                         : "The interpreter runs without the GIL (free-threaded): CPython threads can count in "
                           "parallel.";
  return chart;
}

}  // namespace

bool is_python_benchmark(const BenchmarkView& view) { return view.base.starts_with(kPythonPrefix); }

std::string section_family(const BenchmarkView& view) {
  if (is_python_benchmark(view)) return "py/" + native_layout(view).front();
  return view.family.empty() ? "other" : view.family;
}

std::vector<NativePythonPair> native_python_pairs(const json& results, const std::vector<BenchmarkView>& views) {
  const json& info = python_info(results);
  const json pairing = info.value("pairing", json());
  std::vector<NativePythonPair> out;
  for (const auto& py : views) {
    if (!is_python_benchmark(py) || !py.error.empty()) continue;
    const auto native_name = native_name_of(pairing, py);
    if (!native_name) continue;
    const auto pattern = split_benchmark_name(*native_name);
    for (const auto& native : views) {
      if (is_python_benchmark(native) || !native.error.empty() || !name_matches(pattern, native.segments)) continue;
      if (auto pair = compare(native, py)) out.push_back(*pair);
      break;
    }
  }
  return out;
}

std::optional<json> native_vs_python_section(const json& results, const std::vector<BenchmarkView>& views) {
  std::size_t python = 0, measured = 0;
  for (const auto& v : views) {
    if (!is_python_benchmark(v)) continue;
    ++python;
    measured += v.error.empty() ? 1 : 0;
  }
  if (python == 0) return std::nullopt;
  const json& info = python_info(results);
  const auto pairs = native_python_pairs(results, views);
  json blocks = json::array();
  blocks.push_back(
      {{"kind", "text"},
       {"text", fmt::format("CPython's multiprocessing and threading (scripts/python/primbench_py.py), measured on "
                            "the same PUs as the native benches: {} CPython benchmarks, {} measured, {} beside a native "
                            "result of this run. Both sides time the same operation; CPython's own costs (pickling, "
                            "the GIL hand-off, a Queue's feeder thread) are what the factor shows.",
                            python, measured, pairs.size())}});
  if (!info.empty()) blocks.push_back(interpreter_facts(info));
  if (!pairs.empty())
    blocks.push_back(pairs_table(pairs));
  else
    blocks.push_back({{"kind", "text"},
                      {"text", "No CPython benchmark has a native counterpart measured in this run: run both with "
                               "`primbench run --suite all`."}});
  if (auto chart = countdown_chart(views, info)) blocks.push_back(std::move(*chart));
  return json{{"id", "native-vs-cpython"}, {"heading", "Native vs CPython"}, {"blocks", std::move(blocks)}};
}

}  // namespace primbench
