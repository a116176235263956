// The queue family through the CLI: every queue delivers every message exactly
// once, in order where it promises order, as threads and (where the queue
// can cross processes) as processes, with one and several producers and
// consumers; sizes a queue cannot carry are reported, not crashed on.
#include <gtest/gtest.h>

#include <regex>

#include "tests/message_family_run.hpp"

namespace primbench {
namespace {

struct Primitive {
  const char* name;
  bool processes;  // crosses processes
  bool multi;      // several producers and consumers
};

constexpr Primitive kQueues[] = {{"mutex-cv", false, true},      {"spsc-ring", true, false},
                                 {"mpmc-ring", true, true},      {"boost-spsc", false, false},
                                 {"boost-queue", false, true},   {"moodycamel-cq", false, true},
                                 {"moodycamel-rwq", false, false}, {"tbb-bounded", false, true},
                                 {"boost-ipc-mq", true, true},     {"posix-mq", true, true}};

// A POSIX queue above the system's msgsize_max is refused to non-root users:
// that is an "unavailable" entry, not a failure.
bool acceptable_error(const std::string& name, const std::string& error) {
  return error.empty() || (name.find("posix-mq") != std::string::npos && error.rfind("unavailable: mq_open", 0) == 0);
}

TEST(QueueFamily, QuickRunDeliversEveryMessageThroughEveryQueue) {
  const auto run = test::run_family({"--quick", "--family", "queue"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  for (const Primitive& q : kQueues)
    for (const char* mode : {"threads", "processes"}) {
      if (std::string(mode) == "processes" && !q.processes) continue;
      unsigned pair_benches = 0, sweeps = 0;
      for (const std::string& name : run.names()) {
        if (name.rfind(fmt::format("queue/{}/{}/", q.name, mode), 0) != 0) continue;
        const std::string error = run.error(name);
        EXPECT_TRUE(acceptable_error(name, error)) << name << ": " << error;
        if (!error.empty()) {
          ++(name.find("/sweep/") != std::string::npos ? sweeps : pair_benches);
          continue;
        }
        const auto& extra = run.records.at(name).at("extra");
        EXPECT_GT(extra.at("messages").get<double>(), 0) << name;
        EXPECT_EQ(run.counter(name, "placement_ok"), 1) << name;
        if (name.find("/sweep/") != std::string::npos) {
          ++sweeps;
          EXPECT_GE(extra.at("producers").get<int>(), 2) << name;
          EXPECT_GE(extra.at("consumers").get<int>(), 2) << name;
          EXPECT_TRUE(std::regex_search(name, std::regex("/p[0-9]+c[0-9]+$"))) << name;
        } else {
          ++pair_benches;
          const bool rtt = name.find("/rtt/") != std::string::npos;
          if (rtt) {
            EXPECT_LT(run.counter(name, "p50_ns"), 1e9) << name << ": a round trip under 1 s";
          }
          EXPECT_GT(run.counter(name, rtt ? "p50_ns" : "msgs_per_s"), 0) << name;
        }
      }
      EXPECT_EQ(pair_benches, 3u) << q.name << " " << mode << ": 1 rtt and 2 stream sizes";
      EXPECT_EQ(sweeps, q.multi ? 1u : 0u) << q.name << " " << mode;
    }
  EXPECT_TRUE(test::primbench_segments().empty());
}

TEST(QueueFamily, OneToManyAndManyToOneDeliverExactlyOnce) {
  const auto run = test::run_family({"--family", "queue", "--filter", "sweep/64/p(1c2|2c1)$", "--benchmark_min_time=0.01"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  unsigned measured = 0;
  for (const std::string& name : run.names()) {
    EXPECT_TRUE(acceptable_error(name, run.error(name))) << name << ": " << run.error(name);
    measured += run.error(name).empty();
  }
  EXPECT_EQ(measured, 2u * 10u) << "7 thread and 3 process queues, 1:2 and 2:1";
  EXPECT_TRUE(test::primbench_segments().empty());
}

TEST(QueueFamily, MessagesAboveTheLargestSlotAreUnavailable) {
  const auto run = test::run_family(
      {"--quick", "--family", "queue", "--filter", "(spsc-ring|boost-queue)/threads/.*/stream", "--size", "2000000"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  EXPECT_TRUE(run.entries.empty()) << "no measurement, so no entry in benchmarks[]";
  ASSERT_EQ(run.unavailable.size(), 2u);
  for (const auto& [name, reason] : run.unavailable)
    EXPECT_EQ(run.error(name).rfind("unavailable: a message of 2000000 bytes is above the largest slot class", 0), 0u)
        << name << ": " << run.error(name);
}

}  // namespace
}  // namespace primbench
