// Capacity planning: sweeps out of a result file, a USL fit per sweep,
// topology markers and the latency-target table. The rules are in capacity.hpp.
#include "reports/capacity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>
#include <regex>
#include <set>

#include "basics/errors.hpp"
#include "basics/statistics.hpp"
#include "basics/benchmark_name.hpp"
#include "reports/json_fields.hpp"
#include "reports/quantity_text.hpp"
#include "reports/result_reader.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// ---- reading values ---------------------------------------------------------

// The entries that carry a run's numbers: its repetitions, or GB's median
// aggregate when the file holds aggregates only.
std::vector<const json*> measured_entries(const BenchmarkRun& run) {
  std::vector<const json*> out;
  for (const json& e : run.repetitions) out.push_back(&e);
  if (out.empty())
    if (const auto it = run.aggregates.find("median"); it != run.aggregates.end()) out.push_back(&it->second.get());
  return out;
}

// A value of `metric` in one entry; real_time per iteration in ns.
std::optional<double> entry_value(const json& entry, std::string_view metric) {
  auto value = finite_number(entry, metric);
  if (value && metric == "real_time") {
    const json& unit = member_or_null(entry, "time_unit");
    if (!unit.is_string()) return std::nullopt;
    *value *= nanoseconds_per(unit.get<std::string>());
  }
  return value;
}

std::optional<double> median_over(const std::vector<const json*>& entries, std::string_view metric) {
  std::vector<double> values;
  for (const json* e : entries)
    if (auto v = entry_value(*e, metric)) values.push_back(*v);
  if (values.empty()) return std::nullopt;
  return median_of(values);
}

// ---- names ------------------------------------------------------------------

std::optional<unsigned> parse_count(const std::string& digits) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0) return std::nullopt;
  return value;
}

// One way a benchmark belongs to a sweep: the key segment and its N.
struct Membership {
  std::string key_segment;
  std::string shape;
  double workers = 0;
};

struct ParsedName {
  std::vector<std::string> segments;    // without Google Benchmark's suffixes
  std::optional<std::size_t> worker_segment;
  std::vector<Membership> memberships;  // empty: not part of a sweep
};


std::vector<Membership> producer_consumer_memberships(unsigned p, unsigned c) {
  const double n = p + c;
  std::vector<Membership> out;
  if (p == c) out.push_back({"p*c*", "balanced (P = C)", n});
  if (p == 1) out.push_back({"p1c*", "fan-out (one producer, C consumers)", n});
  if (c == 1) out.push_back({"p*c1", "fan-in (P producers, one consumer)", n});
  if (out.empty()) {
    const unsigned g = std::gcd(p, c);
    out.push_back({fmt::format("p{}*c{}*", p / g, c / g), fmt::format("P:C = {}:{}", p / g, c / g), n});
  }
  return out;
}

// The benches name a worker count n<N> or w<N> (one segment after the
// family), or producers and consumers p<P>c<C>.
ParsedName parse_name(const std::string& name) {
  static const std::regex workers(R"((n|w)(\d+))");
  static const std::regex producers_consumers(R"(p(\d+)c(\d+))");
  ParsedName parsed;
  for (const std::string& segment : split_benchmark_name(name))
    if (!is_gbench_suffix(segment)) parsed.segments.push_back(segment);
  const auto& segs = parsed.segments;
  // Segment 0 is the family: never a worker count.
  for (std::size_t i = segs.size(); i-- > 1;) {
    std::smatch m;
    if (std::regex_match(segs[i], m, workers)) {
      if (const auto n = parse_count(m[2])) {
        parsed.worker_segment = i;
        parsed.memberships.push_back({m[1].str() + "*", "", double(*n)});
        return parsed;
      }
    }
    if (std::regex_match(segs[i], m, producers_consumers)) {
      const auto p = parse_count(m[1]), c = parse_count(m[2]);
      if (p && c) {
        parsed.worker_segment = i;
        parsed.memberships = producer_consumer_memberships(*p, *c);
        return parsed;
      }
    }
  }
  return parsed;
}

std::string sweep_key(const ParsedName& parsed, const Membership& membership) {
  std::vector<std::string> segments = parsed.segments;
  segments[*parsed.worker_segment] = membership.key_segment;
  return join_benchmark_name(segments);
}

// ---- throughput -------------------------------------------------------------

struct Candidate {
  std::string run_name;
  std::vector<const json*> entries;
  const json* record = nullptr;  // primbench.benchmarks[name], or nullptr
  SweepPoint point;              // everything but throughput
};

std::optional<double> operations_per_iteration(const Candidate& c) {
  return c.record ? finite_number(member_or_null(*c.record, "extra"), "operations_per_iteration") : std::nullopt;
}

