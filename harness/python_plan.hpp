// Which CPython benchmarks `primbench run --suite python` runs, and where:
// the same placement plans as the native benches (harness/placement.hpp).
//
// The names come from the program itself: `primbench_py.py --list-pairs
// --placement {placement}` lists every benchmark with the literal marker where
// the placement goes, and with its native counterpart (pairing.json). A name
// with a worker count after the marker (n<N>, w<N>) is an N-worker benchmark
// and runs under a worker policy, as the native sweeps do; any other is a pair
// benchmark and runs once per pair class present. A pair class the machine
// lacks becomes one "unavailable: ..." entry per <what>/<mode>, named as the
// native ones are (`py/pipe/mp-pipe/threads/smt`).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/python_program.hpp"
#include "harness/topology.hpp"

namespace primbench {

struct PythonSuiteOptions {
  bool quick = false;                      // --smoke, and one pair class (the nearest cross-PU one)
  std::vector<std::string> families;       // family (py/<family>/...) or group id; empty = all
  std::vector<std::string> native_families;  // valid --family values that select no CPython benchmark
  std::string filter;                      // ECMAScript regex searched in each name; empty = all
  std::vector<std::string> program_args;   // passed to every run (--size, --repetitions, --min-time)
  std::chrono::milliseconds bench_timeout{120'000};  // per benchmark; a call gets this times its names
};

// One call of the program: these names, on these PUs, under this placement.
struct PythonInvocation {
  std::string placement;    // a pair class (shared-l3) or a worker policy (compact)
  std::vector<unsigned> pus;  // --pus: side A, side B; or the workers' PUs in order
  std::vector<std::string> names;
};

struct PythonPairing {
  std::optional<std::string> native;  // the native name; a '*' stands for a parameter Python lacks
  std::string status;                 // paired, none, pending (pairing.json)
};

struct PythonSuitePlan {
  std::vector<PythonInvocation> invocations;
  std::map<std::string, std::string> unavailable;  // name -> "unavailable: placement class ... is absent: ..."
  std::map<std::string, PythonPairing> pairing;    // every name that runs
  std::vector<std::string> names;                  // every listed name, in run order (unavailable last)
};

// Lists and selects. Throws UsageError when the program cannot list (an
// interpreter it does not run on) and for a --family value that is neither a
// native family nor a CPython family or group. The plan is empty when
// nothing matches: an error for --suite python, not for --suite all.
PythonSuitePlan plan_python_suite(const PythonProgram& program, const Topology& topo,
                                  const PythonSuiteOptions& options, const std::filesystem::path& work_dir);

// "no CPython benchmark matches --family ... --filter '...'"
std::string no_match_message(const PythonSuiteOptions& options);

// What of the run's options the program understands: one --size (with
// several, the program keeps its own list), --benchmark_repetitions=N as
// --repetitions N, --benchmark_min_time=S[s] as --min-time S.
std::vector<std::string> python_program_args(const std::vector<std::string>& sizes,
                                             const std::vector<std::string>& gbench_flags);

// The marker `--placement` is listed with.
inline constexpr const char* kPlacementMarker = "{placement}";

// True for a name whose segments after the placement marker count workers
// (n<N>, w<N>): it runs under a worker policy, not on a pair.
bool is_worker_benchmark(const std::string& listed_name);

nlohmann::json to_json(const PythonSuitePlan& plan);

}  // namespace primbench
