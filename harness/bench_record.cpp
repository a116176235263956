#include "harness/bench_record.hpp"

#include <cstdlib>
#include <fstream>
#include <map>

#include "basics/json_text.hpp"
#include "harness/op_counter_report.hpp"

namespace primbench {
namespace {

std::map<std::string, BenchRecord>& records() {
  static std::map<std::string, BenchRecord> all;
  return all;
}

// A histogram whose median sample is 0 ns timed operations shorter than its
// 1 ns unit: it holds no latency, and a 0 would read as one (a dashboard's
// infinite speed-up, compare's division by zero).
bool holds_latency(const LatencyHistogram& hist) { return hist.count() > 0 && hist.percentile(50) >= 1; }

}  // namespace

void record_bench(const std::string& name, BenchRecord record) { records()[name] = std::move(record); }

void publish_latency_counters(benchmark::State& state, const LatencyHistogram& hist) {
  if (!holds_latency(hist)) return;
  const Percentiles p = hist.percentiles();
  state.counters["p50_ns"] = p.p50;
  state.counters["p90_ns"] = p.p90;
  state.counters["p99_ns"] = p.p99;
  state.counters["p999_ns"] = p.p999;
  state.counters["max_ns"] = p.max;
  state.counters["samples"] = static_cast<double>(p.count);
}

void publish_placement_counter(benchmark::State& state, const std::vector<ObservedPlacement>& workers) {
  bool ok = !workers.empty();
  for (const auto& w : workers) ok = ok && w.ok();
  state.counters["placement_ok"] = ok ? 1 : 0;
}

nlohmann::json to_json(const BenchRecord& r) {
  nlohmann::json workers = nlohmann::json::array();
  bool all_ok = !r.workers.empty();
  for (std::size_t i = 0; i < r.workers.size(); ++i) {
    nlohmann::json w = to_json(r.workers[i]);
    w["worker"] = i;
    workers.push_back(std::move(w));
    all_ok = all_ok && r.workers[i].ok();
  }
  nlohmann::json j{{"family", r.family},
                   {"mode", r.mode},
                   {"placement", {{"name", r.placement}, {"workers", workers}, {"all_ok", all_ok},
                                  {"oversubscribed", r.oversubscribed}}}};
  if (r.latency && holds_latency(*r.latency)) {
    const Percentiles p = r.latency->percentiles();
    j["latency"] = {{"unit", "ns"},
                    {"sample", r.latency_kind},
                    {"percentiles", {{"p50", p.p50}, {"p90", p.p90}, {"p99", p.p99}, {"p999", p.p999},
                                     {"p9999", p.p9999}, {"min", p.min}, {"max", p.max}, {"mean", p.mean},
                                     {"count", p.count}}},
                    {"histogram", nlohmann::json(*r.latency)}};
  }
  if (!r.extra.empty()) j["extra"] = r.extra;
  return j;
}

nlohmann::json all_bench_records() {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, record] : records()) out[name] = to_json(record);
  attach_counter_records(out);
  return out;
}

namespace {

void write_extras(const nlohmann::json& doc) {
  const char* path = std::getenv(kExtrasFileEnv);
  if (path == nullptr || *path == '\0') return;
  std::ofstream(path) << json_text(doc) << '\n';
}

}  // namespace

void write_bench_records() { write_extras(all_bench_records()); }

void write_listing_extras(const std::map<std::string, std::string>& unavailable) {
  write_extras({{"unavailable", unavailable}});
}

}  // namespace primbench
