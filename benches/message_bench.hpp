// The measuring code of the message-passing families (pipe, queue), written
// once: a primitive enters as a Transport whose endpoints can send and receive
// one whole message.
//
//   rtt     side A sends a message, side B checks it and sends it back, A
//           checks the reply: a ping-pong with the full message both ways.
//           Per-op samples are TSC batches (timer overhead subtracted);
//           one-way = RTT / 2, labelled as such.
//   stream  side A sends messages back to back, side B checks them. The time
//           runs until B has checked the last one, so a buffering primitive
//           cannot look faster than it delivers.
// Both sides' CPU time per message is reported: side A's from
// CLOCK_THREAD_CPUTIME_ID over the measured loop, side B's from its worker
// slot (its whole body). Every message carries a sequence number and a
// checksum (message_check.hpp); any violation turns the benchmark into an
// error entry.
//
// A Transport is created by side A before the peer starts (so forked peers
// inherit its descriptors and mappings) and provides:
//   Endpoint a(), b();             copyable, usable from a thread or a forked child
// and an Endpoint provides:
//   std::size_t slot_bytes() const;         buffers hold max(size, slot_bytes()) bytes
//   void send(std::span<const std::byte>);  the whole message (waits while full)
//   void recv(std::span<std::byte>);        exactly one whole message (waits while empty)
// A primitive that cannot run as asked (a size above its limit) throws
// Unavailable from its Transport's constructor.
#pragma once

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "benches/message_check.hpp"
#include "harness/batch_timing.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/clock.hpp"
#include "harness/peer_session.hpp"
#include "harness/spin_wait.hpp"

namespace primbench::msgbench {

// "unavailable: <what>" in the result instead of a number.
struct Unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Measure { rtt, stream };
inline std::string_view to_string(Measure m) { return m == Measure::rtt ? "rtt" : "stream"; }

// Everything one benchmark needs to know about what it measures.
struct Subject {
  std::string family;     // "pipe" / "queue"
  std::string primitive;  // "unix-stream", "mpmc-ring", ...
  std::string wait;       // "block" (sleeps in the kernel) or "spin" (busy-polls, then yields)
  ExecMode mode = ExecMode::threads;
  PairClass cls = PairClass::same_pu;
  PuPair pair;
  Measure measure = Measure::rtt;
  std::size_t size = msg::kMinMessageBytes;
  std::uint64_t batch = 16;  // round trips per timed sample (rtt)
  nlohmann::json notes = nlohmann::json::object();  // primitive facts for the record (slot bytes, capacity)
};

inline std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Side A's and side B's shared words, in the session's zeroed region.
struct alignas(64) ExchangeControl {
  std::atomic<std::uint64_t> final_count{0};        // set before A sends the last message
  alignas(64) std::atomic<std::uint32_t> started{0};  // B has checked the first message
  std::atomic<std::uint32_t> drained{0};              // B has checked the last message
};
static_assert(sizeof(ExchangeControl) == 128, "A's and B's words sit on separate cache lines");

// A message buffer of `size` bytes that a transport may read as one slot,
// zeroed, starting on a cache line: copies run fastest when source and
// destination sit equally far into their lines, so every transport gets the
// same start in every run (docs/MEASUREMENTS.md).
class MessageBuffer {
 public:
  static constexpr std::size_t kAlignment = 64;
  MessageBuffer(std::size_t size, std::size_t slot_bytes)
      : bytes_(std::max(size, slot_bytes)),
        size_(size),
        data_(new (std::align_val_t{kAlignment}) std::byte[bytes_]()) {}
  std::span<std::byte> message() { return {data_.get(), size_}; }
  std::span<std::byte> slot() { return {data_.get(), bytes_}; }

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const noexcept { ::operator delete[](p, std::align_val_t{kAlignment}); }
  };
  std::size_t bytes_;
  std::size_t size_;
  std::unique_ptr<std::byte[], AlignedDelete> data_;
};

namespace detail {

// Side B of both measures: check every message (and echo it, for rtt) until
// the one A announced as the last.
template <class Endpoint>
void serve(Endpoint b, ExchangeControl& control, std::size_t size, bool echo) {
  MessageBuffer buffer(size, b.slot_bytes());
  msg::MessageChecker incoming(size);
  for (std::uint64_t n = 1;; ++n) {
    b.recv(buffer.slot());
    incoming.check(buffer.message());
    if (echo) b.send(buffer.slot());
    if (n == 1) control.started.store(1, std::memory_order_release);
    if (control.final_count.load(std::memory_order_acquire) == n) break;
  }
  control.drained.store(1, std::memory_order_release);
  incoming.throw_if_failed();
}

inline nlohmann::json base_extra(const Subject& s, std::uint64_t messages, double cpu_a_ns, double cpu_b_ns) {
  return {{"primitive", s.primitive},
          {"measure", std::string(to_string(s.measure))},
          {"wait", s.wait},
          {"size", s.size},
          {"pair", {s.pair.a, s.pair.b}},
          {"messages", messages},
          {"cpu_ns_per_msg", {{"side_a", cpu_a_ns}, {"side_b", cpu_b_ns}}},
          {"checks", "sequence + checksum on every message, verified by each receiver"},
          {"notes", s.notes}};
}

// Side B pinned to the pair's second PU, as a thread or a forked process,
// serving from its endpoint until the last message.
template <class Endpoint>
PeerSession serving_peer(const std::string& name, const Subject& s, Endpoint b, bool echo) {
  return PeerSession(*bench_environment().topo, s.mode, s.pair, sizeof(ExchangeControl), name,
                     [b, size = s.size, echo](WorkerContext& ctx) {
                       serve(b, *static_cast<ExchangeControl*>(ctx.shared), size, echo);
                     });
}

}  // namespace detail

