// The test machine is a noisy shared VM: timing checks only catch gross errors
// (wrong units, a wrong rate by orders of magnitude), never precision.
#include "harness/clock.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace primbench {
namespace {

// Restores the process clock after a test that imports another one.
class ClockTest : public ::testing::Test {
 protected:
  void SetUp() override { original_ = clock_export(); }
  void TearDown() override { ASSERT_TRUE(clock_import(original_)); }
  std::string original_;
};

TEST_F(ClockTest, NeverGoesBackwardsInOneThread) {
  std::uint64_t previous = Clock::now();
  for (int i = 0; i < 1'000'000; ++i) {
    const std::uint64_t current = Clock::now();
    ASSERT_GE(current, previous) << "at read " << i;
    previous = current;
  }
}

TEST_F(ClockTest, EachThreadSeesItMonotonic) {
  std::vector<std::thread> readers;
  std::vector<int> backwards(4, 0);
  for (int& backwards_count : backwards) {
    readers.emplace_back([&backwards_count] {
      std::uint64_t previous = Clock::now();
      for (int i = 0; i < 200'000; ++i) {
        const std::uint64_t current = Clock::now();
        backwards_count += current < previous ? 1 : 0;
        previous = current;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  for (int backwards_count : backwards) EXPECT_EQ(backwards_count, 0);
}

TEST_F(ClockTest, SleepOfTenMillisecondsConvertsToPlausibleNanoseconds) {
  const std::uint64_t start = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double elapsed_ns = Clock::to_ns(Clock::now() - start);
  EXPECT_GE(elapsed_ns, 5e6);
  EXPECT_LE(elapsed_ns, 2e9);
}

TEST_F(ClockTest, InfoIsConsistent) {
  const ClockInfo& info = clock_init();
  EXPECT_EQ(&info, &clock_init()) << "clock_init must be idempotent";
  EXPECT_EQ(info.source, clock_source_name(Clock::source()));
  EXPECT_EQ(Clock::source(), planned_clock_source());
  EXPECT_GT(info.read_overhead_ns, 0.0);
  EXPECT_LT(info.read_overhead_ns, 1000.0);
  EXPECT_GT(info.resolution_ns, 0.0);
  EXPECT_DOUBLE_EQ(Clock::ticks_per_ns(), info.ticks_per_ns);
  if (info.source == "tsc") {
    EXPECT_TRUE(info.invariant_tsc);
    EXPECT_NEAR(info.tsc_hz, info.ticks_per_ns * 1e9, info.tsc_hz * 1e-12);
  } else {
    EXPECT_EQ(info.tsc_hz, 0.0);
    EXPECT_EQ(info.ticks_per_ns, 1.0);
  }
  EXPECT_FALSE(info.calibration.empty());
}

TEST_F(ClockTest, JsonHasEveryField) {
  const nlohmann::json j = clock_info();
  for (const char* key : {"source", "invariant_tsc", "ticks_per_ns", "tsc_hz", "read_overhead_ns",
                          "resolution_ns", "calibration"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
}

TEST_F(ClockTest, ExportImportRoundTrip) {
  const ClockInfo before = clock_info();
  const std::string exported = clock_export();
  ASSERT_TRUE(clock_import(exported)) << exported;
  const ClockInfo after = clock_info();
  EXPECT_EQ(after.source, before.source);
  EXPECT_EQ(after.ticks_per_ns, before.ticks_per_ns);  // bit-identical on purpose
  EXPECT_EQ(after.tsc_hz, before.tsc_hz);
  EXPECT_EQ(after.read_overhead_ns, before.read_overhead_ns);
  EXPECT_EQ(after.resolution_ns, before.resolution_ns);
  EXPECT_EQ(clock_export(), exported);
}

TEST_F(ClockTest, ImportSwitchesSource) {
  ASSERT_TRUE(clock_import("steady_clock:0:overhead=20:res=1"));
  EXPECT_EQ(Clock::source(), ClockSource::steady_clock);
  EXPECT_EQ(Clock::to_ns(1000), 1000.0);
  EXPECT_EQ(clock_info().read_overhead_ns, 20.0);
  EXPECT_EQ(clock_info().calibration, "imported");
  const std::uint64_t start = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double elapsed_ns = Clock::to_ns(Clock::now() - start);
  EXPECT_GE(elapsed_ns, 5e6);
  EXPECT_LE(elapsed_ns, 2e9);
}

TEST_F(ClockTest, ImportRejectsGarbageAndKeepsTheClock) {
  const std::string before = clock_export();
  for (const char* garbage : {
           "",
           "tsc",
           "banana:1e9:overhead=1:res=1",
           "tsc:abc:overhead=1:res=1",
           "tsc:3e9x:overhead=1:res=1",
           "tsc:-3e9:overhead=1:res=1",
           "tsc:nan:overhead=1:res=1",
           "tsc:inf:overhead=1:res=1",
           "tsc:5:overhead=1:res=1",
           "tsc:3e9:overhead=1",
           "tsc:3e9:overhead=1:res=1:extra",
           "tsc:3e9:res=1:overhead=1",
           "tsc:3e9:overhead=-1:res=1",
           "tsc:3e9:overhead=1:res=",
           "steady_clock:1e9:overhead=1:res=1",
           " steady_clock:0:overhead=1:res=1",
       }) {
    EXPECT_FALSE(clock_import(garbage)) << '"' << garbage << '"';
  }
  EXPECT_EQ(clock_export(), before);
}

// clock_init() reads PRIMBENCH_CLOCK only on its first call, so the check runs
// in a fresh copy of this test binary started with the variable set.
constexpr const char* kChildMarker = "PRIMBENCH_TEST_CLOCK_CHILD";

TEST(ClockEnvironment, InitHonoursPrimbenchClockVariable) {
  if (std::getenv(kChildMarker) != nullptr) {
    const ClockInfo& info = clock_init();
    EXPECT_EQ(info.source, "steady_clock");
    EXPECT_EQ(info.read_overhead_ns, 7.5);
    EXPECT_EQ(info.resolution_ns, 3.0);
    EXPECT_EQ(info.calibration, "imported from PRIMBENCH_CLOCK");
    return;
  }
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).starts_with("PRIMBENCH_CLOCK=")) continue;
    environment.emplace_back(*entry);
  }
  environment.emplace_back(std::string(kChildMarker) + "=1");
  environment.emplace_back("PRIMBENCH_CLOCK=steady_clock:0:overhead=7.5:res=3");
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::string program = "/proc/self/exe";
  std::string filter = "--gtest_filter=ClockEnvironment.InitHonoursPrimbenchClockVariable";
  std::string brief = "--gtest_brief=1";
  std::vector<char*> argv{program.data(), filter.data(), brief.data(), nullptr};
  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, program.c_str(), nullptr, nullptr, argv.data(), envp.data()), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child test run failed; see its output above";
}

TEST(ClockFork, ChildKeepsParentCalibration) {
  const std::string parent_clock = clock_export();
  const std::uint64_t before_fork = Clock::now();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // No gtest assertions in the child: report through the exit status.
    const bool same_clock = clock_export() == parent_clock;
    const bool monotonic_across_fork = Clock::now() >= before_fork;
    _exit(same_clock && monotonic_across_fork ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace primbench
