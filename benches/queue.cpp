// The queue family: bounded queues between pinned sides, ours and packaged
// peers side by side.
//
//   in-process (threads):   mutex-cv (std::mutex + condition variables, the
//                           queue.Queue analogue), spsc-ring, mpmc-ring,
//                           boost-spsc, boost-queue (boost::lockfree),
//                           moodycamel-cq, moodycamel-rwq,
//                           tbb-bounded (tbb::concurrent_bounded_queue)
//   cross-process:          spsc-ring, mpmc-ring in shared memory (the
//                           multiprocessing.Queue analogue), boost-ipc-mq
//                           (boost::interprocess::message_queue), posix-mq
// Names:
//   queue/<primitive>/<mode>/<class>/<rtt|stream>/<size>       two sides on a pair
//   queue/<primitive>/<mode>/compact/sweep/<size>/p<P>c<C>     P producers, C consumers
// "spin" primitives busy-poll (then yield: at once when the sides share a
// PU); "block" primitives sleep in the kernel. Typed queues hold messages in
// fixed slots: a message of n bytes travels in the smallest slot class
// (8 B ... 1 MiB, powers of 4) that holds it, and the slot size is recorded.
#include <fcntl.h>
#include <mqueue.h>
#include <sys/resource.h>

#include <array>
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <concurrentqueue/concurrentqueue.h>
#include <readerwriterqueue/readerwriterqueue.h>
#include <tbb/concurrent_queue.h>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "benches/message_bench.hpp"
#include "benches/rings/mpmc_ring.hpp"
#include "benches/rings/spsc_ring.hpp"
#include "harness/run_identity.hpp"
#include "harness/shm_segment.hpp"
#include "harness/workers.hpp"

#if __has_include(<readerwriterqueue/readerwriterqueue.h>)
#include <readerwriterqueue/readerwriterqueue.h>
#define PRIMBENCH_HAVE_READERWRITERQUEUE 1
#else
#define PRIMBENCH_HAVE_READERWRITERQUEUE 0
#endif

namespace primbench {
namespace {

using msgbench::Subject;
using msgbench::Unavailable;
using Bytes = std::span<std::byte>;
using ConstBytes = std::span<const std::byte>;

// --- slot classes ------------------------------------------------------------

template <std::size_t N>
using Slot = std::array<std::byte, N>;

constexpr std::size_t kSlotClasses[] = {8, 32, 128, 512, 2048, 8192, 32768, 131072, 524288, 1u << 20};

// Elements per queue: 1024, fewer for big slots (about 512 KiB per queue),
// at least 4 so that streaming still overlaps the two sides.
constexpr std::size_t queue_capacity(std::size_t slot_bytes) {
  std::size_t cap = 1024;
  while (cap > 4 && cap * slot_bytes > (512u << 10)) cap /= 2;
  return cap;
}

// Calls f.template operator()<B>() for the smallest slot class B >= size;
// false when the size is above the largest class.
template <class F, std::size_t... I>
bool dispatch_slot_class(std::size_t size, F&& f, std::index_sequence<I...>) {
  return ((size <= kSlotClasses[I] ? (f.template operator()<kSlotClasses[I]>(), true) : false) || ...);
}
template <class F>
void with_slot_class(std::size_t size, F&& f) {
  if (!dispatch_slot_class(size, f, std::make_index_sequence<std::size(kSlotClasses)>()))
    throw Unavailable(fmt::format("a message of {} bytes is above the largest slot class ({} bytes)", size,
                                  kSlotClasses[std::size(kSlotClasses) - 1]));
}

// --- queue adapters ------------------------------------------------------------
// A queue is one direction. Q(size, spins) builds it (before any peer starts);
// q.handle() gives a copyable Handle with slot_bytes(), send(), recv() and
// try_recv(), usable by one thread (or forked process) each.

template <class Slot_>
const Slot_& as_slot(ConstBytes b) {
  return *reinterpret_cast<const Slot_*>(b.data());
}
template <class Slot_>
Slot_& as_slot(Bytes b) {
  return *reinterpret_cast<Slot_*>(b.data());
}

// Our rings, in a shared segment of their own (zeroed = a valid empty ring;
// unlinked at once: forked peers inherit the mapping).
template <class Ring>
class RingQueue {
  using Element = typename Ring::value_type;

