// The sync family: every doorbell's ping-pong and every fan-out delivers
// exactly one wake-up per waiter per round, as threads and as processes, with
// no wake-up lost within a deadline; semaphores count exactly; eventfd reports
// merged wake-ups; events keep their set / clear / wait contract; barriers hold
// every party until the last arrives.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "benches/locks/fanout.hpp"
#include "benches/locks/sync_adapters.hpp"
#include "benches/locks/testing.hpp"
#include "benches/locks/wakeup.hpp"

namespace primbench::locks {
namespace {

using test::live_topology;
using test::test_options;
using test::test_pus;

struct PrimName {
  template <typename Prim>
  static std::string GetName(int) {
    return std::string(Prim::kName);
  }
};

template <typename Prim>
class EveryDoorbell : public ::testing::Test {};
using Doorbells = ::testing::Types<StdSemaphoreSync, PosixSemaphoreSync, EventFdSync, EventSync<FutexEvent>,
                                   EventSync<CondvarEvent>, CondvarSync<StdCondPair>, CondvarSync<PthreadCondPair>>;
TYPED_TEST_SUITE(EveryDoorbell, Doorbells, PrimName);

TYPED_TEST(EveryDoorbell, PingPongWakesEachSideOncePerRound) {
  test::expect_one_wake_up_per_round<BellHandOff<TypeParam>>(TypeParam::kProcessShared, 200, 200);
}

TYPED_TEST(EveryDoorbell, UncontendedCycleNeverBlocks) {
  for (ExecMode mode : modes_for(TypeParam::kProcessShared)) {
    alignas(64) unsigned char memory[sizeof(TypeParam)] = {};
    Placed<TypeParam> prim(memory, sizeof memory, mode == ExecMode::processes, 1u);
    for (int i = 0; i < 100; ++i) prim->cycle();
  }
}

template <typename Prim>
class EveryFanOut : public ::testing::Test {};
using FanOuts = ::testing::Types<EventSync<FutexEvent>, EventSync<CondvarEvent>, CondvarSync<StdCondPair>,
                                 CondvarSync<PthreadCondPair>, StdBarrierSync, PthreadBarrierSync>;
TYPED_TEST_SUITE(EveryFanOut, FanOuts, PrimName);

TYPED_TEST(EveryFanOut, ReleasesEveryWaiterOncePerRound) {
  constexpr std::uint64_t kRounds = 100;
  constexpr unsigned kWorkers = 3;  // a waker and two waiters, oversubscribed on a 2-PU machine
  for (ExecMode mode : modes_for(TypeParam::kProcessShared)) {
    SCOPED_TRACE(std::string(to_string(mode)));
    const GroupRun run = run_fanout<TypeParam>(live_topology(), test_options(mode, test_pus(kWorkers)), kRounds);
    EXPECT_EQ(run.error, "");
    EXPECT_EQ(run.latency.count(), kRounds * (kWorkers - 1));
    EXPECT_EQ(run.extra.at("all_woken_ns").at("count").get<std::uint64_t>(), kRounds);
  }
}

TEST(Semaphores, DeliverExactlyWhatWasPosted) {
  StdSemaphoreSync std_sem;
  PosixSemaphoreSync posix_sem;
  posix_sem.init(false, 1);
  for (int i = 0; i < 5; ++i) {
    std_sem.ring(1);
    posix_sem.ring(1);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(std_sem.sems[1].try_acquire()) << "post " << i;
    EXPECT_EQ(sem_trywait(&posix_sem.sems[1]), 0) << "post " << i;
  }
  EXPECT_FALSE(std_sem.sems[1].try_acquire()) << "one more than was posted";
  EXPECT_NE(sem_trywait(&posix_sem.sems[1]), 0) << "one more than was posted";
  EXPECT_FALSE(std_sem.sems[0].try_acquire()) << "the other side's bell was never rung";
  posix_sem.destroy();
}

TEST(EventFd, AReadMustSeeExactlyOneWakeUp) {
  EventFdSync bell;
  bell.init(false, 2);
  bell.ring(0);
  EXPECT_NO_THROW(bell.wait(0));
  bell.ring(0);
  bell.ring(0);  // two wake-ups merged into one read: the check must notice
  EXPECT_THROW(bell.wait(0), std::runtime_error);
  bell.destroy();
}

template <typename Event>
class EveryEvent : public ::testing::Test {};
using Events = ::testing::Types<FutexEvent, CondvarEvent>;
TYPED_TEST_SUITE(EveryEvent, Events, PrimName);

TYPED_TEST(EveryEvent, SetClearWait) {
  TypeParam event;
  event.init(false);
  EXPECT_FALSE(event.is_set());
  event.set();
  EXPECT_TRUE(event.is_set());
  event.wait();  // returns at once
  event.clear();
  EXPECT_FALSE(event.is_set());

  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    event.wait();
    woke = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(woke) << "a cleared event must block its waiter";
  event.set();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!woke && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(woke) << "set did not wake the waiter within 5 s";
  if (!woke) std::abort();  // the waiter would never be joined
  waiter.join();
  event.destroy();
}

// Every party adds itself before the barrier and checks after it that all of
// this round's parties did: a barrier that let anyone through early fails.
template <typename Barrier>
struct BarrierRound {
  Barrier barrier;
  alignas(64) std::atomic<std::uint64_t> arrivals{0};
  std::atomic<std::uint64_t> early{0};
  void init(bool process_shared, unsigned parties) { barrier.init(process_shared, parties); }
  void destroy() { barrier.destroy(); }
};

template <typename Barrier>
class EveryBarrier : public ::testing::Test {};
using Barriers = ::testing::Types<StdBarrierSync, PthreadBarrierSync>;
TYPED_TEST_SUITE(EveryBarrier, Barriers, PrimName);

TYPED_TEST(EveryBarrier, HoldsEveryPartyUntilTheLastArrives) {
  constexpr unsigned kParties = 3;
  constexpr std::uint64_t kRounds = 200;
  for (ExecMode mode : modes_for(TypeParam::kProcessShared)) {
    SCOPED_TRACE(std::string(to_string(mode)));
    GroupWithState<BarrierRound<TypeParam>> group(live_topology(), test_options(mode, test_pus(kParties)), kParties);
    group.run([](BarrierRound<TypeParam>& s, WorkerContext&) {
      for (std::uint64_t r = 1; r <= kRounds; ++r) {
        s.arrivals.fetch_add(1);
        s.barrier.fan_wait(r);
        if (s.arrivals.load() < kParties * r) s.early.fetch_add(1);
        s.barrier.fan_wait(r);  // nobody starts round r + 1 before everyone checked round r
      }
    });
    EXPECT_EQ(group.state().early.load(), 0u);
    EXPECT_EQ(group.state().arrivals.load(), kParties * kRounds);
  }
}

}  // namespace
}  // namespace primbench::locks
