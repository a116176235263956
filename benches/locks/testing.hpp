// Shared by tests/test_locks_family.cpp and tests/test_sync_family.cpp: the
// live machine, worker PUs for a test, and group options with a deadline short
// enough that a lost wake-up fails the test instead of hanging it.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "benches/locks/group_run.hpp"
#include "benches/locks/wakeup.hpp"
#include "harness/topology.hpp"

namespace primbench::locks::test {

inline const Topology& live_topology() {
  static const Topology topo = Topology::load("live");
  return topo;
}

// n workers over the allowed PUs in order, wrapping round (oversubscribed) when
// the machine has fewer.
inline std::vector<unsigned> test_pus(unsigned n) {
  const std::vector<unsigned> allowed = live_topology().allowed_pus();
  std::vector<unsigned> pus;
  for (unsigned i = 0; i < n; ++i) pus.push_back(allowed[i % allowed.size()]);
  return pus;
}

inline GroupOptions test_options(ExecMode mode, std::vector<unsigned> pus) {
  return GroupOptions{mode, std::move(pus), "locks/sync test", std::chrono::seconds(10)};
}

// HandOff's wake-up protocol on two PUs and on one, in every mode it supports:
// every round must wake its waiter exactly once, well within a second. Both
// sides on one PU is slow for a spinning waiter (it spins out its time slice
// each round), hence fewer rounds there.
template <typename HandOff>
void expect_one_wake_up_per_round(bool process_shared, std::uint64_t rounds_apart, std::uint64_t rounds_on_one_pu) {
  const std::vector<unsigned> two = test_pus(2);
  for (ExecMode mode : modes_for(process_shared))
    for (const std::vector<unsigned>& pair : {two, std::vector<unsigned>{two[0], two[0]}}) {
      SCOPED_TRACE(fmt::format("{} on PUs {} and {}", to_string(mode), pair[0], pair[1]));
      const std::uint64_t rounds = pair[0] == pair[1] ? rounds_on_one_pu : rounds_apart;
      const GroupRun run = run_wakeup<HandOff>(live_topology(), test_options(mode, pair), rounds);
      EXPECT_EQ(run.error, "");
      EXPECT_EQ(run.latency.count(), rounds);
      EXPECT_LT(run.latency.max(), 1'000'000'000u) << "a wake-up took over a second";
      EXPECT_EQ(run.extra.at("rounds").get<std::uint64_t>(), rounds);
    }
}

}  // namespace primbench::locks::test
