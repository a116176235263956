// Where Google Benchmark finds no caches in sysfs, the result file lists
// hwloc's, in GB's format: given this topology, these caches of CPU 0.
#include <gtest/gtest.h>

#include "harness/gbench_caches.hpp"
#include "harness/topology.hpp"
#include "reports/result_file.hpp"

namespace primbench {
namespace {

// Two cores of two PUs: each core its own L1d and L2, one shared L3.
constexpr const char* kTwoCores =
    "synthetic:pack:1 l3:1(size=33554432) l2:2(size=524288) l1d:1(size=32768) core:1 pu:2";

TEST(GbenchCaches, TheFirstPusCachesInGoogleBenchmarksFormat) {
  const auto caches = gbench_cache_list(Topology::load(kTwoCores));
  const auto expected = nlohmann::json::parse(R"([
    {"type": "Data", "level": 1, "size": 32768, "num_sharing": 2},
    {"type": "Unified", "level": 2, "size": 524288, "num_sharing": 2},
    {"type": "Unified", "level": 3, "size": 33554432, "num_sharing": 4}
  ])");
  EXPECT_EQ(caches, expected) << caches.dump(1);
}

TEST(GbenchCaches, NoneWhereHwlocSeesNoneEither) {
  EXPECT_EQ(gbench_cache_list(Topology::load("synthetic:pack:1 core:2 pu:1")), nlohmann::json::array());
}

RunResults one_benchmark_with_caches(nlohmann::json caches) {
  BenchmarkOutcome b;
  b.name = "a";
  b.ok = true;
  b.gbench_context = {{"host_name", "vm"}, {"caches", std::move(caches)}};
  b.entries = nlohmann::json::array({{{"name", "a"}, {"run_name", "a"}, {"real_time", 1.0}, {"time_unit", "ns"}}});
  RunResults r;
  r.outcomes = {b};
  return r;
}

TEST(GbenchCaches, AContextWithoutCachesIsFilledFromHwlocAndSaysSo) {
  RunContext context;
  context.hwloc_caches = gbench_cache_list(Topology::load(kTwoCores));
  const auto doc = build_result_document(one_benchmark_with_caches(nlohmann::json::array()), context);
  EXPECT_EQ(doc["context"]["caches"], context.hwloc_caches);
  EXPECT_EQ(doc["primbench"]["context_sources"]["caches"], "hwloc");
}

TEST(GbenchCaches, GoogleBenchmarksOwnCachesAreKept) {
  const auto own = nlohmann::json::parse(R"([{"type": "Data", "level": 1, "size": 49152, "num_sharing": 2}])");
  RunContext context;
  context.hwloc_caches = gbench_cache_list(Topology::load(kTwoCores));
  const auto doc = build_result_document(one_benchmark_with_caches(own), context);
  EXPECT_EQ(doc["context"]["caches"], own);
  EXPECT_FALSE(doc["primbench"].contains("context_sources"));
}

}  // namespace
}  // namespace primbench