std::vector<ThroughputSource> throughput_rules(const std::vector<const Candidate*>& usable) {
  std::vector<ThroughputSource> rules{{"items_per_second", "items/s", "counter items_per_second", true}};
  for (const char* counter : {"ops_per_s", "msgs_per_s", "requests_per_s"})
    rules.push_back({counter, metric_unit(json::object(), counter), fmt::format("counter {}", counter), true});
  std::set<std::string> other_rates;
  for (const Candidate* c : usable)
    for (const json* e : c->entries)
      for (const std::string& name : counter_names(*e))
        if (metric_direction(name) == Better::higher && metric_unit(*e, name).ends_with("/s") &&
            !name.starts_with("bytes") && name != "items_per_second")
          other_rates.insert(name);
  for (const std::string& name : other_rates)
    rules.push_back({name, metric_unit(json::object(), name), fmt::format("counter {}", name), true});
  rules.push_back({"speedup", "x", "counter speedup (throughput relative to one thread)", false});
  rules.push_back({"bytes_per_second", "B/s", "counter bytes_per_second", true});
  rules.push_back({"bytes_per_s", "B/s", "counter bytes_per_s", true});
  return rules;
}

bool every_entry_has(const std::vector<const Candidate*>& usable, const std::string& metric) {
  for (const Candidate* c : usable)
    for (const json* e : c->entries) {
      const auto v = entry_value(*e, metric);
      if (!v || !(*v > 0)) return false;
    }
  return true;
}

ThroughputSource choose_source(const std::vector<const Candidate*>& usable) {
  for (const ThroughputSource& rule : throughput_rules(usable))
    if (every_entry_has(usable, rule.metric)) return rule;
  bool recorded = !usable.empty();
  for (const Candidate* c : usable) recorded = recorded && operations_per_iteration(*c).has_value();
  return {"real_time", "ops/s",
          recorded ? "1 / real time per iteration x extra.operations_per_iteration"
                   : "1 / real time per iteration (one operation per iteration)",
          true};
}

std::vector<double> throughput_values(const Candidate& c, const ThroughputSource& source) {
  std::vector<double> out;
  const double ops = operations_per_iteration(c).value_or(1.0);
  for (const json* e : c.entries) {
    const auto v = entry_value(*e, source.metric);
    if (!v || !(*v > 0)) continue;
    out.push_back(source.metric == "real_time" ? ops * 1e9 / *v : *v);
  }
  return out;
}

// ---- per-benchmark facts ----------------------------------------------------

// The latency distribution in ns: the record's percentiles, else counters.
void read_latency(const Candidate& c, SweepPoint& point) {
  if (c.record) {
    const json& latency = member_or_null(*c.record, "latency");
    const json& percentiles = member_or_null(latency, "percentiles");
    const json& unit = member_or_null(latency, "unit");
    double scale = 1.0;
    try {
      if (unit.is_string()) scale = nanoseconds_per(unit.get<std::string>());
    } catch (const std::invalid_argument&) {
      scale = 0.0;  // a unit this reader does not know: use the counters instead
    }
    const auto p99 = finite_number(percentiles, "p99");
    const auto mean = finite_number(percentiles, "mean");
    if (scale > 0 && p99) {
      point.p99_ns = *p99 * scale;
      if (mean) point.mean_latency_ns = *mean * scale;
      if (const json& sample = member_or_null(latency, "sample"); sample.is_string()) point.latency_sample = sample;
      return;
    }
  }
  point.p99_ns = median_over(c.entries, "p99_ns");
}

Candidate make_candidate(const BenchmarkRun& run, const json& records) {
  Candidate c;
  c.run_name = run.name;
  c.entries = measured_entries(run);
  // Keyed by run_name; files before that keyed records by the registered name.
  for (const std::string& key : {run.name, registered_name(run.name)})
    if (const auto it = records.find(key); !c.record && it != records.end() && it->is_object()) c.record = &*it;
  SweepPoint& p = c.point;
  p.benchmark = run.name;
  if (run.error) p.error = *run.error;
  else if (c.entries.empty()) p.error = "no measurement in the file";
  if (c.record) {
    const json& placement = member_or_null(*c.record, "placement");
    if (const json& o = member_or_null(placement, "oversubscribed"); o.is_boolean()) p.oversubscribed = o.get<bool>();
    if (const json& ok = member_or_null(placement, "all_ok"); ok.is_boolean()) p.placement_ok = ok.get<bool>();
    const json& sharing = member_or_null(member_or_null(*c.record, "extra"), "core_sharing");
    p.workers_sharing_a_core = finite_number(sharing, "workers_sharing_a_core");
  }
  if (const auto ok = median_over(c.entries, "placement_ok")) p.placement_ok = p.placement_ok && *ok >= 1.0;
  if (const auto sharing = median_over(c.entries, "workers_sharing_a_core")) p.workers_sharing_a_core = sharing;
  read_latency(c, p);
  return c;
}

