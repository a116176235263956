// The countdown kernel: a 64-bit counter decremented to zero, one step at a
// time, in a loop no compiler may shorten.
//
// Why an empty `asm volatile` with a "+r" operand on the counter, and not a
// `volatile` counter: the asm tells the compiler that the counter may have
// been changed in an unknowable way after every decrement, so it can neither
// replace the loop by its closed form (n = 0) nor vectorise or unroll it into
// fewer dependent steps; `volatile` is an asm that emits nothing and costs
// nothing at run time, so the loop stays one dependent decrement and branch per
// step, in a register. A `volatile` counter would also keep the loop, but would
// force a store and a load per step and so measure store-to-load forwarding
// (~4-5 cycles) instead of the loop itself (~1 cycle), a different thing.
// The linearity test (tests/test_spawn_countdown.cpp) proves the loop is kept:
// twice the count takes twice the CPU time.
#pragma once

#include <cstdint>

namespace primbench::countdown {

// Counts `from` down to 0 and returns where the counter ended (0 unless the
// loop is broken): the caller checks it, so a wrong loop is an error, not a number.
inline std::uint64_t count_down(std::uint64_t from) noexcept {
  std::uint64_t counter = from;
  while (counter != 0) {
    --counter;
    asm volatile("" : "+r"(counter));  // opaque to the optimiser: see the header comment
  }
  return counter;
}

}  // namespace primbench::countdown