template <class Transport>
void measure_rtt(benchmark::State& state, const std::string& name, const Subject& s, Transport& transport) {
  auto a = transport.a();
  const std::size_t size = s.size;
  PeerSession session = detail::serving_peer(name, s, transport.b(), /*echo=*/true);
  auto& control = *static_cast<ExchangeControl*>(session.shared());
  const msg::MessageWriter writer(size);
  msg::MessageChecker replies(size);
  MessageBuffer out(size, a.slot_bytes()), in(size, a.slot_bytes());
  writer.prepare(out.message());
  std::uint64_t seq = 0;
  auto round_trip = [&] {
    writer.stamp(out.message(), seq++);
    a.send(out.slot());
    a.recv(in.slot());
    replies.check(in.message());
  };
  round_trip();  // untimed: side B is awake and running before the clock starts
  LatencyHistogram hist;
  const std::int64_t cpu0 = thread_cpu_ns();
  timed_batches(state, hist, s.batch, [&](std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) round_trip();
  });
  const double cpu_a = static_cast<double>(thread_cpu_ns() - cpu0);
  control.final_count.store(seq + 1, std::memory_order_release);
  round_trip();
  const auto placements = session.finish();  // throws WorkerFailure with B's first violation
  replies.throw_if_failed();
  const double cpu_a_per = cpu_a / static_cast<double>(seq - 2);  // the timed round trips
  const double cpu_b_per = static_cast<double>(session.peer_slot().cpu_time_ns) / static_cast<double>(seq);
  publish_latency_counters(state, hist);
  publish_placement_counter(state, placements);
  state.counters["one_way_ns"] = hist.percentiles().p50 / 2;  // RTT/2, labelled as such
  state.counters["cpu_a_ns_per_rtt"] = cpu_a_per;
  state.counters["cpu_b_ns_per_rtt"] = cpu_b_per;
  state.SetLabel(fmt::format("{} {} B round trip, {}", s.primitive, size, s.wait));
  nlohmann::json extra = detail::base_extra(s, seq, cpu_a_per, cpu_b_per);
  extra["batch"] = s.batch;
  extra["timer_overhead_ns_subtracted"] = clock_info().read_overhead_ns;
  extra["one_way"] = "one_way_ns = p50 round trip / 2";
  record_bench(name, BenchRecord{s.family, std::string(to_string(s.mode)), std::string(to_string(s.cls)), placements,
                                 false, hist, "round trip of a full message each way (mean of a batch)", extra});
}

inline constexpr std::uint64_t kStreamBatch = 16;  // messages between two looks at Google Benchmark's loop

template <class Transport>
void measure_stream(benchmark::State& state, const std::string& name, const Subject& s, Transport& transport) {
  auto a = transport.a();
  const std::size_t size = s.size;
  PeerSession session = detail::serving_peer(name, s, transport.b(), /*echo=*/false);
  auto& control = *static_cast<ExchangeControl*>(session.shared());
  const msg::MessageWriter writer(size);
  MessageBuffer out(size, a.slot_bytes());
  writer.prepare(out.message());
  std::uint64_t seq = 0;
  const std::uint32_t spins = spin_budget(s.pair.a == s.pair.b);
  // Untimed first message: side B is awake and running before the clock starts.
  writer.stamp(out.message(), seq++);
  a.send(out.slot());
  spin_until([&] { return control.started.load(std::memory_order_acquire) != 0; }, spins);
  const std::int64_t cpu0 = thread_cpu_ns();
  const std::uint64_t t0 = Clock::now();
  bool finished = false;
  // Announce and send the last message, then wait until B has checked it.
  auto finish = [&] {
    control.final_count.store(seq + 1, std::memory_order_release);
    writer.stamp(out.message(), seq++);
    a.send(out.slot());
    spin_until([&] { return control.drained.load(std::memory_order_acquire) != 0; }, spins);
    finished = true;
  };
  while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(kStreamBatch))) {
    for (std::uint64_t i = 0; i < kStreamBatch; ++i) {
      writer.stamp(out.message(), seq++);
      a.send(out.slot());
    }
    // In the last batch the clock keeps running until B has checked every
    // message, so a buffering primitive cannot look faster than it delivers.
    if (state.iterations() >= state.max_iterations) finish();
  }
  if (!finished) finish();
  const double seconds = Clock::to_ns(Clock::now() - t0) * 1e-9;
  const double cpu_a = static_cast<double>(thread_cpu_ns() - cpu0);
  const auto placements = session.finish();
  const double n = static_cast<double>(seq - 1);  // the timed messages
  const double cpu_b = static_cast<double>(session.peer_slot().cpu_time_ns);
  state.counters["msgs_per_s"] = n / seconds;
  state.counters["bytes_per_s"] = n * static_cast<double>(size) / seconds;
  state.counters["cpu_a_ns_per_msg"] = cpu_a / n;
  state.counters["cpu_b_ns_per_msg"] = cpu_b / n;
  publish_placement_counter(state, placements);
  state.SetLabel(fmt::format("{} {} B stream, {}", s.primitive, size, s.wait));
  nlohmann::json extra = detail::base_extra(s, seq, cpu_a / n, cpu_b / n);
  extra["msgs_per_s"] = n / seconds;
  extra["bytes_per_s"] = n * static_cast<double>(size) / seconds;
  extra["time"] = "from the first send until side B checked the last message";
  record_bench(name, BenchRecord{s.family, std::string(to_string(s.mode)), std::string(to_string(s.cls)), placements,
                                 false, std::nullopt, "", extra});
}

