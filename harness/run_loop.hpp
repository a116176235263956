// The run loop of `primbench run`: list the benchmarks, run each in its own
// supervised process, and collect what each produced (or why it produced
// nothing). One benchmark per process isolates crashes and hangs, keeps every
// benchmark process single-threaded at fork time, and lets the watchdog kill
// exactly one benchmark and carry on with the next.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/profiler.hpp"
#include "harness/run_results.hpp"

namespace primbench {

struct RunOptions {
  std::filesystem::path work_dir;          // scratch files for the children
  bool quick = false;
  std::vector<std::string> families;       // empty = all
  std::string filter;                      // Google Benchmark regex; empty = all
  std::vector<std::string> sizes;          // message sizes as given (passed on)
  std::vector<std::string> gbench_flags;   // --benchmark_* flags passed on verbatim
  std::string cpuset;                      // run --cpuset as given: the children inherit its binding
  std::string counters = "default";        // run --counters as given (op_counters.hpp)
  std::chrono::milliseconds bench_timeout{120'000};
  // run --profile: each benchmark process under perf record; folded stacks
  // are written to profile_dir and kept in the benchmark's record.
  std::optional<Profiler> profiler;
  std::filesystem::path profile_dir;
};

struct BenchmarkList {
  std::vector<std::string> names;                   // in run order
  std::map<std::string, std::string> unavailable;  // name -> why it cannot run here
};

// Asks a benchmark process which benchmarks the options select.
BenchmarkList list_benchmarks(const RunOptions& options);

using ProgressFn = std::function<void(std::size_t index, std::size_t total, const BenchmarkOutcome&)>;

// Runs each listed benchmark in its own process; an unavailable one becomes
// its error entry without a process.
RunResults run_benchmarks(const RunOptions& options, const BenchmarkList& list, const ProgressFn& progress);

// A Google Benchmark-shaped entry for a benchmark that produced no result.
nlohmann::json error_entry(const std::string& name, const std::string& message);

}  // namespace primbench
