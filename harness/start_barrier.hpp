// A one-shot start gate for workers that may be threads or processes.
//
// Workers announce themselves and sleep on a futex; the coordinator waits
// until all have arrived (so start-up costs stay outside the measurement) and
// then opens the gate for all at once. Lives in shared memory: plain atomics,
// no pointers, no constructor work beyond zero-initialisation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace primbench {

struct alignas(64) StartBarrier {
  std::atomic<std::uint32_t> arrived{0};
  alignas(64) std::atomic<std::uint32_t> open{0};  // separate line: waiters poll it

  // Worker side: announce, then wait until the gate opens.
  void arrive_and_wait();
  // Coordinator side: true once `n` workers arrived, false at the deadline.
  bool wait_for_arrivals(std::uint32_t n, std::chrono::steady_clock::time_point deadline);
  void open_gate();
};

static_assert(std::is_trivially_destructible_v<StartBarrier>);

}  // namespace primbench
