// The pool family: every pool, as threads and as processes, returns every
// task's result exactly once and right, whatever the operation; a task that
// throws is reported with its message and the pool goes on; the checks catch
// a duplicated, wrong or missing result; the fresh-worker baselines compute
// the same values and leave no child behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "benches/pools/creation.hpp"
#include "benches/pools/fresh_worker.hpp"
#include "benches/pools/pool_ops.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using pools::PoolRunner;
using pools::PoolStats;
using pools::TaskPool;

constexpr std::uint64_t kSteps = 200;  // a few hundred ns of work per item

class Pool : public ::testing::TestWithParam<ExecMode> {
 protected:
  Topology topo = Topology::load("live");
  pools::ExpectedValues expected{kSteps};

  // A worker on every allowed PU (at most 4): the submitter shares worker 0's.
  TaskPool::Options options() {
    auto pus = topo.allowed_pus();
    if (pus.size() > 4) pus.resize(4);
    return {GetParam(), pus, pus.front(), "pool-test", std::chrono::seconds(10)};
  }
};

TEST_P(Pool, EveryOperationReturnsEveryResultExactlyOnce) {
  PoolStats stats;
  std::vector<ObservedPlacement> placements;
  std::uint64_t expected_tasks = 0;
  std::vector<std::pair<double, double>> per_worker;
  {
    TaskPool pool(topo, options());
    PoolRunner runner(pool, expected, stats);
    for (int i = 0; i < 20; ++i) runner.apply();
    runner.apply_async(300);
    runner.map(1000, 1);
    runner.map(1000, 16);
    runner.map(1000, 256);
    runner.map(1000, 7);  // a last, shorter chunk
    runner.imap_unordered(1000);
    expected_tasks = 20 + 300 + 1000 + 63 + 4 + 143 + 1000;
    EXPECT_EQ(runner.next_item(), 20u + 300 + 5 * 1000);
    placements = pool.shutdown();
    per_worker = pool.worker_totals();
  }
  EXPECT_EQ(stats.tasks, expected_tasks);
  EXPECT_EQ(stats.items, 20u + 300 + 5 * 1000);
  EXPECT_EQ(stats.submit_to_result.count(), expected_tasks);
  EXPECT_EQ(stats.submit_to_start.count(), expected_tasks);
  EXPECT_EQ(stats.first_result.count(), 1u) << "one imap_unordered round";
  double by_workers = 0;
  for (const auto& [tasks, ns] : per_worker) by_workers += tasks;
  EXPECT_EQ(by_workers, static_cast<double>(expected_tasks));
  ASSERT_EQ(placements.size(), options().worker_pus.size() + 1);
  for (const auto& p : placements) EXPECT_TRUE(p.ok()) << "PU " << p.requested_pu;
  EXPECT_TRUE(creation::no_children_left());
}

TEST_P(Pool, AFailingTaskIsReportedAndThePoolGoesOn) {
  PoolStats stats;
  TaskPool pool(topo, options());
  PoolRunner runner(pool, expected, stats);
  runner.fail_item(runner.next_item() + 37);
  try {
    runner.map(100, 16);
    FAIL() << "the failed task was lost";
  } catch (const pools::TaskFailed& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("1 of the tasks failed"), std::string::npos) << what;
    EXPECT_NE(what.find("injected failure in item 32"), std::string::npos) << what << " (the chunk starting at item 32)";
  }
  EXPECT_EQ(pool.in_flight(), 0u) << "every other result was still collected";
  EXPECT_EQ(stats.tasks, 7u);
  runner.fail_item(runner.next_item());
  EXPECT_THROW(runner.apply(), pools::TaskFailed);
  runner.apply();  // the pool serves on
  runner.map(100, 16);
  pool.shutdown();
}

INSTANTIATE_TEST_SUITE_P(Modes, Pool, ::testing::Values(ExecMode::threads, ExecMode::processes),
                         [](const auto& param) { return std::string(to_string(param.param)); });

// The ledger on hand-made results: each kind of broken delivery is caught.
class Ledger : public ::testing::Test {
 protected:
  pools::ExpectedValues expected{kSteps};
  std::vector<pools::ItemSlot> items = std::vector<pools::ItemSlot>(pools::kMaxItems);
  PoolStats stats;

