// The top of the HTML report: where and how the results were measured, and
// what about that makes them noisy (virtualisation, load, frequency scaling,
// oversubscribed or misplaced workers, repetitions that disagree).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "reports/report_benchmarks.hpp"

namespace primbench {

// Relative standard deviation over repetitions above which a benchmark is
// called noisy (basics/statistics.hpp is_noisy's default).
inline constexpr double kHighCv = 0.05;

// {"kind":"facts","rows":[[label, value]...]}: machine, build and clock.
nlohmann::json machine_facts_block(const nlohmann::json& results);

// The run: when, with which options, how many benchmarks ran and succeeded.
nlohmann::json run_facts_block(const nlohmann::json& results);

// What a noise warning is about; the report's noise grade weighs them.
enum class NoiseSource {
  file_format, machine, frequency_scaling, load, build, interrupted, machine_changed, steal,
  oversubscribed, misplaced, repetitions_vary, disturbed, unexplained_pairs, single_repetition, failed,
};

struct NoiseWarning {
  NoiseSource source;
  std::string text;
};

// The machine context's own warnings, then what the results themselves show.
std::vector<NoiseWarning> noise_warnings(const nlohmann::json& results, const std::vector<BenchmarkView>& views);

// The pair plan: which placement classes this machine has, with the pairs
// used or the reason a class is absent; nullopt when the file has no plan.
std::optional<nlohmann::json> placement_classes_block(const nlohmann::json& results);

}  // namespace primbench
