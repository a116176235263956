// `primbench compare BASE.json NEW.json`: did the candidate get slower?
//
// Per benchmark (matched by run_name) the main time metric, real_time, and
// with `counters` every counter with a direction (reports/result_reader.hpp,
// metric_direction) is compared over the repetitions (the run_type
// "iteration" entries). A change is a
//   regression  when the Mann-Whitney U test's p < alpha AND the whole
//               bootstrap interval of the median change lies beyond the noise
//               threshold in the bad direction (time up, throughput down);
//   improvement likewise in the good direction;
//   within noise otherwise (not significant, or not surely bigger than the
//               threshold: both are required, so a tiny but consistent shift
//               and a large but erratic one are not flagged).
// Fewer than min_repetitions on either side: "too few repetitions (3 < 5)",
// the medians and their change shown, no significance claimed.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/compare_statistics.hpp"
#include "reports/result_reader.hpp"

namespace primbench {

enum class Verdict { regression, improvement, within_noise, too_few_repetitions, failed, not_compared };

// "regression", "improvement", "within noise", "too few repetitions",
// "failed", "not compared".
std::string_view verdict_name(Verdict verdict);

struct CompareOptions {
  double alpha = 0.05;                 // significance level of the U test, in (0, 1)
  double threshold = 0.05;             // noise threshold of the relative median change, >= 0
  std::size_t min_repetitions = 5;     // fewer on either side: no test
  bool counters = false;               // also compare counters with a direction
  std::size_t bootstrap_resamples = 2000;
};

// Throws UsageError naming the offending option.
void validate(const CompareOptions& options);

// The rule above for one tested metric, from its U test's p-value and the
// bootstrap interval [low, high] of its relative median change:
// regression, improvement or within noise.
Verdict classify_change(double p_value, double low, double high, Better better, const CompareOptions& options);

// One metric of one benchmark, BASE against NEW.
struct MetricComparison {
  std::string benchmark;  // run_name
  std::string metric;     // "real_time" or a counter name
  std::string unit;       // of the medians: "ns" for times (converted), else metric_unit()
  Better better = Better::lower;
  std::size_t base_repetitions = 0, new_repetitions = 0;
  std::optional<double> base_median, new_median;
  std::optional<double> change;             // new / base - 1
  std::optional<double> change_low, change_high;  // bootstrap interval (tested rows only)
  std::optional<RankTestResult> test;       // tested rows only
  Verdict verdict = Verdict::not_compared;
  std::string note;  // why the verdict, in words ("too few repetitions (3 < 5)", "only in NEW", ...)
};

struct Comparison {
  CompareOptions options;
  double confidence = 0.95;  // of the intervals: 1 - alpha
  std::vector<MetricComparison> rows;  // BASE's order, then what only NEW has

  std::map<Verdict, std::size_t> counts() const;
};

Comparison compare_results(const nlohmann::json& base, const nlohmann::json& candidate, const CompareOptions& options);

// Throws UsageError when the two files come from different machines or
// placements (machine_identity()), naming every fact that differs.
void require_same_machine(const nlohmann::json& base, const std::string& base_name, const nlohmann::json& candidate,
                          const std::string& candidate_name);

enum class FailOn { none, regression, any_change };

// "none", "regression", "any-change"; throws UsageError for anything else.
FailOn parse_fail_on(std::string_view text);

// 1 when the comparison has what `fail_on` fails on, else 0. A benchmark that
// failed in NEW but ran in BASE counts as a regression: the candidate broke it.
int exit_status(const Comparison& comparison, FailOn fail_on);

}  // namespace primbench