// The first segment naming a worker policy, else the record's placement name.
std::string policy_of(const ParsedName& parsed, const json* record) {
  for (const std::string& s : parsed.segments)
    if (s == "compact" || s == "spread" || s == "cores") return s;
  if (record)
    if (const json& name = member_or_null(member_or_null(*record, "placement"), "name"); name.is_string()) return name;
  return "";
}

std::string mode_of(const ParsedName& parsed, const json* record) {
  for (const std::string& s : parsed.segments)
    if (s == "threads" || s == "processes") return s;
  if (record)
    if (const json& mode = member_or_null(*record, "mode"); mode.is_string()) return mode;
  return "";
}

// ---- topology ---------------------------------------------------------------

std::optional<unsigned> topology_count(const json& topology, const char* key) {
  const auto v = finite_number(topology, key);
  if (!v || *v < 1) return std::nullopt;
  return static_cast<unsigned>(*v);
}

void add_measured_markers(const Sweep& sweep, std::vector<TopologyMarker>& markers) {
  const SweepPoint* smt = nullptr;
  const SweepPoint* oversubscribed = nullptr;
  for (const SweepPoint& p : sweep.points) {
    if (!smt && p.workers_sharing_a_core.value_or(0) > 0) smt = &p;
    if (!oversubscribed && p.oversubscribed) oversubscribed = &p;
  }
  if (smt)
    markers.push_back({smt->workers, "smt",
                       fmt::format("workers share a core from N = {:g} (reported by the benchmark)", smt->workers),
                       "measured"});
  if (oversubscribed)
    markers.push_back({oversubscribed->workers, "oversubscribed",
                       fmt::format("oversubscribed from N = {:g} (reported by the benchmark)", oversubscribed->workers),
                       "measured"});
}

// ---- SLO --------------------------------------------------------------------

std::optional<double> little_concurrency(double rate, const std::optional<double>& mean_ns, bool per_second) {
  if (!per_second || !mean_ns) return std::nullopt;
  return rate * *mean_ns * 1e-9;
}

void choose_best(SloCapacity& slo) {
  const LoadPoint* best = nullptr;
  for (const LoadPoint& lp : slo.load) {
    if (!lp.meets_slo) continue;
    if (!best || lp.rate > best->rate) best = &lp;
    if (lp.workers) slo.largest_workers = std::max(slo.largest_workers.value_or(0), *lp.workers);
  }
  if (!best) return;
  slo.max_rate = best->rate;
  slo.at_workers = best->workers;
  slo.p99_ns = best->p99_ns;
  slo.concurrency = best->concurrency;
}

std::optional<std::vector<double>> number_array(const json& extra, const char* key) {
  const json& a = member_or_null(extra, key);
  if (!a.is_array()) return std::nullopt;
  std::vector<double> out;
  for (const json& v : a) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) return std::nullopt;
    out.push_back(v.get<double>());
  }
  return out;
}

std::optional<SloCapacity> open_loop_capacity(const std::string& benchmark, const json& extra, double slo_ns) {
  const auto offered = number_array(extra, "offered_rate");
  const auto p99 = number_array(extra, "latency_p99_ns");
  if (!member_or_null(extra, "offered_rate").is_array() && !member_or_null(extra, "latency_p99_ns").is_array())
    return std::nullopt;
  SloCapacity slo;
  slo.subject = benchmark;
  slo.open_loop = true;
  slo.based_on = "open loop: paced offered rates, p99 per rate as the benchmark recorded it";
  const json& unit = member_or_null(extra, "rate_unit");
  slo.unit = unit.is_string() ? unit.get<std::string>() : "ops/s";
  if (!offered || !p99 || offered->size() != p99->size()) {
    slo.note = "extra.offered_rate and extra.latency_p99_ns must be arrays of numbers of the same length: not used";
    return slo;
  }
  const auto achieved = number_array(extra, "achieved_rate");
  const auto mean = number_array(extra, "latency_mean_ns");
  const bool have_achieved = achieved && achieved->size() == offered->size();
  const bool have_mean = mean && mean->size() == offered->size();
  for (std::size_t i = 0; i < offered->size(); ++i) {
    LoadPoint lp;
    lp.rate = (*offered)[i];
    lp.p99_ns = (*p99)[i];
    if (have_achieved) lp.achieved_rate = (*achieved)[i];
    if (have_mean) lp.mean_latency_ns = (*mean)[i];
    lp.concurrency = little_concurrency(lp.achieved_rate.value_or(lp.rate), lp.mean_latency_ns, true);
    lp.meets_slo = *lp.p99_ns <= slo_ns && (!lp.achieved_rate || *lp.achieved_rate >= kSustainedShare * lp.rate);
    slo.load.push_back(lp);
  }
  std::sort(slo.load.begin(), slo.load.end(), [](const LoadPoint& a, const LoadPoint& b) { return a.rate < b.rate; });
  choose_best(slo);
  if (!slo.max_rate)
    slo.note = fmt::format("no offered rate was sustained with p99 <= {}", format_quantity(slo_ns, "ns"));
  return slo;
}

