// The synchronisation primitives of the sync family, behind small interfaces
// so that the measuring code (wakeup.hpp, fanout.hpp, the uncontended loop) is
// written once. Every adapter has kName, kProcessShared, init(process_shared,
// parties), destroy() and cycle() (one uncontended use that never blocks).
// Doorbells add ring(side) / wait(side) (one wake-up channel per side, for the
// ping-pong); fan-out primitives add fan_wait(round) / fan_release(round) /
// fan_reset() (fanout.hpp). std:: primitives are threads only: nothing makes
// them process-shared, so they have no processes entries.
#pragma once

#include <pthread.h>
#include <semaphore.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include <barrier>
#include <cerrno>
#include <cstdint>
#include <optional>
#include <semaphore>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "benches/locks/cond_pair.hpp"
#include "benches/locks/event.hpp"
#include "benches/locks/pthread_support.hpp"

namespace primbench::locks {

template <typename Prim>
concept Doorbell = requires(Prim& p, unsigned side) {
  p.ring(side);
  p.wait(side);
};

[[noreturn]] inline void throw_errno(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// std::counting_semaphore: release wakes the other side's acquire.
struct StdSemaphoreSync {
  static constexpr std::string_view kName = "std_counting_semaphore";
  static constexpr bool kProcessShared = false;
  void init(bool /*process_shared*/, unsigned /*parties*/) {}
  void destroy() {}
  void cycle() {  // release, then an acquire that finds the count at 1
    ring(0);
    wait(0);
  }
  void ring(unsigned side) { sems[side].release(); }
  void wait(unsigned side) { sems[side].acquire(); }
  std::counting_semaphore<> sems[2]{std::counting_semaphore<>(0), std::counting_semaphore<>(0)};
};

// Unnamed POSIX semaphores (sem_init, pshared = 1 in processes mode).
struct PosixSemaphoreSync {
  static constexpr std::string_view kName = "posix_semaphore";
  static constexpr bool kProcessShared = true;
  void init(bool process_shared, unsigned /*parties*/) {
    for (int i = 0; i < 2; ++i)
      if (sem_init(&sems[i], process_shared ? 1 : 0, 0) != 0) {
        if (i == 1) sem_destroy(&sems[0]);
        throw_errno("sem_init");
      }
  }
  void destroy() {
    for (sem_t& s : sems) sem_destroy(&s);
  }
  void cycle() {
    ring(0);
    wait(0);
  }
  void ring(unsigned side) {
    if (sem_post(&sems[side]) != 0) throw_errno("sem_post");
  }
  void wait(unsigned side) {
    while (sem_wait(&sems[side]) != 0)
      if (errno != EINTR) throw_errno("sem_wait");
  }
  sem_t sems[2];
};

// eventfd as a wake-up: write adds to the counter, a blocking read returns and
// resets it. Each read must see exactly the one wake-up that was sent.
struct EventFdSync {
  static constexpr std::string_view kName = "eventfd";
  static constexpr bool kProcessShared = true;  // forked workers inherit the descriptors
  void init(bool /*process_shared*/, unsigned /*parties*/) {
    for (int i = 0; i < 2; ++i)
      if ((fds[i] = eventfd(0, EFD_CLOEXEC)) < 0) {
        if (i == 1) close(fds[0]);
        throw_errno("eventfd");
      }
  }
  void destroy() {
    for (int fd : fds) close(fd);
  }
  void cycle() {
    ring(0);
    wait(0);
  }
  void ring(unsigned side) {
    const std::uint64_t one = 1;
    if (write(fds[side], &one, sizeof one) != sizeof one) throw_errno("eventfd write");
  }
  void wait(unsigned side) {
    std::uint64_t count = 0;
    ssize_t got = 0;
    while ((got = read(fds[side], &count, sizeof count)) < 0 && errno == EINTR) {
    }
    if (got != sizeof count) throw_errno("eventfd read");
    if (count != 1)
      throw std::runtime_error(fmt::format("eventfd: a read returned {} wake-ups, exactly 1 was sent", count));
  }
  int fds[2] = {-1, -1};
};

// An event per side for the ping-pong (wait, then clear: an auto-reset use),
// event 0 for the fan-out (set releases every waiter, cleared between rounds).
template <typename Event>
struct EventSync {
  static constexpr std::string_view kName = Event::kName;
  static constexpr bool kProcessShared = Event::kProcessShared;
  void init(bool process_shared, unsigned /*parties*/) {
    events[0].init(process_shared);
    try {
      events[1].init(process_shared);
    } catch (...) {
      events[0].destroy();
      throw;
    }
  }
  void destroy() {
    for (Event& e : events) e.destroy();
  }
  void cycle() {  // set, a wait that returns at once, clear
    ring(0);
    wait(0);
  }
  void ring(unsigned side) { events[side].set(); }
  void wait(unsigned side) {
    events[side].wait();
    events[side].clear();
  }
  void fan_wait(std::uint64_t /*round*/) { events[0].wait(); }
  void fan_release(std::uint64_t /*round*/) { events[0].set(); }
  void fan_reset() { events[0].clear(); }
  Event events[2];
};

// The `Condition` pattern: a predicate under the mutex, notify_one for the
// ping-pong (one flag per side), notify_all for the fan-out (a generation
// number). Notifying after the unlock spares the woken side from blocking on
// the mutex the notifier still holds.
template <typename Pair>
struct CondvarSync {
  static constexpr std::string_view kName = Pair::kName;
  static constexpr bool kProcessShared = Pair::kProcessShared;
  void init(bool process_shared, unsigned /*parties*/) { pair.init(process_shared); }
  void destroy() { pair.destroy(); }
  void cycle() {  // a notify_one nobody waits for, then a wait whose predicate already holds
    ring(0);
    wait(0);
  }
  void ring(unsigned side) {
    pair.lock();
    rung[side] = true;
    pair.unlock();
    pair.notify_one();
  }
  void wait(unsigned side) {
    pair.lock();
    while (!rung[side]) pair.wait();
    rung[side] = false;
    pair.unlock();
  }
  void fan_wait(std::uint64_t round) {
    pair.lock();
    while (generation < round) pair.wait();
    pair.unlock();
  }
  void fan_release(std::uint64_t round) {
    pair.lock();
    generation = round;
    pair.unlock();
    pair.notify_all();
  }
  void fan_reset() {}
  Pair pair;
  bool rung[2] = {false, false};  // plain: under the mutex
  std::uint64_t generation = 0;   // plain: under the mutex
};

// Barriers: every party's arrive-and-wait is both its wait and, for the last
// to arrive, the release. cycle() is a one-party barrier.
struct StdBarrierSync {
  static constexpr std::string_view kName = "std_barrier";
  static constexpr bool kProcessShared = false;
  void init(bool /*process_shared*/, unsigned parties) { barrier.emplace(parties); }
  void destroy() { barrier.reset(); }
  void cycle() { barrier->arrive_and_wait(); }
  void fan_wait(std::uint64_t /*round*/) { barrier->arrive_and_wait(); }
  void fan_release(std::uint64_t /*round*/) { barrier->arrive_and_wait(); }
  void fan_reset() {}
  std::optional<std::barrier<>> barrier;
};

struct PthreadBarrierSync {
  static constexpr std::string_view kName = "pthread_barrier";
  static constexpr bool kProcessShared = true;
  void init(bool process_shared, unsigned parties) { init_barrier(barrier, process_shared, parties); }
  void destroy() { pthread_barrier_destroy(&barrier); }
  void cycle() { arrive_and_wait(); }
  void fan_wait(std::uint64_t /*round*/) { arrive_and_wait(); }
  void fan_release(std::uint64_t /*round*/) { arrive_and_wait(); }
  void fan_reset() {}
  void arrive_and_wait() {
    const int rc = pthread_barrier_wait(&barrier);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD) pthread_check(rc, "pthread_barrier_wait");
  }
  pthread_barrier_t barrier;
};

}  // namespace primbench::locks
