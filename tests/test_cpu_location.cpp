// PUs chosen in hwloc's words (plan --pus, run --cpuset): each syntax picks
// exactly the PUs hwloc-calc itself picks on the same topology; plain OS-index
// lists keep their meaning; bad locations are usage errors naming the input.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/cpu_list.hpp"
#include "harness/cpu_location.hpp"
#include "basics/errors.hpp"
#include "harness/placement.hpp"
#include "harness/program_output.hpp"
#include "harness/topology.hpp"

namespace primbench {
namespace {

// Two packages, each one NUMA node with two L3s of four 2-way SMT cores: PUs 0-15 and 16-31.
constexpr const char* kDescription = "pack:2 numa:1 l3:2 core:4 pu:2";
const std::string kTwoNuma = std::string("synthetic:") + kDescription;

// hwloc-calc's own answer, from the description itself (not from primbench's export).
std::vector<unsigned> hwloc_calc_answer(const std::vector<std::string>& locations) {
  std::vector<std::string> argv{"hwloc-calc", "--if", "synthetic", "--input", kDescription, "--po", "-I", "pu"};
  argv.insert(argv.end(), locations.begin(), locations.end());
  const auto r = run_program(argv, "");
  if (!r) return {};
  const std::string line = r->out.substr(0, r->out.find('\n'));
  return line.empty() ? std::vector<unsigned>{} : parse_cpu_list(line);
}

std::vector<unsigned> sorted(std::vector<unsigned> v) {
  std::sort(v.begin(), v.end());
  return v;
}

bool hwloc_calc_missing() { return !run_program({"hwloc-calc", "--version"}, ""); }

TEST(CpuLocation, EachHwlocSyntaxPicksWhatHwlocCalcPicks) {
  if (hwloc_calc_missing()) GTEST_SKIP() << "hwloc-calc not installed (Debian package hwloc)";
  const Topology topo = Topology::load(kTwoNuma);
  struct Case {
    const char* location;
    std::vector<std::string> as_hwloc_calc_arguments;
    std::size_t pus;
  };
  const Case cases[] = {
      {"core:0-3", {"core:0-3"}, 8},
      {"numa:1", {"numa:1"}, 16},
      {"package:1.core:0-1", {"package:1.core:0-1"}, 4},
      {"pu:2,pu:5", {"pu:2", "pu:5"}, 2},
      {"pu:2 pu:5", {"pu:2", "pu:5"}, 2},
      {"l3:1", {"l3:1"}, 8},
      {"core:0-3 ~pu:1", {"core:0-3", "~pu:1"}, 7},
      {"0x3", {"0x3"}, 2},
      {"0x00000000,0xf000000f", {"0x00000000,0xf000000f"}, 8},  // a mask of two words, high one first
      {"all", {"all"}, 32},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.location);
    const std::vector<unsigned> ours = resolve_cpu_location(topo, c.location);
    EXPECT_EQ(ours.size(), c.pus);
    EXPECT_EQ(sorted(ours), hwloc_calc_answer(c.as_hwloc_calc_arguments));
  }
}

TEST(CpuLocation, PlainOsIndexListsKeepTheirMeaningAndOrder) {
  const Topology topo = Topology::load(kTwoNuma);
  EXPECT_EQ(resolve_cpu_location(topo, "0,1"), (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(resolve_cpu_location(topo, "0-3"), (std::vector<unsigned>{0, 1, 2, 3}));
  EXPECT_EQ(resolve_cpu_location(topo, "5,2"), (std::vector<unsigned>{5, 2})) << "an explicit worker list";
  EXPECT_EQ(resolve_cpu_location(topo, "7"), (std::vector<unsigned>{7}));
}

TEST(CpuLocation, HwlocIndexesAreLogicalAsInHwlocCalc) {
  if (hwloc_calc_missing()) GTEST_SKIP() << "hwloc-calc not installed (Debian package hwloc)";
  const Topology topo = Topology::load(kTwoNuma);
  EXPECT_EQ(resolve_cpu_location(topo, "core:1"), (std::vector<unsigned>{2, 3}));
  EXPECT_EQ(resolve_cpu_location(topo, "package:1.pu:0"), (std::vector<unsigned>{16}));
}

TEST(CpuLocation, WhatHwlocCannotResolveIsAUsageErrorNamingIt) {
  const Topology topo = Topology::load(kTwoNuma);
  std::vector<const char*> bad{"0,x", "3-1", "1,,2", "64", "", "-x", "pu:1 --help"};
  if (!hwloc_calc_missing())
    bad.insert(bad.end(), {"pu:99", "bogus:1", "pu:2,5", "core:0-20", "0x0", "0x300000000", "numa:2",
                           "pu:0-100000000"});  // one warning per missing PU: stopped, not waited for
  for (const char* location : bad) {
    SCOPED_TRACE(location);
    try {
      resolve_cpu_location(topo, location);
      ADD_FAILURE() << "accepted";
    } catch (const UsageError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
      if (*location) {
        EXPECT_NE(what.find(location), std::string::npos) << what;
      }
    }
  }
}

TEST(CpuLocation, TheChosenPusBoundEveryPlan) {
  if (hwloc_calc_missing()) GTEST_SKIP() << "hwloc-calc not installed (Debian package hwloc)";
  Topology topo = Topology::load(kTwoNuma);
  const std::vector<unsigned> chosen = restrict_to_location(topo, "--pus", "numa:0");
  EXPECT_EQ(chosen.size(), 16u);
  EXPECT_EQ(topo.allowed_pus(), chosen);
  EXPECT_EQ(topo.numa_nodes().size(), 1u);
  EXPECT_EQ(topo.allowed_reason(), "16 of 32 PUs allowed by --pus numa:0");

  const PairPlan pairs = plan_pairs(topo, /*all_pairs=*/true);
  for (const PairClassPlan& c : pairs.classes)
    for (const PuPair& p : c.pairs) {
      EXPECT_LT(p.a, 16u) << to_string(c.cls);
      EXPECT_LT(p.b, 16u) << to_string(c.cls);
    }
  const PairClassPlan& numa = pairs.get(PairClass::cross_numa);
  EXPECT_FALSE(numa.present);
  EXPECT_NE(numa.reason.find("--pus numa:0"), std::string::npos) << "says what left the class out: " << numa.reason;
  EXPECT_FALSE(pairs.get(PairClass::cross_package).present);
  EXPECT_TRUE(pairs.get(PairClass::cross_l3).present);

  for (Policy policy : {Policy::compact, Policy::spread, Policy::cores}) {
    const WorkerPlan plan = plan_workers(topo, {0, policy, {}, false});
    for (unsigned pu : plan.pus) EXPECT_LT(pu, 16u) << to_string(policy);
  }
}

TEST(CpuLocation, AChoiceOutsideTheAllowedPusIsRefused) {
  if (hwloc_calc_missing()) GTEST_SKIP() << "hwloc-calc not installed (Debian package hwloc)";
  Topology topo = Topology::load(kTwoNuma);
  restrict_to_location(topo, "--pus", "package:0");
  try {
    restrict_to_location(topo, "--cpuset", "core:7-8");
    FAIL() << "core 8 (PUs 16-17) is outside the allowed PUs";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--cpuset 'core:7-8' includes PU 16-17"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("allowed by --pus package:0"), std::string::npos) << e.what();
  }
  EXPECT_EQ(resolve_cpu_location(topo, "all").size(), 16u) << "all is every allowed PU";
}

}  // namespace
}  // namespace primbench
