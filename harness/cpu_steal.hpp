// Time the hypervisor took from each PU while a benchmark ran ("steal").
//
// On a virtual machine a vCPU can stop running for milliseconds while the
// host runs something else. A worker pinned there simply makes no progress:
// its wall time grows, its CPU time does not, and nothing in the benchmark
// can tell why. The kernel counts that time per CPU in /proc/stat (the
// "steal" column, in USER_HZ ticks: 10 ms on Linux), so the supervisor reads
// it before and after each benchmark process and files the difference on
// the PUs the benchmark's workers used. A result measured while one of its
// PUs lost more than kNoisyStealShare of the window, and at least
// kNoisyStealTicks ticks (one tick is 3 % of a 0.3 s benchmark: a single one
// says little), is flagged, not dropped.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>

namespace primbench {

inline constexpr double kNoisyStealShare = 0.02;
inline constexpr int kNoisyStealTicks = 2;

// Steal ticks per PU (OS index) at one moment; empty where /proc/stat has no
// steal column or cannot be read (then nothing is claimed either way).
struct StealTicks {
  std::map<unsigned, std::uint64_t> by_pu;
};

StealTicks read_steal_ticks(const std::filesystem::path& proc_stat = "/proc/stat");

// What `pus` lost between two readings `window_s` seconds apart:
// {"window_s", "steal_ms": {"<pu>": ms, ...}, "steal_share" (the largest
// share of the window one of them lost), "noisy", "source"}; null when
// either reading is empty or `pus` is.
nlohmann::json steal_during(const StealTicks& before, const StealTicks& after, const std::set<unsigned>& pus,
                            double window_s);

// The PUs a benchmark record's workers were asked to run on.
std::set<unsigned> record_pus(const nlohmann::json& record);

}  // namespace primbench
