// The rings of benches/rings/: full and empty boundaries, wrap-around, zeroed
// memory as a valid ring, and exactly-once delivery proved by checksums with
// many threads and with forked processes sharing the ring.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "benches/rings/line_copy.hpp"
#include "benches/rings/mpmc_ring.hpp"
#include "benches/rings/spsc_ring.hpp"
#include "harness/workers.hpp"

namespace primbench::rings {
namespace {

using namespace std::chrono_literals;

// Rings are large objects (inline slots) and cache-line aligned: heap them
// through aligned new, as a shared region would hold them.
template <class Ring>
std::unique_ptr<Ring> make_ring() {
  return std::make_unique<Ring>();
}

template <class Ring>
class RingBoundaries : public ::testing::Test {};

using BoundaryRings = ::testing::Types<SpscRing<std::uint64_t, 4>, SpscRing<std::uint64_t, 3>,
                                       MpmcRing<std::uint64_t, 4>, MpmcRing<std::uint64_t, 3>,
                                       MpmcRing<std::uint64_t, 1>, SpscRing<std::uint64_t, 1>>;
TYPED_TEST_SUITE(RingBoundaries, BoundaryRings);

TYPED_TEST(RingBoundaries, EmptyRefusesPopAndFullRefusesPush) {
  auto ring = make_ring<TypeParam>();
  std::uint64_t out = 99;
  EXPECT_FALSE(ring->try_pop(out));
  EXPECT_EQ(out, 99u) << "a failed pop leaves its argument alone";
  for (std::uint64_t i = 0; i < TypeParam::capacity(); ++i) EXPECT_TRUE(ring->try_push(i)) << "push " << i;
  EXPECT_EQ(ring->size_approx(), TypeParam::capacity());
  EXPECT_FALSE(ring->try_push(1000)) << "every slot is in use";
  ASSERT_TRUE(ring->try_pop(out));
  EXPECT_EQ(out, 0u);
  EXPECT_TRUE(ring->try_push(1000)) << "one slot was freed";
  EXPECT_FALSE(ring->try_push(1001));
}

TYPED_TEST(RingBoundaries, WrapsAroundManyLapsInOrder) {
  auto ring = make_ring<TypeParam>();
  std::uint64_t next_in = 0, next_out = 0;
  // Vary the fill level so that head and tail cross the end of the array in
  // every relative position.
  for (int lap = 0; lap < 200; ++lap) {
    const std::uint64_t fill = 1 + static_cast<std::uint64_t>(lap) % TypeParam::capacity();
    for (std::uint64_t i = 0; i < fill; ++i) ASSERT_TRUE(ring->try_push(next_in++));
    for (std::uint64_t i = 0; i < fill; ++i) {
      std::uint64_t out = 0;
      ASSERT_TRUE(ring->try_pop(out));
      ASSERT_EQ(out, next_out++) << "lap " << lap;
    }
    std::uint64_t out = 0;
    ASSERT_FALSE(ring->try_pop(out)) << "lap " << lap;
  }
}

TYPED_TEST(RingBoundaries, ZeroedMemoryIsAValidEmptyRing) {
  // What a fresh MAP_SHARED region gives: the rings must work without a constructor call.
  alignas(TypeParam) static unsigned char raw[sizeof(TypeParam)];
  std::memset(raw, 0, sizeof raw);
  auto* ring = std::launder(reinterpret_cast<TypeParam*>(raw));
  std::uint64_t out = 0;
  EXPECT_FALSE(ring->try_pop(out));
  for (std::uint64_t i = 0; i < 3 * TypeParam::capacity(); ++i) {
    ASSERT_TRUE(ring->try_push(i + 7));
    ASSERT_TRUE(ring->try_pop(out));
    ASSERT_EQ(out, i + 7);
  }
}

// The SPSC consumer publishes its index in batches (spsc_ring.hpp): room a
// pop frees reaches the producer within read_publish_every() pops, and all of
// it at once when the consumer finds the ring empty.
TEST(Rings, SpscRoomFreedReachesTheProducerWithinOneBatch) {
  using Ring = SpscRing<std::uint64_t, 1024>;
  static_assert(Ring::read_publish_every() > 1 && Ring::read_publish_every() < Ring::capacity());
  auto ring = make_ring<Ring>();
  std::uint64_t next_in = 0, next_out = 0, out = 0;
  while (ring->try_push(next_in)) ++next_in;
  ASSERT_EQ(next_in, Ring::capacity());
  for (std::size_t i = 0; i < Ring::read_publish_every(); ++i) {
    ASSERT_TRUE(ring->try_pop(out));
    ASSERT_EQ(out, next_out++);
  }
  EXPECT_TRUE(ring->try_push(next_in++)) << "a whole batch of pops was published";
  while (ring->try_pop(out)) ASSERT_EQ(out, next_out++);
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(ring->size_approx(), 0u) << "an empty ring published every pop";
  for (std::size_t i = 0; i < Ring::capacity(); ++i) EXPECT_TRUE(ring->try_push(next_in++)) << i;
  EXPECT_FALSE(ring->try_push(next_in));
}

TEST(Rings, TimedWaitsGiveUpAtTheDeadline) {
  auto ring = make_ring<MpmcRing<std::uint64_t, 2>>();
  std::uint64_t out = 0;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(ring->pop_until(out, start + 20ms, 0));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  ASSERT_TRUE(ring->try_push(1));
  ASSERT_TRUE(ring->try_push(2));
  EXPECT_FALSE(ring->push_until(3, std::chrono::steady_clock::now() + 5ms, 0));
  EXPECT_TRUE(ring->pop_until(out, std::chrono::steady_clock::now() + 1s));
  EXPECT_EQ(out, 1u);
  EXPECT_TRUE(ring->push_until(3, std::chrono::steady_clock::now() + 1s));
}

TEST(Rings, LargeElementsAreCopiedWhole) {
  using Big = std::array<std::uint64_t, 300>;  // spans several cache lines
  auto ring = make_ring<MpmcRing<Big, 2>>();
  auto spsc = make_ring<SpscRing<Big, 2>>();
  Big in{}, out{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = i * 31 + 5;
  ASSERT_TRUE(ring->try_push(in));
  ASSERT_TRUE(ring->try_pop(out));
  EXPECT_EQ(in, out);
  out = {};
  ASSERT_TRUE(spsc->try_push(in));
  ASSERT_TRUE(spsc->try_pop(out));
  EXPECT_EQ(in, out);
}

// The SPSC consumer reads a large value one way after finding the ring empty
// (prefetching its lines first, up to 32 lines) and another way from a
// backlog: both must copy every byte, on either side of the 32-line limit.
template <std::size_t Bytes>
void expect_whole_after_empty_and_from_backlog() {
  using Value = std::array<std::uint8_t, Bytes>;
  auto ring = make_ring<SpscRing<Value, 4>>();
  auto value_number = [](std::size_t n) {
    Value v;
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(n * 7 + i * 13);
    return v;
  };
  Value out{};
  std::size_t pushed = 0, popped = 0;
  for (int round = 0; round < 6; ++round) {  // wraps the 4 slots
    EXPECT_FALSE(ring->try_pop(out)) << Bytes << " B: the ring is empty here";
    ASSERT_TRUE(ring->try_push(value_number(pushed++)));
    ASSERT_TRUE(ring->try_pop(out));  // after finding the ring empty
    EXPECT_EQ(out, value_number(popped++)) << Bytes << " B, popped after an empty ring";
    ASSERT_TRUE(ring->try_push(value_number(pushed++)));
    ASSERT_TRUE(ring->try_push(value_number(pushed++)));
    ASSERT_TRUE(ring->try_pop(out));  // no wait since the last pop: a backlog
    EXPECT_EQ(out, value_number(popped++)) << Bytes << " B, popped from a backlog";
    ASSERT_TRUE(ring->try_pop(out));
    EXPECT_EQ(out, value_number(popped++)) << Bytes << " B, popped from a backlog";
  }
}

TEST(Rings, SpscLargeValuesArriveWholeAfterAnEmptyRingAndFromABacklog) {
  expect_whole_after_empty_and_from_backlog<520>();   // 9 lines: the first size read both ways
  expect_whole_after_empty_and_from_backlog<2048>();  // 32 lines: the last one
  expect_whole_after_empty_and_from_backlog<2049>();  // 33 lines: read one way only
}

// --- many producers and consumers: exactly once, per-producer order --------

// A value names its producer and its index: producer << 32 | index.
constexpr std::uint64_t tag(std::uint64_t producer, std::uint64_t index) { return producer << 32 | index; }

// Per-consumer results, in shared memory so that forked consumers can report.
struct alignas(64) ConsumerTally {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t order_errors = 0;  // a producer's values seen out of order
  std::uint64_t timeouts = 0;
};

template <class Ring>
struct Arena {
  Ring ring;  // zero-filled by the group's region: valid without construction
  std::atomic<std::uint64_t> consumed{0};
  ConsumerTally tallies[16];
};

// Producers [0, producers) push `per_producer` values each; the others consume
// until everything was consumed. Runs as threads or as forked processes.
template <class Ring>
void run_exchange(ExecMode mode, unsigned producers, unsigned consumers, std::uint64_t per_producer) {
  const Topology topo = Topology::load("live");
  const auto allowed = topo.allowed_pus();
  std::vector<unsigned> pus;
  for (unsigned i = 0; i < producers + consumers; ++i) pus.push_back(allowed[i % allowed.size()]);
  WorkerGroup group(topo, {mode, pus, sizeof(Arena<Ring>), "ring exchange", std::chrono::seconds(20)});
  const std::uint64_t total = per_producer * producers;
  group.run([&](WorkerContext& ctx) {
    auto& arena = *static_cast<Arena<Ring>*>(ctx.shared);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    const std::uint32_t spins = pus.size() > allowed.size() ? 0 : kSpinsBeforeYield;
    if (ctx.index < producers) {
      for (std::uint64_t i = 0; i < per_producer; ++i)
        if (!arena.ring.push_until(tag(ctx.index, i), deadline, spins)) throw std::runtime_error("push timed out");
      return;
    }
    ConsumerTally& tally = arena.tallies[ctx.index - producers];
    std::vector<std::uint64_t> next(producers, 0);
    while (arena.consumed.load(std::memory_order_relaxed) < total) {
      std::uint64_t v = 0;
      if (!arena.ring.pop_until(v, std::chrono::steady_clock::now() + 2ms, spins)) {
        if (std::chrono::steady_clock::now() > deadline) {
          ++tally.timeouts;
          return;
        }
        continue;
      }
      arena.consumed.fetch_add(1, std::memory_order_relaxed);
      const std::uint64_t p = v >> 32, index = v & 0xffffffffu;
      if (p >= producers || index < next[p])
        ++tally.order_errors;
      else
        next[p] = index + 1;
      ++tally.count;
      tally.sum += v;
    }
  });
  auto& arena = *static_cast<Arena<Ring>*>(group.shared());
  std::uint64_t count = 0, sum = 0, expected_sum = 0;
  for (unsigned c = 0; c < consumers; ++c) {
    count += arena.tallies[c].count;
    sum += arena.tallies[c].sum;
    EXPECT_EQ(arena.tallies[c].order_errors, 0u) << "consumer " << c;
    EXPECT_EQ(arena.tallies[c].timeouts, 0u) << "consumer " << c;
  }
  for (unsigned p = 0; p < producers; ++p)
    for (std::uint64_t i = 0; i < per_producer; ++i) expected_sum += tag(p, i);
  EXPECT_EQ(count, total) << "every value consumed exactly once";
  EXPECT_EQ(sum, expected_sum) << "checksum of all values";
  // The workers are gone: a pop here finds the ring empty (and makes the SPSC
  // ring publish its last, unbatched pops), after which nothing is queued.
  std::uint64_t left_over = 0;
  EXPECT_FALSE(arena.ring.try_pop(left_over)) << "a value was left in the ring: " << left_over;
  EXPECT_EQ(arena.ring.size_approx(), 0u);
}

struct ExchangeCase {
  ExecMode mode;
  unsigned producers, consumers;
};

class MpmcExchange : public ::testing::TestWithParam<ExchangeCase> {};

TEST_P(MpmcExchange, EveryValueArrivesExactlyOnceInProducerOrder) {
  const ExchangeCase c = GetParam();
  run_exchange<MpmcRing<std::uint64_t, 64>>(c.mode, c.producers, c.consumers, 20000);
}

TEST_P(MpmcExchange, TinyRingUnderContention) {
  const ExchangeCase c = GetParam();
  // Oversubscribed here (up to 8 workers on 2 PUs) and waiting by yielding:
  // each hand-off can cost a scheduler round, so the count stays modest; the
  // point is exactly-once delivery through a ring that is always full.
  run_exchange<MpmcRing<std::uint64_t, 2>>(c.mode, c.producers, c.consumers, 1000);
}

INSTANTIATE_TEST_SUITE_P(Rings, MpmcExchange,
                         ::testing::Values(ExchangeCase{ExecMode::threads, 1, 1}, ExchangeCase{ExecMode::threads, 4, 1},
                                           ExchangeCase{ExecMode::threads, 1, 4}, ExchangeCase{ExecMode::threads, 4, 4},
                                           ExchangeCase{ExecMode::processes, 1, 1},
                                           ExchangeCase{ExecMode::processes, 2, 3}),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param.mode)) + "_p" +
                                  std::to_string(param_info.param.producers) + "c" + std::to_string(param_info.param.consumers);
                         });

