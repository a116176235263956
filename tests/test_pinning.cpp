// Pinning is really applied on this machine, and refused where it would be fake.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "harness/pinning.hpp"

namespace primbench {
namespace {

TEST(Pinning, ThreadBindingIsAppliedAndReadBack) {
  const Topology t = Topology::load("live");
  for (unsigned pu : t.allowed_pus()) {
    std::thread([&] {
      pin_current(t, pu, PinScope::thread);
      cpu_set_t set;
      ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
      EXPECT_EQ(CPU_COUNT(&set), 1);
      EXPECT_TRUE(CPU_ISSET(pu, &set)) << "the kernel's own view agrees with hwloc's";
      volatile unsigned spin = 0;
      for (unsigned i = 0; i < 1'000'000; ++i) spin = spin + i;  // run there for a moment
      const ObservedPlacement obs = observe_current(t, pu, PinScope::thread);
      EXPECT_TRUE(obs.ok()) << "requested " << obs.requested_pu << " observed " << obs.observed_pu;
      EXPECT_EQ(sched_getcpu(), static_cast<int>(pu));
    }).join();
  }
}

TEST(Pinning, ProcessBindingInAForkedChild) {
  const Topology t = Topology::load("live");
  const unsigned pu = t.allowed_pus().back();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    pin_current(t, pu, PinScope::process);
    _exit(observe_current(t, pu, PinScope::process).ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Pinning, ScopedPinRestoresThePreviousBinding) {
  const Topology t = Topology::load("live");
  cpu_set_t before, after;
  sched_getaffinity(0, sizeof before, &before);
  { ScopedThreadPin pin(t, t.allowed_pus().front()); }
  sched_getaffinity(0, sizeof after, &after);
  EXPECT_TRUE(CPU_EQUAL(&before, &after));
}

TEST(Pinning, RefusedOnATopologyThatIsNotThisMachine) {
  const Topology t = Topology::load("synthetic:pack:1 core:2 pu:1");
  EXPECT_THROW(pin_current(t, 0, PinScope::thread), PinError);
  EXPECT_FALSE(observe_current(t, 0, PinScope::thread).ok());
}

TEST(Pinning, RefusedForAPuTheMachineDoesNotHave) {
  const Topology t = Topology::load("live");
  EXPECT_THROW(pin_current(t, 100000, PinScope::thread), PinError);
}

}  // namespace
}  // namespace primbench
