#include "reports/report_benchmarks.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <span>

#include "basics/statistics.hpp"
#include "basics/benchmark_name.hpp"
#include "reports/json_fields.hpp"
#include "reports/result_reader.hpp"

namespace primbench {
namespace {

using nlohmann::json;

std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}


// "w8", "n8" -> 8; "p2c3" -> 5 (producers + consumers).
std::optional<double> worker_count(const std::string& segment) {
  if (segment.size() > 1 && (segment[0] == 'w' || segment[0] == 'n') && all_digits(segment.substr(1)))
    return std::stod(segment.substr(1));
  if (segment.size() > 3 && segment[0] == 'p') {
    const std::size_t c = segment.find('c');
    if (c != std::string::npos && all_digits(segment.substr(1, c - 1)) && all_digits(segment.substr(c + 1)))
      return std::stod(segment.substr(1, c - 1)) + std::stod(segment.substr(c + 1));
  }
  return std::nullopt;
}

void parse_name(BenchmarkView& v) {
  std::vector<std::string> segments = split_benchmark_name(v.name);
  while (segments.size() > 1 && is_gbench_suffix(segments.back())) segments.pop_back();
  v.segments = segments;
  v.base = join_benchmark_name(segments);
  auto segment = [&](std::size_t i) { return i < segments.size() ? segments[i] : std::string(); };
  v.family = segment(0);
  v.what = segment(1);
  v.mode = segment(2);
  v.placement = segment(3);
  for (std::size_t i = 4; i < segments.size(); ++i) {
    if (!v.size_bytes && all_digits(segments[i])) {
      v.size_bytes = std::stod(segments[i]);
      v.size_segment = i;
    } else if (const auto n = worker_count(segments[i]); n && !v.workers) {
      v.workers = n;
      v.workers_segment = i;
    }
  }
}

std::optional<RateCounter> rate_counter(const BenchmarkRun& run, const std::string& key) {
  std::string stem;
  for (const std::string_view suffix : {"_per_second", "_per_s"})
    if (key.size() > suffix.size() && key.ends_with(suffix)) stem = key.substr(0, key.size() - suffix.size());
  if (stem.empty()) return std::nullopt;
  const auto value = representative_value(run, key);
  if (!value) return std::nullopt;
  const std::string unit = stem == "bytes" ? "B" : stem == "msgs" ? "msg" : stem == "ops" ? "op" : stem;
  return RateCounter{key, *value, unit + "/s"};
}

// Rates among the entry's counters: bytes per second apart, and one other
// rate (messages or operations first, else the first in name order) as the
// operation rate.
void read_rates(BenchmarkView& v, const BenchmarkRun& run, const json& entry) {
  for (const std::string& key : counter_names(entry)) {
    auto rate = rate_counter(run, key);
    if (!rate) continue;
    if (key.find("bytes") != std::string::npos) {
      if (!v.byte_rate) v.byte_rate = std::move(rate);
    } else if (!v.op_rate || key.starts_with("msgs") || key.starts_with("ops")) {
      v.op_rate = std::move(rate);
    }
  }
}

void read_latency(BenchmarkView& v, const BenchmarkRun& run, const json& record) {
  const json* percentiles = nullptr;
  if (record.is_object() && record.contains("latency") && record["latency"].is_object()) {
    const json& latency = record["latency"];
    v.sample_kind = string_field(latency, "sample");
    if (latency.contains("percentiles") && latency["percentiles"].is_object()) percentiles = &latency["percentiles"];
  }
  if (percentiles && finite_number(*percentiles, "count").value_or(0) > 0) {
    v.p50 = finite_number(*percentiles, "p50");
    v.p90 = finite_number(*percentiles, "p90");
    v.p99 = finite_number(*percentiles, "p99");
    v.p999 = finite_number(*percentiles, "p999");
    v.p9999 = finite_number(*percentiles, "p9999");
    v.max = finite_number(*percentiles, "max");
    v.samples = finite_number(*percentiles, "count");
    return;
  }
  v.p50 = representative_value(run, "p50_ns");
  v.p90 = representative_value(run, "p90_ns");
  v.p99 = representative_value(run, "p99_ns");
  v.p999 = representative_value(run, "p999_ns");
  v.p9999 = representative_value(run, "p9999_ns");
  v.max = representative_value(run, "max_ns");
  v.samples = representative_value(run, "samples");
}

void read_placement(BenchmarkView& v, const json& entry, const json& record) {
  if (const auto ok = finite_number(entry, "placement_ok")) v.placement_ok = *ok != 0.0;
  if (!record.is_object() || !record.contains("placement") || !record["placement"].is_object()) return;
  const json& placement = record["placement"];
  if (const json& workers = placement.value("workers", json()); workers.is_array() && workers.empty()) {
    v.placement_verified = false;
    v.placement_ok = true;  // nothing was read back, so nothing failed
  } else if (placement.contains("all_ok") && placement["all_ok"].is_boolean() && !placement["all_ok"].get<bool>()) {
    v.placement_ok = false;
  }
  if (placement.contains("oversubscribed") && placement["oversubscribed"].is_boolean())
    v.oversubscribed = placement["oversubscribed"].get<bool>();
  if (const auto name = string_field(placement, "name"); !name.empty()) v.placement = name;
  if (record.contains("steal") && record["steal"].is_object()) {
    v.steal_share = finite_number(record["steal"], "steal_share");
    v.steal_noisy = record["steal"].value("noisy", false) == true;
  }
}

const json& record_for(const json& records, const BenchmarkView& v, const json& entry) {
  static const json none;
  if (!records.is_object()) return none;
  for (const std::string& key : {string_field(entry, "name"), v.name, v.base})
    if (const auto it = records.find(key); it != records.end()) return *it;
  return none;
}

BenchmarkView view_of(const BenchmarkRun& run, const json& records) {
  static const json none;
  BenchmarkView v;
  v.name = run.name;
  parse_name(v);
  const json* representative = representative_entry(run);
  if (!representative && !run.repetitions.empty()) representative = &run.repetitions.back().get();
  const json& entry = representative ? *representative : none;
  const json& record = record_for(records, v, entry);

  v.error = run.error.value_or("");
  v.unavailable = v.error.starts_with("unavailable");
  v.label = string_field(entry, "label");
  if (record.is_object()) {
    if (const auto f = string_field(record, "family"); !f.empty()) v.family = f;
    if (const auto m = string_field(record, "mode"); !m.empty()) v.mode = m;
    if (record.contains("extra")) v.extra = record["extra"];
    if (record.contains("profile")) v.profile = record["profile"];
    if (v.extra.is_object()) v.noise_note = string_field(v.extra, "noise");
  }
  read_placement(v, entry, record);
  if (!v.error.empty()) return v;

  v.time_ns = representative_value(run, "real_time");
  read_latency(v, run, record);
  read_rates(v, run, entry);
  v.speedup = representative_value(run, "speedup");
  for (const std::string& counter : counter_names(entry))
    if (counter.ends_with("_per_op"))
      if (const auto value = representative_value(run, counter)) v.op_counters[counter] = *value;

  const std::vector<double> times = repetition_values(run, "real_time");
  v.repetitions = static_cast<int>(std::max<std::size_t>(1, times.size()));
  if (times.size() >= 2) {
    v.cv = summarize(times, {.bootstrap_resamples = 1}).cv;
  } else if (const auto it = run.aggregates.find("cv"); it != run.aggregates.end()) {
    v.cv = finite_number(it->second, "real_time");  // Google Benchmark writes the ratio, not per cent
    v.repetitions = static_cast<int>(finite_number(it->second, "repetitions").value_or(1));
  }
  return v;
}

}  // namespace

