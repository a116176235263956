// Capacity planning from a result file: how far each primitive scales with
// workers (a Universal Scalability Law fit per sweep, reports/usl_fit.hpp),
// where the machine's topology bends the curve, and how much load it takes
// within a latency target (Little's law).
//
// Sweeps: benchmarks whose names differ only in a worker count, n<N> or w<N>,
// or p<P>c<C> (N = P + C; balanced, fan-out and fan-in shapes, p1c1 in all
// three, other shapes one sweep per P:C ratio). Failed entries are listed, not
// used; oversubscribed ones are shown but not fitted (time sharing bends the
// curve for reasons that are not the primitive's).
// Throughput: the first rate every entry of a sweep has, in the order
// items_per_second, the family's *_per_s counter, speedup, bytes per second,
// then 1 / time per iteration × operations_per_iteration.
// Topology markers: where each placement policy (harness/placement.cpp) first
// uses SMT siblings, a second NUMA node or package, or oversubscribes, plus
// what the benchmarks measured (workers sharing a core, oversubscribed).
// SLO capacity: the highest throughput whose p99 meets the target, and
// L = X·W there; closed-loop sweeps see latency under self-paced load (no
// coordinated omission), open-loop records (offered_rate, latency_p99_ns) are
// used as recorded, a step counting when it was also sustained.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basics/load_terms.hpp"
#include "reports/usl_fit.hpp"

namespace primbench {

inline constexpr double kDefaultSloNs = 10'000.0;  // p99 ≤ 10 µs

// "10us", "250ns", "1.5ms", "2s", "10µs" → nanoseconds. Throws UsageError
// naming the text for anything else, a bare number, or a value ≤ 0.
double parse_latency_target(std::string_view text);

// Where a sweep's throughput comes from (rules above).
struct ThroughputSource {
  std::string metric;  // "items_per_second", "ops_per_s", ..., "speedup", or "real_time"
  std::string unit;    // "ops/s", "msgs/s", "x", "B/s", "ops/s"
  std::string how;     // one phrase for the report, e.g. "counter ops_per_s"
  bool per_second = true;  // false for speedup: L = X·W has no meaning then
};

struct SweepPoint {
  std::string benchmark;  // the Google Benchmark run name
  double workers = 0;
  std::vector<double> throughput;  // one per repetition; empty when failed
  std::optional<double> p99_ns, mean_latency_ns;
  std::string latency_sample;  // what one latency sample is, when the record says
  bool oversubscribed = false;
  bool placement_ok = true;
  std::optional<double> workers_sharing_a_core;
  std::string error;  // non-empty: the entry failed and is not used

  bool usable() const { return error.empty() && !throughput.empty(); }
  double median_throughput() const;  // of `throughput`; requires usable()
};

struct TopologyMarker {
  double workers = 0;   // the first N on the far side of the boundary
  std::string kind;     // "smt", "numa", "package", "oversubscribed"
  std::string label;    // "SMT siblings in use from N = 2"
  std::string source;   // "topology" or "measured"
};

struct Sweep {
  std::string key;  // e.g. "locks/contended/threads/compact/ttas/cs50ns_gap100ns/n*"
  std::string family, mode, policy;
  std::string shape;  // p<P>c<C> sweeps: "balanced", "fan-out", "fan-in", "P:C a:b"; else empty
  ThroughputSource source;
  std::vector<SweepPoint> points;  // ascending N
};

// One measured load level: a worker count of a closed-loop sweep, or an
// offered rate of an open-loop benchmark.
struct LoadPoint {
  std::optional<double> workers;        // closed loop
  double rate = 0;                      // throughput (closed loop) or offered rate (open loop)
  std::optional<double> achieved_rate;  // open loop, when recorded
  std::optional<double> p99_ns, mean_latency_ns;
  std::optional<double> concurrency;  // L = X·W, when W and a per-second rate are known
  bool meets_slo = false;             // p99 known, ≤ T, and (open loop) the rate was achieved
};

// The capacity at a latency target of one sweep or one open-loop benchmark.
struct SloCapacity {
  std::string subject;   // sweep key or benchmark name
  bool open_loop = false;
  std::string based_on;  // which data, in words
  std::string unit;
  std::vector<LoadPoint> load;  // latency against load, as measured
  std::optional<double> max_rate;              // highest sustainable rate
  std::optional<double> at_workers;            // closed loop: the N it was measured at
  std::optional<double> largest_workers;       // closed loop: largest N with p99 ≤ T
  std::optional<double> p99_ns;                // at that rate
  std::optional<double> concurrency;           // L = X·W at that rate
  std::string note;                            // why nothing qualifies, or a caveat
};

struct SweepCapacity {
  Sweep sweep;
  std::optional<UslFit> fit;
  std::string fit_refused;  // why there is no fit
  std::string left_out;     // points not fitted and why ("N = 32 (oversubscribed)"), or empty
  std::vector<TopologyMarker> markers;
  SloCapacity slo;
};

struct CapacityAnalysis {
  std::string source;  // the result file, for headings
  double slo_ns = kDefaultSloNs;
  nlohmann::json topology;  // primbench.topology, or null for a plain Google Benchmark file
  std::vector<SweepCapacity> sweeps;
  std::vector<SloCapacity> open_loop;
  std::vector<std::string> notes;  // file-level remarks ("no sweeps found", no topology, ...)
};

// The sweeps of a result document (read_result_file's output), in the order
// their first entry appears.
std::vector<Sweep> find_sweeps(const nlohmann::json& doc);

// Markers for a placement policy ("compact", "spread", "cores"; anything else
// gets only the oversubscription marker) from a primbench.topology object;
// empty when the topology lacks the counts.
std::vector<TopologyMarker> topology_markers(const nlohmann::json& topology, std::string_view policy);

// The closed-loop capacity of one sweep at p99 ≤ slo_ns.
SloCapacity sweep_slo_capacity(const Sweep& sweep, double slo_ns);

CapacityAnalysis analyse_capacity(const nlohmann::json& doc, double slo_ns = kDefaultSloNs,
                                  std::string source = "");

// {"source","slo_ns","topology","boundaries":{policy:[marker...]},"rules":{...},
//  "sweeps":[{"key","family","mode","policy","shape","throughput":{metric,unit,how},
//             "points":[{benchmark,workers,throughput[],throughput_median|null,p99_ns|null,
//                        mean_latency_ns|null,latency_sample,oversubscribed,placement_ok,in_fit,error|null}],
//             "fit":{usl_fit.hpp}|null,"fit_refused":str|null,"left_out_of_fit":str,
//             "markers":[{workers,kind,label,source,within_measured}],"slo":{...}}],
//  "slo_table":[{subject,based_on,unit,max_rate|null,at_workers|null,largest_workers|null,p99_ns|null,
//               concurrency|null,note}], "open_loop":[...same...], "notes":[str]}
// Every number is finite; a missing value is null.
nlohmann::json capacity_json(const CapacityAnalysis& analysis);

// Plain text for a terminal, and the same as Markdown tables.
std::string capacity_text(const CapacityAnalysis& analysis);
std::string capacity_markdown(const CapacityAnalysis& analysis);

}  // namespace primbench
