// The result file: Google Benchmark's JSON, unchanged in shape, plus a
// top-level "primbench" object (schema in reports/SCHEMA.md). Tools that read
// Google Benchmark's output (compare.py, github-action-benchmark, Bencher)
// read it as their own; primbench's readers find placement, histograms and
// machine context beside it.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "harness/run_results.hpp"

namespace primbench {

inline constexpr int kResultSchemaVersion = 1;

struct RunContext {
  nlohmann::json machine;    // collect_machine_context(), with load at start and end
  nlohmann::json topology;   // topology_summary_json()
  nlohmann::json clock;      // ClockInfo
  nlohmann::json pair_plan;  // the pair plan the benchmarks used
  nlohmann::json config;     // options of this run
  nlohmann::json python;     // the interpreter and pairing of --suite python|all; null: not run
  nlohmann::json hwloc_caches = nlohmann::json::array();  // gbench_cache_list(): for a context without caches
  std::string started_at, finished_at;
};

nlohmann::json build_result_document(const RunResults& results, const RunContext& context);

// Writes via a temporary file and rename(), so a reader (or an interruption)
// never sees half a file. Throws std::runtime_error naming the path.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc);

}  // namespace primbench
