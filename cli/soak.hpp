// `primbench run --soak DURATION`: the quick suite (or the part --family and
// --filter select) run again and again until DURATION is over, to find what a
// single run cannot: results that drift as the machine warms up or fills up,
// and resources the supervisor leaks (file descriptors, memory, shared-memory
// segments, child processes) one benchmark at a time.
//
// Each iteration is an ordinary run_benchmarks() pass. From every iteration the
// soak keeps only each benchmark's median time and its errors, so its own
// memory stays flat. It writes soak.json into --out (iterations, drift against
// the first iteration, leak checks) and no results.json.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/run_loop.hpp"

namespace primbench {

// "30s", "10m", "2h", "1h30m", "500ms": numbers (decimals allowed), each with
// a unit. Throws UsageError naming the text for anything else, for zero, and
// for more than a week.
std::chrono::milliseconds parse_duration(std::string_view text);

// What the supervisor holds at one moment.
struct ResourceSnapshot {
  std::size_t open_fds = 0;            // entries of /proc/self/fd
  std::size_t rss_kib = 0;             // VmRSS of /proc/self/status
  std::size_t run_segments = 0;        // /dev/shm names of this run (run_id() prefix)
  std::size_t primbench_segments = 0;  // /dev/shm names of any primbench run
  std::size_t child_processes = 0;     // live or zombie processes whose parent is us
};
ResourceSnapshot take_resource_snapshot(std::string_view run_id);

struct SoakError {
  std::string benchmark, message;
};

struct SoakIteration {
  unsigned index = 0;  // from 1
  double seconds = 0;
  bool complete = true;                    // false: interrupted part-way
  std::map<std::string, double> median_ns;  // benchmark run name -> median real time
  std::vector<SoakError> errors;
  ResourceSnapshot after;
};

// What one iteration's outcomes give the soak: medians of the benchmarks that
// ran, and every failure except the placement classes this machine lacks
// (`unavailable`), which are no error.
SoakIteration summarize_iteration(const RunResults& results, const std::map<std::string, std::string>& unavailable);

// One benchmark's median over the complete iterations, as change against the
// first iteration it has a median in (0.05 = 5 % slower).
struct Drift {
  std::string benchmark;
  double first_ns = 0, last_ns = 0;
  std::vector<double> changes;  // one per iteration after the reference
  double largest_change = 0;    // the change of largest magnitude
  unsigned largest_at = 0;      // its iteration index
};
// Largest |change| first.
std::vector<Drift> compute_drift(const std::vector<SoakIteration>& iterations);

struct LeakCheck {
  std::string resource;  // "open file descriptors", ...
  double before = 0, after = 0;
  bool leaked = false;
  std::string rule;  // "leak if ...": what counts as a leak
};

// RSS may grow this much between the end of the first iteration (the
// allocator's pools and every lazily loaded table are in place by then) and
// the end before it counts as a leak: one iteration keeps nothing, so real
// growth is small and a leak per benchmark shows up as far more.
inline constexpr std::size_t kRssGrowthLimitKiB = 16 * 1024;

// `start`: before the first iteration; `first`: after it; `end`: after the last.
std::vector<LeakCheck> check_leaks(const ResourceSnapshot& start, const ResourceSnapshot& first,
                                   const ResourceSnapshot& end, std::size_t iterations);

struct SoakRequest {
  std::chrono::milliseconds duration{0};
  std::string duration_text;  // as the user wrote it
  std::filesystem::path out_dir;
};

// Runs the list until the duration is over (always at least one iteration,
// and the last one is finished even when it runs past the end), prints one
// line per iteration and a summary, writes out_dir/soak.json. Returns the
// exit status: 0 clean, 1 an error or a leak, 128+N interrupted by signal N.
int run_soak(const RunOptions& options, const BenchmarkList& list, const SoakRequest& request);

// soak.json (schema: docs/RELIABILITY.md, "Soak").
nlohmann::json soak_document(const SoakRequest& request, const std::vector<SoakIteration>& iterations,
                             const std::vector<Drift>& drift, const std::vector<LeakCheck>& leaks,
                             const ResourceSnapshot& start, double elapsed_s, int interrupted_by);

}  // namespace primbench
