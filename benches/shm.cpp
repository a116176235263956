// Shared memory between pinned workers, as threads and as processes:
//   shm/c2c_matrix/<mode>/<store|cas>                 core-to-core round trip of every PU pair
//                                                     (the machine's floor, per placement class)
//   shm/atomic_add/<mode>/compact/n<N>                N workers fetch_add one shared counter
//   shm/false_sharing/<mode>/compact/n<N>/<layout>    each worker its own counter: adjacent in
//                                                     one line, or padded to its own
//   shm/read_mostly/<mode>/compact/n<N>               N readers of a small array, one occasional writer
//   shm/copy/processes/<class>/<bytes>                a buffer copied between two processes
// The workloads and the matrix live in benches/shm/; this file says which
// benchmarks this machine gets.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "benches/shm/c2c_matrix_outliers.hpp"
#include "benches/shm/c2c_matrix_plan.hpp"
#include "benches/shm/c2c_matrix_run.hpp"
#include "benches/shm/counters.hpp"
#include "benches/shm/handoff.hpp"
#include "benches/shm/shared_copy.hpp"
#include "benches/shm/workload_run.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/spin_wait.hpp"

namespace primbench {
namespace {

using namespace shm;

constexpr ExecMode kModes[] = {ExecMode::threads, ExecMode::processes};

// One Google Benchmark iteration is the whole matrix; its manual time is the
// mean round trip over the PU pairs, the matrix itself goes to the record.
template <typename Handoff>
void bm_c2c_matrix(benchmark::State& state, const std::string& name, ExecMode mode) {
  const BenchEnvironment& env = bench_environment();
  try {
    const MatrixLayout layout = plan_c2c_matrix(*env.topo, env.pairs);
    const auto per_cell = matrix_cell_budget(layout.cells.size(), env.config.quick);
    MatrixMeasurement m;
    for (auto _ : state) {
      m = measure_c2c_matrix<Handoff>(*env.topo, mode, layout, per_cell, name);
      state.SetIterationTime(mean_pair_rtt(layout, m.cell_ns) * 1e-9);
    }
    nlohmann::json extra = matrix_extra(*env.topo, layout, m.cell_ns, Handoff::name, m.home_numa);
    extra["batch"] = kMatrixBatch;
    extra["statistic"] = fmt::format("median of the batch means ({} round trips per batch) of each cell", kMatrixBatch);
    extra["cell_budget_ms"] = std::chrono::duration<double, std::milli>(per_cell).count();
    extra["cell_batches"] = m.cell_batches;
    add_unexplained_cells(extra, layout, m.cell_ns);
    state.counters["unexplained_cells"] = static_cast<double>(extra["unexplained_cells"].size());
    state.counters["pus"] = static_cast<double>(layout.pus.size());
    state.counters["cells"] = static_cast<double>(layout.cells.size());
    state.counters["sampled"] = layout.sampled ? 1 : 0;
    for (const auto& floor : extra["floor_ns"].items())
      state.counters["floor_" + floor.key() + "_ns"] = static_cast<double>(floor.value());
    publish_latency_counters(state, m.latency);
    publish_placement_counter(state, m.placements);
    record_bench(name, BenchRecord{"shm", std::string(to_string(mode)), "all-pairs", m.placements, false, m.latency,
                                   "round trip (mean of a batch), every cell of distinct PUs", std::move(extra)});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

template <typename Handoff>
void register_matrix(ExecMode mode) {
  register_bench(fmt::format("shm/c2c_matrix/{}/{}", to_string(mode), Handoff::name),
                 [mode](benchmark::State& s, const std::string& n) { bm_c2c_matrix<Handoff>(s, n, mode); },
                 TimeBase::manual)
      ->Iterations(1);
}

WorkloadBench compact_spec(const Topology& topo, ExecMode mode, unsigned workers) {
  const WorkerPlan plan = plan_workers(topo, {workers, Policy::compact, {}, false});
  return {"shm", mode, "compact", plan.pus, plan.oversubscribed, workers, 0, "", nlohmann::json::object()};
}

void register_counter_sweeps(const BenchEnvironment& env, ExecMode mode) {
  const Topology& topo = *env.topo;
  const auto pus = static_cast<unsigned>(topo.allowed_pus().size());
  for (unsigned n : sweep_counts(pus, env.config.quick)) {
    WorkloadBench add = compact_spec(topo, mode, n);
    add.latency_kind = "one fetch_add (mean of a batch)";
    register_workload(sweep_name("shm", "atomic_add", mode, Policy::compact, n), add, [] { return ContendedAdd{}; });
    WorkloadBench read = compact_spec(topo, mode, n);
    read.latency_kind = "one load or store of the array (mean of a batch)";
    register_workload(sweep_name("shm", "read_mostly", mode, Policy::compact, n), read,
                      [n] { return ReadMostlyArray{n}; });
  }
}

// False sharing needs two workers at least; up to 8 counters share one line.
template <typename Layout>
void register_false_sharing(const BenchEnvironment& env, ExecMode mode) {
  const auto pus = static_cast<unsigned>(env.topo->allowed_pus().size());
  const auto name = [&](unsigned n) {
    return sweep_name("shm", "false_sharing", mode, Policy::compact, n) + "/" + std::string(Layout::name);
  };
  if (pus < 2) {
    register_unavailable(name(2), fmt::format("false sharing needs 2 workers on distinct PUs, {} PU allowed", pus));
    return;
  }
  std::vector<unsigned> counts{std::min(pus, 8u)};
  if (!env.config.quick && counts.front() > 2) counts.insert(counts.begin(), 2);
  for (unsigned n : counts) {
    register_workload(name(n), compact_spec(*env.topo, mode, n), [n] { return PrivateCounters<Layout>{n}; });
  }
}

std::vector<std::size_t> copy_sizes(const BenchConfig& config) {
  if (!config.sizes.empty()) return config.sizes;
  if (config.quick) return {4096, std::size_t{1} << 20};
  std::vector<std::size_t> sizes;
  for (std::size_t s = 4096; s <= (std::size_t{16} << 20); s *= 4) sizes.push_back(s);  // 4 KiB .. 16 MiB
  return sizes;
}

void register_copy(const BenchEnvironment& env) {
  for (const PairClassPlan& plan : env.pairs.classes) {
    const std::string base = bench_name("shm", "copy", ExecMode::processes, plan.cls);
    if (!plan.present) {
      register_unavailable(base, fmt::format("placement class {} is absent: {}", to_string(plan.cls), plan.reason));
      continue;
    }
    const PuPair pair = plan.pairs.front();
    const std::uint32_t spins = spin_budget(pair.a == pair.b);
    for (std::size_t bytes : copy_sizes(env.config)) {
      const std::string name = fmt::format("{}/{}", base, bytes);
      if (bytes < kCopyMinBytes) {
        register_unavailable(name, fmt::format("a {}-byte buffer has no room for the copy's two 8-byte sequence stamps "
                                               "(at least {} bytes)", bytes, kCopyMinBytes));
        continue;
      }
      WorkloadBench spec{"shm", ExecMode::processes, std::string(to_string(plan.cls)), {pair.a, pair.b}, false, 1,
                         static_cast<double>(bytes), "one transfer (producer copy in + consumer copy out)",
                         {{"pair", {pair.a, pair.b}}}};
      register_workload(name, spec, [bytes, spins] { return SharedCopy(bytes, spins); });
    }
  }
}

void register_shm(const BenchEnvironment& env) {
  for (ExecMode mode : kModes) {
    register_matrix<StoreHandoff>(mode);
    register_matrix<CasHandoff>(mode);
  }
  for (ExecMode mode : kModes) {
    register_counter_sweeps(env, mode);
    register_false_sharing<AdjacentCounters>(env, mode);
    register_false_sharing<PaddedCounters>(env, mode);
  }
  register_copy(env);
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("shm", primbench::register_shm);