  pools::Task task(std::uint64_t id, std::uint64_t first, std::uint32_t n) {
    pools::Task t;
    t.id = id;
    t.first_item = first;
    t.items = n;
    t.steps = kSteps;
    return t;
  }
  // What an honest worker would send, and the item slots it would fill.
  pools::Result honest(const pools::Task& t) { return pools::run_task(t, items.data(), 0); }
  std::string settle_error(pools::ResultLedger& ledger) {
    try {
      ledger.settle();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(Ledger, AcceptsAnHonestDelivery) {
  pools::ResultLedger ledger(expected);
  const auto t = task(1, 0, 8);
  ledger.expect(1, t);
  ledger.accept(honest(t), items.data(), stats, 0);
  EXPECT_EQ(settle_error(ledger), "");
}

TEST_F(Ledger, CatchesADuplicate) {
  pools::ResultLedger ledger(expected);
  const auto t = task(1, 0, 1);
  ledger.expect(1, t);
  const auto r = honest(t);
  ledger.accept(r, items.data(), stats, 0);
  ledger.accept(r, items.data(), stats, 0);
  EXPECT_NE(settle_error(ledger).find("task 1 that is not outstanding"), std::string::npos);
}

TEST_F(Ledger, CatchesAWrongValueAndAnItemWrittenTwice) {
  pools::ResultLedger ledger(expected);
  const auto t = task(1, 0, 2);
  ledger.expect(1, t);
  auto r = honest(t);
  items[1].value.store(42);
  ledger.accept(r, items.data(), stats, 0);
  EXPECT_NE(settle_error(ledger).find("item 1 (task 1): value 0x2a"), std::string::npos);

  pools::ResultLedger again(expected);
  again.expect(2, task(2, 0, 2));
  r = honest(task(2, 0, 2));
  items[0].writes.fetch_add(1);
  again.accept(r, items.data(), stats, 0);
  EXPECT_NE(settle_error(again).find("item 0 (task 2) was written 2 times"), std::string::npos);
}

TEST_F(Ledger, CatchesAMissingResult) {
  pools::ResultLedger ledger(expected);
  ledger.expect(1, task(1, 0, 1));
  ledger.expect(2, task(2, 1, 1));
  ledger.accept(honest(task(1, 0, 1)), items.data(), stats, 0);
  EXPECT_NE(settle_error(ledger).find("1 tasks never returned a result (first: task 2)"), std::string::npos);
}

TEST(FreshWorkers, ComputeTheSameValuesAndLeaveNoChild) {
  ASSERT_TRUE(creation::no_children_left());
  const Topology topo = Topology::load("live");
  const unsigned pu = topo.allowed_pus().back();
  const pools::ExpectedValues expected(kSteps);
  const pools::FreshThread thread(pu);
  const pools::ForkPerTask fork(pu);
  const pools::SpawnPerTask spawn;
  for (std::uint64_t item = 1; item <= 3; ++item) {
    const auto by_thread = thread.run(item, kSteps);
    EXPECT_EQ(by_thread.value, expected.of(item));
    EXPECT_EQ(by_thread.cpu, static_cast<int>(pu));
    const auto by_fork = fork.run(item, kSteps);
    EXPECT_EQ(by_fork.value, expected.of(item));
    EXPECT_EQ(by_fork.cpu, static_cast<int>(pu));
    EXPECT_EQ(spawn.run(item).value, pools::SpawnPerTask::expected(item));
  }
  EXPECT_TRUE(thread.probe(topo, pu).ok());
  EXPECT_TRUE(fork.probe(topo).ok());
  EXPECT_TRUE(creation::no_children_left());
}

TEST(TaskWork, IsCalibratedAgainstTheClock) {
  const auto cal = pools::calibrate_work();
  EXPECT_GT(cal.steps_per_us, 10) << "at least 10 steps per microsecond on any machine";
  EXPECT_LT(cal.steps_per_us, 100'000);
  EXPECT_EQ(cal.steps_for_ns(0), 0u);
  EXPECT_NEAR(static_cast<double>(cal.steps_for_ns(100'000)), cal.steps_per_us * 100, 1);
}

TEST(PoolFamily, QuickRunChecksEveryResultOfEveryPool) {
  const fs::path out = test::scratch_dir("pool");
  const auto r = test::run_primbench({"run", "--quick", "--family", "pool", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  const auto doc = nlohmann::json::parse(in);
  fs::remove_all(out);
  EXPECT_TRUE(test::primbench_segments().empty());
  ASSERT_FALSE(doc["benchmarks"].empty());
  for (const auto& e : doc["benchmarks"]) {
    const std::string name = e["name"];
    ASSERT_FALSE(e.value("error_occurred", false)) << name << ": " << e.value("error_message", "");
    const auto& rec = doc["primbench"]["benchmarks"][e["run_name"].get<std::string>()];
    ASSERT_FALSE(rec.is_null()) << name;
    EXPECT_TRUE(rec["placement"]["all_ok"].get<bool>()) << name;
    EXPECT_GT(rec["extra"]["tasks"].get<double>(), 0) << name;
    EXPECT_EQ(rec["latency"]["percentiles"]["count"], rec["extra"]["tasks"]) << name << ": one latency per task";
    EXPECT_GT(e["tasks_per_s"].get<double>(), 0) << name;
  }
}

}  // namespace
}  // namespace primbench
