// `primbench capacity`: given a result file with worker sweeps, the user sees
// one USL fit per sweep, the topology boundaries on its curve and the rate
// each primitive sustains within a p99 target.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "basics/errors.hpp"
#include "reports/capacity.hpp"
#include "test_support.hpp"

namespace primbench {
namespace {

using nlohmann::json;

json entry(const std::string& name, double real_time, const char* unit, json counters = json::object()) {
  json e{{"name", name}, {"run_name", name}, {"run_type", "iteration"}, {"iterations", 1000},
         {"real_time", real_time}, {"cpu_time", real_time}, {"time_unit", unit}, {"threads", 1}};
  e.update(counters);
  return e;
}

json record(const char* family, json extra = json::object(), json latency = json(), bool oversubscribed = false) {
  json r{{"family", family},
         {"mode", "threads"},
         {"placement", {{"name", "compact"}, {"workers", json::array()}, {"all_ok", true}, {"oversubscribed", oversubscribed}}},
         {"extra", std::move(extra)}};
  if (!latency.is_null()) r["latency"] = std::move(latency);
  return r;
}

json latency_ns(double p99, double mean) {
  return {{"unit", "ns"}, {"sample", "one fetch_add"}, {"percentiles", {{"p99", p99}, {"mean", mean}}}};
}

// A hand-made result file: one sweep of each naming style, entries that are
// not sweeps, a failed and an oversubscribed point, and open-loop data.
json hand_made_results() {
  json benchmarks = json::array();
  json records = json::object();
  // shm/atomic_add: ops_per_s; hand-computed Little's law below.
  const struct {
    int n;
    double ops, p99, mean;
  } atomic[] = {{1, 1.0e6, 3000, 1000}, {2, 1.8e6, 6000, 1100}, {4, 3.0e6, 9000, 1300}, {8, 3.6e6, 25000, 2200},
                {16, 2.0e6, 80000, 8000}};
  for (const auto& a : atomic) {
    const std::string name = fmt::format("shm/atomic_add/threads/compact/n{}/manual_time", a.n);
    benchmarks.push_back(entry(name, 1e9 / a.ops, "ns", {{"ops_per_s", a.ops}, {"p99_ns", a.p99 * 10}}));
    records[name] = record("shm", {{"pus", json::array()}}, latency_ns(a.p99, a.mean), a.n == 16);
  }
  benchmarks.push_back({{"name", "shm/atomic_add/threads/compact/n32/manual_time"},
                        {"run_name", "shm/atomic_add/threads/compact/n32/manual_time"},
                        {"run_type", "iteration"},
                        {"error_occurred", true},
                        {"error_message", "unavailable: 32 workers on 16 PUs"}});
  // queue sweeps p<P>c<C>: msgs_per_s (bytes_per_s too, which must not win).
  for (const auto& [p, c] : std::vector<std::pair<int, int>>{{1, 1}, {2, 2}, {4, 4}, {1, 2}, {1, 4}, {2, 1}, {2, 4}, {4, 8}})
    benchmarks.push_back(entry(fmt::format("queue/mpmc-ring/threads/compact/sweep/64/p{}c{}/manual_time", p, c), 50, "us",
                               {{"msgs_per_s", 1e6 * (p + c)}, {"bytes_per_s", 64e6 * (p + c)}}));
  // countdown: speedup, two worker counts only.
  for (int w : {1, 2})
    benchmarks.push_back(entry(fmt::format("countdown/split/threads/spread/w{}/manual_time", w), 3.0 / w, "ms",
                               {{"speedup", 0.98 * w}, {"workers", w}, {"workers_sharing_a_core", 0}}));
  // Timed only; 4 operations per iteration recorded.
  for (int t : {1, 2, 4, 8}) {
    const std::string name = fmt::format("adhoc/counter/threads/compact/n{}", t);
    benchmarks.push_back(entry(name, 2.0 * t, "us"));
    records[name] = record("adhoc", {{"operations_per_iteration", 4}});
  }
  // Not sweeps: forms no bench writes (Google Benchmark's threads:N, a bare
  // number even when it is the recorded worker count), message sizes, a pair class.
  for (int t : {1, 2})
    benchmarks.push_back(entry(fmt::format("BM_Counter/threads:{}", t), 2.0 * t, "us"));
  for (int w : {2, 4})
    benchmarks.push_back(entry(fmt::format("pool/submit/threads/compact/{}", w), 100, "ns", {{"workers", w}, {"ops_per_s", 1e6 * w}}));
  for (const char* size : {"8", "32768"})
    benchmarks.push_back(entry(fmt::format("pipe/pipe/threads/shared-l3/stream/{}/manual_time", size), 900, "ns",
                               {{"msgs_per_s", 1.1e6}}));
  benchmarks.push_back(entry("c2c/rtt/threads/smt", 80, "ns", {{"p99_ns", 95}}));
  // Open-loop data a paced benchmark would record.
  records["server/open_loop/processes/compact"] =
      record("server", {{"offered_rate", {1e5, 2e5, 4e5, 8e5}},
                        {"achieved_rate", {1e5, 2e5, 3.9e5, 6e5}},
                        {"latency_p99_ns", {2000, 3000, 9000, 50000}},
                        {"latency_mean_ns", {800, 900, 1500, 20000}}});
  return {{"context", {{"date", "2026-01-01T00:00:00+00:00"}, {"num_cpus", 16}}},
          {"benchmarks", std::move(benchmarks)},
          {"primbench",
           {{"schema_version", 1},
            {"topology",
             {{"pus", 16}, {"cores", 8}, {"packages", 2}, {"numa_nodes", 2}, {"smt_width", 2},
              {"summary", "16 PUs, 8 cores, 2 packages, 2 NUMA nodes, SMT x2"}}},
            {"benchmarks", std::move(records)}}}};
}

const Sweep* find(const std::vector<Sweep>& sweeps, const std::string& key) {
  for (const Sweep& s : sweeps)
    if (s.key == key) return &s;
  return nullptr;
}

const SweepCapacity* find(const CapacityAnalysis& a, const std::string& key) {
  for (const SweepCapacity& s : a.sweeps)
    if (s.sweep.key == key) return &s;
  return nullptr;
}

std::vector<double> workers_of(const Sweep& s) {
  std::vector<double> out;
  for (const SweepPoint& p : s.points) out.push_back(p.workers);
  return out;
}

TEST(CapacitySweeps, DetectedFromWorkerSegmentsInNames) {
  const auto sweeps = find_sweeps(hand_made_results());
  std::set<std::string> keys;
  for (const Sweep& s : sweeps) keys.insert(s.key);
  EXPECT_EQ(keys, (std::set<std::string>{"shm/atomic_add/threads/compact/n*",
                                         "queue/mpmc-ring/threads/compact/sweep/64/p*c*",
                                         "queue/mpmc-ring/threads/compact/sweep/64/p1c*",
                                         "queue/mpmc-ring/threads/compact/sweep/64/p*c1",
                                         "queue/mpmc-ring/threads/compact/sweep/64/p1*c2*",
                                         "countdown/split/threads/spread/w*",
                                         "adhoc/counter/threads/compact/n*"}));
  const Sweep& atomic = *find(sweeps, "shm/atomic_add/threads/compact/n*");
  EXPECT_EQ(workers_of(atomic), (std::vector<double>{1, 2, 4, 8, 16, 32}));
  EXPECT_EQ(atomic.family, "shm");
  EXPECT_EQ(atomic.mode, "threads");
  EXPECT_EQ(atomic.policy, "compact");
  EXPECT_TRUE(atomic.points[4].oversubscribed);
  EXPECT_FALSE(atomic.points[5].usable());
  EXPECT_NE(atomic.points[5].error.find("unavailable"), std::string::npos);
}

TEST(CapacitySweeps, ProducerConsumerShapesFormSeparateSweepsSharingP1C1) {
  const auto sweeps = find_sweeps(hand_made_results());
  const std::string base = "queue/mpmc-ring/threads/compact/sweep/64/";
  EXPECT_EQ(workers_of(*find(sweeps, base + "p*c*")), (std::vector<double>{2, 4, 8}));
  EXPECT_EQ(workers_of(*find(sweeps, base + "p1c*")), (std::vector<double>{2, 3, 5}));
  EXPECT_EQ(workers_of(*find(sweeps, base + "p*c1")), (std::vector<double>{2, 3}));
  EXPECT_EQ(workers_of(*find(sweeps, base + "p1*c2*")), (std::vector<double>{6, 12}));
  EXPECT_EQ(find(sweeps, base + "p*c*")->shape, "balanced (P = C)");
}

TEST(CapacitySweeps, ThroughputComesFromTheBestCounterThenTheTime) {
  const auto sweeps = find_sweeps(hand_made_results());
  const Sweep& atomic = *find(sweeps, "shm/atomic_add/threads/compact/n*");
  EXPECT_EQ(atomic.source.metric, "ops_per_s");
  EXPECT_DOUBLE_EQ(atomic.points[2].median_throughput(), 3.0e6);
  const Sweep& queue = *find(sweeps, "queue/mpmc-ring/threads/compact/sweep/64/p*c*");
  EXPECT_EQ(queue.source.metric, "msgs_per_s");  // not bytes_per_s
  EXPECT_EQ(queue.source.unit, "msgs/s");
  const Sweep& countdown = *find(sweeps, "countdown/split/threads/spread/w*");
  EXPECT_EQ(countdown.source.metric, "speedup");
  EXPECT_FALSE(countdown.source.per_second);
  // 4 operations per iteration of 2·t µs: 4 / (2t µs) = 2e6/t ops/s.
  const Sweep& timed = *find(sweeps, "adhoc/counter/threads/compact/n*");
  EXPECT_EQ(timed.source.metric, "real_time");
  EXPECT_NE(timed.source.how.find("operations_per_iteration"), std::string::npos);
  EXPECT_DOUBLE_EQ(timed.points[0].median_throughput(), 2e6);
  EXPECT_DOUBLE_EQ(timed.points[3].median_throughput(), 2e6 / 8);
}

TEST(CapacitySweeps, RepetitionsBecomeSeveralThroughputsAndAggregatesAreNotPoints) {
  json doc = hand_made_results();
  json reps = json::array();
  for (int n : {1, 2, 3, 4})
    for (int r = 0; r < 3; ++r) {
      json e = entry(fmt::format("locks/contended/threads/compact/ttas/n{}", n), 10, "ns", {{"ops_per_s", 1e6 * n + r}});
      e["repetition_index"] = r;
      reps.push_back(e);
    }
  json agg = entry("locks/contended/threads/compact/ttas/n1_median", 10, "ns", {{"ops_per_s", 5.0}});
  agg["run_name"] = "locks/contended/threads/compact/ttas/n1";
  agg["run_type"] = "aggregate";
  agg["aggregate_name"] = "median";
  reps.push_back(agg);
  doc["benchmarks"] = reps;
  const auto sweeps = find_sweeps(doc);
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0].points[0].throughput, (std::vector<double>{1e6, 1e6 + 1, 1e6 + 2}));
  const CapacityAnalysis a = analyse_capacity(doc);
  ASSERT_TRUE(a.sweeps[0].fit.has_value()) << a.sweeps[0].fit_refused;
  EXPECT_EQ(a.sweeps[0].fit->residuals.size(), 12u);
}