// ---- formatting helpers -----------------------------------------------------

// A speedup reads "1.8x"; any other rate as format_quantity writes it.
std::string format_rate(double v, const std::string& unit) {
  return unit == "x" ? fmt::format("{:.3g}x", v) : format_quantity(v, unit);
}

json number_or_null(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json();
}

}  // namespace

// ---- public -----------------------------------------------------------------

double SweepPoint::median_throughput() const { return median_of(throughput); }

double parse_latency_target(std::string_view text) {
  static const std::regex form(R"(\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(ns|us|µs|ms|s)\s*)");
  const std::string s(text);
  std::smatch m;
  if (!std::regex_match(s, m, form))
    throw UsageError(fmt::format("latency target '{}' is not a number with a unit (ns, us, ms, s), e.g. 10us", s));
  double value = 0;
  const std::string digits = m[1].str();
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc())
    throw UsageError(fmt::format("latency target '{}' is out of range", s));
  const std::string unit = m[2].str() == "µs" ? "us" : m[2].str();
  const double ns = value * nanoseconds_per(unit);
  if (!(ns > 0) || !std::isfinite(ns)) throw UsageError(fmt::format("latency target '{}' must be above 0", s));
  return ns;
}

std::vector<TopologyMarker> topology_markers(const json& topology, std::string_view policy) {
  std::vector<TopologyMarker> out;
  const auto pus = topology_count(topology, "pus");
  const auto cores = topology_count(topology, "cores");
  if (!pus || !cores) return out;
  const unsigned smt = topology_count(topology, "smt_width").value_or(1);
  const unsigned packages = topology_count(topology, "packages").value_or(1);
  const unsigned numa = topology_count(topology, "numa_nodes").value_or(1);
  const auto add = [&](double n, const char* kind, std::string label) {
    out.push_back({n, kind, std::move(label), "topology"});
  };
  const std::string p(policy);
  if (p == "compact" || p == "spread") {
    if (smt > 1) add(p == "compact" ? 2 : *cores + 1, "smt", fmt::format("SMT siblings in use from N = {} ({})",
                                                                           p == "compact" ? 2 : *cores + 1, p));
    if (numa > 1) {
      const unsigned n = p == "compact" ? *pus / numa + 1 : 2;
      add(n, "numa", fmt::format("second NUMA node from N = {} ({})", n, p));
    }
    if (packages > 1) {
      const unsigned n = p == "compact" ? *pus / packages + 1 : 2;
      add(n, "package", fmt::format("second package from N = {} ({})", n, p));
    }
  } else if (p == "cores") {
    if (numa > 1) add(*cores / numa + 1, "numa", fmt::format("second NUMA node from N = {} (cores)", *cores / numa + 1));
    if (packages > 1)
      add(*cores / packages + 1, "package", fmt::format("second package from N = {} (cores)", *cores / packages + 1));
  }
  const unsigned capacity = p == "cores" ? *cores : *pus;
  add(capacity + 1, "oversubscribed",
      fmt::format("more workers than {} from N = {}: workers time-share", p == "cores" ? "cores" : "PUs", capacity + 1));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.workers < b.workers; });
  return out;
}

std::vector<Sweep> find_sweeps(const json& doc) {
  const json& primbench = member_or_null(doc, "primbench");
  const json& records = member_or_null(primbench, "benchmarks");
  const json no_records = json::object();
  const std::vector<BenchmarkRun> runs = benchmark_runs(doc);  // candidates point into these
  std::vector<Candidate> candidates;
  for (const BenchmarkRun& run : runs) candidates.push_back(make_candidate(run, records.is_object() ? records : no_records));

  struct Group {
    Sweep sweep;
    std::vector<const Candidate*> members;
    std::vector<double> workers;
  };
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index_of;
  for (const Candidate& c : candidates) {
    const ParsedName parsed = parse_name(c.run_name);
    for (const Membership& m : parsed.memberships) {
      const std::string key = sweep_key(parsed, m);
      auto [it, added] = index_of.try_emplace(key, groups.size());
      if (added) {
        Group g;
        g.sweep.key = key;
        g.sweep.family = parsed.segments.empty() ? "" : parsed.segments.front();
        g.sweep.mode = mode_of(parsed, c.record);
        g.sweep.policy = policy_of(parsed, c.record);
        g.sweep.shape = m.shape;
        groups.push_back(std::move(g));
      }
      groups[it->second].members.push_back(&c);
      groups[it->second].workers.push_back(m.workers);
    }
  }

  std::vector<Sweep> sweeps;
  for (Group& g : groups) {
    if (std::set<double>(g.workers.begin(), g.workers.end()).size() < 2) continue;
    std::vector<const Candidate*> usable;
    for (const Candidate* c : g.members)
      if (c->point.error.empty()) usable.push_back(c);
    g.sweep.source = choose_source(usable);
    for (std::size_t i = 0; i < g.members.size(); ++i) {
      SweepPoint p = g.members[i]->point;
      p.workers = g.workers[i];
      if (p.error.empty()) {
        p.throughput = throughput_values(*g.members[i], g.sweep.source);
        if (p.throughput.empty()) p.error = fmt::format("no {} to read a throughput from", g.sweep.source.metric);
      }
      g.sweep.points.push_back(std::move(p));
    }
    std::stable_sort(g.sweep.points.begin(), g.sweep.points.end(),
                     [](const SweepPoint& a, const SweepPoint& b) { return a.workers < b.workers; });
    sweeps.push_back(std::move(g.sweep));
  }
  return sweeps;
}

