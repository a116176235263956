#include "harness/start_barrier.hpp"

#include <algorithm>
#include <climits>

#include "harness/futex.hpp"

namespace primbench {

void StartBarrier::arrive_and_wait() {
  arrived.fetch_add(1, std::memory_order_acq_rel);
  futex_wake(&arrived, 1);
  while (open.load(std::memory_order_acquire) == 0) futex_wait(&open, 0);
}

bool StartBarrier::wait_for_arrivals(std::uint32_t n, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const std::uint32_t seen = arrived.load(std::memory_order_acquire);
    if (seen >= n) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    // Bounded sleeps keep the deadline honoured even if a wake-up is missed.
    const auto left = std::min<std::chrono::nanoseconds>(deadline - now, std::chrono::milliseconds(20));
    const timespec ts{0, static_cast<long>(left.count())};
    futex_wait(&arrived, seen, &ts);
  }
}

void StartBarrier::open_gate() {
  open.store(1, std::memory_order_release);
  futex_wake(&open, INT32_MAX);
}

}  // namespace primbench
