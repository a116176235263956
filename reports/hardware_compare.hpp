// `primbench compare --hardware A.json B.json C.json ...`: the same benchmarks
// on several machines, side by side, normalised to one baseline machine.
//
// Benchmark names carry the placement class, not CPU numbers
// ("c2c/rtt/threads/shared-l3", "pipe/pipe/processes/cross-package/rtt/8"),
// so the same name means the same measurement on every machine. A table
// gathers the names that differ only in the placement (the component after
// "threads"/"processes"): one row per placement class, one column per
// machine. A class a machine lacks (no second package, no SMT) is an
// "unavailable" cell with the reason, never a number measured elsewhere.
//
// Files from one machine (same host, CPU model, CPU count and topology
// summary) merge into one column when their benchmarks do not overlap — the
// per-family jobs of a CI matrix, say; files that repeat a benchmark are
// separate runs and keep a column each.
//
// The model, as JSON (what the HTML page and the text formats render):
// {
//   "metric": "real_time", "unit": "ns", "better": "lower",
//   "baseline": 0,                          // index into "machines"
//   "rule": {"alpha": 0.05, "threshold": 0.05, "min_repetitions": 5},   // what "faster"/"slower" means
//   "machines": [{
//       "label": "host-a",                  // host name; "host-a (file)" when two columns share a host
//                                           // (a results.json file is named by its folder)
//       "files": ["a.json"],
//       "facts": {"host": ..., "CPU": ..., "topology": ..., "kernel": ..., "compiler": ...}  // machine_facts()
//   }],
//   "context_diff": [{"fact": "CPU", "values": ["...", "..."]}],   // facts that differ, one value per machine
//   "run_differences": ["The runs differ in suite: quick on a, default on b."],  // settings that make numbers incomparable
//   "headlines": [{"family": "pipe", "geomean_relative": [1.0, 0.62], "benchmarks": [30, 30]}],
//                                           // per family, each machine's geometric mean of "relative" (null: none)
//   "tables": [{
//       "title": "c2c/rtt/threads",         // the name without its placement
//       "family": "c2c",
//       "rows": [{
//           "placement": "shared-l3",       // "" when the name has no placement component
//           "benchmark": "c2c/rtt/threads/shared-l3",
//           "cells": [{                     // one per machine, in "machines" order
//               "status": "ok" | "unavailable" | "failed" | "missing",
//               "value": 805.3 | null,      // median real_time in ns (GB's median aggregate, or the single run)
//               "repetitions": 10,
//               "relative": 1.0 | null,     // value / the baseline machine's value
//               "versus_baseline": null | { // with >= min_repetitions on both machines
//                   "change": -0.52, "low": -0.55, "high": -0.49,   // relative change of the median, (1 - alpha) interval
//                   "p_value": 0.0002, "verdict": "faster" | "slower" | "within noise"},
//               "counters": {"p50_ns": 255.0, "msgs_per_s": ...},  // counters with a direction, same source as value
//               "note": "placement class smt is absent: ..."   // why there is no value
//           }]
//       }]
//   }]
// }
// Every number is finite; absent ones are null.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "reports/compare.hpp"

namespace primbench {

struct HardwareInput {
  std::string file;      // as named on the command line
  nlohmann::json doc;    // read_result_file(file)
};

// Builds the model above. `baseline` indexes the machines (columns) after
// merging, in the order their first file was given; `rule` decides "faster"
// and "slower" as compare decides regressions (compare.hpp). Throws
// UsageError for fewer than two machines or a baseline out of range.
nlohmann::json hardware_comparison_model(const std::vector<HardwareInput>& inputs, std::size_t baseline,
                                         const CompareOptions& rule = {});

// Reads each file with read_result_file() first.
nlohmann::json hardware_comparison_model(const std::vector<std::filesystem::path>& files, std::size_t baseline,
                                         const CompareOptions& rule = {});

// The machine (column) labels the inputs merge into, in order, so that a
// --baseline given as a label can be turned into an index.
std::vector<std::string> hardware_machine_labels(const std::vector<HardwareInput>& inputs);

}  // namespace primbench
