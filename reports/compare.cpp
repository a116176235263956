#include "reports/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "basics/errors.hpp"
#include "reports/op_counter_changes.hpp"

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

// The family of a benchmark: its name's first segment ("pipe", "queue", "py").
std::string family_of(const std::string& benchmark) { return benchmark.substr(0, benchmark.find('/')); }

std::string percent_text(double fraction) { return fmt::format("{:.1f} %", fraction * 100.0); }

// Per (round, chunk) of a file written by `primbench ab`: the probe value sets
// of the run that measured it (start and end).
using RoundKey = std::pair<long, std::string>;
using RoundProbes = std::map<RoundKey, std::vector<json>>;

bool has_rounds(const json& doc) {
  return doc.contains("primbench") && doc["primbench"].contains("rounds") && doc["primbench"]["rounds"].is_array() &&
         !doc["primbench"]["rounds"].empty();
}

RoundProbes round_probes(const json& doc) {
  RoundProbes out;
  for (const json& r : doc["primbench"]["rounds"]) {
    auto& sets = out[{r.value("round", 0L), r.value("chunk", std::string())}];
    if (!r.contains("probes") || !r["probes"].is_object()) continue;
    for (const char* when : {"start", "end"})
      if (r["probes"].contains(when) && r["probes"][when].contains("values")) sets.push_back(r["probes"][when]["values"]);
  }
  return out;
}

RoundKey round_of(const json& entry) { return {entry.value("round", 0L), entry.value("chunk", std::string())}; }

// The median of `metric` per round (the median over that round's repetitions).
std::map<RoundKey, double> round_medians(const BenchmarkRun& run, const std::string& metric) {
  std::map<RoundKey, BenchmarkRun> by_round;
  for (const auto& entry : run.repetitions) by_round[round_of(entry.get())].repetitions.push_back(entry);
  std::map<RoundKey, double> out;
  for (const auto& [key, part] : by_round) {
    if (const std::vector<double> values = repetition_values(part, metric); !values.empty()) out[key] = median_of(values);
  }
  return out;
}

struct FileView {
  const json& doc;
  bool paired = false;
  RoundProbes probes;
};

// Each row's bootstrap draws its own fixed stream, seeded by its name.
BootstrapOptions bootstrap_for(const MetricComparison& row, const Comparison& c) {
  BootstrapOptions bootstrap;
  bootstrap.resamples = c.options.bootstrap_resamples;
  bootstrap.confidence = c.confidence;
  bootstrap.seed ^= name_hash(row.benchmark + "\n" + row.metric);
  return bootstrap;
}

void decide_rounds(MetricComparison& row, const BenchmarkRun& base, const BenchmarkRun& candidate, const FileView& b,
                   const FileView& n, const Comparison& c) {
  const auto base_rounds = round_medians(base, row.metric), new_rounds = round_medians(candidate, row.metric);
  std::vector<double> x, y;
  std::string first_move;
  for (const auto& [key, base_value] : base_rounds) {
    const auto it = new_rounds.find(key);
    if (it == new_rounds.end()) continue;
    const auto base_probes = b.probes.find(key), new_probes = n.probes.find(key);
    if (base_probes != b.probes.end() && new_probes != n.probes.end()) {
      if (const auto moves = moved_probes(base_probes->second, new_probes->second); !moves.empty()) {
        ++row.rounds_left_out;
        if (first_move.empty()) first_move = fmt::format("round {}: {}", key.first, describe(moves.front()));
        continue;
      }
    }
    x.push_back(base_value);
    y.push_back(it->second);
  }
  row.rounds = x.size();
  row.base_repetitions = base.repetitions.size();
  row.new_repetitions = candidate.repetitions.size();
  const std::string left_out =
      row.rounds_left_out ? fmt::format("; {} round(s) left out, the machine changed ({})", row.rounds_left_out, first_move) : "";
  if (x.size() < c.options.min_rounds) {
    const bool machine = row.rounds_left_out && x.size() + row.rounds_left_out >= c.options.min_rounds;
    row.verdict = machine ? Verdict::machine_changed : Verdict::too_few_repetitions;
    row.note = machine ? fmt::format("withheld: the machine changed in {} of {} rounds ({}); {} left to test, {} needed",
                                     row.rounds_left_out, x.size() + row.rounds_left_out, first_move, x.size(),
                                     c.options.min_rounds)
                       : fmt::format("too few rounds to test ({} < {}){}", x.size(), c.options.min_rounds, left_out);
    if (!x.empty()) row.change = median_of(y) / median_of(x) - 1.0;
    return;
  }
  const auto change = paired_round_change(x, y, bootstrap_for(row, c));
  if (!change) {
    row.note = "a value is not above zero: no relative change";
    return;
  }
  row.base_median = median_of(x);
  row.new_median = median_of(y);
  row.change = change->change;
  row.change_low = change->low;
  row.change_high = change->high;
  row.noise = change->round_noise;
  const TTestResult test = one_sample_t_test(change->log_ratios);
  row.test = RankTestResult{test.t, test.p_value, RankTestMethod::exact};
  row.note = left_out.empty() ? "" : left_out.substr(2);
}

