// Pool dispatch: what it costs to hand work to a pool of threads or of
// pre-forked processes and get the results back (multiprocessing.Pool,
// ThreadPool, concurrent.futures), against a fresh worker per task.
//
//   pool/<op>/<threads|processes>/<policy>/<size>/w<N>
//     op: apply, apply_async (256 tasks per round), map_c1 / map_c16 /
//         map_c256 (1024 items in chunks of 1, 16, 256), imap_unordered
//         (1024 items, results taken while submitting)
//     size: the work per item: empty, 1us, 10us, 100us of calibrated computation
//     N: workers, placed by the policy; the submitter (this thread) sits on
//        the policy's next PU, sharing worker 0's PU only when N uses them all
//   pool/apply_fresh_thread/threads/compact/<size>/w1   a new pinned thread per task
//   pool/apply_fork/processes/compact/<size>/w1         fork + wait per task
//   pool/apply_posix_spawn/processes/compact/empty/w1   posix_spawn of /bin/sh per task
//
// One Google Benchmark iteration is one item. The latency percentiles are
// submit -> result per task (submit -> start is in the record); counters give
// tasks/s, items/s and efficiency = time workers spent in tasks / (wall time
// x workers). Every result is checked: each task's result exactly once (by
// id), each item's value written once and equal to the work function of its
// input; a broken delivery or a failed task is an error entry.
#include <fmt/format.h>

#include <map>
#include <memory>

#include "benches/countdown/worker_sweep.hpp"
#include "benches/pools/fresh_worker.hpp"
#include "benches/pools/pool_ops.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"