// Runs one measure, turning Unavailable and failures into error entries.
template <class Transport, class MakeTransport>
void run_measure(benchmark::State& state, const std::string& name, const Subject& s, MakeTransport&& make) {
  try {
    Transport transport = make(s);
    Subject subject = s;
    if constexpr (requires { transport.notes(); }) subject.notes = transport.notes();
    if (s.measure == Measure::rtt)
      measure_rtt(state, name, subject, transport);
    else
      measure_stream(state, name, subject, transport);
  } catch (const Unavailable& e) {
    state.SkipWithError(fmt::format("unavailable: {}", e.what()).c_str());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// --- registration -----------------------------------------------------------

// Default message sizes: 8 B, 32 B, ... (powers of 4) up to 1 MiB, 1 MiB
// included; --size values replace them.
inline std::vector<std::size_t> stream_sizes(const BenchConfig& config) {
  if (!config.sizes.empty()) return config.sizes;
  if (config.quick) return {8, 32768};
  std::vector<std::size_t> sizes;
  for (std::size_t n = 8; n < (1u << 20); n *= 4) sizes.push_back(n);
  sizes.push_back(1u << 20);
  return sizes;
}

// Round trips are latency-bound: the smallest message and a 2 KiB one (a
// default stream size too, so both measures meet there).
inline std::vector<std::size_t> rtt_sizes(const BenchConfig& config) {
  if (!config.sizes.empty()) return config.sizes;
  if (config.quick) return {8};
  return {8, 2048};
}

// What a family says about one primitive.
struct PrimitiveSpec {
  std::string family, primitive, wait;
  std::vector<ExecMode> modes;
  std::vector<Measure> measures{Measure::rtt, Measure::stream};
  std::uint64_t rtt_batch = 16;
  std::vector<std::size_t> only_sizes;  // when the primitive has one message size (eventfd)
};

using MeasureBody = std::function<void(benchmark::State&, const std::string&, const Subject&)>;

// The classes one (primitive, mode) is measured on: every present class, or
// in --quick one (the nearest cross-PU class, else same-pu).
inline std::vector<const PairClassPlan*> classes_to_measure(const BenchEnvironment& env) {
  std::vector<const PairClassPlan*> out;
  for (const PairClassPlan& plan : env.pairs.classes)
    if (plan.present) out.push_back(&plan);
  if (env.config.quick && out.size() > 1) return {out[1]};
  return out;
}

// Registers <family>/<primitive>/<mode>/<class>/<rtt|stream>/<size> for each
// present class, and one unavailable entry <family>/<primitive>/<mode>/<class>
// per absent class.
inline void register_primitive(const BenchEnvironment& env, const PrimitiveSpec& spec, const MeasureBody& body) {
  for (ExecMode mode : spec.modes) {
    if (!env.config.quick)
      for (const PairClassPlan& plan : env.pairs.classes)
        if (!plan.present)
          register_unavailable(bench_name(spec.family, spec.primitive, mode, plan.cls),
                               fmt::format("placement class {} is absent: {}", to_string(plan.cls), plan.reason));
    for (const PairClassPlan* plan : classes_to_measure(env))
      for (Measure measure : spec.measures) {
        std::vector<std::size_t> sizes = measure == Measure::rtt ? rtt_sizes(env.config) : stream_sizes(env.config);
        if (!spec.only_sizes.empty()) sizes = spec.only_sizes;
        for (std::size_t size : sizes) {
          const Subject s{spec.family, spec.primitive, spec.wait, mode, plan->cls, plan->pairs.front(),
                          measure,     size,           spec.rtt_batch, {}};
          const std::string name =
              fmt::format("{}/{}/{}", bench_name(spec.family, spec.primitive, mode, plan->cls), to_string(measure), size);
          // No per-benchmark options (MinTime...): Google Benchmark would append
          // them to the name, and the run loop sets the min time. register_bench
          // sizes the run by real time (GB appends "/real_time").
          register_bench(name, [body, s](benchmark::State& st, const std::string& n) { body(st, n, s); });
        }
      }
  }
}

}  // namespace primbench::msgbench