SloCapacity sweep_slo_capacity(const Sweep& sweep, double slo_ns) {
  SloCapacity slo;
  slo.subject = sweep.key;
  slo.unit = sweep.source.unit;
  std::string sample;
  for (const SweepPoint& p : sweep.points) {
    if (!p.usable()) continue;
    LoadPoint lp;
    lp.workers = p.workers;
    lp.rate = p.median_throughput();
    lp.p99_ns = p.p99_ns;
    lp.mean_latency_ns = p.mean_latency_ns;
    lp.concurrency = little_concurrency(lp.rate, p.mean_latency_ns, sweep.source.per_second);
    lp.meets_slo = p.p99_ns && *p.p99_ns <= slo_ns;
    if (sample.empty()) sample = p.latency_sample;
    slo.load.push_back(lp);
  }
  slo.based_on = fmt::format("closed-loop sweep: throughput and p99 of {} at each measured N",
                             sample.empty() ? "the benchmark's latency samples" : "'" + sample + "'");
  choose_best(slo);
  const LoadPoint* lowest = nullptr;
  for (const LoadPoint& lp : slo.load)
    if (lp.p99_ns && (!lowest || *lp.p99_ns < *lowest->p99_ns)) lowest = &lp;
  if (!lowest) {
    slo.note = "no latency distribution recorded for this sweep (neither a histogram nor a p99_ns counter)";
  } else if (!slo.max_rate) {
    slo.note = fmt::format("no measured N meets p99 <= {}: the lowest p99 is {} at N = {:g}", format_quantity(slo_ns, "ns"),
                           format_quantity(*lowest->p99_ns, "ns"), *lowest->workers);
  } else if (!sweep.source.per_second) {
    slo.note = "throughput is relative (speedup), so L = X*W is not computed";
  } else if (!slo.concurrency) {
    slo.note = "no mean latency recorded, so L = X*W is not computed";
  }
  return slo;
}

CapacityAnalysis analyse_capacity(const json& doc, double slo_ns, std::string source) {
  CapacityAnalysis a;
  a.source = std::move(source);
  a.slo_ns = slo_ns;
  const json& primbench = member_or_null(doc, "primbench");
  a.topology = member_or_null(primbench, "topology");
  if (!topology_count(a.topology, "pus"))
    a.notes.push_back("the file has no primbench.topology with PU and core counts: no SMT/NUMA markers");
  for (Sweep& sweep : find_sweeps(doc)) {
    SweepCapacity sc;
    std::vector<UslPoint> points;
    std::vector<std::string> left_out;
    for (const SweepPoint& p : sweep.points) {
      if (!p.usable())
        left_out.push_back(fmt::format("N = {:g} (failed: {})", p.workers, p.error));
      else if (p.oversubscribed)
        left_out.push_back(fmt::format("N = {:g} (oversubscribed)", p.workers));
      else
        for (double x : p.throughput) points.push_back({p.workers, x});
    }
    try {
      sc.fit = fit_usl(points);
    } catch (const UslFitRefused& e) {
      sc.fit_refused = e.what();
    }
    for (const std::string& s : left_out) sc.left_out += (sc.left_out.empty() ? "" : ", ") + s;
    if (!sc.fit && !sc.left_out.empty()) sc.fit_refused += "; left out: " + sc.left_out;
    sc.markers = topology_markers(a.topology, sweep.policy);
    add_measured_markers(sweep, sc.markers);
    sc.slo = sweep_slo_capacity(sweep, slo_ns);
    sc.sweep = std::move(sweep);
    a.sweeps.push_back(std::move(sc));
  }
  if (a.sweeps.empty())
    a.notes.push_back("no throughput-vs-workers sweeps found (benchmarks whose names differ only in a worker count "
                      "such as /n4, /w4 or /p2c2): nothing to fit");

  const json& records = member_or_null(primbench, "benchmarks");
  if (records.is_object())
    for (const auto& [name, record] : records.items())
      if (auto slo = open_loop_capacity(registered_name(name), member_or_null(record, "extra"), slo_ns))
        a.open_loop.push_back(std::move(*slo));
  return a;
}

// ---- JSON -------------------------------------------------------------------

