// The load family: latency against offered load, open loop, for one
// representative primitive of the pipe, queue and pool families.
//
//   load/pipe/processes/<class>                pipe(2) between two processes
//   load/spsc-ring/processes/<class>           the shared-memory SPSC ring between two processes
//   load/pool/<threads|processes>/<class>/1us  a one-worker task pool, 1 us of work per task
//
// Each first measures its closed-loop maximum (back to back), then offers
// fractions of it (0.1 ... 1.2; four steps in --quick) from a paced producer
// pinned to the pair's first PU; the consumer (or pool worker) is on its
// second. Latency is from each message's intended send time, so queueing
// behind a stall counts (benches/load/paced_schedule.hpp). The pair is
// shared-l3 where the machine has one (two cores behind one last-level cache,
// where a producer and its consumer usually sit), else the first other
// cross-PU class present, else same-pu: the class is in the name.
// One Google Benchmark iteration is the whole run (manual time: the time per
// message at the highest sustained step); the curve is in the record.
#include <fmt/format.h>

#include <string>

#include "benches/load/channel_load.hpp"
#include "benches/load/channels.hpp"
#include "benches/load/load_record.hpp"
#include "benches/load/pool_load.hpp"
#include "benches/pools/task_work.hpp"
#include "harness/bench_registry.hpp"
#include "basics/benchmark_name.hpp"
#include "harness/peer_session.hpp"

namespace primbench {
namespace {

using load::LoadPlan;
using load::LoadSubject;

constexpr std::uint64_t kPoolTaskNs = 1'000;  // work per task: a small request, enough to bound the pool's rate

template <class Channel>
void bm_channel(benchmark::State& state, const std::string& name, LoadSubject subject) {
  const BenchEnvironment& env = bench_environment();
  try {
    const LoadPlan plan = LoadPlan::for_run(env.config.quick);
    const std::uint32_t spins = spin_budget(subject.pair.a == subject.pair.b);
    for (auto _ : state) {
      Channel channel(spins);
      PeerSession session(*env.topo, subject.mode, subject.pair, sizeof(load::ChannelShared), name,
                          [reader = channel.reader()](WorkerContext& ctx) {
                            load::consume_steps(reader, *static_cast<load::ChannelShared*>(ctx.shared));
                          });
      load::ChannelLoad producer(channel.writer(), *static_cast<load::ChannelShared*>(session.shared()), spins);
      const load::LoadRun run = load::run_load(producer, plan);
      producer.stop();
      std::vector<ObservedPlacement> placements = session.finish();  // throws WorkerFailure with B's first violation
      producer.check_totals();
      subject.notes = Channel::notes();
      load::publish_load_run(state, name, subject, plan, run, std::move(placements));
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void bm_pool(benchmark::State& state, const std::string& name, LoadSubject subject) {
  const BenchEnvironment& env = bench_environment();
  try {
    const LoadPlan plan = LoadPlan::for_run(env.config.quick);
    const pools::WorkCalibration calibration = pools::calibrate_work();
    const pools::ExpectedValues expected(calibration.steps_for_ns(kPoolTaskNs));
    for (auto _ : state) {
      pools::TaskPool pool(*env.topo, {subject.mode, {subject.pair.b}, subject.pair.a, name});
      load::PoolLoad submitter(pool, expected, spin_budget(subject.pair.a == subject.pair.b));
      const load::LoadRun run = load::run_load(submitter, plan);
      std::vector<ObservedPlacement> placements = pool.shutdown();
      subject.notes = {{"pool", "benches/pools/task_pool.hpp: one worker, MpmcRing task and result queues, idle "
                                "sides spin briefly then sleep on a futex"},
                       {"task_ns", kPoolTaskNs},
                       {"work_steps_per_task", expected.steps()},
                       {"tasks", submitter.tasks()}};
      load::publish_load_run(state, name, subject, plan, run, std::move(placements));
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// `name` with its placement segment (load/<primitive>/<mode>/<class>/...) naming another class.
std::string replace_class(const std::string& name, PairClass from, PairClass to) {
  std::vector<std::string> segments = split_benchmark_name(name);
  if (segments.size() > 3 && segments[3] == to_string(from)) segments[3] = std::string(to_string(to));
  return join_benchmark_name(segments);
}

// shared-l3 first, then the other classes nearest first, same-pu last.
const PairClassPlan& load_pair_class(const PairPlan& plan) {
  if (plan.get(PairClass::shared_l3).present) return plan.get(PairClass::shared_l3);
  for (const PairClassPlan& c : plan.classes)
    if (c.present && c.cls != PairClass::same_pu) return c;
  return plan.get(PairClass::same_pu);
}

void register_load(const BenchEnvironment& env) {
  const PairClassPlan& pair = load_pair_class(env.pairs);
  const auto subject = [&](const char* primitive, ExecMode mode, const char* unit, const char* counter,
                           const char* sample, const char* checks) {
    return LoadSubject{primitive, mode, pair.cls, pair.pairs.front(), unit, counter, sample, checks, {}};
  };
  const PairClassPlan& preferred = env.pairs.get(PairClass::shared_l3);
  const auto add = [&](const std::string& name, auto body) {
    // One iteration is the whole sweep of offered rates; Google Benchmark
    // appends /iterations:1/manual_time, the record keeps the registered name.
    register_bench(name, body, TimeBase::manual)->Iterations(1);
    // The name a user looks for says why it is missing and where to look instead.
    if (!preferred.present && !env.config.quick)
      register_unavailable(replace_class(name, pair.cls, PairClass::shared_l3),
                           fmt::format("placement class shared-l3 is absent: {}; measured on {} instead",
                                       preferred.reason, to_string(pair.cls)));
  };
  const char* message_checks = "sequence + checksum on every message (contiguous), exactly-once by count and digest";
  for (const auto& [primitive, body] :
       {std::pair{"pipe", &bm_channel<load::PipeChannel>}, std::pair{"spsc-ring", &bm_channel<load::RingChannel>}}) {
    const LoadSubject s = subject(primitive, ExecMode::processes, "msgs/s", "msgs_per_s",
                                  "one message, intended send until received", message_checks);
    add(bench_name("load", primitive, s.mode, s.cls),
        [s, body](benchmark::State& st, const std::string& n) { body(st, n, s); });
  }
  for (ExecMode mode : {ExecMode::threads, ExecMode::processes}) {
    const LoadSubject s = subject("pool", mode, "tasks/s", "tasks_per_s", "one task, intended submit until its result "
                                  "is collected", "each task's result exactly once (by id) with the right value");
    add(fmt::format("{}/{}us", bench_name("load", "pool", mode, s.cls), kPoolTaskNs / 1000),
        [s](benchmark::State& st, const std::string& n) { bm_pool(st, n, s); });
  }
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("load", primbench::register_load);
