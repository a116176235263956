// Events (set / clear / wait, the `Event` pattern): a waiter blocks until the
// event is set; set wakes every waiter; clear makes later waits block again.
// Two implementations of the same contract: on a futex and on a condvar.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <string_view>

#include "benches/locks/cond_pair.hpp"
#include "harness/futex.hpp"

namespace primbench::locks {

// One 32-bit word: 0 clear, 1 set, 2 clear with (possibly) sleepers. set()
// makes a system call only when someone may sleep; wait() on a set event is
// one load. Valid when zero-filled; shared futex calls, so process-shareable.
class FutexEvent {
 public:
  static constexpr std::string_view kName = "event_futex";
  static constexpr bool kProcessShared = true;
  void init(bool /*process_shared*/) {}
  void destroy() {}

  void set() noexcept {
    if (word_.exchange(kSet, std::memory_order_release) == kClearWithSleepers) futex_wake(&word_, INT_MAX);
  }
  void clear() noexcept {
    std::uint32_t expected = kSet;
    word_.compare_exchange_strong(expected, kClear, std::memory_order_relaxed);
  }
  void wait() noexcept {
    for (;;) {
      std::uint32_t state = word_.load(std::memory_order_acquire);
      if (state == kSet) return;
      if (state == kClear &&
          !word_.compare_exchange_weak(state, kClearWithSleepers, std::memory_order_acquire, std::memory_order_relaxed))
        continue;
      futex_wait(&word_, kClearWithSleepers);
    }
  }
  bool is_set() const noexcept { return word_.load(std::memory_order_acquire) == kSet; }

 private:
  static constexpr std::uint32_t kClear = 0, kSet = 1, kClearWithSleepers = 2;
  std::atomic<std::uint32_t> word_{kClear};
};

// A flag under a pthread mutex, with a condvar to sleep on: the textbook
// Event. pthread rather than std:: so the same event works between processes.
class CondvarEvent {
 public:
  static constexpr std::string_view kName = "event_condvar";
  static constexpr bool kProcessShared = true;
  void init(bool process_shared) { pair_.init(process_shared); }
  void destroy() { pair_.destroy(); }

  void set() {
    pair_.lock();
    set_ = true;
    pair_.unlock();
    pair_.notify_all();
  }
  void clear() {
    pair_.lock();
    set_ = false;
    pair_.unlock();
  }
  void wait() {
    pair_.lock();
    while (!set_) pair_.wait();
    pair_.unlock();
  }
  bool is_set() {
    pair_.lock();
    const bool now = set_;
    pair_.unlock();
    return now;
  }

 private:
  PthreadCondPair pair_;
  bool set_ = false;
};

}  // namespace primbench::locks
