// Open-loop load through a one-way channel (a pipe, a shared-memory ring):
// side A paces envelopes into the channel, side B (a pinned thread or
// process, PeerSession) checks each message and records its latency into the
// tally of the step it belongs to, in shared memory.
//
// A channel provides writer() and reader(), each copyable (a forked peer gets
// a copy) with
//   void send(const Envelope&);  // waits while full
//   void recv(Envelope&);        // waits while empty
// Every message carries message_check.hpp's sequence number and checksum
// (contiguous order, checked by the receiver), and the totals are checked
// against what was sent at the end: exactly once, or an error entry.
#pragma once

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "benches/load/load_run.hpp"
#include "benches/message_check.hpp"
#include "harness/clock.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::load {

inline constexpr std::size_t kMessageBytes = 16;  // sequence + checksum + trailer: the smallest fully checked message
inline constexpr std::uint32_t kStopStep = UINT32_MAX;
inline constexpr unsigned kMaxSteps = 16;  // the closed-loop bursts and the paced steps

// One message on the wire: the checked message and the stamps the receiver needs.
struct Envelope {
  std::uint64_t intended = 0;  // Clock ticks: when the schedule said to send it
  std::uint64_t sent = 0;      // Clock ticks: when the producer sent it (the uncorrected view)
  std::uint32_t step = 0;      // which step's tally it counts in; kStopStep ends the run
  std::uint32_t reserved = 0;
  std::array<std::byte, kMessageBytes> message{};
};
static_assert(sizeof(Envelope) == 40, "an envelope is written with one write(2), well under PIPE_BUF");

// One step as side B counts it.
struct alignas(64) StepTally {
  std::atomic<std::uint64_t> received{0};  // released after the latency is recorded: A reads the rest after it
  std::uint64_t last_received = 0;
  StepLatency latency;
};

struct ChannelShared {
  StepTally steps[kMaxSteps];
  std::uint64_t received = 0, digest = 0;  // side B's checker totals, written when it stops
};

// Side B: receive until the stop envelope, checking and timing every message.
template <class Reader>
void consume_steps(Reader in, ChannelShared& shared) {
  msg::MessageChecker checker(kMessageBytes);
  const double ns_per_tick = Clock::to_ns(1);
  Envelope e;
  for (;;) {
    in.recv(e);
    const std::uint64_t now = Clock::now();
    if (e.step == kStopStep) break;
    if (e.step >= kMaxSteps) throw std::runtime_error(fmt::format("corrupted envelope: step {}", e.step));
    checker.check(e.message);
    StepTally& tally = shared.steps[e.step];
    tally.latency.record(e.intended, e.sent, now, ns_per_tick);
    tally.last_received = now;
    tally.received.store(tally.received.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  shared.received = checker.received();
  shared.digest = checker.digest();
  checker.throw_if_failed();
}

// Side A: the load side run_load drives (load_run.hpp).
template <class Writer>
class ChannelLoad {
 public:
  // `spins`: spin_budget() of the pair (0 when both sides share a PU).
  ChannelLoad(Writer out, ChannelShared& shared, std::uint32_t spins) : out_(out), shared_(shared), spins_(spins) {
    writer_.prepare(envelope_.message);
  }

  StepOutcome closed_loop(std::uint64_t until) {
    const std::uint32_t step = begin_step();
    // One clock read per message, as the paced steps do: the maximum is what
    // this producer can offer through the channel, stamps included.
    const std::uint64_t first = Clock::now();
    std::uint64_t n = 0;
    for (std::uint64_t now = first; now < until; now = Clock::now(), ++n) send(step, now, now);
    return drain(step, n, first);
  }

  StepOutcome paced(const PacedSchedule& schedule, std::uint64_t n) {
    const std::uint32_t step = begin_step();
    run_paced(
        schedule, n, [] { return Clock::now(); }, [this] { pause_before_due(spins_); },
        [&](std::uint64_t, std::uint64_t due, std::uint64_t now) { send(step, due, now); });
    return drain(step, n, schedule.start());
  }

  // Ends side B's loop; call once, after the last step.
  void stop() {
    envelope_.step = kStopStep;
    out_.send(envelope_);
  }

  // After side B has stopped: every message sent arrived exactly once.
  void check_totals() const {
    const std::vector<std::uint64_t> sent{seq_};
    if (const std::string problem = msg::check_totals(shared_.received, shared_.digest, sent); !problem.empty())
      throw std::runtime_error(problem);
  }

 private:
  std::uint32_t begin_step() {
    if (next_step_ >= kMaxSteps) throw std::logic_error(fmt::format("more than {} load steps", kMaxSteps));
    return next_step_++;
  }

  void send(std::uint32_t step, std::uint64_t intended, std::uint64_t sent) {
    writer_.stamp(envelope_.message, seq_++);
    envelope_.intended = intended;
    envelope_.sent = sent;
    envelope_.step = step;
    out_.send(envelope_);
  }

  // Waits until side B has received all n messages of the step (a lost one
  // ends the wait after kDrainTimeout with an error, not a hang).
  StepOutcome drain(std::uint32_t step, std::uint64_t n, std::uint64_t first) {
    static constexpr std::chrono::seconds kDrainTimeout{10};
    const StepTally& tally = shared_.steps[step];
    const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    std::uint64_t received = 0;
    spin_until([&] {
      received = tally.received.load(std::memory_order_acquire);
      return received >= n || std::chrono::steady_clock::now() > deadline;
    }, spins_);
    if (received != n)
      throw std::runtime_error(fmt::format("step {}: side B received {} of the {} messages sent (within {} s)", step,
                                           received, n, kDrainTimeout.count()));
    return {n, first, tally.last_received, tally.latency};
  }

  Writer out_;
  ChannelShared& shared_;
  std::uint32_t spins_;
  msg::MessageWriter writer_{kMessageBytes};
  Envelope envelope_;
  std::uint64_t seq_ = 0;
  std::uint32_t next_step_ = 0;
};

}  // namespace primbench::load