std::vector<BenchmarkView> benchmark_views(const json& results) {
  static const json no_records = json::object();
  const json* primbench = results.contains("primbench") ? &results["primbench"] : nullptr;
  const json& records = primbench && primbench->contains("benchmarks") ? (*primbench)["benchmarks"] : no_records;
  std::vector<BenchmarkView> views;
  for (const BenchmarkRun& run : benchmark_runs(results)) views.push_back(view_of(run, records));

  if (primbench && primbench->contains("errors") && (*primbench)["errors"].is_array()) {
    for (const json& e : (*primbench)["errors"]) {
      const std::string name = string_field(e, "benchmark");
      const std::string message = string_field(e, "message");
      if (name.empty()) continue;
      auto it = std::find_if(views.begin(), views.end(), [&](const auto& v) { return v.name == name || v.base == name; });
      if (it == views.end()) {
        BenchmarkView v;
        v.name = name;
        parse_name(v);
        views.push_back(std::move(v));
        it = views.end() - 1;
      }
      if (it->error.empty()) it->error = message.empty() ? "failed (no message)" : message;
    }
  }
  return views;
}

bool is_core_to_core_floor(const BenchmarkView& v) {
  return v.family == "c2c" && v.what == "rtt" && v.segments.size() == 4 && v.error.empty() && v.p50;
}

bool is_round_trip(const BenchmarkView& v) {
  return v.what == "rtt" || (v.segments.size() > 4 && v.segments[4] == "rtt");
}

CoreToCoreFloors::CoreToCoreFloors(const std::vector<BenchmarkView>& views) {
  for (const BenchmarkView& v : views)
    if (is_core_to_core_floor(v)) floors_[{v.mode, v.placement}] = *v.p50;
}

std::optional<double> CoreToCoreFloors::multiple(const BenchmarkView& v) const {
  if (v.family == "c2c" || !v.error.empty() || !is_round_trip(v) || v.placement == "same-pu") return std::nullopt;
  const auto floor = floor_ns(v.mode, v.placement);
  const auto cost = cost_ns(v);
  if (!floor || !cost || *floor <= 0 || *cost <= 0) return std::nullopt;
  return *cost / *floor;
}

std::optional<double> CoreToCoreFloors::floor_ns(const std::string& mode, const std::string& placement) const {
  const auto it = floors_.find({mode, placement});
  return it == floors_.end() ? std::nullopt : std::optional<double>(it->second);
}

std::optional<double> cost_ns(const BenchmarkView& view) { return view.p50 ? view.p50 : view.time_ns; }

std::string name_without_segment(const BenchmarkView& view, std::size_t index, const std::string& replacement) {
  std::vector<std::string> segments = view.segments;
  if (index < segments.size()) segments[index] = replacement;
  return join_benchmark_name(segments);
}

}  // namespace primbench
