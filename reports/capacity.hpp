// Capacity planning from a result file: how far each primitive scales with
// workers (a Universal Scalability Law fit per sweep, reports/usl_fit.hpp),
// where the machine's topology bends the curve, and how much load it takes
// within a latency target (Little's law).
//
// SWEEPS. A sweep is a set of benchmarks of one family/primitive/mode/
// placement whose names differ only in a worker count. Names are read as
// Google Benchmark writes them, minus its suffixes (/manual_time, /real_time,
// /process_time, /repeats:R, /min_time:T, /min_warmup_time:T, /iterations:I).
// The worker count N comes from, in this order:
//   1. the last segment of the form n<N>, w<N>, t<N>, workers<N>, threads<N> or
//      clients<N> (optionally n:<N>, n=<N>, n_<N>), e.g. shm/atomic_add/threads/compact/n4;
//   2. a segment p<P>c<C> (P producers, C consumers): N = P + C. Such entries
//      form up to three sweeps by shape: balanced (P = C), fan-out (P = 1,
//      C varies) and fan-in (C = 1, P varies); p1c1 starts all three. Other
//      shapes (p2c4, p4c8) form a sweep per P:C ratio;
//   3. Google Benchmark's own /threads:<N> suffix;
//   4. an all-digit segment equal to the worker count the benchmark recorded
//      (its "workers" counter, or extra.workers), when no segment above exists.
// The sweep's key is the name with that segment replaced by a wildcard
// ("shm/atomic_add/threads/compact/n*"). Entries that failed (a Google
// Benchmark error, an unavailable placement) are listed under their sweep but
// not used. A key with one distinct N is not a sweep.
//
// THROUGHPUT of an entry (one value per repetition), the first that every
// entry of the sweep has:
//   1. items_per_second (Google Benchmark's SetItemsProcessed);
//   2. the family's operation rate: ops_per_s, msgs_per_s, requests_per_s,
//      then any other "*_per_s"/"*_per_second" counter except bytes;
//   3. speedup (countdown: work per unit time relative to one thread, so λ is
//      in "× one thread" and is ≈ 1);
//   4. bytes_per_second, bytes_per_s;
//   5. 1 / (real time per iteration) × operations per iteration, where the
//      operations per iteration are the record's extra.operations_per_iteration
//      when recorded, else 1 (a Google Benchmark iteration is one operation).
// Oversubscribed entries (more workers than PUs, time-shared) are shown but
// left out of the fit: the USL models N workers running at once, and time
// sharing bends the curve for reasons that are not the primitive's.
//
// TOPOLOGY MARKERS. From primbench.topology (pus, cores, packages, numa_nodes,
// smt_width), assuming every package and NUMA node holds the same number of
// PUs, for the placement policies of harness/placement.cpp:
//   compact  SMT siblings from N = 2 (when smt_width > 1); the second NUMA node
//            from N = pus/numa_nodes + 1, the second package from pus/packages + 1
//   spread   the second package / NUMA node from N = 2; SMT from N = cores + 1
//   cores    never SMT; second NUMA node from cores/numa_nodes + 1, second
//            package from cores/packages + 1
//   all      oversubscription from N = capacity + 1 (pus; cores for "cores")
// plus "measured" markers where the benchmarks themselves report them: the
// first N with workers sharing a core (counter workers_sharing_a_core) or
// marked oversubscribed.
//
// SLO CAPACITY (Little's law, L = X·W). Closed-loop sweeps: at each N the
// throughput X, the p99 and mean W of the benchmark's latency samples (the
// record's distribution, else the p99_ns counter). The sustainable rate
// within p99 ≤ T is the highest X among the N whose p99 ≤ T (usually the
// largest such N; not when the curve is retrograde), L = X·W is the number of
// operations in flight there. This is latency under self-paced load: each
// worker waits for its own operation, so queueing an open system would see
// is not in it (coordinated omission). Open-loop data, when a record's extra
// carries {"offered_rate": [...], "latency_p99_ns": [...]} (optionally
// "achieved_rate", "latency_mean_ns"), is used as is: the sustainable rate is
// the highest offered rate with p99 ≤ T that was also achieved (≥ 95 %).
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