void decide_repetitions(MetricComparison& row, const std::vector<double>& base, const std::vector<double>& candidate,
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
  const auto change = median_change(base, candidate, bootstrap_for(row, c));
  if (!change) {
    row.note = "base median is not above zero: no relative change";
    return;
  }
  row.change = change->change;
  row.change_low = change->low;
  row.change_high = change->high;
  row.test = mann_whitney_u(base, candidate);
}

MetricComparison compare_metric(const BenchmarkRun& base, const BenchmarkRun& candidate, const std::string& metric,
                                const FileView& b, const FileView& n, const Comparison& c) {
  MetricComparison row;
  row.benchmark = base.name;
  row.metric = metric;
  row.unit = unit_of(base, metric);
  row.better = metric_direction(metric).value_or(Better::lower);
  row.threshold = threshold_for(row.benchmark, c.options);
  const std::vector<double> bv = repetition_values(base, metric);
  const std::vector<double> nv = repetition_values(candidate, metric);
  // Medians from the repetitions themselves, so they agree with the interval;
  // GB's median aggregate when a file has only aggregates.
  row.base_median = bv.empty() ? representative_value(base, metric) : std::optional(median_of(bv));
  row.new_median = nv.empty() ? representative_value(candidate, metric) : std::optional(median_of(nv));
  if (!row.base_median || !row.new_median) {
    row.note = fmt::format("no {} values in {}", metric, row.base_median ? "NEW" : "BASE");
    return row;
  }
  if (c.paired_rounds) decide_rounds(row, base, candidate, b, n, c);
  else decide_repetitions(row, bv, nv, c);
  return row;
}

// The verdict of a tested row, once its p-value is adjusted.
void classify(MetricComparison& row, const Comparison& c) {
  row.verdict = classify_change(*row.p_adjusted, *row.change_low, *row.change_high, row.better, row.threshold,
                                c.options.alpha);
  if (row.verdict == Verdict::undecidable) {
    const std::string noise = row.noise ? fmt::format("round noise +-{}", percent_text(*row.noise))
                                        : fmt::format("interval {:+.1f} to {:+.1f} %", *row.change_low * 100.0,
                                                      *row.change_high * 100.0);
    row.note = fmt::format("undecidable here ({}; threshold +-{}){}{}", noise, percent_text(row.threshold),
                           row.note.empty() ? "" : "; ", row.note);
  }
}

