// Topology discovery on the project's synthetic fixtures, on every real-machine
// export in ../shared/topologies (when present), and on this machine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "basics/errors.hpp"
#include "harness/topology.hpp"
#include "harness/topology_format.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

constexpr const char* kTwoPackages = "synthetic:pack:2 l3:2 core:4 pu:2";

TEST(Topology, SyntheticDescriptionIsReadIntoTheModel) {
  const Topology t = Topology::load(kTwoPackages);
  EXPECT_EQ(t.allowed_pus().size(), 32u);
  EXPECT_EQ(t.cores().size(), 16u);
  EXPECT_EQ(t.packages().size(), 2u);
  EXPECT_EQ(t.smt_width(), 2u);
  EXPECT_FALSE(t.binding_supported()) << "a synthetic machine is not this machine";
  const PuInfo& pu1 = t.pu_by_os(1);
  EXPECT_EQ(pu1.core, t.pu_by_os(0).core) << "PUs 0 and 1 are SMT siblings";
  EXPECT_EQ(pu1.l3, t.pu_by_os(7).l3);
  EXPECT_NE(pu1.l3, t.pu_by_os(8).l3);
  EXPECT_EQ(pu1.l2, kNone) << "the description has no L2";
}

TEST(Topology, SummaryAndJsonAgree) {
  const Topology t = Topology::load(kTwoPackages);
  const auto j = topology_to_json(t);
  EXPECT_EQ(j["pus"], 32);
  EXPECT_EQ(j["packages"], 2);
  EXPECT_EQ(j["pu_list"].size(), 32u);
  EXPECT_NE(topology_summary(t).find("32 PUs, 16 cores, 2 packages"), std::string::npos) << topology_summary(t);
  EXPECT_NE(topology_summary(t).find("NOT real"), std::string::npos);
  const std::string tree = topology_tree(t);
  EXPECT_NE(tree.find("Package"), std::string::npos) << tree;
  EXPECT_NE(tree.find("PU L#31"), std::string::npos) << tree;
}

TEST(Topology, NarrowedAllowedPusAreSaidWithTheirReason) {
  Topology t = Topology::load(kTwoPackages);
  EXPECT_EQ(t.allowed_reason(), "") << "every PU of a synthetic machine is allowed";
  t.restrict_allowed({0, 1, 2}, "--pus 0-2");
  EXPECT_EQ(t.allowed_pus(), (std::vector<unsigned>{0, 1, 2}));
  EXPECT_EQ(t.pus().size(), 32u) << "the rest are listed, not allowed";
  EXPECT_EQ(t.cores().size(), 2u);
  EXPECT_EQ(t.packages().size(), 1u);
  EXPECT_EQ(t.allowed_reason(), "3 of 32 PUs allowed by --pus 0-2");
  EXPECT_NE(topology_summary(t).find("; 3 of 32 PUs allowed by --pus 0-2 (PUs 0-2); "), std::string::npos)
      << topology_summary(t);
  EXPECT_EQ(topology_to_json(t)["allowed_reason"], "3 of 32 PUs allowed by --pus 0-2");
  EXPECT_EQ(topology_tree(t).find("P#3"), std::string::npos) << "the tree shows allowed PUs only\n" << topology_tree(t);
  t.restrict_allowed({2}, "--cpuset core:1");
  EXPECT_EQ(t.allowed_reason(), "1 of 32 PUs allowed by --pus 0-2 and --cpuset core:1");
  EXPECT_THROW(t.restrict_allowed({8}, "--cpuset 8"), TopologyError) << "only allowed PUs can be chosen";
}

TEST(Topology, AnXmlExportKeepsItsAllowedPusAndSaysSo) {
  Topology narrowed = Topology::load(kTwoPackages);
  narrowed.restrict_allowed({4, 5}, "--cpuset core:2");
  const std::filesystem::path file = test::scratch_dir("topology") / "narrowed.xml";
  std::ofstream(file) << narrowed.xml();
  const Topology t = Topology::load(file.string());
  EXPECT_EQ(t.allowed_pus(), (std::vector<unsigned>{4, 5}));
  EXPECT_EQ(t.allowed_reason(), "2 of 32 PUs allowed by the topology file's allowed set");
}

TEST(Topology, BadSpecsAreUsageErrorsNamingTheInput) {
  EXPECT_THROW(Topology::load("synthetic:pack:two"), TopologyError);
  try {
    Topology::load("/nonexistent/machine.xml");
    FAIL();
  } catch (const TopologyError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/machine.xml"), std::string::npos);
  }
}

