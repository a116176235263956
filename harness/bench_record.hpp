// What a benchmark knows beyond Google Benchmark's numbers: where its workers
// ran, its latency distribution, and its notes. A benchmark process collects
// one record per benchmark and writes them to the file the supervisor names
// (PRIMBENCH_EXTRAS_FILE); the supervisor merges them into the result file.
#pragma once

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/latency_histogram.hpp"
#include "harness/pinning.hpp"

namespace primbench {

inline constexpr const char* kExtrasFileEnv = "PRIMBENCH_EXTRAS_FILE";

struct BenchRecord {
  std::string family;
  std::string mode;              // "threads" / "processes"
  std::string placement;         // pair class or worker policy
  std::vector<ObservedPlacement> workers;
  bool oversubscribed = false;
  std::optional<LatencyHistogram> latency;  // per-operation samples, ns
  std::string latency_kind;      // what one sample is, e.g. "round trip"
  nlohmann::json extra = nlohmann::json::object();
};

// Stores the record of the benchmark's latest call: Google Benchmark calls a
// body several times while sizing the iteration count; the last call is the
// one it reports.
void record_bench(const std::string& name, BenchRecord record);

// Publishes latency percentiles as counters (p50_ns ... max_ns) so that tools
// reading only Google Benchmark's fields see them too; nothing for a histogram
// that is empty or whose median is 0 ns (below its resolution: no latency).
void publish_latency_counters(benchmark::State& state, const LatencyHistogram& hist);

// Publishes a placement-check counter (placement_ok = 1 when every worker ran
// exactly where requested).
void publish_placement_counter(benchmark::State& state, const std::vector<ObservedPlacement>& workers);

nlohmann::json to_json(const BenchRecord& record);
nlohmann::json all_bench_records();

// Writes all records to PRIMBENCH_EXTRAS_FILE (no-op when unset).
void write_bench_records();

// The listing process's extras: {"unavailable": {name: reason}}.
void write_listing_extras(const std::map<std::string, std::string>& unavailable);

}  // namespace primbench
