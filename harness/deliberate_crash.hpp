// A deliberate death by SIGSEGV, for the self-test benchmarks and tests that
// check how a crashed worker is reported.
#pragma once

#include <csignal>
#include <cstdlib>

namespace primbench {

// The default disposition is restored first: a sanitizer runtime (ASan,
// UBSan) installs its own SIGSEGV handler, which would turn the signal into
// "exit 1 with a report" instead of the death by signal 11 being tested.
[[noreturn]] inline void die_of_sigsegv() {
  std::signal(SIGSEGV, SIG_DFL);
  std::raise(SIGSEGV);
  std::abort();  // not reached: SIGSEGV's default action ends the process
}

}  // namespace primbench