// Two separate runs: a change in the direction the machine's probes moved is
// withheld, since the runs' repetitions cannot tell the two apart.
void withhold_machine_changes(Comparison& c) {
  if (c.machine_moves.empty()) return;
  const bool any_slower = std::any_of(c.machine_moves.begin(), c.machine_moves.end(), [](const ProbeMove& m) { return m.slower(); });
  const bool any_faster = std::any_of(c.machine_moves.begin(), c.machine_moves.end(), [](const ProbeMove& m) { return !m.slower(); });
  const std::string why = describe(c.machine_moves.front());
  for (auto& row : c.rows) {
    if (row.verdict != Verdict::regression && row.verdict != Verdict::improvement) continue;
    const bool took_longer = (row.verdict == Verdict::regression) == (row.better == Better::lower);
    if (took_longer ? any_slower : any_faster) {
      row.note = fmt::format("{} withheld: the machine changed between the runs ({})", verdict_name(row.verdict), why);
      row.verdict = Verdict::machine_changed;
    }
  }
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

std::vector<MetricComparison> compare_run(const BenchmarkRun& base, const BenchmarkRun& candidate, const FileView& b,
                                          const FileView& n, const Comparison& c) {
  if (base.error && candidate.error) {
    return {one_sided(candidate, Verdict::not_compared,
                      unavailable(*candidate.error) ? *candidate.error : fmt::format("failed in both: {}", *candidate.error))};
  }
  if (candidate.error) return {one_sided(candidate, Verdict::failed, fmt::format("failed in NEW: {}", *candidate.error))};
  if (base.error) return {one_sided(candidate, Verdict::not_compared, fmt::format("failed in BASE: {}", *base.error))};
  std::vector<MetricComparison> rows;
  for (const std::string& metric : metrics_of(base, candidate, c.options.counters))
    rows.push_back(compare_metric(base, candidate, metric, b, n, c));
  rows.front().why = op_counter_changes(base, candidate);  // real_time's row
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
    case Verdict::undecidable: return "undecidable";
    case Verdict::machine_changed: return "machine changed";
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
  if (o.min_rounds < 2) throw UsageError("--min-rounds must be at least 2");
  if (o.bootstrap_resamples < 100) throw UsageError("--bootstrap must be at least 100 resamples");
}

Verdict classify_change(double p_value, double low, double high, Better better, double threshold, double alpha) {
  const bool rose = low > threshold;
  const bool fell = high < -threshold;
  if (p_value < alpha) {
    if (better == Better::lower ? rose : fell) return Verdict::regression;
    if (better == Better::lower ? fell : rose) return Verdict::improvement;
  }
  if (low >= -threshold && high <= threshold) return Verdict::within_noise;
  return Verdict::undecidable;
}

double threshold_for(const std::string& benchmark, const CompareOptions& options) {
  const auto it = options.family_thresholds.find(family_of(benchmark));
  return it == options.family_thresholds.end() ? options.threshold : std::max(options.threshold, it->second);
}

std::size_t Comparison::tested() const {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.test.has_value(); }));
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
  FileView b{base, false, {}}, n{candidate, false, {}};
  c.paired_rounds = has_rounds(base) && has_rounds(candidate);
  if (c.paired_rounds) {
    b.probes = round_probes(base);
    n.probes = round_probes(candidate);
    std::set<long> rounds;
    for (const auto& [key, sets] : b.probes) rounds.insert(key.first);
    c.rounds = rounds.size();
  } else {
    c.machine_moves = moved_probes(run_probe_sets(base), run_probe_sets(candidate));
  }
  const std::vector<BenchmarkRun> base_runs = benchmark_runs(base);
  const std::vector<BenchmarkRun> candidate_runs = benchmark_runs(candidate);
  std::map<std::string, const BenchmarkRun*> candidate_by_name;
  for (const auto& run : candidate_runs) candidate_by_name[run.name] = &run;
  std::vector<std::vector<MetricComparison>> rows_of(base_runs.size());
  on_all_cores(base_runs.size(), [&](std::size_t i) {
    const auto it = candidate_by_name.find(base_runs[i].name);
    rows_of[i] = it == candidate_by_name.end()
                     ? std::vector{one_sided(base_runs[i], Verdict::not_compared, "only in BASE")}
                     : compare_run(base_runs[i], *it->second, b, n, c);
  });
  std::set<std::string> seen;
  for (std::size_t i = 0; i < base_runs.size(); ++i) {
    seen.insert(base_runs[i].name);
    for (auto& row : rows_of[i]) c.rows.push_back(std::move(row));
  }
  for (const auto& run : candidate_runs) {
    if (!seen.contains(run.name)) c.rows.push_back(one_sided(run, Verdict::not_compared, "only in NEW"));
  }
  // Hundreds of benchmarks are tested at once: the p-values are adjusted
  // together, so the false discoveries stay a share alpha of the discoveries.
  std::vector<double> p_values;
  for (const auto& row : c.rows)
    if (row.test) p_values.push_back(row.test->p_value);
  const std::vector<double> adjusted = benjamini_hochberg(p_values);
  std::size_t next = 0;
  for (auto& row : c.rows) {
    if (!row.test) continue;
    row.p_adjusted = adjusted[next++];
    classify(row, c);
  }
  withhold_machine_changes(c);
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
