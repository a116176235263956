// Where a benchmark's time goes: `primbench run --profile` runs each benchmark
// process under Linux perf (perf record -e cpu-clock -g: call stacks of every
// thread and every forked or spawned worker, kernel frames included) and folds
// the samples into stacks, "comm;outer;...;leaf" -> samples, the input of a
// flame graph. User-space frames go only as deep as frame pointers allow.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace primbench {

struct Profiler {
  std::string perf;  // absolute path of the perf binary
  int frequency_hz = 4999;  // per thread: a few hundred samples in a quick benchmark; odd, off the timer tick
};

// A profiler that can sample here, or why not (no perf binary, not permitted
// by perf_event_paranoid, ...) in one line.
std::variant<Profiler, std::string> find_profiler();

// `argv` run under perf record, writing its samples to `data`.
std::vector<std::string> profiled_argv(const Profiler& profiler, const std::filesystem::path& data,
                                       const std::vector<std::string>& argv);

// Folds `perf script -F comm,tid,ip,sym` output: one stack per sample, its
// process or thread name first, then the frames from the outermost to the leaf.
std::map<std::string, std::uint64_t> fold_perf_script(std::string_view script);

// The folded stacks of `data` (perf script run on it); throws std::runtime_error
// naming what failed.
std::map<std::string, std::uint64_t> fold_perf_data(const Profiler& profiler, const std::filesystem::path& data);

// {"tool":"perf","event":"cpu-clock","frequency_hz":999,"samples":N,
//  "stacks":[["comm;a;b",count]...]}: the heaviest `max_stacks` stacks, the
// rest summed into one "[other stacks]" entry, so a result file stays small.
nlohmann::json profile_json(const std::map<std::string, std::uint64_t>& folded, const Profiler& profiler,
                            std::size_t max_stacks = 500);

}  // namespace primbench
