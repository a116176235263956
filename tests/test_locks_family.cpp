// The locks family: every lock keeps mutual exclusion under contention, as
// threads and as processes; every lock's hand-off wakes its waiter exactly once
// per round; a robust mutex survives its holder's death; the fairness numbers
// are right on known input; and a broken count is reported as an error that
// names the lock and both counts.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include "benches/locks/contended.hpp"
#include "benches/locks/fairness.hpp"
#include "benches/locks/lock_adapters.hpp"
#include "benches/locks/wakeup.hpp"
#include "benches/locks/testing.hpp"

namespace primbench::locks {
namespace {

using test::live_topology;
using test::test_options;
using test::test_pus;

template <typename Lock>
class EveryLock : public ::testing::Test {};

using AllLocks = ::testing::Types<StdMutexLock, PthreadMutexLock, PthreadAdaptiveMutexLock, PthreadSpinLock, TtasLock,
                                  TicketSpinLock, RawFutexLock, SharedMutexLock<90>, SharedMutexLock<10>,
                                  RecursiveMutexLock<1>, RecursiveMutexLock<4>, RobustMutexLock, NamedSemaphoreLock>;

struct LockName {
  template <typename Lock>
  static std::string GetName(int) {
    return std::string(Lock::kName);
  }
};
TYPED_TEST_SUITE(EveryLock, AllLocks, LockName);

TYPED_TEST(EveryLock, KeepsMutualExclusionUnderContention) {
  constexpr std::uint64_t kAcquisitions = 20'000;
  const unsigned workers = std::clamp<unsigned>(static_cast<unsigned>(live_topology().allowed_pus().size()), 2, 4);
  for (ExecMode mode : modes_for(TypeParam::kProcessShared)) {
    SCOPED_TRACE(std::string(to_string(mode)));
    const GroupRun run = run_contended<TypeParam>(live_topology(), test_options(mode, test_pus(workers)),
                                                  ContendedParams{kAcquisitions, 50, 100});
    EXPECT_EQ(run.error, "");
    const auto per_worker = run.extra.at("acquisitions_per_worker").get<std::vector<std::uint64_t>>();
    ASSERT_EQ(per_worker.size(), workers);
    EXPECT_EQ(std::accumulate(per_worker.begin(), per_worker.end(), std::uint64_t{0}), run.operations);
    if constexpr (ReaderWriterLock<TypeParam>) {
      // The stop condition counts writes only: the total is near, not at, the target.
      EXPECT_EQ(run.extra.at("writes").get<std::uint64_t>(), write_target_for<TypeParam>(kAcquisitions));
      EXPECT_GT(run.operations, kAcquisitions / 2);
      EXPECT_LT(run.operations, kAcquisitions * 2);
    } else {
      EXPECT_EQ(run.operations, kAcquisitions);
      EXPECT_EQ(run.extra.at("writes").get<std::uint64_t>(), kAcquisitions);
    }
    EXPECT_GT(run.latency.count(), 0u) << "acquire waits are sampled";
    EXPECT_GT(run.wall.count(), 0);
  }
}

TYPED_TEST(EveryLock, HandsOffToItsWaiterOncePerRound) {
  test::expect_one_wake_up_per_round<LockHandOff<TypeParam>>(TypeParam::kProcessShared, 100, 8);
}

TYPED_TEST(EveryLock, IsUsableAgainAfterItsRun) {
  // init / lock / unlock / destroy in one place: the uncontended path.
  for (ExecMode mode : modes_for(TypeParam::kProcessShared)) {
    alignas(64) unsigned char memory[sizeof(TypeParam)] = {};
    Placed<TypeParam> lock(memory, sizeof memory, mode == ExecMode::processes);
    for (int i = 0; i < 3; ++i) {
      lock->lock();
      lock->unlock();
    }
  }
}

class RobustMutex : public ::testing::TestWithParam<ExecMode> {};

// The worker locks and ends without unlocking: its thread or process is gone.
std::chrono::nanoseconds die_holding(GroupWithState<RobustMutexLock>& group) {
  return group.run([](RobustMutexLock& lock, WorkerContext&) { lock.lock(); });
}

TEST_P(RobustMutex, ReportsADeadHolderWithEownerdeadAndRecovers) {
  GroupWithState<RobustMutexLock> group(live_topology(), test_options(GetParam(), test_pus(1)));
  die_holding(group);
  pthread_mutex_t& mutex = group.state().mutex;
  ASSERT_EQ(pthread_mutex_lock(&mutex), EOWNERDEAD) << "the holder's death was not detected";
  ASSERT_EQ(pthread_mutex_consistent(&mutex), 0);
  ASSERT_EQ(pthread_mutex_unlock(&mutex), 0);
  EXPECT_EQ(pthread_mutex_lock(&mutex), 0) << "recovered: an ordinary lock again";
  EXPECT_EQ(pthread_mutex_unlock(&mutex), 0);
}

TEST_P(RobustMutex, AdapterRecoversAndCountsTheRecovery) {
  GroupWithState<RobustMutexLock> group(live_topology(), test_options(GetParam(), test_pus(1)));
  die_holding(group);
  RobustMutexLock& lock = group.state();
  lock.lock();
  EXPECT_EQ(lock.recoveries, 1u);
  lock.unlock();
  lock.lock();
  EXPECT_EQ(lock.recoveries, 1u) << "only one holder died";
  lock.unlock();
}

std::string mode_name(const ::testing::TestParamInfo<ExecMode>& mode) { return std::string(to_string(mode.param)); }
INSTANTIATE_TEST_SUITE_P(Modes, RobustMutex, ::testing::Values(ExecMode::threads, ExecMode::processes), mode_name);

TEST(NamedSemaphoreLock, LeavesNoNameBehind) {
  namespace fs = std::filesystem;
  auto names_of_this_run = [] {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/dev/shm"))
      if (entry.path().filename().string().find(run_id()) != std::string::npos)
        found.push_back(entry.path().filename().string());
    return found;
  };
  alignas(64) unsigned char memory[sizeof(NamedSemaphoreLock)] = {};
  {
    Placed<NamedSemaphoreLock> lock(memory, sizeof memory, true);
    EXPECT_EQ(names_of_this_run(), std::vector<std::string>{}) << "unlinked right after sem_open";
    lock->lock();
    lock->unlock();
  }
  EXPECT_EQ(names_of_this_run(), std::vector<std::string>{});
}

struct FairnessCase {
  std::vector<std::uint64_t> acquisitions;
  Fairness expected;
};

TEST(Fairness, KnownInputs) {
  const FairnessCase cases[] = {
      {{250, 250, 250, 250}, {1000, 250, 0, 0, 0.25, 0.25}},              // perfectly fair
      {{1, 3}, {4, 2, 1, 0.5, 0.25, 0.75}},                                // population stddev: divides by n
      {{0, 10, 20}, {30, 10, 8.16496580927726, 0.816496580927726, 0, 2.0 / 3}},  // a starved worker
      {{7}, {7, 7, 0, 0, 1, 1}},
      {{0, 0}, {0, 0, 0, 0, 0, 0}},  // no acquisitions: no division by 0
      {{}, {0, 0, 0, 0, 0, 0}},
  };
  for (const FairnessCase& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.acquisitions));
    const Fairness f = fairness_of(c.acquisitions);
    EXPECT_EQ(f.total, c.expected.total);
    EXPECT_NEAR(f.mean, c.expected.mean, 1e-12);
    EXPECT_NEAR(f.stddev, c.expected.stddev, 1e-12);
    EXPECT_NEAR(f.cv, c.expected.cv, 1e-12);
    EXPECT_NEAR(f.min_share, c.expected.min_share, 1e-12);
    EXPECT_NEAR(f.max_share, c.expected.max_share, 1e-12);
  }
}

