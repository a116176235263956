// The load family (open loop): a paced producer's messages are due at
// start + i / rate; latency is counted from that intended time, so a stall
// shows in every message queued behind it (coordinated omission corrected);
// a quick run through the CLI gives, per primitive, a latency-vs-offered-load
// curve that `primbench capacity` and the HTML report read.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "benches/load/channel_load.hpp"
#include "benches/load/channels.hpp"
#include "benches/load/paced_schedule.hpp"
#include "basics/benchmark_name.hpp"
#include "reports/capacity.hpp"
#include "reports/html_report.hpp"
#include "tests/result_docs.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using load::PacedSchedule;
using load::StepLatency;
using nlohmann::json;

// --- the schedule -------------------------------------------------------------

TEST(OpenLoopSchedule, MessageIIsDueAtStartPlusIOverRate) {
  const PacedSchedule s(5'000, 1e6, 1.0);  // 1 M msgs/s on a 1-tick-per-ns clock: one every 1000 ticks
  EXPECT_EQ(s.intended(0), 5'000u);
  EXPECT_EQ(s.intended(1), 6'000u);
  EXPECT_EQ(s.intended(1'000), 1'005'000u);
  // A rate whose interval is not a whole tick does not drift: 3 M msgs/s, 3 M messages later is 1 s later.
  const PacedSchedule third(0, 3e6, 1.0);
  EXPECT_NEAR(static_cast<double>(third.intended(3'000'000)), 1e9, 1.0);
  // A 3 GHz TSC: 3 ticks per ns.
  EXPECT_EQ(PacedSchedule(0, 1e6, 3.0).intended(2), 6'000u);
  EXPECT_THROW(PacedSchedule(0, 0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(PacedSchedule(0, 1e6, 0.0), std::invalid_argument);
}

// A fake clock (1 tick = 1 ns) that moves only when the producer idles or is
// stalled: the test decides exactly when everything happens.
struct FakeClock {
  std::uint64_t t = 0;
};

TEST(OpenLoopSchedule, AStalledSendDelaysEveryMessageBehindIt) {
  constexpr std::uint64_t kStall = 50'000, kStalledAt = 10, kMessages = 100;
  FakeClock clock;
  const PacedSchedule schedule(0, 1e6, 1.0);  // due every 1000 ns
  StepLatency latency;
  std::vector<double> corrected(kMessages), uncorrected(kMessages);
  load::run_paced(
      schedule, kMessages, [&] { return clock.t; }, [&] { ++clock.t; },
      [&](std::uint64_t i, std::uint64_t due, std::uint64_t sent) {
        if (i == kStalledAt) clock.t += kStall;  // the send blocks: the receiver stopped taking messages
        const std::uint64_t received = clock.t;
        latency.record(due, sent, received, 1.0);
        corrected[i] = static_cast<double>(received - due);
        uncorrected[i] = static_cast<double>(received - sent);
      });
  // Before the stall: sent on time, received at once.
  for (std::uint64_t i = 0; i < kStalledAt; ++i) EXPECT_EQ(corrected[i], 0) << i;
  // Message 10 waited out the stall; 11 ... 59 were due during it and went out
  // back to back when it ended (at 60 us): each carries the rest of the stall.
  const std::uint64_t stall_end = kStalledAt * 1000 + kStall;
  EXPECT_EQ(corrected[kStalledAt], kStall);
  for (std::uint64_t i = kStalledAt + 1; i * 1000 < stall_end; ++i) {
    EXPECT_EQ(corrected[i], static_cast<double>(stall_end - i * 1000)) << "message " << i;
    EXPECT_EQ(uncorrected[i], 0) << "message " << i << ": measured from its late send, the stall is invisible";
  }
  // After the backlog: on time again, and the schedule was never re-based.
  for (std::uint64_t i = stall_end / 1000; i < kMessages; ++i) EXPECT_EQ(corrected[i], 0) << i;
  EXPECT_EQ(latency.corrected.count(), kMessages);
  EXPECT_EQ(latency.uncorrected.count(), kMessages);
  EXPECT_GE(latency.corrected.percentile(90), 10'000) << "the backlog is a tenth of the messages";
  EXPECT_EQ(latency.uncorrected.percentile(90), 0) << "uncorrected, only message 10 saw the stall";
  EXPECT_EQ(latency.negative, 0u);
}

TEST(OpenLoopSchedule, AReceiveBeforeTheSendStampCountsAsSkewAndZero) {
  StepLatency latency;
  latency.record(100, 120, 110, 1.0);  // received "before" it was sent: clocks of two PUs disagree
  EXPECT_EQ(latency.negative, 1u);
  EXPECT_EQ(latency.uncorrected.max(), 0u);
  EXPECT_EQ(latency.corrected.max(), 10u);
}

// Counts the samples of at least `ns`.
std::uint64_t samples_at_least(const LatencyHistogram& h, std::uint64_t ns) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < LatencyHistogram::kBucketCount; ++i)
    if (LatencyHistogram::bucket_lower(i) >= ns) n += h.bucket_count(i);
  return n;
}

// A consumer that stops reading for a while at one message, as a real
// receiver does when it is descheduled or busy.
struct StallingReader {
  load::PipeChannel::Reader inner;
  std::uint64_t stall_at;
  std::chrono::milliseconds stall;
  std::shared_ptr<std::uint64_t> seen = std::make_shared<std::uint64_t>(0);
  void recv(load::Envelope& e) const {
    if ((*seen)++ == stall_at) std::this_thread::sleep_for(stall);
    inner.recv(e);
  }
};

TEST(OpenLoopChannel, AStalledConsumerShowsInTheLatencyOfEveryMessageQueuedBehindIt) {
  clock_init();
  constexpr auto kStall = std::chrono::milliseconds(20);
  constexpr double kRate = 10'000;  // one every 100 us: 200 messages are due during the stall
  constexpr std::uint64_t kMessages = 600;
  load::PipeChannel pipe(kSpinsBeforeYield);
  auto shared = std::make_unique<load::ChannelShared>();
  std::thread consumer([&] { load::consume_steps(StallingReader{pipe.reader(), 100, kStall}, *shared); });
  load::ChannelLoad producer(pipe.writer(), *shared, kSpinsBeforeYield);
  const load::StepOutcome out = producer.paced(PacedSchedule(Clock::now(), kRate, Clock::ticks_per_ns()), kMessages);
  producer.stop();
  consumer.join();
  EXPECT_NO_THROW(producer.check_totals());
  EXPECT_EQ(out.messages, kMessages);
  EXPECT_EQ(out.latency.corrected.count(), kMessages);
  // Message 100 + j waited about 20 ms - j x 100 us: those with j <= 100 at
  // least 10 ms. Half of them is a bound no scheduler noise can break (noise
  // only adds delay).
  EXPECT_GE(samples_at_least(out.latency.corrected, 10'000'000), 50u);
  EXPECT_GE(out.latency.corrected.max(), 15'000'000u);
}

// --- the family through the CLI -----------------------------------------------

// One quick run of the family for every test below (CPU is scarce).
class LoadFamily : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = test::scratch_dir("load");
    command_ = test::run_primbench({"run", "--quick", "--family", "load", "--out", out_.string(), "--timeout", "60"});
    std::ifstream in(out_ / "results.json");
    if (in) doc_ = json::parse(in);
  }
  static void TearDownTestSuite() { fs::remove_all(out_); }

  static inline fs::path out_;
  static inline test::CommandResult command_;
  static inline json doc_;
};

TEST_F(LoadFamily, QuickRunGivesACurvePerPrimitiveWithEveryMessageDelivered) {
  ASSERT_EQ(command_.exit_code, 0) << command_.err;
  std::vector<std::string> names;
  for (const json& e : doc_["benchmarks"]) {
    const std::string name = registered_name(e["name"].get<std::string>());
    names.push_back(name);
    ASSERT_FALSE(e.value("error_occurred", false)) << name << ": " << e.value("error_message", "");
    const json& record = doc_["primbench"]["benchmarks"][e.value("run_name", name)];
    ASSERT_TRUE(record.is_object()) << name;
    EXPECT_EQ(record["family"], "load");
    EXPECT_TRUE(record["placement"]["all_ok"].get<bool>()) << name;
    const json& x = record["extra"];
    const auto offered = x["offered_rate"].get<std::vector<double>>();
    const auto achieved = x["achieved_rate"].get<std::vector<double>>();
    const auto p50 = x["latency_p50_ns"].get<std::vector<double>>();
    const auto p99 = x["latency_p99_ns"].get<std::vector<double>>();
    const auto messages = x["messages"].get<std::vector<double>>();
    ASSERT_EQ(offered.size(), 4u) << name << ": --quick offers four rates";
    for (const auto* column : {&achieved, &p50, &p99, &messages}) ASSERT_EQ(column->size(), offered.size()) << name;
    EXPECT_GT(x["max_rate"].get<double>(), 0) << name;
    for (std::size_t i = 0; i < offered.size(); ++i) {
      if (i > 0) {
        EXPECT_GT(offered[i], offered[i - 1]) << name << " step " << i;
      }
      EXPECT_GT(achieved[i], 0) << name << " step " << i;
      EXPECT_LE(achieved[i], offered[i] * 1.02) << name << " step " << i << ": cannot deliver more than offered";
      EXPECT_GT(p50[i], 0) << name << " step " << i;
      EXPECT_GE(p99[i], p50[i]) << name << " step " << i;
      EXPECT_GE(messages[i], 200) << name << " step " << i;
    }
    EXPECT_NE(x["checks"].get<std::string>().find("exactly"), std::string::npos) << name;
    EXPECT_GT(e["p99_ns"].get<double>(), 0) << name;
    EXPECT_EQ(e["placement_ok"].get<double>(), 1) << name;
  }
  for (const char* expected : {"load/pipe/processes/", "load/spsc-ring/processes/", "load/pool/threads/",
                               "load/pool/processes/"})
    EXPECT_EQ(std::count_if(names.begin(), names.end(), [&](const std::string& n) { return n.starts_with(expected); }), 1)
        << expected;
}

TEST_F(LoadFamily, CapacityListsEveryOpenLoopCurve) {
  ASSERT_EQ(command_.exit_code, 0) << command_.err;
  const CapacityAnalysis a = analyse_capacity(doc_, parse_latency_target("50us"));
  EXPECT_EQ(a.open_loop.size(), doc_["benchmarks"].size());
  for (const SloCapacity& s : a.open_loop) {
    EXPECT_EQ(s.load.size(), 4u) << s.subject;
    if (s.max_rate) {
      EXPECT_LE(*s.p99_ns, 50'000) << s.subject;
    }
  }
  const auto r = test::run_primbench({"capacity", (out_ / "results.json").string(), "--slo", "50us"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("open loop"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("load/spsc-ring/processes/"), std::string::npos) << r.out;
}

TEST_F(LoadFamily, TheReportDrawsLatencyAgainstOfferedLoad) {
  ASSERT_EQ(command_.exit_code, 0) << command_.err;
  const json page = html_report_document(doc_, TopologyPicture{});
  const json* chart = nullptr;
  for (const json& section : page["sections"])
    for (const json* block : test::blocks_in(section))
      if (block->value("title", "") == "Latency vs offered load") chart = block;
  ASSERT_NE(chart, nullptr);
  EXPECT_TRUE((*chart)["x"]["log"].get<bool>());
  EXPECT_TRUE((*chart)["y"]["log"].get<bool>());
  EXPECT_EQ((*chart)["series"].size(), 2 * doc_["benchmarks"].size()) << "p99 and p50 per benchmark";
  for (const json& s : (*chart)["series"]) EXPECT_EQ(s["points"].size(), 4u) << s["name"];
  // The load section answers the capacity question itself: the highest rate within the p99 target.
  for (const json& section : page["sections"])
    if (section["id"] == "family-load") {
      const std::string text = section.dump();
      EXPECT_NE(text.find("The highest offered rate whose p99 latency stays within"), std::string::npos);
      EXPECT_NE(text.find("load/pipe/processes"), std::string::npos) << text.substr(0, 2000);
    }
}

}  // namespace
}  // namespace primbench