namespace {

json marker_json(const TopologyMarker& m, std::optional<double> max_measured) {
  json j{{"workers", m.workers}, {"kind", m.kind}, {"label", m.label}, {"source", m.source}};
  if (max_measured) j["within_measured"] = m.workers <= *max_measured;
  return j;
}

json slo_json(const SloCapacity& s) {
  json load = json::array();
  for (const LoadPoint& lp : s.load)
    load.push_back({{"workers", number_or_null(lp.workers)},
                    {"rate", lp.rate},
                    {"achieved_rate", number_or_null(lp.achieved_rate)},
                    {"p99_ns", number_or_null(lp.p99_ns)},
                    {"mean_latency_ns", number_or_null(lp.mean_latency_ns)},
                    {"concurrency", number_or_null(lp.concurrency)},
                    {"meets_slo", lp.meets_slo}});
  return {{"subject", s.subject},
          {"data", s.open_loop ? "open loop" : "closed loop"},
          {"based_on", s.based_on},
          {"unit", s.unit},
          {"max_rate", number_or_null(s.max_rate)},
          {"at_workers", number_or_null(s.at_workers)},
          {"largest_workers", number_or_null(s.largest_workers)},
          {"p99_ns", number_or_null(s.p99_ns)},
          {"concurrency", number_or_null(s.concurrency)},
          {"note", s.note},
          {"load", std::move(load)}};
}

json point_json(const SweepPoint& p) {
  json throughput = json::array();
  for (double x : p.throughput) throughput.push_back(x);
  return {{"benchmark", p.benchmark},
          {"workers", p.workers},
          {"throughput", std::move(throughput)},
          {"throughput_median", p.usable() ? json(p.median_throughput()) : json()},
          {"p99_ns", number_or_null(p.p99_ns)},
          {"mean_latency_ns", number_or_null(p.mean_latency_ns)},
          {"latency_sample", p.latency_sample},
          {"oversubscribed", p.oversubscribed},
          {"placement_ok", p.placement_ok},
          {"workers_sharing_a_core", number_or_null(p.workers_sharing_a_core)},
          {"in_fit", p.usable() && !p.oversubscribed},
          {"error", p.error.empty() ? json() : json(p.error)}};
}

}  // namespace

json capacity_json(const CapacityAnalysis& a) {
  json sweeps = json::array();
  json table = json::array();
  for (const SweepCapacity& sc : a.sweeps) {
    const Sweep& s = sc.sweep;
    json points = json::array();
    for (const SweepPoint& p : s.points) points.push_back(point_json(p));
    json markers = json::array();
    for (const TopologyMarker& m : sc.markers) markers.push_back(marker_json(m, s.points.back().workers));
    json fit;
    if (sc.fit) to_json(fit, *sc.fit);
    sweeps.push_back({{"key", s.key},
                      {"family", s.family},
                      {"mode", s.mode},
                      {"policy", s.policy},
                      {"shape", s.shape},
                      {"throughput", {{"metric", s.source.metric}, {"unit", s.source.unit}, {"how", s.source.how}}},
                      {"points", std::move(points)},
                      {"fit", std::move(fit)},
                      {"fit_refused", sc.fit ? json() : json(sc.fit_refused)},
                      {"left_out_of_fit", sc.left_out},
                      {"markers", std::move(markers)},
                      {"slo", slo_json(sc.slo)}});
    table.push_back(slo_json(sc.slo));
  }
  json open_loop = json::array();
  for (const SloCapacity& s : a.open_loop) {
    open_loop.push_back(slo_json(s));
    table.push_back(slo_json(s));
  }
  json boundaries = json::object();
  for (const char* policy : {"compact", "spread", "cores"}) {
    json list = json::array();
    for (const TopologyMarker& m : topology_markers(a.topology, policy)) list.push_back(marker_json(m, std::nullopt));
    boundaries[policy] = std::move(list);
  }
  return {{"source", a.source},
          {"slo_ns", a.slo_ns},
          {"topology", a.topology},
          {"boundaries", std::move(boundaries)},
          {"sweeps", std::move(sweeps)},
          {"slo_table", std::move(table)},
          {"open_loop", std::move(open_loop)},
          {"notes", a.notes}};
}

// ---- text and Markdown ------------------------------------------------------

