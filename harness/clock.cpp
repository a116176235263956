#include "harness/clock.hpp"

#include <time.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#if PRIMBENCH_CLOCK_HAS_TSC
#include <cpuid.h>
#endif

namespace primbench {

namespace detail {
constinit std::atomic<ClockSource> active_clock_source{ClockSource::steady_clock};
constinit std::atomic<double> active_ns_per_tick{1.0};
}  // namespace detail

namespace {

constexpr const char* kEnvironmentVariable = "PRIMBENCH_CLOCK";

// A TSC outside this band is a misreading, not a CPU (10 MHz .. 100 GHz).
constexpr double kMinTscHz = 1e7;
constexpr double kMaxTscHz = 1e11;

struct TscSupport {
  bool invariant = false;
  bool rdtscp = false;
};

TscSupport query_tsc_support() {
  TscSupport support;
#if PRIMBENCH_CLOCK_HAS_TSC
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000000u, &eax, &ebx, &ecx, &edx) == 0) return support;
  const unsigned max_extended_leaf = eax;
  if (max_extended_leaf >= 0x80000001u && __get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) != 0) {
    support.rdtscp = (edx & (1u << 27)) != 0;
  }
  if (max_extended_leaf >= 0x80000007u && __get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) != 0) {
    support.invariant = (edx & (1u << 8)) != 0;
  }
#endif
  return support;
}

bool tsc_usable(const TscSupport& support) { return support.invariant && support.rdtscp; }

