#include "harness/cpu_steal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

// A /proc/stat with the aggregate line, two CPUs and the lines after them.
fs::path fake_proc_stat(std::uint64_t steal0, std::uint64_t steal1) {
  const fs::path path = test::scratch_dir("steal") / "stat";
  std::ofstream(path) << "cpu  100 0 50 1000 5 0 2 " << steal0 + steal1 << " 0 0\n"
                      << "cpu0 50 0 25 500 2 0 1 " << steal0 << " 0 0\n"
                      << "cpu1 50 0 25 500 3 0 1 " << steal1 << " 0 0\n"
                      << "intr 12345 0 0\nctxt 999\nbtime 1700000000\n";
  return path;
}

double ms_per_tick() { return 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK)); }

TEST(CpuSteal, ReadsThePerCpuStealColumnOnly) {
  const StealTicks t = read_steal_ticks(fake_proc_stat(7, 3));
  ASSERT_EQ(t.by_pu.size(), 2u) << "the aggregate 'cpu ' line is not a CPU";
  EXPECT_EQ(t.by_pu.at(0), 7u);
  EXPECT_EQ(t.by_pu.at(1), 3u);
}

TEST(CpuSteal, KernelsWithoutTheColumnClaimNothing) {
  const fs::path path = test::scratch_dir("steal") / "stat";
  std::ofstream(path) << "cpu0 50 0 25 500\ncpu1 50 0 25 500\n";
  EXPECT_TRUE(read_steal_ticks(path).by_pu.empty());
  EXPECT_TRUE(read_steal_ticks("/no/such/stat").by_pu.empty());
  EXPECT_TRUE(steal_during({}, read_steal_ticks(fake_proc_stat(0, 0)), {0}, 1.0).is_null());
}

TEST(CpuSteal, ShareIsTheWorstPuOfTheBenchmarkOnly) {
  const StealTicks before = read_steal_ticks(fake_proc_stat(10, 10));
  const StealTicks after = read_steal_ticks(fake_proc_stat(10 + 5, 10 + 1));
  const double tick = ms_per_tick();
  const auto both = steal_during(before, after, {0, 1}, 1.0);
  ASSERT_TRUE(both.is_object());
  EXPECT_DOUBLE_EQ(both["steal_ms"]["0"].get<double>(), 5 * tick);
  EXPECT_DOUBLE_EQ(both["steal_ms"]["1"].get<double>(), 1 * tick);
  EXPECT_DOUBLE_EQ(both["steal_share"].get<double>(), 5 * tick / 1000.0);
  // PU 1 alone lost 1 tick: the busier PU 0 is not this benchmark's business.
  const auto one = steal_during(before, after, {1}, 1.0);
  EXPECT_FALSE(one["steal_ms"].contains("0"));
  EXPECT_DOUBLE_EQ(one["steal_share"].get<double>(), tick / 1000.0);
  EXPECT_TRUE(steal_during(before, after, {}, 1.0).is_null());
  EXPECT_TRUE(steal_during(before, after, {9}, 1.0).is_null()) << "a PU /proc/stat does not list";
}

TEST(CpuSteal, NoisyAboveTheThresholdShareOfAtLeastTwoTicks) {
  const StealTicks before = read_steal_ticks(fake_proc_stat(0, 0));
  const StealTicks after = read_steal_ticks(fake_proc_stat(2, 1));
  const double tick_s = ms_per_tick() / 1000.0;
  // Two ticks are 1 % of a window 200 ticks long, 10 % of one 20 ticks long.
  EXPECT_FALSE(steal_during(before, after, {0}, 200 * tick_s)["noisy"].get<bool>());
  EXPECT_TRUE(steal_during(before, after, {0}, 20 * tick_s)["noisy"].get<bool>());
  // One tick in a short window is a large share, but one tick is no evidence.
  EXPECT_FALSE(steal_during(before, after, {1}, 5 * tick_s)["noisy"].get<bool>());
  // A counter that went backwards (a CPU re-onlined) is no steal, not a huge one.
  EXPECT_DOUBLE_EQ(steal_during(after, before, {0}, 1.0)["steal_ms"]["0"].get<double>(), 0.0);
  EXPECT_FALSE(steal_during(after, before, {0}, 1.0)["noisy"].get<bool>());
}

TEST(CpuSteal, RecordPusAreTheRequestedOnes) {
  const nlohmann::json record = {
      {"placement", {{"workers", {{{"requested_pu", 1}, {"observed_pu", 0}}, {{"requested_pu", 3}}, {{"requested_pu", -1}}}}}}};
  EXPECT_EQ(record_pus(record), (std::set<unsigned>{1, 3}));
  EXPECT_TRUE(record_pus(nlohmann::json::object()).empty());
  EXPECT_TRUE(record_pus({{"placement", {{"workers", "x"}}}}).empty());
}

}  // namespace
}  // namespace primbench