TEST(MutualExclusionCheck, NamesTheLockAndBothCounts) {
  EXPECT_EQ(mutual_exclusion_error("ticket_lock", 1000, 1000, 0), "");
  const std::string lost = mutual_exclusion_error("ticket_lock", 1000, 997, 0);
  EXPECT_NE(lost.find("ticket_lock"), std::string::npos) << lost;
  EXPECT_NE(lost.find("997"), std::string::npos) << lost;
  EXPECT_NE(lost.find("expected 1000"), std::string::npos) << lost;
  const std::string torn = mutual_exclusion_error("shared_mutex_read_heavy", 5, 5, 2);
  EXPECT_NE(torn.find("shared_mutex_read_heavy"), std::string::npos) << torn;
  EXPECT_NE(torn.find("2 shared sections"), std::string::npos) << torn;
}

TEST(LockHandOffCheck, CountsEveryHolder) {
  LockHandOff<TtasLock> handoff;
  handoff.begin(0);
  for (int round = 0; round < 3; ++round) {
    handoff.give(0);
    handoff.take(1);
  }
  handoff.finish(1, true);
  EXPECT_EQ(handoff.check(3), "");
  EXPECT_NE(handoff.check(4).find("ended at 4, expected 5"), std::string::npos) << handoff.check(4);
}

TEST(AcquisitionMix, ReadHeavyIsNinetyPercentShared) {
  AcquisitionMix<SharedMutexLock<90>> read_heavy(0);
  AcquisitionMix<SharedMutexLock<10>> write_heavy(1);
  AcquisitionMix<StdMutexLock> exclusive(2);
  int reads = 0, writes_heavy_reads = 0, exclusive_reads = 0;
  for (int i = 0; i < 10'000; ++i) {
    reads += read_heavy.next_is_shared();
    writes_heavy_reads += write_heavy.next_is_shared();
    exclusive_reads += exclusive.next_is_shared();
  }
  EXPECT_NEAR(reads, 9'000, 300);
  EXPECT_NEAR(writes_heavy_reads, 1'000, 300);
  EXPECT_EQ(exclusive_reads, 0);
}

TEST(BusyWork, CalibrationIsSaneAndScales) {
  const BusyWork& work = BusyWork::calibrated();
  EXPECT_GT(work.steps_per_ns(), 0.01) << "slower than 100 ns a step: miscalibrated";
  EXPECT_LT(work.steps_per_ns(), 100.0) << "faster than 100 steps a ns: folded away";
  EXPECT_EQ(work.steps_for_ns(0), 0u);
  EXPECT_LT(work.steps_for_ns(50), work.steps_for_ns(500));
  EXPECT_NE(BusyWork::run(10), BusyWork::run(11)) << "the chain depends on every step";
}

}  // namespace
}  // namespace primbench::locks
