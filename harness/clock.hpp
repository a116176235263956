// The measurement clock: TSC ticks where the TSC is invariant, steady_clock
// nanoseconds elsewhere.
//
// Clock::now() and Clock::to_ns() are the hot path and live here, inline.
// Everything that decides which source they use (CPUID, calibration, import of
// a parent's calibration) lives in clock.cpp and runs once, before measuring.
//
// Usage: call clock_init() (or clock_import()) once, before starting measuring
// threads or forking workers; then take `Clock::now()` on both sides of the
// measured work and convert the difference with `Clock::to_ns()`. The active
// source and rate are plain process memory, so forked children keep them.
// Ticks are only comparable with ticks taken under the same clock setup:
// switching source (clock_import) while a measurement is in flight breaks it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#if defined(__x86_64__) || defined(__i386__)
#define PRIMBENCH_CLOCK_HAS_TSC 1
#else
#define PRIMBENCH_CLOCK_HAS_TSC 0
#endif

namespace primbench {

enum class ClockSource : std::uint8_t { steady_clock, tsc };

// "steady_clock" / "tsc": the names used in ClockInfo, JSON and clock_export().
std::string_view clock_source_name(ClockSource source) noexcept;

namespace detail {
// Written only by clock_init() / clock_import(). Relaxed atomics compile to
// plain loads on the read side, and keep a (discouraged) import that races with
// readers defined behaviour instead of a data race.
extern std::atomic<ClockSource> active_clock_source;
extern std::atomic<double> active_ns_per_tick;
}  // namespace detail

class Clock {
 public:
  // Ticks of the active source. Before clock_init() the source is steady_clock,
  // so early readings are valid nanoseconds rather than garbage.
  static std::uint64_t now() noexcept {
#if PRIMBENCH_CLOCK_HAS_TSC
    // Never changes after setup, so the branch is perfectly predicted.
    if (detail::active_clock_source.load(std::memory_order_relaxed) == ClockSource::tsc) {
      return read_tsc();
    }
#endif
    return read_steady();
  }

  // A tick count (usually a difference of two now() readings) in nanoseconds.
  static double to_ns(std::uint64_t ticks) noexcept {
    return static_cast<double>(ticks) * detail::active_ns_per_tick.load(std::memory_order_relaxed);
  }

  static ClockSource source() noexcept {
    return detail::active_clock_source.load(std::memory_order_relaxed);
  }

  static double ticks_per_ns() noexcept {
    return 1.0 / detail::active_ns_per_tick.load(std::memory_order_relaxed);
  }

  static std::uint64_t read_steady() noexcept {
    const auto since_epoch = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
  }

#if PRIMBENCH_CLOCK_HAS_TSC
  // RDTSCP rather than LFENCE;RDTSC: both keep the read from happening before
  // earlier instructions have executed, which is what an end-of-interval stamp
  // needs, but RDTSCP guarantees it architecturally on Intel and AMD alike,
  // whereas LFENCE only serialises dispatch on AMD when the OS has set the
  // matching MSR bit (not a given inside a VM). Neither stops later
  // instructions from starting early, so a start stamp may be a few cycles late;
  // at the 10 ns scale of one read that is noise. The "memory" clobber makes the
  // read a compiler barrier too, so measured loads and stores are not moved
  // across it. ECX receives the TSC_AUX (CPU id) value, which we ignore.
  static std::uint64_t read_tsc() noexcept {
    std::uint32_t low = 0;
    std::uint32_t high = 0;
    std::uint32_t cpu_aux = 0;
    asm volatile("rdtscp" : "=a"(low), "=d"(high), "=c"(cpu_aux) : : "memory");
    return (static_cast<std::uint64_t>(high) << 32) | low;
  }
#endif
};

struct ClockInfo {
  std::string source;          // clock_source_name() of the active source
  bool invariant_tsc = false;  // what this CPU reports, whichever source is active
  double ticks_per_ns = 1.0;
  double tsc_hz = 0.0;              // 0 unless source is "tsc"
  double read_overhead_ns = 0.0;    // median delta of back-to-back now() calls
  double resolution_ns = 0.0;       // smallest non-zero delta of consecutive now() calls
  std::string calibration;          // how the above were obtained, for reports
};

// Chooses and calibrates the source on first call; later calls return the same
// object. Honours PRIMBENCH_CLOCK (a clock_export() string) when it is valid;
// an invalid value is ignored, noted in `calibration` and reported on stderr.
// Not meant to race with clock_import().
const ClockInfo& clock_init();

// A copy of clock_init()'s result (initialising if needed).
ClockInfo clock_info();

// The source clock_init() will pick (or has picked), without calibrating: cheap
// enough for static initialisers, e.g. naming benchmarks.
ClockSource planned_clock_source();

// "tsc:<hz>:overhead=<ns>:res=<ns>" or "steady_clock:0:overhead=<ns>:res=<ns>",
// numbers in shortest round-trip form, for handing to child processes (argv or
// the PRIMBENCH_CLOCK environment variable). Initialises the clock if needed.
std::string clock_export();

// Adopts a clock_export() string instead of calibrating. Returns false, leaving
// the clock untouched, if the text is malformed, out of range, or names the TSC
// on a CPU without an invariant TSC and RDTSCP.
bool clock_import(std::string_view exported);

void to_json(nlohmann::json& j, const ClockInfo& info);

}  // namespace primbench