std::string format_number(double value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

// Few digits: for the human-readable calibration text only.
[[maybe_unused]] std::string format_brief(double value) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.3g", value);
  return buffer.data();
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc{} || result.ptr != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<double> parse_labelled(std::string_view field, std::string_view label) {
  if (field.substr(0, label.size()) != label) return std::nullopt;
  return parse_number(field.substr(label.size()));
}

// Ticks-per-ns is derived from the Hz figure in exactly one place so that an
// exported and re-imported clock converts bit-identically to the original.
ClockInfo make_tsc_info(double tsc_hz) {
  ClockInfo info;
  info.source = std::string(clock_source_name(ClockSource::tsc));
  info.tsc_hz = tsc_hz;
  info.ticks_per_ns = tsc_hz / 1e9;
  return info;
}

ClockInfo make_steady_info() {
  ClockInfo info;
  info.source = std::string(clock_source_name(ClockSource::steady_clock));
  return info;
}

std::optional<ClockInfo> parse_export(std::string_view text, const TscSupport& support) {
  std::array<std::string_view, 4> fields;
  std::size_t field_count = 0;
  while (true) {
    const std::size_t colon = text.find(':');
    if (field_count == fields.size()) return std::nullopt;
    fields[field_count++] = text.substr(0, colon);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  if (field_count != fields.size()) return std::nullopt;

  const auto hz = parse_number(fields[1]);
  const auto overhead = parse_labelled(fields[2], "overhead=");
  const auto resolution = parse_labelled(fields[3], "res=");
  if (!hz || !overhead || !resolution) return std::nullopt;
  if (*overhead < 0.0 || *resolution < 0.0) return std::nullopt;

  ClockInfo info;
  if (fields[0] == clock_source_name(ClockSource::tsc)) {
    if (*hz < kMinTscHz || *hz > kMaxTscHz || !tsc_usable(support)) return std::nullopt;
    info = make_tsc_info(*hz);
  } else if (fields[0] == clock_source_name(ClockSource::steady_clock)) {
    if (*hz != 0.0) return std::nullopt;
    info = make_steady_info();
  } else {
    return std::nullopt;
  }
  info.invariant_tsc = support.invariant;
  info.read_overhead_ns = *overhead;
  info.resolution_ns = *resolution;
  return info;
}

#if PRIMBENCH_CLOCK_HAS_TSC
struct PairedReading {
  std::uint64_t tsc = 0;
  std::int64_t monotonic_ns = 0;
};

std::int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Brackets a CLOCK_MONOTONIC read between two TSC reads and keeps the tightest
// bracket of a few tries, so that being preempted between the reads (likely on
// a busy VM) cannot pair a TSC value with the wrong instant.
PairedReading paired_reading() {
  PairedReading best;
  std::uint64_t best_width = std::numeric_limits<std::uint64_t>::max();
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::uint64_t before = Clock::read_tsc();
    const std::int64_t monotonic = monotonic_ns();
    const std::uint64_t after = Clock::read_tsc();
    if (after - before < best_width) {
      best_width = after - before;
      best = {before + (after - before) / 2, monotonic};
    }
  }
  return best;
}

struct TscCalibration {
  double hz = 0.0;
  double relative_spread = 0.0;  // (max - min) / median over the windows
};

// Several short windows instead of one long one: a window disturbed by a
// hypervisor hiccup or an NTP slew step becomes an outlier the median ignores.
TscCalibration calibrate_tsc() {
  constexpr int kWindows = 7;
  constexpr auto kWindowLength = std::chrono::milliseconds(5);
  std::array<double, kWindows> rates{};
  for (double& rate : rates) {
    const PairedReading start = paired_reading();
    std::this_thread::sleep_for(kWindowLength);
    const PairedReading end = paired_reading();
    rate = static_cast<double>(end.tsc - start.tsc) * 1e9 /
           static_cast<double>(end.monotonic_ns - start.monotonic_ns);
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[kWindows / 2];
  return {median, (rates.back() - rates.front()) / median};
}
#endif

struct ReadCost {
  double overhead_ns = 0.0;
  double resolution_ns = 0.0;
};

// Times the source that is active right now, so it must run after install().
ReadCost measure_read_cost() {
  constexpr std::size_t kReads = 1001;
  std::vector<std::uint64_t> readings(kReads);
  for (int pass = 0; pass < 2; ++pass) {  // the first pass only warms caches
    for (std::uint64_t& reading : readings) reading = Clock::now();
  }
  std::vector<std::uint64_t> deltas(kReads - 1);
  for (std::size_t i = 0; i + 1 < kReads; ++i) deltas[i] = readings[i + 1] - readings[i];

  std::uint64_t smallest_nonzero = std::numeric_limits<std::uint64_t>::max();
  for (std::uint64_t delta : deltas) {
    if (delta != 0) smallest_nonzero = std::min(smallest_nonzero, delta);
  }
  if (smallest_nonzero == std::numeric_limits<std::uint64_t>::max()) {
    // A coarse clock can read the same value 1000 times; wait for one tick.
    const std::uint64_t first = Clock::now();
    std::uint64_t next = first;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (next == first && std::chrono::steady_clock::now() < give_up) next = Clock::now();
    smallest_nonzero = next - first;
  }

  const auto middle = deltas.begin() + static_cast<std::ptrdiff_t>(deltas.size() / 2);
  std::nth_element(deltas.begin(), middle, deltas.end());
  double overhead_ticks = static_cast<double>(*middle);
  if (overhead_ticks == 0.0) {
    // Coarser than one read: the median delta is 0, the average is not.
    overhead_ticks = static_cast<double>(readings.back() - readings.front()) /
                     static_cast<double>(kReads - 1);
  }
  return {Clock::to_ns(1) * overhead_ticks, Clock::to_ns(smallest_nonzero)};
}

std::mutex clock_setup_mutex;
std::optional<ClockInfo> installed_clock;  // guarded by clock_setup_mutex

void install(const ClockInfo& info) {
  const bool tsc = info.source == clock_source_name(ClockSource::tsc);
  detail::active_ns_per_tick.store(1.0 / info.ticks_per_ns, std::memory_order_relaxed);
  detail::active_clock_source.store(tsc ? ClockSource::tsc : ClockSource::steady_clock,
                                    std::memory_order_relaxed);
  installed_clock = info;
}

ClockInfo calibrate(const TscSupport& support) {
  ClockInfo info = make_steady_info();
  std::string method;
#if PRIMBENCH_CLOCK_HAS_TSC
  if (tsc_usable(support)) {
    const TscCalibration calibration = calibrate_tsc();
    // A wide spread means the TSC and CLOCK_MONOTONIC disagree about time
    // itself; the OS clock is then the one to trust.
    if (calibration.hz >= kMinTscHz && calibration.hz <= kMaxTscHz &&
        calibration.relative_spread < 0.05) {
      info = make_tsc_info(calibration.hz);
      method = "rdtscp vs CLOCK_MONOTONIC, median of 7 windows of 5 ms (spread " +
               format_brief(calibration.relative_spread * 100.0) + " %)";
    } else {
      method = "steady_clock: TSC calibration rejected (" + format_brief(calibration.hz) +
               " Hz, spread " + format_brief(calibration.relative_spread * 100.0) + " %)";
    }
  } else {
    method = support.invariant ? "steady_clock: CPU lacks RDTSCP"
                               : "steady_clock: CPU reports no invariant TSC";
  }
#else
  method = "steady_clock: no TSC on this architecture";
#endif
  info.invariant_tsc = support.invariant;
  info.calibration = method;
  return info;
}

}  // namespace

std::string_view clock_source_name(ClockSource source) noexcept {
  return source == ClockSource::tsc ? "tsc" : "steady_clock";
}

const ClockInfo& clock_init() {
  const std::lock_guard lock(clock_setup_mutex);
  if (installed_clock) return *installed_clock;

  const TscSupport support = query_tsc_support();
  std::string rejected_environment;
  if (const char* exported = std::getenv(kEnvironmentVariable)) {
    if (auto info = parse_export(exported, support)) {
      info->calibration = std::string("imported from ") + kEnvironmentVariable;
      install(*info);
      return *installed_clock;
    }
    rejected_environment = std::string("ignored invalid ") + kEnvironmentVariable + "='" +
                           exported + "'";
    std::fprintf(stderr, "primbench: %s, calibrating instead\n", rejected_environment.c_str());
    rejected_environment += "; ";
  }

  ClockInfo info = calibrate(support);
  install(info);
  const ReadCost cost = measure_read_cost();
  info.read_overhead_ns = cost.overhead_ns;
  info.resolution_ns = cost.resolution_ns;
  info.calibration = rejected_environment + info.calibration;
  install(info);
  return *installed_clock;
}

ClockInfo clock_info() { return clock_init(); }

ClockSource planned_clock_source() {
  {
    const std::lock_guard lock(clock_setup_mutex);
    if (installed_clock) return Clock::source();
  }
  const TscSupport support = query_tsc_support();
  if (const char* exported = std::getenv(kEnvironmentVariable)) {
    if (auto info = parse_export(exported, support)) {
      return info->source == clock_source_name(ClockSource::tsc) ? ClockSource::tsc
                                                                 : ClockSource::steady_clock;
    }
  }
  // Calibration can still reject the TSC, but only on a broken machine.
  return tsc_usable(support) ? ClockSource::tsc : ClockSource::steady_clock;
}

std::string clock_export() {
  const ClockInfo& info = clock_init();
  return info.source + ":" + format_number(info.tsc_hz) +
         ":overhead=" + format_number(info.read_overhead_ns) +
         ":res=" + format_number(info.resolution_ns);
}

bool clock_import(std::string_view exported) {
  auto info = parse_export(exported, query_tsc_support());
  if (!info) return false;
  info->calibration = "imported";
  const std::lock_guard lock(clock_setup_mutex);
  install(*info);
  return true;
}

void to_json(nlohmann::json& j, const ClockInfo& info) {
  j = nlohmann::json{
      {"source", info.source},
      {"invariant_tsc", info.invariant_tsc},
      {"ticks_per_ns", info.ticks_per_ns},
      {"tsc_hz", info.tsc_hz},
      {"read_overhead_ns", info.read_overhead_ns},
      {"resolution_ns", info.resolution_ns},
      {"calibration", info.calibration},
  };
}

}  // namespace primbench