class SpscExchange : public ::testing::TestWithParam<ExecMode> {};

TEST_P(SpscExchange, EveryValueArrivesExactlyOnceInOrder) {
  run_exchange<SpscRing<std::uint64_t, 64>>(GetParam(), 1, 1, 100000);   // publishes reads every 16 pops
  run_exchange<SpscRing<std::uint64_t, 1024>>(GetParam(), 1, 1, 100001);  // every 256: 100001 is no multiple, so the final pops stay unpublished until a pop finds the ring empty
  run_exchange<SpscRing<std::uint64_t, 1>>(GetParam(), 1, 1, 5000);
}

// The string copy moves exactly the bytes asked for, from and to any offset
// in a line, and leaves its neighbours alone. (Under a sanitizer it is
// memcpy: this then checks the fallback.)
TEST(LineCopy, StringCopyMovesExactlyTheBytesAskedFor) {
  for (std::size_t bytes : {0u, 1u, 7u, 63u, 64u, 65u, 2048u, 2055u})
    for (std::size_t src_at : {0u, 5u, 48u})
      for (std::size_t dst_at : {0u, 3u, 16u}) {
        std::vector<unsigned char> src(bytes + 128), dst(bytes + 128, 0xEE);
        for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 7 + 1);
        copy_bytes_as_string(dst.data() + dst_at, src.data() + src_at, bytes);
        for (std::size_t i = 0; i < dst.size(); ++i) {
          const bool inside = i >= dst_at && i < dst_at + bytes;
          ASSERT_EQ(dst[i], inside ? src[src_at + i - dst_at] : 0xEE)
              << bytes << " bytes from +" << src_at << " to +" << dst_at << ", byte " << i;
        }
      }
}

