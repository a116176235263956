// Reading result files back: every command that consumes results (report,
// compare, capacity, export) goes through here, so a malformed file is
// rejected in one place with one clear line (file, position, what is wrong).
//
// Below the reader: a view of a validated document that the reports share —
// its benchmarks grouped into runs (repetitions + Google Benchmark's
// aggregates), metric values in common units, and the facts that identify
// the machine it was measured on.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basics/errors.hpp"

namespace primbench {

struct ResultFileError : UsageError {
  using UsageError::UsageError;
};

// Limits a result file must stay within (reports/SCHEMA.md, "Limits"): a real
// run of every family is a few MiB and nests about 8 deep, so anything past
// these is not a result file, and refusing it early keeps a stray multi-GiB
// log or a hostile document from exhausting memory or the stack.
inline constexpr std::uintmax_t kMaxResultFileBytes = std::uintmax_t{256} << 20;  // 256 MiB
inline constexpr int kMaxResultNestingDepth = 64;

// Parses and validates a primbench result file (reports/SCHEMA.md); also
// accepts a plain Google Benchmark JSON file (no "primbench" object). Throws
// ResultFileError: "<file>:<line>:<column>: <what is wrong>" or
// "<file>: <json path>: <what is wrong>". Enforces size and depth limits.
nlohmann::json read_result_file(const std::filesystem::path& path);

// The same checks on text already in memory; `source` names it in errors.
nlohmann::json parse_result_text(std::string_view text, const std::string& source);

// ---------------------------------------------------------------------------
// A view of a validated document (what read_result_file returned).

// One benchmark of a result file: Google Benchmark writes one entry per
// repetition (run_type "iteration") and, with --benchmark_repetitions, one per
// aggregate (run_type "aggregate": mean, median, stddev, cv) named
// "<run_name>_<aggregate>". A run gathers them under run_name.
// A run's entries are references into the document it was read from (copying
// them was most of `compare`'s own time on large files): keep the document
// alive, and named, while its runs are used.
struct BenchmarkRun {
  using Entry = std::reference_wrapper<const nlohmann::json>;
  std::string name;                          // run_name (no aggregate suffix)
  std::vector<Entry> repetitions;            // iteration entries, in file order
  std::map<std::string, Entry> aggregates;   // aggregate_name -> entry
  std::optional<std::string> error;          // error_message when GB or primbench failed it
};

// The document's runs, in the order their first entry appears; they refer
// into `doc` (see BenchmarkRun). The benchmarks of primbench.unavailable
// follow as runs with no entries and the error "unavailable: <reason>", as
// older files had them in benchmarks[].
std::vector<BenchmarkRun> benchmark_runs(const nlohmann::json& doc);

// Nanoseconds per one `time_unit` ("ns", "us", "ms", "s"); throws
// std::invalid_argument for anything else.
double nanoseconds_per(std::string_view time_unit);

// The finite values of `metric` over the repetitions: "real_time" and
// "cpu_time" converted to nanoseconds, any other name read as a counter.
std::vector<double> repetition_values(const BenchmarkRun& run, std::string_view metric);

// The value a dashboard or a cross-machine table shows for `metric`: GB's
// median aggregate when there is one, else the single repetition's value;
// nullopt when the run has neither or the value is missing.
std::optional<double> representative_value(const BenchmarkRun& run, std::string_view metric);

// The entry that value comes from (median aggregate, else the single
// repetition); nullptr when there is none.
const nlohmann::json* representative_entry(const BenchmarkRun& run);

// Which way a metric improves. The time of a run ("real_time", "cpu_time")
// and latency counters ("*_ns", "*_us", "*_ms", "*ns_per_*") improve when they
// fall; throughput counters ("*_per_s", "*_per_second") and "speedup" or
// "efficiency" when they rise. Other counters (sample counts, worker counts,
// placement_ok) have no direction: nullopt, and they are not compared.
enum class Better { lower, higher };
std::optional<Better> metric_direction(std::string_view metric);

// The unit a dashboard shows for `metric` of `entry`: the entry's time_unit
// for its times, "ns" for "*_ns", "msgs/s" for "msgs_per_s", "x" for speedup.
std::string metric_unit(const nlohmann::json& entry, std::string_view metric);

// The user counters of an entry: its numeric fields that are not Google
// Benchmark's own (name, iterations, real_time, repetition_index, ...).
std::vector<std::string> counter_names(const nlohmann::json& entry);

// What decides whether two files were measured on the same machine with the
// same placement: host, CPU model, logical CPU count and the topology summary
// (which includes the PUs this run was allowed, so a different cpuset or
// cgroup shows up as a different placement). Absent facts are empty strings.
struct MachineIdentity {
  std::string host, cpu_model, num_cpus, topology;
};
MachineIdentity machine_identity(const nlohmann::json& doc);

// The identity fields that differ, as "host 'a' vs 'b'", for the one-line
// refusal; empty when they match.
std::vector<std::string> identity_differences(const MachineIdentity& a, const MachineIdentity& b);

// Labelled facts about where and how a file was measured, for a context diff
// (CPU, topology, kernel, compiler, ...): pairs of (label, value), in display
// order, with "" for facts the file does not carry.
std::vector<std::pair<std::string, std::string>> machine_facts(const nlohmann::json& doc);

}  // namespace primbench
