// `primbench export RESULTS.json --filtered -o DIR`: one value per benchmark
// for dashboards that plot a series per name.
//
// A result file with --benchmark_repetitions holds one entry per repetition
// plus GB's mean/median/stddev/cv aggregates under the same run_name; a
// dashboard fed that plots five points and four statistics per commit. The
// filtered export keeps the median only:
//   DIR/median.json            Google Benchmark JSON (context + benchmarks[]):
//                              per benchmark GB's median aggregate, renamed to
//                              its run_name so the series keeps its name whether
//                              or not repetitions were used (run_type and
//                              aggregate_name still say "aggregate"/"median");
//                              without repetitions the single iteration entry.
//                              For compare.py, github-action-benchmark
//                              (tool: googlecpp) and Bencher (cpp_google).
//   DIR/bigger_is_better.json  github-action-benchmark's customBiggerIsBetter:
//                              [{name, unit, value, range?, extra?}], one per
//                              throughput counter (msgs_per_s, bytes_per_second,
//                              speedup, ...), named "<benchmark> (<counter>)".
//   DIR/smaller_is_better.json customSmallerIsBetter: the time of each
//                              benchmark (real_time, in its time_unit, named as
//                              the benchmark) and its latency counters (p50_ns,
//                              p99_ns, ...).
// Failed and unavailable benchmarks are left out (a dashboard would plot their
// zero); `skipped` names them.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace primbench {

struct FilteredExport {
  nlohmann::json median;             // GB-shaped document
  nlohmann::json bigger_is_better;   // array of {name, unit, value[, range][, extra]}
  nlohmann::json smaller_is_better;  // same shape
  std::vector<std::string> skipped;  // "<benchmark>: <why>"
};

// `doc` is a validated result file (read_result_file); `source` is recorded in
// median.json's primbench.export.source.
FilteredExport filtered_export(const nlohmann::json& doc, const std::string& source);

// Creates `dir` when needed and writes the three files (atomically, each);
// returns their paths. Throws UsageError when the directory cannot be made.
std::vector<std::filesystem::path> write_filtered_export(const FilteredExport& exported,
                                                         const std::filesystem::path& dir);

}  // namespace primbench
