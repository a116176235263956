// `primbench compare BASE.json NEW.json`: did the candidate get slower?
//
// Per benchmark (matched by run_name) the main time metric, real_time, and
// with `counters` every counter with a direction (reports/result_reader.hpp,
// metric_direction) is compared. Two kinds of input:
//   rounds      files written by `primbench ab` (each iteration entry carries
//               the `round` it was measured in, base and candidate adjacent in
//               time): per round the ratio candidate / base, a two-sided
//               Wilcoxon signed-rank test over the rounds and a bootstrap
//               interval of the median ratio. A round whose machine probes
//               moved between the two sides is left out (machine_change.hpp).
//   repetitions two separate runs: a Mann-Whitney U test over the repetitions
//               and a bootstrap interval of the median change. Repetitions in
//               one process share the machine's state, so where the probes
//               moved between the runs a change in the probes' direction is
//               withheld ("machine changed"), not called a regression.
// The p-values of all tested rows are adjusted for false discoveries
// (Benjamini-Hochberg at alpha). A change is a
//   regression  when the adjusted p < alpha AND the whole interval lies beyond
//               the noise threshold in the bad direction (time up, throughput
//               down); improvement likewise in the good direction;
//   within noise when the whole interval lies inside +/- the threshold;
//   undecidable otherwise: the noise is larger than the threshold can decide
//               (the note gives the noise).
// The threshold is --threshold, raised per family to what an A/A comparison
// measured (--noise). Too few rounds or repetitions: no test, the medians and
// their change shown.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/compare_statistics.hpp"
#include "reports/machine_change.hpp"
#include "reports/result_reader.hpp"

namespace primbench {

enum class Verdict {
  regression,
  improvement,
  within_noise,
  undecidable,
  machine_changed,
  too_few_repetitions,
  failed,
  not_compared
};
inline constexpr Verdict kAllVerdicts[] = {Verdict::regression,      Verdict::improvement,         Verdict::within_noise,
                                          Verdict::undecidable,     Verdict::machine_changed,     Verdict::too_few_repetitions,
                                          Verdict::failed,          Verdict::not_compared};

// "regression", "improvement", "within noise", "undecidable", "machine
// changed", "too few repetitions", "failed", "not compared".
std::string_view verdict_name(Verdict verdict);

struct CompareOptions {
  double alpha = 0.05;                 // false discovery rate of the adjusted p-values, in (0, 1)
  double threshold = 0.05;             // noise threshold of the relative median change, >= 0
  std::size_t min_repetitions = 5;     // fewer on either side: no test
  std::size_t min_rounds = 5;          // fewer paired rounds: no test
  bool counters = false;               // also compare counters with a direction
  std::size_t bootstrap_resamples = 2000;
  std::map<std::string, double> family_thresholds;  // family -> threshold from A/A noise (--noise)
};

// Throws UsageError naming the offending option.
void validate(const CompareOptions& options);

// The rule above for one tested metric, from its adjusted p-value and the
// bootstrap interval [low, high] of its relative median change:
// regression, improvement, within noise or undecidable.
Verdict classify_change(double p_value, double low, double high, Better better, double threshold, double alpha);

// The threshold a benchmark is judged against: --threshold, or its family's
// A/A noise when that is larger.
double threshold_for(const std::string& benchmark, const CompareOptions& options);

// One metric of one benchmark, BASE against NEW.
struct MetricComparison {
  std::string benchmark;  // run_name
  std::string metric;     // "real_time" or a counter name
  std::string unit;       // of the medians: "ns" for times (converted), else metric_unit()
  Better better = Better::lower;
  std::size_t base_repetitions = 0, new_repetitions = 0;
  std::size_t rounds = 0, rounds_left_out = 0;  // paired rounds used and left out (machine changed)
  std::optional<double> base_median, new_median;
  std::optional<double> change;             // new / base - 1
  std::optional<double> change_low, change_high;  // bootstrap interval (tested rows only)
  std::optional<RankTestResult> test;       // tested rows only; u is t for the paired rounds
  std::optional<double> p_adjusted;         // Benjamini-Hochberg over every tested row
  std::optional<double> noise;              // rounds: one round's spread (1.4826 MAD of the log ratios)
  double threshold = 0.0;                   // the one this row was judged against
  Verdict verdict = Verdict::not_compared;
  std::string note;  // why the verdict, in words ("too few repetitions (3 < 5)", "only in NEW", ...)
  std::string why;   // real_time rows: the counters per operation that moved ("context switches 2.0 -> 3.1 per op")
};

struct Comparison {
  CompareOptions options;
  double confidence = 0.95;  // of the intervals: 1 - alpha
  std::vector<MetricComparison> rows;  // BASE's order, then what only NEW has
  bool paired_rounds = false;          // both files carry rounds (primbench ab)
  std::size_t rounds = 0;              // rounds in the files (paired_rounds only)
  std::vector<ProbeMove> machine_moves;  // probes that moved between the files (repetitions only)
  std::size_t tested() const;          // rows with a test

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