 public:
  RingQueue(std::size_t, std::uint32_t spins)
      : segment_(SharedSegment::create("queue-ring", sizeof(Ring))), spins_(spins) {
    segment_.unlink();
    ring_ = new (segment_.data()) Ring{};
  }
  struct Handle {
    Ring* ring;
    std::uint32_t spins;
    std::size_t slot_bytes() const { return sizeof(Element); }
    void send(ConstBytes m) { ring->push(as_slot<Element>(m), spins); }
    void recv(Bytes m) { ring->pop(as_slot<Element>(m), spins); }
    bool try_recv(Bytes m) { return ring->try_pop(as_slot<Element>(m)); }
  };
  Handle handle() { return {ring_, spins_}; }
  static nlohmann::json notes() { return {{"slot_bytes", sizeof(Element)}, {"capacity", Ring::capacity()}}; }

 private:
  SharedSegment segment_;
  Ring* ring_ = nullptr;
  std::uint32_t spins_;
};

template <std::size_t B>
using SpscRingQueue = RingQueue<rings::SpscRing<Slot<B>, queue_capacity(B)>>;
template <std::size_t B>
using MpmcRingQueue = RingQueue<rings::MpmcRing<Slot<B>, queue_capacity(B)>>;

// A packaged lock-free queue with bool try_push / try_pop; waiting spins the
// same way our rings do. Heap-allocated: fixed-capacity ones hold their
// slots inline.
template <class Impl, std::size_t B>
class LockfreePeer {
 public:
  LockfreePeer(std::size_t, std::uint32_t spins) : impl_(std::make_unique<Impl>()), spins_(spins) {}
  struct Handle {
    Impl* q;
    std::uint32_t spins;
    std::size_t slot_bytes() const { return B; }
    void send(ConstBytes m) {
      rings::retry_until_done([&] { return q->push(as_slot<Slot<B>>(m)); }, spins);
    }
    void recv(Bytes m) {
      rings::retry_until_done([&] { return q->pop(as_slot<Slot<B>>(m)); }, spins);
    }
    bool try_recv(Bytes m) { return q->pop(as_slot<Slot<B>>(m)); }
  };
  Handle handle() { return {impl_.get(), spins_}; }
  // The capacity the queue really has where it can say (ReaderWriterQueue:
  // one below the family's, see BoundedReaderWriterQueue), beside the family's.
  nlohmann::json notes() const {
    if constexpr (requires { impl_->max_capacity(); })
      return {{"slot_bytes", B}, {"capacity", impl_->max_capacity()}, {"family_capacity", queue_capacity(B)}};
    else
      return {{"slot_bytes", B}, {"capacity", queue_capacity(B)}};
  }

 private:
  std::unique_ptr<Impl> impl_;
  std::uint32_t spins_;
};

template <std::size_t B>
using BoostSpscQueue =
    LockfreePeer<boost::lockfree::spsc_queue<Slot<B>, boost::lockfree::capacity<queue_capacity(B)>>, B>;
template <std::size_t B>
using BoostLockfreeQueue = LockfreePeer<boost::lockfree::queue<Slot<B>, boost::lockfree::capacity<queue_capacity(B)>>, B>;

// moodycamel::ConcurrentQueue: implicit producers (an explicit producer keeps
// its emptied blocks to itself, so with a bounded pool a second producer can
// starve), consumers through a token made on first use. try_enqueue never
// allocates, so the pre-allocated pool of 32-element blocks bounds it.
template <std::size_t B>
class MoodycamelQueue {
  using Impl = moodycamel::ConcurrentQueue<Slot<B>>;
  static constexpr std::size_t kPoolElements =
      std::max<std::size_t>(queue_capacity(B), Impl::BLOCK_SIZE * (B <= 2048 ? 64 : 2));

