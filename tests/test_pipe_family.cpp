// The pipe family and the message checks every message-passing benchmark
// relies on: a lost, duplicated or corrupted message is reported precisely,
// the receiving side of a benchmark turns it into an error, and a quick run
// delivers every message through every pipe-like primitive, as threads and
// as processes.
#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

#include "benches/message_bench.hpp"
#include "benches/message_check.hpp"
#include "tests/message_family_run.hpp"

namespace primbench {
namespace {

using msg::MessageChecker;
using msg::MessageWriter;
using msg::Order;

std::vector<std::byte> message(const MessageWriter& w, std::uint64_t seq) {
  std::vector<std::byte> m(w.size());
  w.prepare(m);
  w.stamp(m, seq);
  return m;
}

class MessageCheck : public ::testing::TestWithParam<std::size_t> {};  // message size

TEST_P(MessageCheck, InOrderMessagesPass) {
  const MessageWriter w(GetParam());
  MessageChecker c(GetParam());
  for (std::uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(c.check(message(w, i))) << c.first_error();
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.received(), 1000u);
}

TEST_P(MessageCheck, ALostMessageIsNamed) {
  const MessageWriter w(GetParam());
  MessageChecker c(GetParam());
  for (std::uint64_t i = 0; i < 30; ++i)
    if (i != 17) c.check(message(w, i));
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.first_error(), "lost message 17: expected seq 17, got 18");
  EXPECT_EQ(c.violations(), 1u) << "the checker resynchronises after a loss";
}

TEST_P(MessageCheck, ADuplicatedMessageIsNamed) {
  const MessageWriter w(GetParam());
  MessageChecker c(GetParam());
  for (std::uint64_t i = 0; i < 8; ++i) c.check(message(w, i));
  c.check(message(w, 5));
  c.check(message(w, 8));
  EXPECT_EQ(c.first_error(), "duplicated or reordered message 5: expected seq 8, got 5");
  EXPECT_EQ(c.violations(), 1u);
}

TEST_P(MessageCheck, ACorruptedByteAnywhereIsCaught) {
  const MessageWriter w(GetParam());
  for (std::size_t at = 0; at < GetParam(); at += std::max<std::size_t>(1, GetParam() / 13)) {
    MessageChecker c(GetParam());
    auto m = message(w, 3);
    m[at] ^= std::byte{0x10};
    EXPECT_FALSE(c.check(m)) << "byte " << at;
    EXPECT_NE(c.first_error().find("corrupted"), std::string::npos) << c.first_error();
  }
}

TEST_P(MessageCheck, AMessageMixedFromTwoIsCaught) {
  // What a short read leaves: the start of one message, the end of the previous.
  if (GetParam() < 16) GTEST_SKIP() << "no trailer below 16 bytes";
  const MessageWriter w(GetParam());
  auto m = message(w, 6);
  const auto previous = message(w, 5);
  std::copy(previous.begin() + static_cast<long>(GetParam() / 2), previous.end(), m.begin() + static_cast<long>(GetParam() / 2));
  MessageChecker c(GetParam());
  EXPECT_FALSE(c.check(m));
}

INSTANTIATE_TEST_SUITE_P(Sizes, MessageCheck, ::testing::Values(8, 12, 16, 24, 100, 4096, 65536 + 5));

TEST(MessageCheckOrder, SeveralProducersAndConsumers) {
  const MessageWriter p0(64, 0), p1(64, 1);
  MessageChecker first(64, 2, Order::increasing), second(64, 2, Order::increasing);
  // Consumers split each producer's stream; each sees it increasing.
  first.check(message(p0, 0));
  second.check(message(p0, 1));
  first.check(message(p1, 0));
  first.check(message(p0, 2));
  second.check(message(p1, 1));
  EXPECT_TRUE(first.ok() && second.ok()) << first.first_error() << second.first_error();
  const std::vector<std::uint64_t> sent{3, 2};
  EXPECT_EQ(msg::check_totals(first.received() + second.received(), first.digest() + second.digest(), sent), "");
  // One lost message: the totals say so even though every consumer saw increasing order.
  EXPECT_EQ(msg::check_totals(first.received(), first.digest(), sent), "lost messages: 5 sent, 3 received");
  first.check(message(p0, 1));
  EXPECT_NE(first.first_error().find("from producer 0"), std::string::npos) << first.first_error();
}

TEST(MessageCheckOrder, UnorderedDeliveryIsExactlyOnceByDigest) {
  const MessageWriter p0(8, 0);
  MessageChecker c(8, 1, Order::any);
  for (std::uint64_t i : {3, 1, 0, 2}) c.check(message(p0, i));
  const std::vector<std::uint64_t> sent{4};
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(msg::check_totals(c.received(), c.digest(), sent), "");
  c.check(message(p0, 2));  // a duplicate in place of a loss would keep the count
  const std::vector<std::uint64_t> sent5{5};
  EXPECT_NE(msg::check_totals(c.received(), c.digest(), sent5).find("digest"), std::string::npos);
}

TEST(MessageCheckOrder, SequenceNumbersWrapModulo24Bits) {
  const MessageWriter w(8);
  MessageChecker c(8);
  std::vector<std::byte> m(8);
  w.prepare(m);
  const std::uint64_t past_wrap = (1u << 24) + 2;
  for (std::uint64_t i = 0; i < past_wrap + 3; ++i) {
    if (i == past_wrap) continue;  // lost just after the 24-bit wrap
    w.stamp(m, i);
    c.check(m);
  }
  EXPECT_EQ(c.violations(), 1u);
  EXPECT_EQ(c.first_error(), "lost message 16777218: expected seq 16777218, got 16777219")
      << "reported with the full sequence number";
}

// --- the receiving side of a benchmark, with a transport that loses one ------

// An in-memory channel whose sender can drop, duplicate or corrupt one message.
struct FaultyChannel {
  enum class Fault { none, drop, duplicate, corrupt };
  std::mutex mutex;
  std::deque<std::vector<std::byte>> queue;
  Fault fault = Fault::none;
  std::uint64_t at = 0, sent = 0;