TEST(Topology, HugeSyntheticDescriptionsAreRefusedBeforeHwlocBuildsThem) {
  try {
    Topology::load("synthetic:pack:1000 core:1000 pu:100");
    FAIL() << "10^8 PUs were accepted";
  } catch (const TopologyError& e) {
    EXPECT_NE(std::string(e.what()).find("100000000 PUs"), std::string::npos) << e.what();
  }
  // Attributes and memory children carry no arity: this one is 4 PUs.
  EXPECT_EQ(Topology::load("synthetic:pack:2(memory=1000000) [numa(memory=1000)] pu:2").allowed_pus().size(), 4u);
  EXPECT_EQ(Topology::load("synthetic:pack:4 l3:4 core:128 pu:2").allowed_pus().size(), 4096u);
  EXPECT_THROW(Topology::load("synthetic:pack:4 l3:4 core:128 pu:4"), TopologyError);
  // Bare arities count too (found by fuzzing: "8800" took hwloc seconds).
  EXPECT_THROW(Topology::load("synthetic:8800"), TopologyError);
  EXPECT_THROW(Topology::load("synthetic:4 4 4 4 4 4 4"), TopologyError);
  EXPECT_EQ(Topology::load("synthetic:2 2 2").allowed_pus().size(), 8u);
}

TEST(Topology, LiveMachineSupportsBinding) {
  const Topology t = Topology::load("live");
  EXPECT_TRUE(t.binding_supported());
  EXPECT_GE(t.allowed_pus().size(), 1u);
  EXPECT_EQ(t.source(), "live");
}

struct FixtureCounts {
  const char* file;
  std::size_t pus, cores, packages, numa;
};

// The counts ../shared/topologies/README.md gives for each export (allowed PUs only).
constexpr FixtureCounts kFixtures[] = {
    {"16amd64-8n2c-cpusets.xml", 10, 10, 6, 3},       {"16em64t-4s2c2t-offlines.xml", 7, 6, 4, 1},
    {"16em64t-4s2c2t.xml", 16, 8, 4, 1},              {"192em64t-24n8c2t.xml", 384, 192, 24, 24},
    {"24em64t-2n6c2t-pci.xml", 24, 12, 2, 2},         {"2intel64-1n2c-numaroot.v1tov2.xml", 2, 2, 2, 1},
    {"32em64t-2n8c2t-pci-noio.xml", 32, 16, 2, 2},    {"64intel64-fakeKNL-SNC4-hybrid.xml", 64, 16, 1, 8},
    {"96em64t-4n4d3ca2co-pci.xml", 96, 96, 16, 4},    {"fakecpukinds.xml", 4, 2, 1, 1},
    {"power8gpudistances.xml", 16, 8, 2, 2},
};

TEST(TopologyFixtures, CountsMatchTheReadme) {
  PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir);
  for (const auto& f : kFixtures) {
    SCOPED_TRACE(f.file);
    const Topology t = Topology::load((dir / f.file).string());
    EXPECT_EQ(t.allowed_pus().size(), f.pus);
    EXPECT_EQ(t.cores().size(), f.cores);
    EXPECT_EQ(t.packages().size(), f.packages);
    EXPECT_EQ(t.numa_nodes().size(), f.numa);
    EXPECT_FALSE(t.binding_supported());
  }
}

TEST(TopologyFixtures, OfflineAndDisallowedPusAreReported) {
  PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir);
  const Topology offline = Topology::load((dir / "16em64t-4s2c2t-offlines.xml").string());
  EXPECT_EQ(offline.offline_pus().size(), 16u - 7u);
  const Topology restricted = Topology::load((dir / "16amd64-8n2c-cpusets.xml").string());
  for (unsigned pu : restricted.allowed_pus()) EXPECT_TRUE(restricted.pu_by_os(pu).allowed);
  EXPECT_FALSE(restricted.has_pu(4) && restricted.pu_by_os(4).allowed) << "PU 4 is outside the allowed cpuset";
}

TEST(TopologyFixtures, HybridCpuKindsAreExposed) {
  PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir);
  const Topology t = Topology::load((dir / "fakecpukinds.xml").string());
  // The fixture README says "two CPU kinds"; the file defines three cpukind
  // entries (efficiencies 0, 1, 2) and hwloc 2.9 reports all three.
  ASSERT_EQ(t.cpukinds().size(), 3u);
  EXPECT_EQ(t.cpukinds()[0].pus, (std::vector<unsigned>{0, 1}));
  EXPECT_LT(t.cpukinds()[0].efficiency, t.cpukinds()[2].efficiency);
  EXPECT_NE(t.pu_by_os(0).cpukind, t.pu_by_os(3).cpukind);
  EXPECT_NE(topology_summary(t).find("3 CPU kinds (hybrid)"), std::string::npos);
}

TEST(TopologyFixtures, HwlocXmlFileEnvironmentIsHonouredAndNamed) {
  PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir);
  const std::string path = (dir / "24em64t-2n6c2t-pci.xml").string();
  setenv("HWLOC_XMLFILE", path.c_str(), 1);
  const Topology t = Topology::load("");
  unsetenv("HWLOC_XMLFILE");
  EXPECT_EQ(t.allowed_pus().size(), 24u);
  EXPECT_NE(t.source().find("HWLOC_XMLFILE"), std::string::npos) << t.source();
}

}  // namespace
}  // namespace primbench
