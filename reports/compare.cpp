#include "reports/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "harness/errors.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// FNV-1a: each benchmark's bootstrap gets its own fixed stream of draws, so
// its interval does not depend on which other benchmarks the files hold.
std::uint64_t name_hash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3;
  return hash;
}

bool unavailable(const std::string& message) { return message.rfind("unavailable", 0) == 0; }

// The metrics compared for a benchmark: real_time, then (with counters) each
// counter with a direction that both sides report.
std::vector<std::string> metrics_of(const BenchmarkRun& base, const BenchmarkRun& candidate, bool counters) {
  std::vector<std::string> metrics{"real_time"};
  if (!counters) return metrics;
  const json* b = representative_entry(base);
  const json* c = representative_entry(candidate);
  if (!b && !base.repetitions.empty()) b = &base.repetitions.front().get();
  if (!c && !candidate.repetitions.empty()) c = &candidate.repetitions.front().get();
  if (!b || !c) return metrics;
  for (const std::string& name : counter_names(*b)) {
    if (metric_direction(name) && c->contains(name)) metrics.push_back(name);
  }
  return metrics;
}

std::string unit_of(const BenchmarkRun& run, const std::string& metric) {
  if (metric == "real_time" || metric == "cpu_time") return "ns";  // repetition_values() converts
  const json* entry = representative_entry(run);
  if (!entry && !run.repetitions.empty()) entry = &run.repetitions.front().get();
  return entry ? metric_unit(*entry, metric) : "";
}

// Why a significant change or an interval beyond the threshold alone did not
// make a verdict: the row says which half of the rule held.
std::string noise_note(const MetricComparison& row, const Comparison& c) {
  const bool significant = row.test->p_value < c.options.alpha;
  const bool beyond = *row.change_low > c.options.threshold || *row.change_high < -c.options.threshold;
  if (significant && !beyond)
    return fmt::format("significant (p = {:.3g}) but the interval reaches inside +/-{:g} %", row.test->p_value,
                       c.options.threshold * 100);
  if (!significant && beyond)
    return fmt::format("interval beyond +/-{:g} % but p = {:.3g} >= {:g}", c.options.threshold * 100,
                       row.test->p_value, c.options.alpha);
  return "";
}

void decide(MetricComparison& row, const std::vector<double>& base, const std::vector<double>& candidate,
            const Comparison& c) {
  row.base_repetitions = base.size();
  row.new_repetitions = candidate.size();
  const std::size_t fewest = std::min(base.size(), candidate.size());
  if (fewest < c.options.min_repetitions) {
    row.verdict = Verdict::too_few_repetitions;
    row.note = fmt::format("too few repetitions ({} < {})", fewest, c.options.min_repetitions);
    if (row.base_median && row.new_median && *row.base_median > 0)
      row.change = *row.new_median / *row.base_median - 1.0;
    return;
  }
  BootstrapOptions bootstrap;
  bootstrap.resamples = c.options.bootstrap_resamples;
  bootstrap.confidence = c.confidence;
  bootstrap.seed ^= name_hash(row.benchmark + "\n" + row.metric);
  const auto change = median_change(base, candidate, bootstrap);
  if (!change) {
    row.note = "base median is not above zero: no relative change";
    return;
  }
  row.change = change->change;
  row.change_low = change->low;
  row.change_high = change->high;
  row.test = mann_whitney_u(base, candidate);

  row.verdict = classify_change(row.test->p_value, change->low, change->high, row.better, c.options);
  if (row.verdict == Verdict::within_noise) row.note = noise_note(row, c);
}

MetricComparison compare_metric(const BenchmarkRun& base, const BenchmarkRun& candidate, const std::string& metric,
                                const Comparison& c) {
  MetricComparison row;
  row.benchmark = base.name;
  row.metric = metric;
  row.unit = unit_of(base, metric);
  row.better = metric_direction(metric).value_or(Better::lower);
  const std::vector<double> b = repetition_values(base, metric);
  const std::vector<double> n = repetition_values(candidate, metric);
  // Medians from the repetitions themselves, so they agree with the interval;
  // GB's median aggregate when a file has only aggregates.
  row.base_median = b.empty() ? representative_value(base, metric) : std::optional(median_of(b));
  row.new_median = n.empty() ? representative_value(candidate, metric) : std::optional(median_of(n));
  if (!row.base_median || !row.new_median) {
    row.note = fmt::format("no {} values in {}", metric, row.base_median ? "NEW" : "BASE");
    return row;
  }
  decide(row, b, n, c);
  return row;
}

MetricComparison one_sided(const BenchmarkRun& run, Verdict verdict, std::string note) {
  MetricComparison row;
  row.benchmark = run.name;
  row.metric = "real_time";
  row.unit = "ns";
  row.verdict = verdict;
  row.note = std::move(note);
  return row;
}