 public:
  MoodycamelQueue(std::size_t, std::uint32_t spins) : impl_(std::make_unique<Impl>(kPoolElements)), spins_(spins) {}
  struct Handle {
    Impl* q;
    std::uint32_t spins;
    std::optional<moodycamel::ConsumerToken> consumer;
    Handle(Impl* queue, std::uint32_t s) : q(queue), spins(s) {}
    Handle(const Handle& other) : q(other.q), spins(other.spins) {}  // a token belongs to one consumer
    Handle& operator=(const Handle&) = delete;
    std::size_t slot_bytes() const { return B; }
    void send(ConstBytes m) {
      rings::retry_until_done([&] { return q->try_enqueue(as_slot<Slot<B>>(m)); }, spins);
    }
    void recv(Bytes m) {
      rings::retry_until_done([&] { return try_recv(m); }, spins);
    }
    bool try_recv(Bytes m) {
      if (!consumer) consumer.emplace(*q);
      return q->try_dequeue(*consumer, as_slot<Slot<B>>(m));
    }
  };
  Handle handle() { return {impl_.get(), spins_}; }
  static nlohmann::json notes() {
    return {{"slot_bytes", B}, {"capacity", kPoolElements}, {"note", "pre-allocated blocks, shared by its producers"}};
  }

 private:
  std::unique_ptr<Impl> impl_;
  std::uint32_t spins_;
};

// moodycamel::ReaderWriterQueue under the push / pop names LockfreePeer uses;
// try_enqueue never allocates, so it stays bounded at its initial size.
// It rounds a request for n up: one block of ceil_pow2(n + 1) slots holding
// one less, or above 1024 several 512-slot blocks (a request for 1024 held
// 2044). Asked for Capacity - 1 it makes one block that holds Capacity - 1,
// one message below the other queues; asked for Capacity it had twice their
// room, and a ring twice as large is another test (at 512 B it outgrows a
// 1 MB L2). Measured (scripts/ring_vs_peers.py, two runs): with twice the
// room it streamed 32 and 128 B as fast as our SPSC ring, with equal room our
// ring streams 2.4x as many messages a second; at 2048 B it made no difference.
template <class T, std::size_t Capacity>
struct BoundedReaderWriterQueue : moodycamel::ReaderWriterQueue<T> {
  static_assert(Capacity >= 2 && (Capacity & (Capacity - 1)) == 0 && Capacity <= 1024,
                "the request below makes exactly one block only for powers of two up to 2 x 512");
  BoundedReaderWriterQueue() : moodycamel::ReaderWriterQueue<T>(Capacity - 1) {}
  bool push(const T& value) { return this->try_enqueue(value); }
  bool pop(T& out) { return this->try_dequeue(out); }
};
template <std::size_t B>
using ReaderWriterPeer = LockfreePeer<BoundedReaderWriterQueue<Slot<B>, queue_capacity(B)>, B>;

// tbb::concurrent_bounded_queue through its non-blocking try_push / try_pop,
// so it waits the way the other "spin" queues do: its blocking push / pop
// sleep on TBB's own monitor and would make it a "block" primitive, and a
// consumer draining a sweep must be able to give up.
template <class T, std::size_t Capacity>
struct TbbBoundedQueue : tbb::concurrent_bounded_queue<T> {
  TbbBoundedQueue() { this->set_capacity(static_cast<std::ptrdiff_t>(Capacity)); }
  bool push(const T& value) { return this->try_push(value); }
  bool pop(T& out) { return this->try_pop(out); }
};
template <std::size_t B>
using TbbBoundedPeer = LockfreePeer<TbbBoundedQueue<Slot<B>, queue_capacity(B)>, B>;

// The queue.Queue analogue: a bounded ring of `size`-byte messages under one
// mutex, producers and consumers sleeping on condition variables.
class MutexCvQueue {
  struct Impl {
    std::mutex mutex;
    std::condition_variable not_empty, not_full;
    std::vector<std::byte> storage;
    std::size_t size, capacity, head = 0, count = 0;