TEST(CapacityFit, FitsSweepsWithFourWorkerCountsAndSaysWhyNotOtherwise) {
  const CapacityAnalysis a = analyse_capacity(hand_made_results());
  const SweepCapacity& atomic = *find(a, "shm/atomic_add/threads/compact/n*");
  ASSERT_TRUE(atomic.fit.has_value()) << atomic.fit_refused;
  EXPECT_EQ(atomic.fit->distinct_workers, 4u);  // 16 oversubscribed and 32 failed are left out
  EXPECT_GE(atomic.fit->parameters.sigma, 0.0);
  EXPECT_GE(atomic.fit->parameters.kappa, 0.0);
  EXPECT_NE(atomic.left_out.find("N = 16 (oversubscribed)"), std::string::npos) << atomic.left_out;
  EXPECT_NE(atomic.left_out.find("N = 32 (failed: unavailable"), std::string::npos) << atomic.left_out;

  const SweepCapacity& countdown = *find(a, "countdown/split/threads/spread/w*");
  EXPECT_FALSE(countdown.fit.has_value());
  EXPECT_NE(countdown.fit_refused.find("only 2 distinct worker counts (1, 2)"), std::string::npos)
      << countdown.fit_refused;
}

TEST(CapacitySlo, LittlesLawOnHandComputedData) {
  const json doc = hand_made_results();
  // p99 ≤ 10 µs holds at N = 1, 2, 4 (3, 6, 9 µs), not at 8 (25 µs): the rate
  // is X(4) = 3.0e6 ops/s, L = X·W = 3.0e6 × 1300 ns = 3.9 in flight. The
  // p99_ns counters (10× larger) are not used: the record's distribution wins.
  const SloCapacity at10 = find(analyse_capacity(doc, 10'000), "shm/atomic_add/threads/compact/n*")->slo;
  ASSERT_TRUE(at10.max_rate.has_value()) << at10.note;
  EXPECT_DOUBLE_EQ(*at10.max_rate, 3.0e6);
  EXPECT_EQ(at10.at_workers, 4.0);
  EXPECT_EQ(at10.largest_workers, 4.0);
  EXPECT_EQ(at10.p99_ns, 9000.0);
  EXPECT_NEAR(*at10.concurrency, 3.9, 1e-9);
  EXPECT_NE(at10.based_on.find("closed-loop"), std::string::npos);
  EXPECT_NE(at10.based_on.find("one fetch_add"), std::string::npos);
  // The load table: L = X·W at every N, e.g. N = 2: 1.8e6 × 1100 ns = 1.98.
  ASSERT_GE(at10.load.size(), 2u);
  EXPECT_NEAR(*at10.load[1].concurrency, 1.98, 1e-9);

  const SloCapacity at5 = find(analyse_capacity(doc, 5'000), "shm/atomic_add/threads/compact/n*")->slo;
  EXPECT_EQ(at5.max_rate, 1.0e6);
  EXPECT_NEAR(*at5.concurrency, 1.0, 1e-9);

  const SloCapacity at1 = find(analyse_capacity(doc, 1'000), "shm/atomic_add/threads/compact/n*")->slo;
  EXPECT_FALSE(at1.max_rate.has_value());
  EXPECT_NE(at1.note.find("no measured N meets p99 <= 1 us: the lowest p99 is 3 us at N = 1"), std::string::npos)
      << at1.note;
}

TEST(CapacitySlo, SweepsWithoutLatencySayWhy) {
  const CapacityAnalysis a = analyse_capacity(hand_made_results());
  const SloCapacity& queue = find(a, "queue/mpmc-ring/threads/compact/sweep/64/p*c*")->slo;
  EXPECT_FALSE(queue.max_rate.has_value());
  EXPECT_NE(queue.note.find("no latency distribution recorded"), std::string::npos);
}

TEST(CapacitySlo, OpenLoopDataIsUsedAsRecorded) {
  const CapacityAnalysis a = analyse_capacity(hand_made_results(), 10'000);
  ASSERT_EQ(a.open_loop.size(), 1u);
  const SloCapacity& open = a.open_loop[0];
  EXPECT_EQ(open.subject, "server/open_loop/processes/compact");
  // 4e5 offered, 3.9e5 achieved (≥ 95 %), p99 9 µs: sustained. 8e5 is not (p99 50 µs).
  EXPECT_EQ(open.max_rate, 4e5);
  EXPECT_EQ(open.p99_ns, 9000.0);
  EXPECT_NEAR(*open.concurrency, 3.9e5 * 1500e-9, 1e-12);  // L = achieved rate × mean latency
  EXPECT_NE(open.based_on.find("open loop"), std::string::npos);

  json doc = hand_made_results();
  doc["primbench"]["benchmarks"]["server/open_loop/processes/compact"]["extra"]["latency_p99_ns"] = {1, 2};
  const CapacityAnalysis mismatched = analyse_capacity(doc);
  ASSERT_EQ(mismatched.open_loop.size(), 1u);
  EXPECT_FALSE(mismatched.open_loop[0].max_rate.has_value());
  EXPECT_NE(mismatched.open_loop[0].note.find("same length"), std::string::npos);
}

std::vector<std::pair<double, std::string>> marker_list(const std::vector<TopologyMarker>& markers) {
  std::vector<std::pair<double, std::string>> out;
  for (const TopologyMarker& m : markers) out.emplace_back(m.workers, m.kind);
  return out;
}

TEST(CapacityTopology, BoundariesPerPlacementPolicy) {
  const json topo = hand_made_results()["primbench"]["topology"];  // 16 PUs, 8 cores, 2 packages, 2 NUMA, SMT x2
  using L = std::vector<std::pair<double, std::string>>;
  EXPECT_EQ(marker_list(topology_markers(topo, "compact")),
            (L{{2, "smt"}, {9, "numa"}, {9, "package"}, {17, "oversubscribed"}}));
  EXPECT_EQ(marker_list(topology_markers(topo, "spread")),
            (L{{2, "numa"}, {2, "package"}, {9, "smt"}, {17, "oversubscribed"}}));
  EXPECT_EQ(marker_list(topology_markers(topo, "cores")), (L{{5, "numa"}, {5, "package"}, {9, "oversubscribed"}}));
  const json flat{{"pus", 2}, {"cores", 2}, {"packages", 1}, {"numa_nodes", 1}, {"smt_width", 1}};
  EXPECT_EQ(marker_list(topology_markers(flat, "compact")), (L{{3, "oversubscribed"}}));
  EXPECT_TRUE(topology_markers(json(), "compact").empty());
}

TEST(CapacityTopology, MeasuredOversubscriptionIsMarkedOnTheSweep) {
  const CapacityAnalysis a = analyse_capacity(hand_made_results());
  const SweepCapacity& atomic = *find(a, "shm/atomic_add/threads/compact/n*");
  bool measured = false;
  for (const TopologyMarker& m : atomic.markers)
    measured = measured || (m.source == "measured" && m.kind == "oversubscribed" && m.workers == 16);
  EXPECT_TRUE(measured);
}

// Every number in the document is finite (nlohmann would write NaN as null,
// hiding it; here it fails).
void expect_all_finite(const json& j, const std::string& path = "") {
  if (j.is_number_float()) {
    EXPECT_TRUE(std::isfinite(j.get<double>())) << path;
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) expect_all_finite(v, path + "/" + k);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) expect_all_finite(j[i], path + "/" + std::to_string(i));
  }
}

TEST(CapacityOutput, JsonForTheHtmlReport) {
  const json j = capacity_json(analyse_capacity(hand_made_results(), 10'000, "hand.json"));
  expect_all_finite(j);
  EXPECT_EQ(j["source"], "hand.json");
  EXPECT_EQ(j["slo_ns"], 10'000.0);
  EXPECT_EQ(j["boundaries"]["compact"][0]["kind"], "smt");
  const json* atomic = nullptr;
  for (const json& s : j["sweeps"])
    if (s["key"] == "shm/atomic_add/threads/compact/n*") atomic = &s;
  ASSERT_NE(atomic, nullptr);
  EXPECT_TRUE((*atomic)["fit"].is_object());
  EXPECT_TRUE((*atomic)["fit_refused"].is_null());
  EXPECT_FALSE((*atomic)["fit"]["curve"].empty());
  EXPECT_EQ((*atomic)["points"][4]["in_fit"], false);
  EXPECT_TRUE((*atomic)["points"][5]["throughput_median"].is_null());
  bool smt_marker_within = false;
  for (const json& m : (*atomic)["markers"]) smt_marker_within |= m["kind"] == "smt" && m["within_measured"] == true;
  EXPECT_TRUE(smt_marker_within);
  EXPECT_EQ(j["slo_table"].size(), j["sweeps"].size() + j["open_loop"].size());
}

TEST(CapacityOutput, TextAndMarkdownSayWhatWasFittedAndWhatWasNot) {
  const CapacityAnalysis a = analyse_capacity(hand_made_results(), 10'000, "hand.json");
  const std::string text = capacity_text(a);
  EXPECT_NE(text.find("Capacity of hand.json"), std::string::npos);
  EXPECT_NE(text.find("shm/atomic_add/threads/compact/n*"), std::string::npos);
  EXPECT_NE(text.find("USL fit (4"), std::string::npos) << text;
  EXPECT_NE(text.find("USL fit refused: only 2 distinct worker counts (1, 2)"), std::string::npos);
  EXPECT_NE(text.find("Capacity at p99 <= 10 us"), std::string::npos);
  EXPECT_NE(text.find("oversubscribed, not fitted"), std::string::npos);
  const std::string md = capacity_markdown(a);
  EXPECT_NE(md.find("| N | throughput | USL model |"), std::string::npos) << md;
  EXPECT_NE(md.find("## Capacity at p99"), std::string::npos);
}

TEST(CapacityOutput, APlainGoogleBenchmarkFileHasSweepsButNoMarkers) {
  json doc = hand_made_results();
  doc.erase("primbench");
  const CapacityAnalysis a = analyse_capacity(doc);
  EXPECT_NE(find(a, "shm/atomic_add/threads/compact/n*"), nullptr);
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes[0].find("no primbench.topology"), std::string::npos);
  EXPECT_TRUE(a.open_loop.empty());
  const json nothing{{"context", json::object()}, {"benchmarks", json::array()}};
  const CapacityAnalysis empty = analyse_capacity(nothing);
  EXPECT_TRUE(empty.sweeps.empty());
  EXPECT_NE(capacity_text(empty).find("no throughput-vs-workers sweeps found"), std::string::npos);
}

TEST(CapacitySloFlag, LatencyTargetsParse) {
  EXPECT_DOUBLE_EQ(parse_latency_target("10us"), 10'000);
  EXPECT_DOUBLE_EQ(parse_latency_target("10µs"), 10'000);
  EXPECT_DOUBLE_EQ(parse_latency_target("250ns"), 250);
  EXPECT_DOUBLE_EQ(parse_latency_target("1.5ms"), 1.5e6);
  EXPECT_DOUBLE_EQ(parse_latency_target("2s"), 2e9);
  for (const char* bad : {"10", "us", "-5us", "0us", "10 parsecs", "", "1e999us"}) EXPECT_THROW(parse_latency_target(bad), UsageError) << bad;
}

// ---- the command ------------------------------------------------------------

class CapacityCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::scratch_dir("capacity"); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

void expect_one_line_usage_error(const test::CommandResult& r) {
  test::expect_one_line_error(r);
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(CapacityCli, PrintsJsonTextAndMarkdown) {
  const std::string file = write("results.json", hand_made_results().dump());
  const auto json_run = test::run_primbench({"capacity", file, "--format", "json", "--slo", "5us"});
  ASSERT_EQ(json_run.exit_code, 0) << json_run.err;
  const json out = json::parse(json_run.out);
  EXPECT_EQ(out["slo_ns"], 5000.0);
  EXPECT_FALSE(out["sweeps"].empty());
  const auto text_run = test::run_primbench({"capacity", file});
  ASSERT_EQ(text_run.exit_code, 0) << text_run.err;
  EXPECT_NE(text_run.out.find("Capacity at p99 <= 10 us"), std::string::npos);
  const auto md_run = test::run_primbench({"capacity", file, "--format", "markdown"});
  ASSERT_EQ(md_run.exit_code, 0) << md_run.err;
  EXPECT_EQ(md_run.out.rfind("# Capacity of", 0), 0u);
}

TEST_F(CapacityCli, BadInputIsOneLineAndExitTwo) {
  const std::string good = write("results.json", hand_made_results().dump());
  expect_one_line_usage_error(test::run_primbench({"capacity", (dir_ / "missing.json").string()}));
  expect_one_line_usage_error(test::run_primbench({"capacity", write("broken.json", "{\"benchmarks\": [")}));
  expect_one_line_usage_error(test::run_primbench({"capacity", write("wrong.json", "[1, 2, 3]")}));
  expect_one_line_usage_error(test::run_primbench({"capacity", good, "--slo", "10"}));
  expect_one_line_usage_error(test::run_primbench({"capacity", good, "--format", "xml"}));
  expect_one_line_usage_error(test::run_primbench({"capacity"}));
}

}  // namespace
}  // namespace primbench