namespace {

// A sweep's table, one row per measured N (the same cells in text and Markdown).
const std::vector<std::string> kSweepHeader{"N", "throughput", "USL model", "residual", "p99", "meets SLO", "notes"};

std::vector<std::vector<std::string>> sweep_cells(const SweepCapacity& sc, double slo_ns) {
  std::vector<std::vector<std::string>> rows;
  const std::string& unit = sc.sweep.source.unit;
  for (const SweepPoint& p : sc.sweep.points) {
    std::string throughput = "-", model = "-", residual = "-";
    std::vector<std::string> notes;
    if (p.usable()) {
      const double x = p.median_throughput();
      throughput = format_rate(x, unit);
      if (p.throughput.size() > 1) notes.push_back(fmt::format("median of {}", p.throughput.size()));
      if (sc.fit) {
        const double fitted = usl_throughput(sc.fit->parameters, p.workers);
        model = format_rate(fitted, unit);
        residual = fmt::format("{:+.1f} %", 100.0 * (x - fitted) / fitted);
      }
    } else {
      notes.push_back("failed: " + p.error);
    }
    if (p.oversubscribed) notes.push_back("oversubscribed, not fitted");
    if (!p.placement_ok) notes.push_back("placement not as requested");
    for (const TopologyMarker& m : sc.markers)
      if (m.workers == p.workers) notes.push_back(m.kind + (m.source == "measured" ? " (measured)" : "") + " from here");
    std::string joined;
    for (const std::string& n : notes) joined += (joined.empty() ? "" : "; ") + n;
    rows.push_back({fmt::format("{:g}", p.workers), throughput, model, residual,
                    p.p99_ns ? format_quantity(*p.p99_ns, "ns") : "-",
                    p.p99_ns ? (*p.p99_ns <= slo_ns ? "yes" : "no") : "-", joined});
  }
  return rows;
}

std::string with_stderr(double value, const std::optional<double>& se, const std::string& unit = "") {
  const auto v = unit.empty() ? fmt::format("{:.3g}", value) : format_rate(value, unit);
  if (!se) return v;
  return v + " ± " + (unit.empty() ? fmt::format("{:.2g}", *se) : format_rate(*se, unit));
}

std::vector<std::string> fit_lines(const SweepCapacity& sc) {
  std::vector<std::string> lines;
  if (!sc.fit) {
    lines.push_back("USL fit refused: " + sc.fit_refused);
    return lines;
  }
  const UslFit& f = *sc.fit;
  const std::string& unit = sc.sweep.source.unit;
  lines.push_back(fmt::format("USL fit ({} points, {} worker counts): lambda = {} per worker, sigma = {}, kappa = {}, "
                              "R^2 = {:.4f}",
                              f.residuals.size(), f.distinct_workers, with_stderr(f.parameters.lambda, f.lambda_stderr, unit),
                              with_stderr(f.parameters.sigma, f.sigma_stderr),
                              with_stderr(f.parameters.kappa, f.kappa_stderr), f.r_squared));
  if (f.peak_workers)
    lines.push_back(fmt::format("peak: N* = {:.3g}, X(N*) = {}{}", *f.peak_workers, format_rate(*f.peak_throughput, unit),
                                f.peak_beyond_measured
                                    ? fmt::format(" (beyond the largest measured N = {:g}: extrapolated)", f.max_measured_workers)
                                    : ""));
  else
    lines.push_back(fmt::format("peak: no peak within the model (kappa = 0){}",
                                f.contention_ceiling ? fmt::format("; ceiling lambda/sigma = {}", format_rate(*f.contention_ceiling, unit))
                                                     : ""));
  lines.push_back(scaling_limit_reason(f));
  lines.push_back(fmt::format("fit: {} iterations, {}{}", f.iterations, f.converged ? "converged: " : "NOT converged: ",
                              f.stop_reason));
  if (!sc.left_out.empty()) lines.push_back("left out of the fit: " + sc.left_out);
  return lines;
}

std::string topology_line(const SweepCapacity& sc) {
  const double largest = sc.sweep.points.back().workers;
  std::string within, beyond;
  for (const TopologyMarker& m : sc.markers) {
    std::string& list = m.workers <= largest ? within : beyond;
    list += (list.empty() ? "" : "; ") + m.label;
  }
  if (within.empty() && beyond.empty()) return "";
  return fmt::format("topology: {}{}", within.empty() ? "no boundary within the sweep" : within,
                     beyond.empty() ? "" : fmt::format(" (beyond the sweep: {})", beyond));
}

std::vector<const SloCapacity*> slo_subjects(const CapacityAnalysis& a) {
  std::vector<const SloCapacity*> out;
  for (const SweepCapacity& sc : a.sweeps) out.push_back(&sc.slo);
  for (const SloCapacity& s : a.open_loop) out.push_back(&s);
  return out;
}

// Columns padded to their widest cell.
std::string text_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       const std::string& indent) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string l = indent;
    for (std::size_t c = 0; c < cells.size(); ++c)
      l += fmt::format("{:<{}}", cells[c], c + 1 == cells.size() ? 0 : width[c] + 2);
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string markdown_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  const auto escape = [](const std::string& cell) {
    std::string out;
    for (char ch : cell) {
      if (ch == '|') out += '\\';  // a bare '|' would end the cell
      out += ch;
    }
    return out;
  };
  std::string out = "|";
  for (const std::string& h : header) out += fmt::format(" {} |", escape(h));
  out += "\n|";
  for (std::size_t c = 0; c < header.size(); ++c) out += " --- |";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const std::string& cell : row) out += fmt::format(" {} |", escape(cell));
    out += "\n";
  }
  return out;
}