    std::byte* at(std::size_t i) { return storage.data() + (i % capacity) * size; }
    void push(ConstBytes m) {
      std::unique_lock lock(mutex);
      not_full.wait(lock, [&] { return count < capacity; });
      std::memcpy(at(head + count), m.data(), size);
      ++count;
      lock.unlock();
      not_empty.notify_one();
    }
    bool pop(Bytes m, bool wait) {
      std::unique_lock lock(mutex);
      if (wait)
        not_empty.wait(lock, [&] { return count > 0; });
      else if (count == 0)
        return false;
      std::memcpy(m.data(), at(head), size);
      head = (head + 1) % capacity;
      --count;
      lock.unlock();
      not_full.notify_one();
      return true;
    }
  };

 public:
  MutexCvQueue(std::size_t size, std::uint32_t) : impl_(std::make_unique<Impl>()) {
    impl_->size = size;
    impl_->capacity = capacity_for(size);
    impl_->storage.resize(impl_->capacity * size);
  }
  struct Handle {
    Impl* q;
    std::size_t slot_bytes() const { return 0; }
    void send(ConstBytes m) { q->push(m); }
    void recv(Bytes m) { q->pop(m, true); }
    bool try_recv(Bytes m) { return q->pop(m, false); }
  };
  Handle handle() { return {impl_.get()}; }
  static std::size_t capacity_for(std::size_t size) { return queue_capacity(std::max<std::size_t>(size, 8)); }
  nlohmann::json notes() const { return {{"capacity", impl_->capacity}}; }

 private:
  std::unique_ptr<Impl> impl_;
};

std::string unique_queue_name(std::string_view kind) {
  static unsigned serial = 0;
  return fmt::format("{}-{}-{}", run_id(), kind, ++serial);
}

// boost::interprocess::message_queue: its own shared memory, named from the
// run id and removed right after creation (the mapping stays, forked peers
// inherit it).
class BoostIpcQueue {
  using Impl = boost::interprocess::message_queue;

 public:
  BoostIpcQueue(std::size_t size, std::uint32_t) : size_(size) {
    const std::string name = unique_queue_name("bmq");
    impl_ = std::make_unique<Impl>(boost::interprocess::create_only, name.c_str(),
                                   MutexCvQueue::capacity_for(size), size);
    Impl::remove(name.c_str());
  }
  struct Handle {
    Impl* q;
    std::size_t size;
    std::size_t slot_bytes() const { return 0; }
    void send(ConstBytes m) { q->send(m.data(), size, 0); }
    void recv(Bytes m) {
      std::size_t got = 0;
      unsigned priority = 0;
      q->receive(m.data(), size, got, priority);
      check_length(got);
    }
    bool try_recv(Bytes m) {
      std::size_t got = 0;
      unsigned priority = 0;
      if (!q->try_receive(m.data(), size, got, priority)) return false;
      check_length(got);
      return true;
    }
    void check_length(std::size_t got) const {
      if (got != size) throw std::runtime_error(fmt::format("received {} bytes, expected {}", got, size));
    }
  };
  Handle handle() { return {impl_.get(), size_}; }
  nlohmann::json notes() const { return {{"capacity", MutexCvQueue::capacity_for(size_)}}; }