// Values above a cache line take the SPSC ring's other layout (numbers in an
// array of their own, values on whole lines): every word of every value must
// arrive, in order, across wrap-around. 72 bytes is just over a line (the
// value spills into a second one); 2056 is not a multiple of the line.
template <std::size_t Words>
struct alignas(8) WideValue {
  std::uint64_t word[Words];
};

template <class Ring>
void run_wide_exchange(ExecMode mode, std::uint64_t count) {
  using Value = typename Ring::value_type;
  struct Shared {
    Ring ring;
    std::uint64_t received = 0, damaged = 0, timeouts = 0;
  };
  const Topology topo = Topology::load("live");
  const auto allowed = topo.allowed_pus();
  WorkerGroup group(topo, {mode, {allowed.front(), allowed.back()}, sizeof(Shared), "wide ring exchange",
                           std::chrono::seconds(20)});
  group.run([&](WorkerContext& ctx) {
    auto& shared = *static_cast<Shared*>(ctx.shared);
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    const std::uint32_t spins = allowed.size() > 1 ? kSpinsBeforeYield : 0;
    Value v{};
    for (std::uint64_t i = 0; i < count; ++i) {
      if (ctx.index == 0) {
        for (std::size_t w = 0; w < std::size(v.word); ++w) v.word[w] = i * 1000003 + w;
        if (!shared.ring.push_until(v, deadline, spins)) throw std::runtime_error("push timed out");
        continue;
      }
      if (!shared.ring.pop_until(v, deadline, spins)) {
        ++shared.timeouts;
        return;
      }
      for (std::size_t w = 0; w < std::size(v.word); ++w)
        if (v.word[w] != i * 1000003 + w) {
          ++shared.damaged;
          break;
        }
      ++shared.received;
    }
  });
  auto& shared = *static_cast<Shared*>(group.shared());
  EXPECT_EQ(shared.received, count);
  EXPECT_EQ(shared.damaged, 0u) << "values arrived torn, out of order or from another slot";
  EXPECT_EQ(shared.timeouts, 0u);
  Value left{};
  EXPECT_FALSE(shared.ring.try_pop(left));
}

TEST_P(SpscExchange, ValuesAboveACacheLineArriveWholeAndInOrder) {
  run_wide_exchange<SpscRing<WideValue<9>, 64>>(GetParam(), 20001);
  run_wide_exchange<SpscRing<WideValue<9>, 3>>(GetParam(), 5000);
  run_wide_exchange<SpscRing<WideValue<257>, 16>>(GetParam(), 5001);
  // Either side of the largest value copied after prefetching its lines (8
  // lines); above it the consumer copies with a string instruction.
  run_wide_exchange<SpscRing<WideValue<64>, 8>>(GetParam(), 3001);
  run_wide_exchange<SpscRing<WideValue<65>, 8>>(GetParam(), 3001);
}

INSTANTIATE_TEST_SUITE_P(Rings, SpscExchange, ::testing::Values(ExecMode::threads, ExecMode::processes),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

}  // namespace
}  // namespace primbench::rings
