// The benchmarks of a result file as the HTML report reads them: one view per
// benchmark, joining Google Benchmark's entry (its median aggregate when the
// run had repetitions) with primbench's record, and taking the name apart
// (<family>/<what>/<threads|processes>/<placement>[/<param>...]).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace primbench {

// A throughput counter, e.g. {"msgs_per_s", 6.8e5, "msg/s"}.
struct RateCounter {
  std::string counter;
  double per_second = 0.0;
  std::string unit;
};

struct BenchmarkView {
  std::string name;                   // Google Benchmark's run name
  std::string base;                   // without Google Benchmark's suffixes (/real_time, /repeats:5, ...)
  std::vector<std::string> segments;  // `base` split at '/'
  std::string family, what, mode, placement;
  std::string label;  // Google Benchmark's label, when the benchmark set one

  // Parameters after the placement: a message size in bytes (an all-digit
  // segment) and a worker count (w<N>, n<N>, or p<P>c<C> as P + C), with the
  // index of the segment each came from (for grouping a sweep).
  std::optional<double> size_bytes, workers;
  std::optional<std::size_t> size_segment, workers_segment;

  std::optional<double> time_ns;  // real time per iteration (Google Benchmark's time)
  // Latency distribution (record's histogram, else the p*_ns counters), ns.
  std::optional<double> p50, p90, p99, p999, p9999, max;
  std::optional<double> samples;
  std::string sample_kind;  // what one latency sample is, e.g. "round trip"

  std::optional<RateCounter> op_rate, byte_rate;
  std::optional<double> speedup;  // countdown: the counter of that name

  int repetitions = 1;
  std::optional<double> cv;  // relative standard deviation of the time over repetitions

  bool placement_ok = true;
  // False for the plain references, which by design never read their
  // placement back: not verified, which is not a failed check.
  bool placement_verified = true;
  bool oversubscribed = false;
  // The largest share of the benchmark's window that one of its PUs lost to
  // the hypervisor (record "steal", harness/cpu_steal.hpp), when counted.
  std::optional<double> steal_share;
  bool steal_noisy = false;
  // A benchmark's own account of what disturbed it (record extra "noise"),
  // e.g. the countdown's step speed changing between runs.
  std::string noise_note;
  bool unavailable = false;  // the machine lacks what the benchmark needs (error says what)
  std::string error;         // non-empty: no numbers, this says why

  nlohmann::json extra;    // the record's family-specific "extra", or null
  nlohmann::json profile;  // run --profile's folded stacks (harness/profiler.hpp), or null
  std::map<std::string, double> op_counters;  // "ctx_switches_per_op" -> value (harness/op_counters.hpp)
};

// In the order the result file lists them. Entries whose run never produced a
// Google Benchmark entry (crash, timeout) come from primbench.errors.
std::vector<BenchmarkView> benchmark_views(const nlohmann::json& results);

// True for a measured c2c/rtt/<mode>/<placement class>: a round trip of a
// cache line between two workers, the machine's core-to-core floor (the four
// segments rule out the matrix cells and sizes named below it).
bool is_core_to_core_floor(const BenchmarkView& view);

// The machine's core-to-core floor per mode and placement class: the median
// round trip of each is_core_to_core_floor view.
class CoreToCoreFloors {
 public:
  explicit CoreToCoreFloors(const std::vector<BenchmarkView>& views);
  // nullopt when the run did not measure that mode and class.
  std::optional<double> floor_ns(const std::string& mode, const std::string& placement) const;
  // Like with like: a round trip's cost over the floor of its mode and
  // placement class, for round trips between two PUs (the same-PU "floor" is
  // the scheduler's); nullopt for anything else.
  std::optional<double> multiple(const BenchmarkView& view) const;
  bool empty() const noexcept { return floors_.empty(); }

 private:
  std::map<std::pair<std::string, std::string>, double> floors_;
};

// A round trip: <family>/rtt/... or <family>/<primitive>/<mode>/<class>/rtt/...
bool is_round_trip(const BenchmarkView& view);

// What one operation of a benchmark costs, for comparing it with the floor:
// its median latency sample when it has a distribution (a round trip for the
// rtt benchmarks, like the floor), else its time per operation.
std::optional<double> cost_ns(const BenchmarkView& view);

// The name with the segment at `index` replaced by `replacement`: the key of a
// sweep over that parameter.
std::string name_without_segment(const BenchmarkView& view, std::size_t index, const std::string& replacement = "*");

}  // namespace primbench
