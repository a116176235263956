// Counters per operation (harness/op_counters.hpp): what a user reads on a
// benchmark's entry and record. Behaviour, not timings; where the kernel
// refuses perf_event_open the tests that need it skip and say why.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "harness/counter_group.hpp"
#include "basics/errors.hpp"
#include "harness/op_counter_report.hpp"
#include "harness/op_counters.hpp"
#include "tests/message_family_run.hpp"

namespace primbench {
namespace {

// Why `metric` cannot be counted here ("" when it can), from a probe group.
std::string why_not(const std::string& metric) {
  const std::vector<EventSpec> events = events_for(parse_counters_option("syscalls"));
  CounterGroup probe(events);
  probe.start();
  probe.stop();
  for (const auto& [name, value] : metrics_of(probe.reading(), events))
    if (name == metric) return value.value ? "" : value.reason;
  return "no metric " + metric;
}

// Why the libpfm4 event `name` cannot be counted here ("" when it can).
std::string why_not_named(const std::string& name) {
  const std::vector<EventSpec> events{named_event(name)};
  CounterGroup probe(events);
  probe.start();
  probe.stop();
  const CounterReading r = probe.reading();
  return r.failure[0] == 0 ? "" : "perf_event_open refused " + name;
}

#define SKIP_WITHOUT(metric)                                                  \
  if (const std::string why = why_not(metric); !why.empty()) GTEST_SKIP() << why

test::FamilyRun run_with_counters(const std::string& family, const std::string& filter,
                                  std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--family", family, "--filter", filter, "--benchmark_min_time=0.05"};
  args.insert(args.end(), more.begin(), more.end());
  return test::run_family(args);
}

TEST(CountersOption, NamesDefaultNoneAndEvents) {
  EXPECT_TRUE(parse_counters_option("default").enabled);
  EXPECT_FALSE(parse_counters_option("none").enabled);
  const CounterConfig named = parse_counters_option("perf::PERF_COUNT_SW_CPU_CLOCK,perf::PERF_COUNT_SW_PAGE_FAULTS");
  EXPECT_TRUE(named.enabled);
  EXPECT_EQ(named.named, (std::vector<std::string>{"perf::PERF_COUNT_SW_CPU_CLOCK", "perf::PERF_COUNT_SW_PAGE_FAULTS"}));
  const CounterConfig syscalls = parse_counters_option("syscalls");
  EXPECT_TRUE(syscalls.enabled && syscalls.syscalls && syscalls.named.empty());
  EXPECT_FALSE(parse_counters_option("default").syscalls);  // the tracepoint costs: asked for, not default
  EXPECT_THROW(parse_counters_option("cycles,,instructions"), UsageError);
}

TEST(CountersOption, AnEmptyItemIsOneLineAndExitStatus2) {
  const auto r = test::run_primbench({"run", "--counters", "cycles,,instructions", "--out", "/nonexistent/never"});
  test::expect_one_line_error(r, "--counters 'cycles,,instructions'");
}

TEST(CounterGroup, CountsTheSystemCallsOfItsRegionOnly) {
  SKIP_WITHOUT("syscalls");
  const std::vector<EventSpec> events{syscalls_event()};
  CounterGroup group(events);
  for (int i = 0; i < 100; ++i) syscall(SYS_getppid);  // before the region: not counted
  group.start();
  for (int i = 0; i < 1000; ++i) syscall(SYS_getppid);
  group.stop();
  for (const auto& [name, value] : metrics_of(group.reading(), events))
    if (name == "syscalls") {
      // + the disabling ioctl: counting stops inside that call
      EXPECT_GE(*value.value, 1000);
      EXPECT_LE(*value.value, 1005);
    }
}

TEST(CounterReport, AnUnavailableCounterIsNullWithAReason) {
  std::vector<EventSpec> events = hardware_events();
  for (EventSpec& e : events)
    if (e.name == "cycles") e = {"cycles", EventKind::hardware, std::nullopt, "no PMU in this test"};
  CounterGroup group(events);
  group.start();
  group.stop();
  const nlohmann::json j = counters_json({{"benchmark_thread", 0, "threads", -1, group.reading()}}, events, 10);
  EXPECT_TRUE(j["per_op"]["cycles"].is_null());
  EXPECT_EQ(j["unavailable"]["cycles"], "no PMU in this test");
  EXPECT_TRUE(j["ipc"].is_null());
  EXPECT_TRUE(j["per_op"]["user_ns"].is_number());  // getrusage needs no permission
}

TEST(CounterReport, ThisMachinesMissingHardwareCountersAreNullWithTheirReason) {
  const std::string why = why_not("cycles");
  if (why.empty()) GTEST_SKIP() << "this machine counts cycles";
  const auto run = run_with_counters("locks", "^locks/uncontended/threads/ttas_spinlock$");
  const std::string name = "locks/uncontended/threads/ttas_spinlock";
  ASSERT_TRUE(run.records.contains(name)) << run.command.err;
  const auto& counters = run.records[name]["counters"];
  EXPECT_TRUE(counters["per_op"]["cycles"].is_null());
  EXPECT_EQ(counters["unavailable"]["cycles"], why);
  EXPECT_FALSE(run.entries.at(name).contains("cycles_per_op"));  // absent on the entry, never 0
}

TEST(OpCounters, SamePuPipeRoundTripIsTwoSwitchesAndFourSystemCalls) {
  SKIP_WITHOUT("ctx_switches");
  SKIP_WITHOUT("syscalls");
  const auto run = run_with_counters("pipe", "^pipe/pipe/(threads|processes)/same-pu/rtt/8$", {"--counters", "syscalls"});
  for (const std::string mode : {"threads", "processes"}) {
    const std::string name = fmt::format("pipe/pipe/{}/same-pu/rtt/8", mode);
    ASSERT_TRUE(run.entries.count(name)) << run.command.err;
    // One round trip: A writes and blocks in read (switch to B), B reads,
    // writes and blocks in read (switch to A): 2 switches, 4 system calls.
    EXPECT_NEAR(run.counter(name, "ctx_switches_per_op"), 2.0, 0.2) << name;
    EXPECT_NEAR(run.counter(name, "syscalls_per_op"), 4.0, 0.4) << name;
    const auto& workers = run.records[name]["counters"]["workers"];
    ASSERT_EQ(workers.size(), 2u) << "side A (the benchmark thread) and side B";
    EXPECT_EQ(workers[1]["mode"], mode);
  }
}

TEST(OpCounters, SystemCallsAreNullWithTheWayToAskForThemByDefault) {
  const auto run = run_with_counters("pipe", "^pipe/pipe/threads/same-pu/rtt/8$");
  const std::string name = "pipe/pipe/threads/same-pu/rtt/8";
  ASSERT_TRUE(run.entries.count(name)) << run.command.err;
  EXPECT_NEAR(run.counter(name, "ctx_switches_per_op"), 2.0, 0.2);  // the kernel's accounting: always there
  EXPECT_FALSE(run.entries.at(name).contains("syscalls_per_op"));
  const auto& counters = run.records[name]["counters"];
  EXPECT_TRUE(counters["per_op"]["syscalls"].is_null());
  EXPECT_NE(counters["unavailable"]["syscalls"].get<std::string>().find("--counters syscalls"), std::string::npos);
}

TEST(OpCounters, UncontendedSpinlockHasNoContextSwitchPerOperation) {
  SKIP_WITHOUT("ctx_switches");
  const auto run = run_with_counters("locks", "^locks/uncontended/threads/ttas_spinlock$");
  const std::string name = "locks/uncontended/threads/ttas_spinlock";
  ASSERT_TRUE(run.entries.count(name)) << run.command.err;
  EXPECT_LT(run.counter(name, "ctx_switches_per_op"), 0.001);
  EXPECT_GE(run.counter(name, "ctx_switches_per_op"), 0.0);
}

TEST(OpCounters, ForkPerTaskPoolShowsPageFaultsPerTask) {
  const auto run = run_with_counters("pool", "^pool/apply_fork/", {"--quick"});
  const std::string name = "pool/apply_fork/processes/compact/10us/w1";
  ASSERT_TRUE(run.entries.count(name)) << run.command.err;
  // After each fork the parent's writes copy the pages it shares with the child.
  EXPECT_GE(run.counter(name, "page_faults_per_op"), 1.0);
}

TEST(OpCounters, CountersNoneRemovesThem) {
  const auto run = run_with_counters("pipe", "^pipe/pipe/threads/same-pu/rtt/8$", {"--counters", "none"});
  const std::string name = "pipe/pipe/threads/same-pu/rtt/8";
  ASSERT_TRUE(run.entries.count(name)) << run.command.err;
  for (const char* counter : {"ctx_switches_per_op", "syscalls_per_op", "user_ns_per_op", "offcpu_ns_per_op"})
    EXPECT_FALSE(run.entries.at(name).contains(counter)) << counter;
  EXPECT_EQ(run.records[name]["counters"]["enabled"], false);
}

TEST(OpCounters, NamedLibpfmEventsArePublishedPerOperation) {
  if (const std::string why = why_not_named("perf::PERF_COUNT_SW_CONTEXT_SWITCHES"); !why.empty()) GTEST_SKIP() << why;
  const auto run = run_with_counters("pipe", "^pipe/pipe/threads/same-pu/rtt/8$",
                                     {"--counters", "perf::PERF_COUNT_SW_CONTEXT_SWITCHES,no_such_event"});
  const std::string name = "pipe/pipe/threads/same-pu/rtt/8";
  ASSERT_TRUE(run.entries.count(name)) << run.command.err;
  EXPECT_NEAR(run.counter(name, "perf::PERF_COUNT_SW_CONTEXT_SWITCHES_per_op"), 2.0, 0.2);
  const auto& counters = run.records[name]["counters"];
  EXPECT_TRUE(counters["per_op"]["no_such_event"].is_null());
  EXPECT_NE(counters["unavailable"]["no_such_event"].get<std::string>().find("libpfm4"), std::string::npos);
  EXPECT_NE(run.command.err.find("no_such_event"), std::string::npos) << "a note before the run says so";
}

}  // namespace
}  // namespace primbench
