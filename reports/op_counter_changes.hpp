// Why a time changed, in the counters per operation every benchmark carries
// (harness/op_counters.hpp): "context switches 2.0 -> 3.1 per op". compare
// shows it beside the time change, the HTML report's "why" tables use the
// same words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/result_reader.hpp"

namespace primbench {

struct OpCounterLabel {
  std::string_view counter;  // the entry's counter, "ctx_switches_per_op"
  std::string_view words;    // "context switches"
  std::string_view unit;     // "" for counts, "ns" for times
};

// The counters per operation a reader explains with, in the order shown.
inline constexpr OpCounterLabel kOpCounterLabels[] = {
    {"ctx_switches_per_op", "context switches", ""}, {"syscalls_per_op", "system calls", ""},
    {"cpu_migrations_per_op", "CPU migrations", ""}, {"page_faults_per_op", "page faults", ""},
    {"user_ns_per_op", "user time", "ns"},            {"sys_ns_per_op", "kernel time", "ns"},
    {"offcpu_ns_per_op", "off-CPU time", "ns"},       {"cycles_per_op", "cycles", ""},
    {"instructions_per_op", "instructions", ""},     {"cache_misses_per_op", "cache misses", ""},
    {"llc_misses_per_op", "LLC misses", ""}};

// "2.0" / "0.003" / "5.2 us": a per-op value as a reader wants it.
std::string op_counter_text(double value, std::string_view unit);

// The counters per operation whose medians moved between BASE and NEW by at
// least 10 % (and by at least 0.05 per op, or 5 ns), as "context switches
// 2.0 -> 3.1, system calls 4.0 -> 6.0 per op"; "" when none did or either
// side has no counters.
std::string op_counter_changes(const BenchmarkRun& base, const BenchmarkRun& candidate);

}  // namespace primbench