std::vector<MetricComparison> compare_run(const BenchmarkRun& base, const BenchmarkRun& candidate, const Comparison& c) {
  if (base.error && candidate.error) {
    return {one_sided(candidate, Verdict::not_compared,
                      unavailable(*candidate.error) ? *candidate.error : fmt::format("failed in both: {}", *candidate.error))};
  }
  if (candidate.error) return {one_sided(candidate, Verdict::failed, fmt::format("failed in NEW: {}", *candidate.error))};
  if (base.error) return {one_sided(candidate, Verdict::not_compared, fmt::format("failed in BASE: {}", *base.error))};
  std::vector<MetricComparison> rows;
  for (const std::string& metric : metrics_of(base, candidate, c.options.counters))
    rows.push_back(compare_metric(base, candidate, metric, c));
  return rows;
}

// Runs job(i) for i in [0, n) on every core. Each benchmark's statistics are
// independent and seeded by its name, so the result does not depend on the
// number of threads; a file of 1,000 benchmarks x 10 repetitions then compares
// in well under a second. The first exception is rethrown here.
template <typename Job>
void on_all_cores(std::size_t n, const Job& job) {
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, std::max<std::size_t>(n, 1));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  const auto work = [&] {
    try {
      for (std::size_t i; (i = next++) < n;) job(i);
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = n;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::regression: return "regression";
    case Verdict::improvement: return "improvement";
    case Verdict::within_noise: return "within noise";
    case Verdict::too_few_repetitions: return "too few repetitions";
    case Verdict::failed: return "failed";
    case Verdict::not_compared: return "not compared";
  }
  return "not compared";
}

void validate(const CompareOptions& o) {
  if (!(o.alpha > 0.0 && o.alpha < 1.0)) throw UsageError(fmt::format("--alpha {} is outside (0, 1)", o.alpha));
  if (!(o.threshold >= 0.0 && std::isfinite(o.threshold)))
    throw UsageError(fmt::format("--threshold {} is not a fraction >= 0 (5 % is 0.05)", o.threshold));
  if (o.min_repetitions < 2) throw UsageError("--min-repetitions must be at least 2 (a rank test needs two values a side)");
  if (o.bootstrap_resamples < 100) throw UsageError("--bootstrap must be at least 100 resamples");
}

Verdict classify_change(double p_value, double low, double high, Better better, const CompareOptions& options) {
  if (!(p_value < options.alpha)) return Verdict::within_noise;
  const bool rose = low > options.threshold;
  const bool fell = high < -options.threshold;
  if (better == Better::lower ? rose : fell) return Verdict::regression;
  if (better == Better::lower ? fell : rose) return Verdict::improvement;
  return Verdict::within_noise;
}

std::map<Verdict, std::size_t> Comparison::counts() const {
  std::map<Verdict, std::size_t> out;
  for (const auto& row : rows) ++out[row.verdict];
  return out;
}

Comparison compare_results(const nlohmann::json& base, const nlohmann::json& candidate, const CompareOptions& options) {
  validate(options);
  Comparison c;
  c.options = options;
  c.confidence = 1.0 - options.alpha;
  const std::vector<BenchmarkRun> base_runs = benchmark_runs(base);
  const std::vector<BenchmarkRun> candidate_runs = benchmark_runs(candidate);
  std::map<std::string, const BenchmarkRun*> candidate_by_name;
  for (const auto& run : candidate_runs) candidate_by_name[run.name] = &run;
  std::vector<std::vector<MetricComparison>> rows_of(base_runs.size());
  on_all_cores(base_runs.size(), [&](std::size_t i) {
    const auto it = candidate_by_name.find(base_runs[i].name);
    rows_of[i] = it == candidate_by_name.end()
                     ? std::vector{one_sided(base_runs[i], Verdict::not_compared, "only in BASE")}
                     : compare_run(base_runs[i], *it->second, c);
  });
  std::set<std::string> seen;
  for (std::size_t i = 0; i < base_runs.size(); ++i) {
    seen.insert(base_runs[i].name);
    for (auto& row : rows_of[i]) c.rows.push_back(std::move(row));
  }
  for (const auto& run : candidate_runs) {
    if (!seen.contains(run.name)) c.rows.push_back(one_sided(run, Verdict::not_compared, "only in NEW"));
  }
  return c;
}

void require_same_machine(const nlohmann::json& base, const std::string& base_name, const nlohmann::json& candidate,
                          const std::string& candidate_name) {
  const auto differences = identity_differences(machine_identity(base), machine_identity(candidate));
  if (differences.empty()) return;
  throw UsageError(fmt::format("{} and {} were measured on different machines or placements ({}); "
                               "pass --hardware to compare machines side by side",
                               base_name, candidate_name, fmt::join(differences, "; ")));
}

FailOn parse_fail_on(std::string_view text) {
  if (text == "none") return FailOn::none;
  if (text == "regression") return FailOn::regression;
  if (text == "any-change") return FailOn::any_change;
  throw UsageError(fmt::format("--fail-on '{}' is not one of none, regression, any-change", text));
}

int exit_status(const Comparison& comparison, FailOn fail_on) {
  if (fail_on == FailOn::none) return 0;
  for (const auto& row : comparison.rows) {
    if (row.verdict == Verdict::regression || row.verdict == Verdict::failed) return 1;
    if (fail_on == FailOn::any_change && row.verdict == Verdict::improvement) return 1;
  }
  return 0;
}

}  // namespace primbench
