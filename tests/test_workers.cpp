// Worker groups: pinned, released together, results back through shared
// memory, failures and hangs reported by worker and PU, nothing left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "harness/deliberate_crash.hpp"
#include "harness/status_channel.hpp"
#include "harness/workers.hpp"

namespace primbench {
namespace {

class Workers : public ::testing::TestWithParam<ExecMode> {
 protected:
  Topology topo = Topology::load("live");
  std::vector<unsigned> pus(unsigned n) {
    std::vector<unsigned> out;
    const auto allowed = topo.allowed_pus();
    for (unsigned i = 0; i < n; ++i) out.push_back(allowed[i % allowed.size()]);
    return out;
  }
  WorkerGroup::Options options(unsigned n, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    return {GetParam(), pus(n), 4096, "test-group", deadline};
  }
};

bool no_children_left() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

TEST_P(Workers, EveryWorkerRunsPinnedAndReportsBack) {
  WorkerGroup group(topo, options(4));
  group.run([](WorkerContext& ctx) {
    auto* cells = static_cast<std::atomic<std::uint64_t>*>(ctx.shared);
    cells[ctx.index].store(ctx.index + 100);
    ctx.slot->counters[0] = ctx.index;
    ctx.slot->latency.record(1000 * (ctx.index + 1));
  });
  auto* cells = static_cast<std::atomic<std::uint64_t>*>(group.shared());
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(cells[i].load(), i + 100) << "worker " << i << " wrote through shared memory";
    EXPECT_EQ(group.slots()[i].counters[0], i);
    EXPECT_TRUE(group.slots()[i].placement.ok()) << "worker " << i;
    EXPECT_EQ(group.slots()[i].placement.requested_pu, static_cast<int>(pus(4)[i]));
  }
  EXPECT_EQ(group.merged_latency().count(), 4u);
  EXPECT_EQ(group.merged_latency().max(), 4000u);
  EXPECT_TRUE(no_children_left());
}

TEST_P(Workers, WorkersStartOnlyWhenReleased) {
  WorkerGroup group(topo, options(2));
  group.launch([](WorkerContext& ctx) { static_cast<std::atomic<int>*>(ctx.shared)[ctx.index].store(1); });
  group.wait_ready();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto* flags = static_cast<std::atomic<int>*>(group.shared());
  EXPECT_EQ(flags[0].load() + flags[1].load(), 0) << "nothing ran before the gate opened";
  group.release();
  group.join();
  EXPECT_EQ(flags[0].load() + flags[1].load(), 2);
}

TEST_P(Workers, AFailingWorkerIsNamed) {
  WorkerGroup group(topo, options(2));
  try {
    group.run([](WorkerContext& ctx) {
      if (ctx.index == 1) throw std::runtime_error("lost message 17");
    });
    FAIL() << "failure not reported";
  } catch (const WorkerFailure& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("test-group"), std::string::npos) << what;
    EXPECT_NE(what.find("worker 1"), std::string::npos) << what;
    EXPECT_NE(what.find("lost message 17"), std::string::npos) << what;
  }
  EXPECT_TRUE(no_children_left());
}

INSTANTIATE_TEST_SUITE_P(Modes, Workers, ::testing::Values(ExecMode::threads, ExecMode::processes),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

TEST(WorkerProcesses, ACrashedWorkerIsReportedWithItsSignal) {
  const Topology topo = Topology::load("live");
  WorkerGroup group(topo, {ExecMode::processes, {topo.allowed_pus().front()}, 0, "crash-test", std::chrono::seconds(20)});
  try {
    group.run([](WorkerContext&) { die_of_sigsegv(); });
    FAIL();
  } catch (const WorkerFailure& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 11"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(no_children_left());
}

TEST(WorkerProcesses, AHungWorkerIsKilledAtTheDeadlineAndReaped) {
  const Topology topo = Topology::load("live");
  WorkerGroup group(topo, {ExecMode::processes, {topo.allowed_pus().front()}, 0, "hang-test [same-pu]",
                           std::chrono::milliseconds(300)});
  const auto start = std::chrono::steady_clock::now();
  try {
    group.run([](WorkerContext&) { pause(); });
    FAIL();
  } catch (const WorkerFailure& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("hang-test [same-pu]"), std::string::npos) << what;
    EXPECT_NE(what.find("worker 0 (process on PU"), std::string::npos) << what;
    EXPECT_NE(what.find("did not finish"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(no_children_left());
}

TEST(WorkerThreads, AHungThreadEndsTheProcessWithAReport) {
  EXPECT_EXIT(
      {
        const Topology topo = Topology::load("live");
        WorkerGroup group(topo, {ExecMode::threads, {topo.allowed_pus().front()}, 0, "thread-hang",
                                 std::chrono::milliseconds(200)});
        group.run([](WorkerContext&) {
          for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
        });
      },
      ::testing::ExitedWithCode(kExitWorkerHung), "thread-hang: worker 0 \\(thread on PU [0-9]+\\) did not finish");
}

TEST(WorkerProcesses, ForkIsRefusedFromAMultiThreadedProcess) {
  std::atomic<bool> stop{false};
  std::thread extra([&] {
    while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  EXPECT_THROW(require_single_threaded("test"), std::logic_error);
  stop = true;
  extra.join();
  EXPECT_NO_THROW(require_single_threaded("test"));
}

}  // namespace
}  // namespace primbench
