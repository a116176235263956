// The countdown and spawn families: every countdown ends at exactly 0 and
// really runs (twice the count, twice the CPU time); every way of creating a
// thread or process that the spawn family times leaves nothing behind (no
// zombie, no unjoined thread) and reports a child that did not end cleanly.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "benches/countdown/countdown_loop.hpp"
#include "benches/countdown/countdown_run.hpp"
#include "benches/countdown/worker_sweep.hpp"
#include "benches/pools/creation.hpp"
#include "benches/pools/fork_server.hpp"
#include "harness/peer_session.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using countdown::Split;

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU time of one countdown of `count` steps.
double countdown_cpu_ns(std::uint64_t count) {
  const double t0 = thread_cpu_ns();
  EXPECT_EQ(countdown::count_down(count), 0u);
  return thread_cpu_ns() - t0;
}

TEST(Countdown, EndsAtExactlyZero) {
  EXPECT_EQ(countdown::count_down(0), 0u);
  EXPECT_EQ(countdown::count_down(1), 0u);
  EXPECT_EQ(countdown::count_down(123'457), 0u);
}

TEST(Countdown, TimeScalesLinearlyWithTheCount) {
  // A loop the compiler shortened or removed would take the same time for
  // any count; a real one takes twice the CPU time for twice the count.
  constexpr std::uint64_t kCount = 20'000'000;
  // The fastest of seven of each, taken in turns: on a loaded VM a run can
  // lose its PU for a while (steal time counts as CPU time) or share a host
  // core with a neighbour's burst; measuring C and 2C alternately gives both
  // the same conditions (measured all of C first, then all of 2C, a parallel
  // test's load ending in between made the ratio 1.08).
  double once = 0, twice = 0;
  for (int trial = 0; trial < 7; ++trial) {
    const double c = countdown_cpu_ns(kCount), c2 = countdown_cpu_ns(2 * kCount);
    once = trial == 0 ? c : std::min(once, c);
    twice = trial == 0 ? c2 : std::min(twice, c2);
  }
  ASSERT_GT(once, 1e6) << "20M steps in under 1 ms: the loop was not kept";
  const double ratio = twice / once;
  EXPECT_GE(ratio, 1.5) << "time(2C)/time(C) = " << ratio;
  EXPECT_LE(ratio, 3.0) << "time(2C)/time(C) = " << ratio;
}

TEST(Countdown, SharesAddUpToTheCount) {
  const auto split = countdown::countdown_shares(10, 3, Split::split);
  EXPECT_EQ(split, (std::vector<std::uint64_t>{4, 3, 3}));
  const auto full = countdown::countdown_shares(10, 3, Split::full);
  EXPECT_EQ(full, (std::vector<std::uint64_t>{10, 10, 10}));
}

class CountdownRun : public ::testing::TestWithParam<ExecMode> {
 protected:
  Topology topo = Topology::load("live");
};

TEST_P(CountdownRun, EveryWorkerCountsItsShareDownToZero) {
  const std::vector<unsigned> pus = topo.allowed_pus();
  constexpr std::uint64_t kCount = 3'000'001;  // not divisible by the worker count
  for (Split split : {Split::split, Split::full}) {
    const auto shares = countdown::countdown_shares(kCount, static_cast<unsigned>(pus.size()), split);
    const auto out = countdown::run_countdown(topo, GetParam(), pus, shares, "countdown-test");
    EXPECT_EQ(countdown::countdown_problem(out, shares), "");
    std::uint64_t asked = 0;
    for (const auto& c : out.counts) {
      EXPECT_EQ(c.ended, 0u);
      asked += c.asked;
    }
    EXPECT_EQ(asked, split == Split::split ? kCount : kCount * pus.size());
    EXPECT_GT(out.wall.count(), 0);
    for (const auto& p : out.placements) EXPECT_TRUE(p.ok()) << "worker on PU " << p.requested_pu;
    for (auto cpu : out.cpu_ns) EXPECT_GT(cpu, 0);
  }
  EXPECT_TRUE(creation::no_children_left());
}

INSTANTIATE_TEST_SUITE_P(Modes, CountdownRun, ::testing::Values(ExecMode::threads, ExecMode::processes),
                         [](const auto& param) { return std::string(to_string(param.param)); });

TEST(Countdown, AWorkerThatDidNotEndAtZeroIsNamed) {
  countdown::CountdownOutcome out;
  out.counts = {{5, 0, 1}, {5, 2, 1}};
  EXPECT_NE(countdown::countdown_problem(out, {5, 5}).find("worker 1 ended its countdown at 2"), std::string::npos);
  out.counts = {{5, 0, 1}, {4, 0, 1}};
  EXPECT_NE(countdown::countdown_problem(out, {5, 5}).find("worker 1 counted from 4, expected 5"), std::string::npos);
  out.counts = {{5, 0, 1}, {5, 0, 0}};
  EXPECT_NE(countdown::countdown_problem(out, {5, 5}).find("worker 1 never reported"), std::string::npos);
}

TEST(WorkerSweep, VisitsEveryCountOnSmallMachinesAndTheKneesOnLargeOnes) {
  EXPECT_EQ(sweep::worker_counts(2, 2, false), (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(sweep::worker_counts(6, 6, true), (std::vector<unsigned>{1, 6}));
  // 48 PUs on 24 cores: powers of two, the core count and one past it, the capacity.
  EXPECT_EQ(sweep::worker_counts(48, 24, false), (std::vector<unsigned>{1, 2, 4, 8, 16, 24, 25, 32, 48}));
}

TEST(WorkerSweep, SaysWhichWorkersShareACore) {
  const Topology smt = Topology::load("synthetic:pack:1 core:2 pu:2");
  const auto compact = plan_workers(smt, {2, Policy::compact, {}, false});
  const auto together = sweep::describe_core_sharing(smt, compact.pus);
  EXPECT_EQ(together["cores_used"], 1);
  EXPECT_EQ(together["workers_sharing_a_core"], 2);
  EXPECT_EQ(together["workers"][0]["core_shared_with_workers"], nlohmann::json::array({1}));
  const auto cores = plan_workers(smt, {2, Policy::cores, {}, false});
  const auto apart = sweep::describe_core_sharing(smt, cores.pus);
  EXPECT_EQ(apart["cores_used"], 2);
  EXPECT_EQ(apart["workers_sharing_a_core"], 0);
}

// --- creation primitives ----------------------------------------------------

class Creation : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(creation::no_children_left()) << "the test process has children already"; }
  void TearDown() override { EXPECT_TRUE(creation::no_children_left()) << "a child was left unreaped"; }
};

TEST_F(Creation, ForkedChildrenAreReaped) {
  for (int i = 0; i < 5; ++i) creation::fork_and_reap([] { return 0; });
}

TEST_F(Creation, PinnedThreadsRunWhereTheirAttributeSays) {
  const Topology topo = Topology::load("live");
  const unsigned target = topo.allowed_pus().back();
  const creation::PinnedThreadAttr attr(target);
  int cpu = -1;
  auto body = [&] { cpu = sched_getcpu(); };
  for (int i = 0; i < 3; ++i) {
    attr.run_and_join(body);
    EXPECT_EQ(cpu, static_cast<int>(target));
  }
}

TEST_F(Creation, ExecutedProgramsAreReaped) {
  const creation::ExecArgs bin_true{"/bin/true", {"true"}};
  const creation::ExecArgs version{test::primbench_exe(), {"primbench", "version"}};
  const creation::Spawner spawner;
  const creation::VforkExecer vforker;
  const creation::ForkExecer forker;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(spawner.run_and_reap(bin_true), 0);
    EXPECT_EQ(vforker.run_and_reap(bin_true), 0);
    EXPECT_EQ(forker.run_and_reap(version), 0);
  }
}

TEST_F(Creation, AChildThatFailsIsReportedWithHowItEnded) {
  try {
    creation::fork_and_reap([] { return 7; }, "the test child");
    FAIL() << "a child exiting 7 passed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("the test child exited with status 7"), std::string::npos) << e.what();
  }
  try {
    creation::fork_and_reap([] { return raise(SIGKILL); });
    FAIL() << "a killed child passed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("killed by signal 9"), std::string::npos) << e.what();
  }
  EXPECT_EQ(WEXITSTATUS(creation::Spawner().run_and_reap({"/bin/false", {"false"}})), 1);
  EXPECT_EQ(WEXITSTATUS(creation::VforkExecer().run_and_reap({"/no/such/program", {"x"}})), 127);
  // A child placed on one PU that finds itself elsewhere says so (no PU has this number).
  const int status = creation::reap(creation::fork_child([] { return creation::exit_ok_on(CPU_SETSIZE + 1); }));
  EXPECT_EQ(WEXITSTATUS(status), creation::kExitWrongPu);
}

TEST_F(Creation, TheForkServerReportsEachChildAndReapsIt) {
  const Topology topo = Topology::load("live");
  const auto allowed = topo.allowed_pus();
  const PuPair pair{allowed.front(), allowed.back()};
  std::vector<ObservedPlacement> placements;
  {
    creation::ForkServerLink link;
    PeerSession session(topo, ExecMode::processes, pair, 64, "forkserver-test", [&link](WorkerContext& ctx) {
      link.close_client_end();
      creation::serve_forks(link.server_fd(), ctx.pu);
    });
    link.close_server_end();
    creation::ForkServerClient client(link.client_fd());
    std::vector<pid_t> pids;
    for (int i = 0; i < 5; ++i) {
      const pid_t pid = client.request_child();
      ASSERT_GT(pid, 0);
      EXPECT_EQ(client.wait_exit(pid), 0) << "the child ran off the server's PU or failed";
      // The server reaped it: not even a zombie is left to signal.
      EXPECT_EQ(kill(pid, 0), -1);
      EXPECT_EQ(errno, ESRCH);
      pids.push_back(pid);
    }
    std::sort(pids.begin(), pids.end());
    EXPECT_EQ(std::unique(pids.begin(), pids.end()), pids.end()) << "each request forks a new child";
    client.quit();
    placements = session.finish();
  }
  ASSERT_EQ(placements.size(), 2u);
  EXPECT_TRUE(placements[1].ok()) << "the server runs on its PU";
}

// --- the families as a user runs them --------------------------------------

// Runs one family's quick suite and returns the result document.
nlohmann::json run_quick_family(const std::string& family) {
  const fs::path out = test::scratch_dir("psc");
  const auto r = test::run_primbench({"run", "--quick", "--family", family, "--out", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  fs::remove_all(out);
  EXPECT_TRUE(test::primbench_segments().empty());
  return doc;
}

// Every entry measured (or unavailable for a missing placement class), with
// its record: placements checked, a latency distribution.
void expect_measured_with_records(const nlohmann::json& doc, const std::string& family) {
  ASSERT_FALSE(doc["benchmarks"].empty());
  for (const auto& e : doc["benchmarks"]) {
    const std::string name = e["name"];
    EXPECT_EQ(name.rfind(family + "/", 0), 0u) << name;
    if (e.value("error_occurred", false)) {
      EXPECT_NE(e["error_message"].get<std::string>().find("unavailable"), std::string::npos) << name << ": " << e["error_message"];
      continue;
    }
    const auto& rec = doc["primbench"]["benchmarks"][e["run_name"].get<std::string>()];
    ASSERT_FALSE(rec.is_null()) << "no record for " << name;
    EXPECT_EQ(rec["family"], family) << name;
    EXPECT_TRUE(rec["placement"]["all_ok"].get<bool>()) << name;
    EXPECT_GT(rec["latency"]["percentiles"]["count"].get<double>(), 0) << name;
  }
}

TEST(CountdownFamily, QuickRunEndsAtZeroEverywhereWithSpeedupsInEachEntry) {
  setenv("PRIMBENCH_COUNTDOWN_COUNT", "2000000", 1);  // the test checks shape, not speed
  const auto doc = run_quick_family("countdown");
  unsetenv("PRIMBENCH_COUNTDOWN_COUNT");
  expect_measured_with_records(doc, "countdown");
  for (const auto& e : doc["benchmarks"]) {
    if (e.value("error_occurred", false)) continue;  // judged by expect_measured_with_records
    const auto& extra = doc["primbench"]["benchmarks"][e["run_name"].get<std::string>()]["extra"];
    const std::string name = e["name"];
    EXPECT_EQ(extra["count"], 2000000) << name;
    EXPECT_TRUE(extra["all_workers_ended_at_zero"].get<bool>()) << name;
    EXPECT_GT(extra["speedup"].get<double>(), 0) << name;
    EXPECT_GT(extra["baseline_one_thread"]["median_wall_ns"].get<double>(), 0) << name;
    EXPECT_EQ(extra["core_sharing"]["workers"].size(), extra["workers"].get<std::size_t>()) << name;
    EXPECT_EQ(extra.contains("process_thread_ratio"), name.find("/processes/") != std::string::npos) << name;
  }
}

TEST(SpawnFamily, QuickRunMeasuresEveryCreationAndLeavesNothingBehind) {
  const auto doc = run_quick_family("spawn");
  expect_measured_with_records(doc, "spawn");
  std::size_t fork_sizes = 0;
  for (const auto& e : doc["benchmarks"]) {
    const std::string name = e["name"];
    if (name.find("spawn/fork_wait/") != 0) continue;
    ++fork_sizes;
    const auto& extra = doc["primbench"]["benchmarks"][name]["extra"];
    EXPECT_EQ(extra["ballast_resident_bytes"].get<double>(), extra["ballast_mib"].get<double>() * 1024 * 1024) << name;
  }
  EXPECT_EQ(fork_sizes, 2u) << "quick mode forks from two resident sizes";
}

}  // namespace
}  // namespace primbench