 private:
  std::size_t size_;
  std::unique_ptr<Impl> impl_;
};

std::string read_proc_value(const char* path) {
  std::ifstream in(path);
  std::string value;
  in >> value;
  return value.empty() ? "?" : value;
}

// POSIX message queue, named from the run id and unlinked right after opening.
class PosixMq {
 public:
  PosixMq(std::size_t size, std::uint32_t) : size_(size) {
    mq_attr attr{};
    attr.mq_maxmsg = 10;  // the usual /proc/sys/fs/mqueue/msg_max
    attr.mq_msgsize = static_cast<long>(size);
    const std::string name = "/" + unique_queue_name("mq");
    q_ = mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    if (q_ == static_cast<mqd_t>(-1)) {
      const int err = errno;
      rlimit lim{};
      getrlimit(RLIMIT_MSGQUEUE, &lim);
      throw Unavailable(fmt::format(
          "mq_open(maxmsg {}, msgsize {}) failed: {} (msgsize_max {}, msg_max {}, RLIMIT_MSGQUEUE {} bytes)",
          attr.mq_maxmsg, size, std::strerror(err), read_proc_value("/proc/sys/fs/mqueue/msgsize_max"),
          read_proc_value("/proc/sys/fs/mqueue/msg_max"), lim.rlim_cur));
    }
    mq_unlink(name.c_str());
  }
  PosixMq(const PosixMq&) = delete;
  PosixMq& operator=(const PosixMq&) = delete;
  ~PosixMq() { mq_close(q_); }
  struct Handle {
    mqd_t q;
    std::size_t size;
    std::size_t slot_bytes() const { return 0; }
    void send(ConstBytes m) {
      while (mq_send(q, reinterpret_cast<const char*>(m.data()), size, 0) < 0)
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "mq_send");
    }
    void recv(Bytes m) {
      ssize_t n;
      while ((n = mq_receive(q, reinterpret_cast<char*>(m.data()), size, nullptr)) < 0)
        if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "mq_receive");
      check_length(n);
    }
    bool try_recv(Bytes m) {
      const timespec now{0, 0};  // an absolute time in the past: do not wait
      const ssize_t n = mq_timedreceive(q, reinterpret_cast<char*>(m.data()), size, nullptr, &now);
      if (n < 0) {
        if (errno == ETIMEDOUT || errno == EAGAIN) return false;
        throw std::system_error(errno, std::generic_category(), "mq_timedreceive");
      }
      check_length(n);
      return true;
    }
    void check_length(ssize_t n) const {
      if (static_cast<std::size_t>(n) != size)
        throw std::runtime_error(fmt::format("received {} bytes, expected {}", n, size));
    }
  };
  Handle handle() { return {q_, size_}; }
  static nlohmann::json notes() { return {{"capacity", 10}}; }

 private:
  std::size_t size_;
  mqd_t q_;
};

// --- two sides: one queue per direction ---------------------------------------

template <class Q>
struct Duplex {
  Q ab, ba;
  explicit Duplex(const Subject& s)
      : ab(s.size, spin_budget(s.pair.a == s.pair.b)), ba(s.size, spin_budget(s.pair.a == s.pair.b)) {}
  struct Endpoint {
    typename Q::Handle out, in;
    std::size_t slot_bytes() const { return out.slot_bytes(); }
    void send(ConstBytes m) { out.send(m); }
    void recv(Bytes m) { in.recv(m); }
  };
  Endpoint a() { return {ab.handle(), ba.handle()}; }
  Endpoint b() { return {ba.handle(), ab.handle()}; }
  nlohmann::json notes() const { return ab.notes(); }
};

template <class Q>
void measure_pair(benchmark::State& state, const std::string& name, const Subject& s) {
  msgbench::run_measure<Duplex<Q>>(state, name, s, [](const Subject& subject) { return Duplex<Q>(subject); });
}

// --- producers and consumers: the scaling sweep ------------------------------------

constexpr unsigned kPoisonProducer = msg::kMaxProducers - 1;  // "no more messages"
constexpr unsigned kMaxSweepWorkers = 64;

struct alignas(64) ConsumerTotals {
  std::uint64_t received = 0;
  std::uint64_t digest = 0;
};

struct SweepShared {
  std::atomic<std::uint32_t> producers_done{0};
  ConsumerTotals consumers[kMaxSweepWorkers];
};

