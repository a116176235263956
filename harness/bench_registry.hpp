// How benchmark families plug into primbench.
//
// Families register at run time, not at static-initialisation time, because
// what they register depends on this machine: one benchmark per placement
// class present (and one error entry per class absent), per worker count up
// to the allowed PUs. Each family file ends with PRIMBENCH_FAMILY("name", fn).
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/placement.hpp"
#include "harness/topology.hpp"
#include "harness/workers.hpp"

namespace primbench {

struct BenchConfig {
  bool quick = false;                  // smoke suite: fewer sizes and classes, short min time
  std::vector<std::size_t> sizes;      // message sizes; empty = the family's default
  std::vector<std::string> families;   // empty = all
};

struct BenchEnvironment {
  const Topology* topo = nullptr;
  PairPlan pairs;
  BenchConfig config;
};

using FamilyRegistrar = void (*)(const BenchEnvironment&);

struct FamilyRegistration {
  FamilyRegistration(const char* family, FamilyRegistrar fn);
};

#define PRIMBENCH_FAMILY_CONCAT2(a, b) a##b
#define PRIMBENCH_FAMILY_CONCAT(a, b) PRIMBENCH_FAMILY_CONCAT2(a, b)
#define PRIMBENCH_FAMILY(name, fn)                                                                    \
  static const ::primbench::FamilyRegistration PRIMBENCH_FAMILY_CONCAT(primbench_family_, __COUNTER__) { \
    name, fn                                                                                          \
  }

std::vector<std::string> family_names();

// Throws UsageError for a name that is not a registered family, listing the valid ones.
void validate_family_names(const std::vector<std::string>& names);

// Registers every selected family's benchmarks with Google Benchmark. Throws
// UsageError for an unknown family name, listing the valid ones.
void register_families(const BenchEnvironment& env);

// The environment of the current benchmark process (valid after register_families).
const BenchEnvironment& bench_environment();

// What Google Benchmark sizes a run by: it picks the iteration count that
// makes this time reach the min time, and appends "/real_time" or
// "/manual_time" to the name. Its own default, the main thread's CPU time, is
// wrong for nearly everything here: a thread that blocks, or waits on workers
// in other processes, uses a fraction of the wall time in CPU, and GB overshot
// the min time by that ratio (4.6x for a pipe round trip: 0.47 s measured for
// a 0.1 s min time).
enum class TimeBase { real, manual };

// Registers a benchmark whose body also receives its own registered name
// (Google Benchmark 1.7.1's State has no name()). With TimeBase::manual the
// body reports each iteration's time with SetIterationTime.
benchmark::internal::Benchmark* register_bench(const std::string& name,
                                               std::function<void(benchmark::State&, const std::string&)> body,
                                               TimeBase time_base = TimeBase::real);

// Registers an entry that reports, as its error, why it cannot run here (a
// placement class the machine lacks): the result file says so under the name
// a user would look for, and nothing else is measured under that name.
void register_unavailable(const std::string& name, const std::string& reason);

// Every entry registered through register_unavailable, name -> reason. The
// listing process hands these to the supervisor, which records them without
// starting a process for each.
const std::map<std::string, std::string>& unavailable_benchmarks();

// "<family>/<what>/<mode>/<class>" — the naming scheme every family follows.
std::string bench_name(std::string_view family, std::string_view what, ExecMode mode, PairClass cls);

// Registers one benchmark per pair class (present or absent) for each mode.
// `body` receives the pair to run on.
void register_pair_benches(const BenchEnvironment& env, std::string_view family, std::string_view what,
                           const std::vector<ExecMode>& modes,
                           std::function<void(benchmark::State&, const std::string&, ExecMode, PairClass, PuPair)> body);

}  // namespace primbench