namespace primbench {
namespace {

using pools::PoolStats;

constexpr const char* kFamily = "pool";

enum class OpKind { apply, apply_async, map, imap_unordered };

struct PoolOp {
  const char* name;
  OpKind kind;
  std::uint32_t chunksize;
  std::uint64_t items_per_round;
};

constexpr PoolOp kOps[] = {
    {"apply", OpKind::apply, 1, 1},
    {"apply_async", OpKind::apply_async, 1, 256},
    {"map_c1", OpKind::map, 1, 1024},
    {"map_c16", OpKind::map, 16, 1024},
    {"map_c256", OpKind::map, 256, 1024},
    {"imap_unordered", OpKind::imap_unordered, 1, 1024},
};

// Work per item, ns: from an empty task to 100 us. The smoke suite keeps
// one size with real work in it, so that efficiency means something.
std::vector<std::uint64_t> task_sizes_ns(bool quick) {
  if (quick) return {10'000};
  return {0, 1'000, 10'000, 100'000};
}

// Worker counts: the sweep; the smoke suite keeps only "every PU busy".
std::vector<unsigned> pool_worker_counts(const Topology& topo, Policy policy, bool quick) {
  const unsigned capacity = sweep::policy_capacity(topo, policy);
  if (quick) return {capacity};
  return sweep::worker_counts(capacity, sweep::policy_capacity(topo, Policy::cores), false);
}

std::string size_name(std::uint64_t ns) { return ns == 0 ? "empty" : fmt::format("{}us", ns / 1000); }

// The calibrated step count for a task size and the expected values at that
// count, computed once per benchmark process (Google Benchmark calls a body
// several times) and outside every timed region.
struct TaskWork {
  pools::WorkCalibration calibration;
  pools::ExpectedValues expected;
};

const TaskWork& task_work(std::uint64_t task_ns) {
  static std::map<std::uint64_t, std::unique_ptr<TaskWork>> cache;
  auto& slot = cache[task_ns];
  if (!slot) {
    const pools::WorkCalibration cal = pools::calibrate_work();
    slot = std::make_unique<TaskWork>(TaskWork{cal, pools::ExpectedValues(cal.steps_for_ns(task_ns))});
  }
  return *slot;
}

nlohmann::json percentiles_json(const LatencyHistogram& h) {
  const Percentiles p = h.percentiles();
  return {{"p50_ns", p.p50}, {"p90_ns", p.p90}, {"p99_ns", p.p99}, {"p999_ns", p.p999}, {"max_ns", p.max},
          {"mean_ns", p.mean}, {"count", p.count}};
}

void run_round(pools::PoolRunner& runner, const PoolOp& op) {
  switch (op.kind) {
    case OpKind::apply: runner.apply(); break;
    case OpKind::apply_async: runner.apply_async(op.items_per_round); break;
    case OpKind::map: runner.map(op.items_per_round, op.chunksize); break;
    case OpKind::imap_unordered: runner.imap_unordered(op.items_per_round); break;
  }
}

// Counters and record shared by the pool and the baselines.
struct DispatchReport {
  std::string mode, placement;
  std::vector<ObservedPlacement> placements;
  unsigned workers = 1;
  double wall_ns = 0;
  nlohmann::json extra;
};

void publish_dispatch(benchmark::State& state, const std::string& name, const TaskWork& work, std::uint64_t task_ns,
                      const PoolStats& stats, DispatchReport report) {
  state.SetItemsProcessed(static_cast<std::int64_t>(stats.items));
  state.counters["tasks_per_s"] = benchmark::Counter(static_cast<double>(stats.tasks), benchmark::Counter::kIsRate);
  const double efficiency = report.wall_ns > 0 ? stats.task_ns / (report.wall_ns * report.workers) : 0;
  state.counters["efficiency"] = efficiency;
  state.counters["workers"] = report.workers;
  publish_latency_counters(state, stats.submit_to_result);
  if (stats.submit_to_start.count() > 0) {
    state.counters["start_p50_ns"] = stats.submit_to_start.percentile(50);
    state.counters["start_p99_ns"] = stats.submit_to_start.percentile(99);
  }
  publish_placement_counter(state, report.placements);
  nlohmann::json& extra = report.extra;
  extra["task_size_ns"] = task_ns;
  extra["work_steps_per_item"] = work.expected.steps();
  extra["work_steps_per_us"] = work.calibration.steps_per_us;
  extra["work"] = "a dependent multiply/xor-shift chain, calibrated against the clock (not a sleep)";
  extra["tasks"] = stats.tasks;
  extra["items"] = stats.items;
  extra["wall_ns"] = report.wall_ns;
  extra["time_in_tasks_ns"] = stats.task_ns;
  extra["efficiency"] = efficiency;
  extra["efficiency_means"] = "time workers spent inside tasks / (wall time x workers)";
  if (stats.submit_to_start.count() > 0) extra["submit_to_start"] = percentiles_json(stats.submit_to_start);
  if (stats.first_result.count() > 0) extra["round_start_to_first_result"] = percentiles_json(stats.first_result);
  record_bench(name, BenchRecord{kFamily, report.mode, report.placement, std::move(report.placements), false,
                                 stats.submit_to_result, "one task, submit until its result is collected",
                                 std::move(extra)});
}

void bm_pool(benchmark::State& state, const std::string& name, const PoolOp& op, ExecMode mode, Policy policy,
             std::uint64_t task_ns, unsigned workers) {
  const Topology& topo = *bench_environment().topo;
  try {
    const WorkerPlan plan = plan_workers(topo, {workers, policy, {}, false});
    const std::vector<unsigned> order = policy_order(topo, policy);
    const unsigned submitter_pu = order[workers % order.size()];
    const TaskWork& work = task_work(task_ns);
    PoolStats stats;
    pools::TaskPool pool(topo, {mode, plan.pus, submitter_pu, fmt::format("{} [{}]", name, to_string(policy))});
    pools::PoolRunner runner(pool, work.expected, stats);
    const std::uint64_t t0 = Clock::now();
    while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(op.items_per_round))) run_round(runner, op);
    const double wall_ns = Clock::to_ns(Clock::now() - t0);
    std::vector<ObservedPlacement> placements = pool.shutdown();

    nlohmann::json per_worker = nlohmann::json::array();
    double tasks_by_workers = 0;
    for (const auto& [tasks, ns] : pool.worker_totals()) {
      per_worker.push_back({{"tasks", tasks}, {"time_in_tasks_ns", ns}});
      tasks_by_workers += tasks;
    }
    if (tasks_by_workers != static_cast<double>(stats.tasks))
      throw std::logic_error(fmt::format("workers ran {} tasks, the collector received {}", tasks_by_workers, stats.tasks));
    publish_dispatch(state, name, work, task_ns, stats,
                     {std::string(to_string(mode)), std::string(to_string(policy)), std::move(placements), workers, wall_ns,
                      {{"op", op.name},
                       {"chunksize", op.chunksize},
                       {"items_per_round", op.items_per_round},
                       {"workers", workers},
                       {"submitter_pu", submitter_pu},
                       {"submitter_shares_a_worker_pu", pool.submitter_shares_a_worker_pu()},
                       {"placements_order", "submitter, then worker 0..N-1"},
                       {"per_worker", per_worker},
                       {"core_sharing", sweep::describe_core_sharing(topo, plan.pus)},
                       {"queue", "MpmcRing (benches/rings) in the workers' shared memory, results through a second ring "
                                 "and per-item result slots; idle sides spin briefly, then sleep on a futex"},
                       {"checks", "each task's result exactly once (by id), each item's value written once and equal "
                                  "to the work of its input, xor of the values per task"}}});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// The baselines, one task at a time: `run(item)` creates a fresh worker for
// it and returns what the worker computed.
enum class Fresh { thread, fork, posix_spawn };

void bm_fresh(benchmark::State& state, const std::string& name, Fresh kind, std::uint64_t task_ns) {
  const Topology& topo = *bench_environment().topo;
  try {
    const std::vector<unsigned> order = policy_order(topo, Policy::compact);
    const unsigned worker_pu = order.front();
    const unsigned submitter_pu = order[1 % order.size()];
    const TaskWork& work = task_work(task_ns);
    ScopedThreadPin pin(topo, submitter_pu);
    if (kind != Fresh::thread) require_single_threaded(name.c_str());
    const pools::FreshThread thread_per_task(worker_pu);
    const pools::ForkPerTask fork_per_task(worker_pu);
    const pools::SpawnPerTask spawn_per_task;
    std::vector<ObservedPlacement> placements;
    if (kind == Fresh::thread) placements.push_back(thread_per_task.probe(topo, worker_pu));
    if (kind == Fresh::fork) placements.push_back(fork_per_task.probe(topo));

    PoolStats stats;
    std::uint64_t item = 0;
    const std::uint64_t t0 = Clock::now();
    for (auto _ : state) {
      ++item;
      const std::uint64_t submitted = Clock::now();
      const pools::FreshOutcome out = kind == Fresh::thread ? thread_per_task.run(item, work.expected.steps())
                                      : kind == Fresh::fork ? fork_per_task.run(item, work.expected.steps())
                                                            : spawn_per_task.run(item);
      const std::uint64_t done = Clock::now();
      const std::uint64_t expected = kind == Fresh::posix_spawn ? pools::SpawnPerTask::expected(item) : work.expected.of(item);
      if (out.value != expected)
        throw std::logic_error(fmt::format("task {}: value {:#x}, expected {:#x}", item, out.value, expected));
      if (kind != Fresh::posix_spawn) {
        if (out.cpu != static_cast<int>(worker_pu))
          throw std::logic_error(fmt::format("task {} ran on PU {}, not on its worker PU {}", item, out.cpu, worker_pu));
        stats.submit_to_start.record_rounded(Clock::to_ns(out.started - submitted));
        stats.task_ns += Clock::to_ns(done - out.started);
      }
      stats.submit_to_result.record_rounded(Clock::to_ns(done - submitted));
      ++stats.tasks;
      ++stats.items;
    }
    const double wall_ns = Clock::to_ns(Clock::now() - t0);
    if (!creation::no_children_left()) throw std::logic_error("a per-task child was left unreaped");
    placements.insert(placements.begin(), pin.observe());
    const char* created = kind == Fresh::thread ? "a new pthread bound to the worker PU by its creation attribute"
                          : kind == Fresh::fork ? "a forked child that binds itself to the worker PU, computes, exits"
                                                : "posix_spawn of /bin/sh computing (item*7+3)%251 as its exit status; "
                                                  "it inherits the submitter's binding and runs no work function";
    publish_dispatch(state, name, work, task_ns, stats,
                     {kind == Fresh::thread ? "threads" : "processes", "compact", std::move(placements), 1, wall_ns,
                      {{"op", "apply"},
                       {"baseline", created},
                       {"submitter_pu", submitter_pu},
                       {"worker_pu", worker_pu},
                       {"placements_order", "submitter, then the probe worker (one untimed creation)"},
                       {"checks", "each task's value equals the work of its input (the shell's arithmetic for "
                                  "posix_spawn); each worker ran on its PU; no child left unreaped"}}});
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void register_pool(const BenchEnvironment& env) {
  const Topology& topo = *env.topo;
  const bool quick = env.config.quick;
  for (const PoolOp& op : kOps)
    for (ExecMode mode : {ExecMode::threads, ExecMode::processes})
      for (std::uint64_t ns : task_sizes_ns(quick))
        for (Policy policy : {Policy::compact}) {
          for (unsigned n : pool_worker_counts(topo, policy, quick)) {
            const std::string name = fmt::format("pool/{}/{}/{}/{}{}", op.name, to_string(mode), to_string(policy),
                                                 size_name(ns), sweep::workers_suffix(n));
            register_bench(name, [&op, mode, policy, ns, n](benchmark::State& s, const std::string& nm) {
              bm_pool(s, nm, op, mode, policy, ns, n);
            });
          }
        }
  for (std::uint64_t ns : task_sizes_ns(quick)) {
    register_bench(fmt::format("pool/apply_fresh_thread/threads/compact/{}/w1", size_name(ns)),
                   [ns](benchmark::State& s, const std::string& nm) { bm_fresh(s, nm, Fresh::thread, ns); });
    register_bench(fmt::format("pool/apply_fork/processes/compact/{}/w1", size_name(ns)),
                   [ns](benchmark::State& s, const std::string& nm) { bm_fresh(s, nm, Fresh::fork, ns); });
  }
  // A spawned program runs no work function: empty tasks only.
  register_bench("pool/apply_posix_spawn/processes/compact/empty/w1",
                 [](benchmark::State& s, const std::string& nm) { bm_fresh(s, nm, Fresh::posix_spawn, 0); });
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("pool", primbench::register_pool);