struct SweepShape {
  unsigned producers = 1, consumers = 1;
  msg::Order multi_consumer_order = msg::Order::increasing;  // what the queue promises with several consumers
};

std::int64_t steady_now_ns() {  // the clock WorkerSlot::finished_at_ns is read with
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool is_poison(ConstBytes message) {
  std::uint32_t tag;
  std::memcpy(&tag, message.data(), 4);
  return (tag >> msg::kSeqBits) == kPoisonProducer;
}

// One worker of the sweep: producers send `per_producer` messages each, the
// last one to finish sends one poison message per consumer; a consumer stops
// at its poison, then takes what a non-FIFO queue may still hold behind it
// (handing back any other consumer's poison).
template <class Handle>
void sweep_worker(WorkerContext& ctx, Handle h, const SweepShape& shape, std::size_t size, std::uint64_t per_producer) {
  auto& shared = *static_cast<SweepShared*>(ctx.shared);
  msgbench::MessageBuffer buffer(size, h.slot_bytes());
  if (ctx.index < shape.producers) {
    const msg::MessageWriter writer(size, ctx.index);
    writer.prepare(buffer.message());
    for (std::uint64_t i = 0; i < per_producer; ++i) {
      writer.stamp(buffer.message(), i);
      h.send(buffer.slot());
    }
    if (shared.producers_done.fetch_add(1, std::memory_order_acq_rel) + 1 == shape.producers) {
      const msg::MessageWriter poison(size, kPoisonProducer);
      poison.prepare(buffer.message());
      poison.stamp(buffer.message(), 0);
      for (unsigned c = 0; c < shape.consumers; ++c) h.send(buffer.slot());
    }
    return;
  }
  const msg::Order order = shape.consumers == 1 ? msg::Order::contiguous : shape.multi_consumer_order;
  msg::MessageChecker checker(size, shape.producers, order);
  for (;;) {
    h.recv(buffer.slot());
    if (is_poison(buffer.message())) break;
    checker.check(buffer.message());
  }
  while (h.try_recv(buffer.slot())) {
    if (is_poison(buffer.message())) {
      h.send(buffer.slot());
      break;
    }
    checker.check(buffer.message());
  }
  shared.consumers[ctx.index - shape.producers] = {checker.received(), checker.digest()};
  checker.throw_if_failed();
}

// A sweep's size: rounds of fresh workers, each producer sending this many
// messages a round. The product is the benchmark's fixed iteration count.
std::uint64_t sweep_messages_per_producer(const BenchConfig& config) { return config.quick ? 2000 : 10000; }
benchmark::IterationCount sweep_iterations(const BenchConfig& config, unsigned producers) {
  const std::uint64_t rounds = config.quick ? 2 : 5;
  return static_cast<benchmark::IterationCount>(rounds * sweep_messages_per_producer(config) * producers);
}

template <class Q>
void measure_sweep(benchmark::State& state, const std::string& name, const Subject& s, SweepShape shape) {
  const BenchEnvironment& env = bench_environment();
  try {
    const unsigned workers = shape.producers + shape.consumers;
    const WorkerPlan plan = plan_workers(*env.topo, {workers, Policy::compact, {}, /*allow_oversubscribe=*/true});
    const std::uint32_t spins = plan.oversubscribed ? 0 : kSpinsBeforeYield;
    const std::uint64_t per_producer = sweep_messages_per_producer(env.config);
    const std::vector<std::uint64_t> sent(shape.producers, per_producer);
    const std::uint64_t total = per_producer * shape.producers;
    double seconds = 0, cpu_ns = 0;
    std::uint64_t rounds = 0;
    std::vector<ObservedPlacement> placements;
    nlohmann::json notes;
    while (state.KeepRunningBatch(static_cast<benchmark::IterationCount>(total))) {
      state.PauseTiming();  // a fresh queue and forked or started workers per round: not measured
      Q queue(s.size, spins);
      notes = queue.notes();
      WorkerGroup group(*env.topo, {s.mode, plan.pus, sizeof(SweepShared), name, default_worker_deadline()});
      group.launch([h = queue.handle(), shape, size = s.size, per_producer](WorkerContext& ctx) {
        sweep_worker(ctx, h, shape, size, per_producer);
      });
      group.wait_ready();
      state.ResumeTiming();
      const std::int64_t opened = steady_now_ns();
      group.release();
      group.join();
      std::int64_t last = opened;
      for (const WorkerSlot& slot : group.slots()) last = std::max(last, slot.finished_at_ns);
      const std::chrono::nanoseconds wall(last - opened);  // gate opening to the last worker's finish
      const auto& shared = *static_cast<const SweepShared*>(group.shared());
      std::uint64_t received = 0, digest = 0;
      for (unsigned c = 0; c < shape.consumers; ++c) {
        received += shared.consumers[c].received;
        digest += shared.consumers[c].digest;
      }
      if (const std::string problem = msg::check_totals(received, digest, sent); !problem.empty())
        throw std::runtime_error(fmt::format("round {}: {}", rounds, problem));
      seconds += std::chrono::duration<double>(wall).count();
      for (const WorkerSlot& slot : group.slots()) cpu_ns += static_cast<double>(slot.cpu_time_ns);
      placements = group.placements();
      ++rounds;
    }
    const double messages = static_cast<double>(total * rounds);
    state.counters["msgs_per_s"] = messages / seconds;
    state.counters["bytes_per_s"] = messages * static_cast<double>(s.size) / seconds;
    state.counters["cpu_ns_per_msg"] = cpu_ns / messages;
    publish_placement_counter(state, placements);
    state.SetLabel(fmt::format("{} p{}c{} {} B, {}", s.primitive, shape.producers, shape.consumers, s.size, s.wait));
    const nlohmann::json extra = {{"primitive", s.primitive},
                                  {"measure", "sweep"},
                                  {"wait", s.wait},
                                  {"size", s.size},
                                  {"producers", shape.producers},
                                  {"consumers", shape.consumers},
                                  {"workers", workers},
                                  {"pus", plan.pus},
                                  {"oversubscribed", plan.oversubscribed},
                                  {"messages", total * rounds},
                                  {"msgs_per_s", messages / seconds},
                                  {"cpu_ns_per_msg_all_workers", cpu_ns / messages},
                                  {"checks", "sequence + checksum per message; exactly-once by count and digest"},
                                  {"notes", notes}};
    record_bench(name, BenchRecord{"queue", std::string(to_string(s.mode)), "compact", placements, plan.oversubscribed,
                                   std::nullopt, "", extra});
  } catch (const Unavailable& e) {
    state.SkipWithError(fmt::format("unavailable: {}", e.what()).c_str());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

// --- registration -----------------------------------------------------------------

// A queue given as a template over the slot class, or as one runtime-sized type.
template <template <std::size_t> class Q>
struct SlotTyped {
  template <class F>
  static void with(std::size_t size, F&& f) {
    with_slot_class(size, [&]<std::size_t B>() { f.template operator()<Q<B>>(); });
  }
};
template <class Q>
struct RuntimeSized {
  template <class F>
  static void with(std::size_t, F&& f) {
    f.template operator()<Q>();
  }
};

struct QueueSpec {
  std::string primitive, wait;
  std::vector<ExecMode> modes;
  bool multi = false;  // several producers and consumers allowed
  msg::Order multi_consumer_order = msg::Order::increasing;
};

// 1:1, then 1:N, N:1, N:N for N = 2, 4, ... up to the allowed PUs (in
// --quick only the largest N:N).
std::vector<SweepShape> sweep_shapes(const BenchEnvironment& env) {
  const auto allowed = static_cast<unsigned>(env.topo->allowed_pus().size());
  std::vector<SweepShape> shapes;
  unsigned largest = 1;
  for (unsigned n = 2; n <= std::min(std::max(allowed, 2u), kMaxSweepWorkers); n *= 2) largest = n;
  if (env.config.quick) return {{largest, largest}};
  shapes.push_back({1, 1});
  for (unsigned n = 2; n <= largest; n *= 2) {
    shapes.push_back({1, n});
    shapes.push_back({n, 1});
    shapes.push_back({n, n});
  }
  return shapes;
}

template <class Family>
void register_queue(const BenchEnvironment& env, const QueueSpec& q) {
  msgbench::PrimitiveSpec spec;
  spec.family = "queue";
  spec.primitive = q.primitive;
  spec.wait = q.wait;
  spec.modes = q.modes;
  spec.rtt_batch = q.wait == "block" ? 4 : 16;  // kernel wake-ups take microseconds
  msgbench::register_primitive(env, spec, [](benchmark::State& state, const std::string& name, const Subject& s) {
    try {
      Family::with(s.size, [&]<class Q>() { measure_pair<Q>(state, name, s); });
    } catch (const Unavailable& e) {
      state.SkipWithError(fmt::format("unavailable: {}", e.what()).c_str());
    }
  });
  if (!q.multi) return;
  const std::vector<std::size_t> sizes = env.config.sizes.empty() ? std::vector<std::size_t>{64} : env.config.sizes;
  for (ExecMode mode : q.modes)
    for (std::size_t size : sizes)
      for (SweepShape shape : sweep_shapes(env)) {
        shape.multi_consumer_order = q.multi_consumer_order;
        const std::string name = fmt::format("queue/{}/{}/compact/sweep/{}/p{}c{}", q.primitive, to_string(mode), size,
                                             shape.producers, shape.consumers);
        Subject s{"queue", q.primitive, q.wait, mode, PairClass::same_pu, {}, msgbench::Measure::stream, size, 0, {}};
        // A fixed number of rounds instead of Google Benchmark's estimate: each
        // round starts fresh workers (untimed), and with per-message costs that
        // swing by 10x under contention its estimate overshot to 100 rounds and
        // several seconds per sweep (most of the default suite's queue time).
        register_bench(name, [s, shape](benchmark::State& state, const std::string& n) {
          try {
            Family::with(s.size, [&]<class Q>() { measure_sweep<Q>(state, n, s, shape); });
          } catch (const Unavailable& e) {
            state.SkipWithError(fmt::format("unavailable: {}", e.what()).c_str());
          }
        })->Iterations(sweep_iterations(env.config, shape.producers));
      }
}

void register_queues(const BenchEnvironment& env) {
  const std::vector<ExecMode> both{ExecMode::threads, ExecMode::processes};
  const std::vector<ExecMode> threads{ExecMode::threads};
  register_queue<RuntimeSized<MutexCvQueue>>(env, {"mutex-cv", "block", threads, true});
  register_queue<SlotTyped<SpscRingQueue>>(env, {"spsc-ring", "spin", both, false});
  register_queue<SlotTyped<MpmcRingQueue>>(env, {"mpmc-ring", "spin", both, true});
  register_queue<SlotTyped<BoostSpscQueue>>(env, {"boost-spsc", "spin", threads, false});
  register_queue<SlotTyped<BoostLockfreeQueue>>(env, {"boost-queue", "spin", threads, true});
  register_queue<SlotTyped<MoodycamelQueue>>(env, {"moodycamel-cq", "spin", threads, true, msg::Order::any});
  register_queue<SlotTyped<ReaderWriterPeer>>(env, {"moodycamel-rwq", "spin", threads, false});
  register_queue<SlotTyped<TbbBoundedPeer>>(env, {"tbb-bounded", "spin", threads, true});
  register_queue<RuntimeSized<BoostIpcQueue>>(env, {"boost-ipc-mq", "block", both, true});
  register_queue<RuntimeSized<PosixMq>>(env, {"posix-mq", "block", both, true});
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("queue", primbench::register_queues);