  struct Endpoint {
    FaultyChannel* ch;
    std::size_t slot_bytes() const { return 0; }
    void send(std::span<const std::byte> m) {
      std::lock_guard lock(ch->mutex);
      std::vector<std::byte> copy(m.begin(), m.end());
      const bool hit = ch->sent++ == ch->at;
      if (hit && ch->fault == Fault::drop) return;
      if (hit && ch->fault == Fault::corrupt) copy.back() ^= std::byte{1};
      ch->queue.push_back(copy);
      if (hit && ch->fault == Fault::duplicate) ch->queue.push_back(copy);
    }
    void recv(std::span<std::byte> m) {
      for (;;) {
        std::lock_guard lock(ch->mutex);
        if (ch->queue.empty()) continue;
        std::copy(ch->queue.front().begin(), ch->queue.front().end(), m.begin());
        ch->queue.pop_front();
        return;
      }
    }
  };
};

std::string serve_with_fault(FaultyChannel::Fault fault) {
  constexpr std::size_t kSize = 64;
  FaultyChannel ch;
  ch.fault = fault;
  ch.at = 17;
  msgbench::ExchangeControl control;
  std::string error;
  std::thread receiver([&] {
    try {
      msgbench::detail::serve(FaultyChannel::Endpoint{&ch}, control, kSize, /*echo=*/false);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  const MessageWriter w(kSize);
  std::vector<std::byte> m(kSize);
  w.prepare(m);
  FaultyChannel::Endpoint sender{&ch};
  for (std::uint64_t i = 0; i < 40; ++i) {
    // The receiver stops after the message it is told is the last: with a
    // duplicate that is one message early, so announce by count received.
    if (i == 39) control.final_count.store(fault == FaultyChannel::Fault::drop ? 39 : fault == FaultyChannel::Fault::duplicate ? 41 : 40);
    w.stamp(m, i);
    sender.send(m);
  }
  receiver.join();
  return error;
}

TEST(MessageCheckInBenchmark, TheReceiverReportsAnInjectedFault) {
  EXPECT_EQ(serve_with_fault(FaultyChannel::Fault::none), "");
  EXPECT_EQ(serve_with_fault(FaultyChannel::Fault::drop), "lost message 17: expected seq 17, got 18");
  EXPECT_EQ(serve_with_fault(FaultyChannel::Fault::duplicate),
            "duplicated or reordered message 17: expected seq 18, got 17");
  EXPECT_NE(serve_with_fault(FaultyChannel::Fault::corrupt).find("corrupted message"), std::string::npos);
}

// --- the family through the CLI -----------------------------------------------------

TEST(PipeFamily, QuickRunDeliversEveryMessageThroughEveryPrimitive) {
  const auto run = test::run_family({"--quick", "--family", "pipe"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  unsigned measured = 0;
  for (const char* primitive : {"pipe", "unix-stream", "unix-dgram", "fifo", "eventfd", "tcp"})
    for (const char* mode : {"threads", "processes"})
      for (const char* measure : {"rtt", "stream"})
        for (const auto& [name, entry] : run.entries) {
          const std::string prefix = fmt::format("pipe/{}/{}/", primitive, mode);
          if (name.rfind(prefix, 0) != 0 || name.find(std::string("/") + measure + "/") == std::string::npos) continue;
          ++measured;
          EXPECT_EQ(run.error(name), "") << name;
          const auto& extra = run.records.at(name).at("extra");
          EXPECT_EQ(extra.at("wait"), "block") << name;
          EXPECT_GT(extra.at("messages").get<double>(), 0) << name;
          if (std::string(measure) == "rtt") {
            EXPECT_GT(run.counter(name, "p50_ns"), 0) << name;
            EXPECT_LT(run.counter(name, "p50_ns"), 1e9) << name << ": a round trip under 1 s";
            EXPECT_NEAR(run.counter(name, "one_way_ns"), run.counter(name, "p50_ns") / 2, 1) << name;
          } else {
            EXPECT_GT(run.counter(name, "msgs_per_s"), 1) << name;
          }
          EXPECT_GE(run.counter(name, "cpu_a_ns_per_" + std::string(measure == std::string("rtt") ? "rtt" : "msg")), 0)
              << name;
          EXPECT_EQ(run.counter(name, "placement_ok"), 1) << name;
        }
  EXPECT_EQ(measured, 32u) << "6 primitives x 2 modes x (1 rtt + 2 stream sizes), eventfd without stream";
  EXPECT_TRUE(test::primbench_segments().empty());
}

TEST(PipeFamily, DatagramsAboveTheSocketLimitAreUnavailableNotACrash) {
  const auto run =
      test::run_family({"--quick", "--family", "pipe", "--filter", "unix-dgram/threads/.*/stream", "--size", "4194304"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  EXPECT_TRUE(run.entries.empty()) << "no measurement, so no entry in benchmarks[]";
  ASSERT_EQ(run.unavailable.size(), 1u);
  const std::string error = run.error(run.unavailable.begin()->first);
  EXPECT_EQ(error.rfind("unavailable: AF_UNIX datagram of 4194304 bytes", 0), 0u) << error;
}

}  // namespace
}  // namespace primbench