const std::vector<std::string> kSloHeader{"subject", "data", "max rate", "at N", "largest N", "p99", "L = X*W", "note"};

std::vector<std::vector<std::string>> slo_cells(const CapacityAnalysis& a, const std::string& quote) {
  const auto number = [](const std::optional<double>& v) { return v ? fmt::format("{:.3g}", *v) : std::string("-"); };
  std::vector<std::vector<std::string>> cells;
  for (const SloCapacity* s : slo_subjects(a))
    cells.push_back({quote + s->subject + quote, s->open_loop ? "open loop" : "closed loop",
                     s->max_rate ? format_rate(*s->max_rate, s->unit) : "none", number(s->at_workers),
                     number(s->largest_workers), s->p99_ns ? format_quantity(*s->p99_ns, "ns") : "-", number(s->concurrency),
                     s->note});
  return cells;
}

// What the two kinds of data mean, said once above the table.
std::vector<std::string> slo_legend(const CapacityAnalysis& a) {
  std::vector<std::string> lines{
      fmt::format("max rate: the highest throughput measured with p99 <= {}; L = X*W: operations in flight there "
                  "(W = mean latency)",
                  format_quantity(a.slo_ns, "ns"))};
  if (!a.sweeps.empty())
    lines.push_back("closed loop: each of N workers waits for its own operation (latency under self-paced load, "
                    "without the queueing an open system would add)");
  if (!a.open_loop.empty())
    lines.push_back(fmt::format("open loop: paced offered rates as the benchmark recorded them; a rate counts when "
                                "achieved to {:.0f} %",
                                kSustainedShare * 100));
  return lines;
}

// Sweep keys hold '*', which Markdown would read as emphasis: `code` there.
std::string sweep_heading(const SweepCapacity& sc, const std::string& quote) {
  const Sweep& s = sc.sweep;
  return fmt::format("{}{}{}{}  [throughput: {}, {}]", quote, s.key, quote, s.shape.empty() ? "" : " (" + s.shape + ")",
                     s.source.how, s.source.unit);
}

std::string slo_heading(const CapacityAnalysis& a) {
  return fmt::format("Capacity at p99 <= {} (Little's law, L = X*W)", format_quantity(a.slo_ns, "ns"));
}

std::string latency_line(const SweepCapacity& sc) {
  for (const SweepPoint& p : sc.sweep.points)
    if (!p.latency_sample.empty()) return "latency samples: " + p.latency_sample;
  return "";
}

// The lines under a sweep's table: fit, latency samples, topology.
std::vector<std::string> sweep_lines(const SweepCapacity& sc) {
  std::vector<std::string> lines = fit_lines(sc);
  for (std::string line : {latency_line(sc), topology_line(sc)})
    if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

// The one layout of the report, written as plain text or as Markdown.
struct Layout {
  std::string title_prefix, heading_prefix, line_prefix, quote;
  std::string (*table)(const std::vector<std::string>&, const std::vector<std::vector<std::string>>&);
};

std::string render(const CapacityAnalysis& a, const Layout& layout) {
  std::string out = fmt::format("{}Capacity of {}\n", layout.title_prefix, a.source.empty() ? "the results" : a.source);
  if (const json& summary = member_or_null(a.topology, "summary"); summary.is_string())
    out += fmt::format("{}topology: {}\n", layout.line_prefix, summary.get<std::string>());
  for (const std::string& note : a.notes) out += layout.line_prefix + "note: " + note + "\n";
  for (const SweepCapacity& sc : a.sweeps) {
    out += "\n" + layout.heading_prefix + sweep_heading(sc, layout.quote) + "\n";
    out += layout.table(kSweepHeader, sweep_cells(sc, a.slo_ns));
    for (const std::string& line : sweep_lines(sc)) out += layout.line_prefix + line + "\n";
  }
  if (!a.sweeps.empty() || !a.open_loop.empty()) {
    out += "\n" + layout.heading_prefix + slo_heading(a) + "\n";
    for (const std::string& line : slo_legend(a)) out += layout.line_prefix + line + "\n";
    out += layout.table(kSloHeader, slo_cells(a, layout.quote));
  }
  return out;
}

}  // namespace

std::string capacity_text(const CapacityAnalysis& a) {
  return render(a, {"", "", "  ", "", [](const auto& header, const auto& rows) { return text_table(header, rows, "  "); }});
}

// Markdown wants a blank line between blocks: the table renderer and the
// prefixes supply them.
std::string capacity_markdown(const CapacityAnalysis& a) {
  return render(a, {"# ", "## ", "- ", "`", [](const auto& header, const auto& rows) {
                      return fmt::format("\n{}\n", markdown_table(header, rows));
                    }});
}

}  // namespace primbench
