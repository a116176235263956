// Waiting on a shared word the way a low-latency benchmark must: spin with a
// CPU pause while the other side is likely running on another PU, then yield,
// so two sides time-sharing one PU (the same-pu placement) still progress
// instead of burning whole scheduler time slices.
#pragma once

#include <sched.h>

#include <atomic>
#include <cstdint>

namespace primbench {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

inline constexpr std::uint32_t kSpinsBeforeYield = 4096;  // ~100 us of pause: far above any cross-PU hand-off

// How long to spin before yielding. Sides that time-share one PU must yield at
// once: the side that would answer cannot run while this one spins.
inline constexpr std::uint32_t spin_budget(bool sides_share_a_pu) noexcept {
  return sides_share_a_pu ? 0 : kSpinsBeforeYield;
}

// Spins until pred() holds; after `spins_before_yield` failed polls it also
// yields the PU on each poll.
template <typename Pred>
void spin_until(Pred&& pred, std::uint32_t spins_before_yield = kSpinsBeforeYield) noexcept {
  for (std::uint32_t n = 0; !pred(); ++n) {
    if (n < spins_before_yield)
      cpu_relax();
    else
      sched_yield();
  }
}

}  // namespace primbench
