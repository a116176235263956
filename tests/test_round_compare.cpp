// Verdicts over rounds (`primbench ab`): the paired t-test and the
// Benjamini-Hochberg adjustment on inputs whose answers are worked out by
// hand, the paired verdict on two-mode data, a mode switch inside a round, a
// clean 10 % shift and noise the threshold cannot decide; the machine-change
// detection on synthetic probe data; merging rounds into one file.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

#include "reports/aa_noise.hpp"
#include "reports/compare.hpp"
#include "reports/compare_format.hpp"
#include "reports/compare_statistics.hpp"
#include "reports/machine_change.hpp"
#include "reports/report_summary.hpp"
#include "reports/round_merge.hpp"
#include "tests/result_docs.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// ---- paired t-test -----------------------------------------------------------------

TEST(OneSampleTTest, KnownValues) {
  // mean 0.15, sd 0.08944 (n = 6): t = 4.1079; with 5 df the two-sided tail,
  // by integrating Student's density numerically, is 0.0092827.
  const std::vector<double> d{0.1, 0.2, 0.05, 0.3, 0.15, 0.1};
  const auto r = one_sample_t_test(d);
  EXPECT_EQ(r.n, 6u);
  EXPECT_NEAR(r.t, 4.1079, 1e-4);
  EXPECT_NEAR(r.p_value, 0.0092827, 1e-6);
}

TEST(OneSampleTTest, DegenerateInputs) {
  EXPECT_DOUBLE_EQ(one_sample_t_test(std::vector<double>{0.3}).p_value, 1.0);
  EXPECT_DOUBLE_EQ(one_sample_t_test(std::vector<double>{0.0, 0.0}).p_value, 1.0);
  EXPECT_DOUBLE_EQ(one_sample_t_test(std::vector<double>{0.5, 0.5, 0.5}).p_value, 0.0);
  const std::vector<double> symmetric{0.1, -0.1, 0.2, -0.2};
  EXPECT_DOUBLE_EQ(one_sample_t_test(symmetric).p_value, 1.0);
}

// ---- Benjamini-Hochberg ---------------------------------------------------------

TEST(BenjaminiHochberg, StepUpAdjustmentInInputOrder) {
  // Sorted 0.005 0.01 0.03 0.04 scaled by m/k: 0.02 0.02 0.04 0.04, then the
  // running minimum from the top.
  const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  const auto adjusted = benjamini_hochberg(p);
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_DOUBLE_EQ(adjusted[0], 0.02);
  EXPECT_DOUBLE_EQ(adjusted[1], 0.04);
  EXPECT_DOUBLE_EQ(adjusted[2], 0.04);
  EXPECT_DOUBLE_EQ(adjusted[3], 0.02);
  EXPECT_TRUE(benjamini_hochberg(std::vector<double>{}).empty());
}

// ---- paired rounds: documents ---------------------------------------------------

json probes(double c2c_ns, double wakeup_ns = 30'000.0) {
  return {{"start", {{"values", {{"c2c_rtt/cross-l3", c2c_ns}, {"wakeup_rtt/cross-l3", wakeup_ns}}}}},
          {"end", {{"values", {{"c2c_rtt/cross-l3", c2c_ns}, {"wakeup_rtt/cross-l3", wakeup_ns}}}}}};
}

// A file of `rounds` rounds of one chunk ("pipe") whose benchmark `name`
// measured values[i] in round i + 1, with the machine probes probe_ns[i].
void add_rounds(json& doc, const std::string& name, const std::vector<double>& values, const std::vector<double>& probe_ns) {
  auto& rounds = doc["primbench"]["rounds"];
  for (std::size_t i = 0; i < values.size(); ++i) {
    doc["benchmarks"].push_back({{"name", name}, {"run_name", name}, {"run_type", "iteration"},
                                 {"repetitions", values.size()}, {"repetition_index", i}, {"iterations", 100},
                                 {"real_time", values[i]}, {"cpu_time", values[i]}, {"time_unit", "ns"},
                                 {"round", i + 1}, {"chunk", "pipe"}});
    if (rounds.size() < values.size()) rounds.push_back({{"round", i + 1}, {"chunk", "pipe"}, {"probes", probes(probe_ns[i])}});
  }
}

json rounds_doc() {
  json doc = test::empty_result_doc();
  doc["primbench"]["rounds"] = json::array();
  return doc;
}

MetricComparison row_of(const Comparison& c, const std::string& name) {
  for (const auto& row : c.rows)
    if (row.benchmark == name) return row;
  throw std::runtime_error("no row " + name);
}

// The cost of a cross-core wake-up on a cloud VM: two modes 4x apart, each
// lasting minutes, so both sides of a round share one.
std::vector<double> two_modes(std::size_t rounds, std::mt19937& rng, double jitter) {
  std::normal_distribution<double> noise(0.0, jitter);
  std::vector<double> out;
  for (std::size_t i = 0; i < rounds; ++i) out.push_back((i / 3 % 2 ? 118'000.0 : 29'000.0) * (1.0 + noise(rng)));
  return out;
}

TEST(RoundCompare, TwoModeMachineWithNoChangeIsNotARegression) {
  std::mt19937 rng(7);
  json base = rounds_doc(), candidate = rounds_doc();
  const std::vector<double> mode = two_modes(10, rng, 0.0);
  std::vector<double> b, n, probe;
  std::normal_distribution<double> jitter(0.0, 0.02);
  for (double m : mode) {
    b.push_back(m * (1.0 + jitter(rng)));
    n.push_back(m * (1.0 + jitter(rng)));
    probe.push_back(m / 100.0);
  }
  add_rounds(base, "pipe/rtt", b, probe);
  add_rounds(candidate, "pipe/rtt", n, probe);
  const Comparison c = compare_results(base, candidate, {});
  EXPECT_TRUE(c.paired_rounds);
  EXPECT_EQ(c.rounds, 10u);
  const auto& row = row_of(c, "pipe/rtt");
  EXPECT_EQ(row.rounds, 10u);
  EXPECT_EQ(row.verdict, Verdict::within_noise) << row.note;
  // The same values as repetitions of two runs: the U test sees two modes.
  ASSERT_TRUE(row.noise);
  EXPECT_LT(*row.noise, 0.05);
}

TEST(RoundCompare, AModeSwitchInsideARoundIsLeftOutByTheProbes) {
  json base = rounds_doc(), candidate = rounds_doc();
  std::vector<double> b(8, 29'000.0), n(8, 29'000.0), base_probe(8, 80.0), new_probe(8, 80.0);
  for (std::size_t i = 0; i < 8; ++i) n[i] *= 1.0 + 0.001 * static_cast<double>(i % 3);
  n[3] = 118'000.0;      // round 4: the candidate ran in the slow mode
  new_probe[3] = 474.0;  // and its probes saw it
  add_rounds(base, "pipe/rtt", b, base_probe);
  add_rounds(candidate, "pipe/rtt", n, new_probe);
  const auto& row = row_of(compare_results(base, candidate, {}), "pipe/rtt");
  EXPECT_EQ(row.rounds, 7u);
  EXPECT_EQ(row.rounds_left_out, 1u);
  EXPECT_NE(row.note.find("round 4"), std::string::npos) << row.note;
  EXPECT_NE(row.note.find("c2c_rtt/cross-l3 moved from 80 ns to 474 ns"), std::string::npos) << row.note;
  EXPECT_EQ(row.verdict, Verdict::within_noise) << row.note;
}

TEST(RoundCompare, ACleanTenPercentShiftIsARegression) {
  std::mt19937 rng(11);
  std::normal_distribution<double> jitter(0.0, 0.01);
  json base = rounds_doc(), candidate = rounds_doc();
  std::vector<double> b, n, probe(8, 80.0);
  for (int i = 0; i < 8; ++i) {
    const double level = 10'000.0 * (1.0 + 0.3 * (i % 2));  // the machine drifts between rounds
    b.push_back(level * (1.0 + jitter(rng)));
    n.push_back(level * 1.10 * (1.0 + jitter(rng)));
  }
  add_rounds(base, "pipe/rtt", b, probe);
  add_rounds(candidate, "pipe/rtt", n, probe);
  const auto& row = row_of(compare_results(base, candidate, {}), "pipe/rtt");
  EXPECT_EQ(row.verdict, Verdict::regression) << row.note;
  EXPECT_NEAR(*row.change, 0.10, 0.02);
  EXPECT_GT(*row.change_low, 0.05);
  ASSERT_TRUE(row.p_adjusted);
  EXPECT_LT(*row.p_adjusted, 0.05);
}

TEST(RoundCompare, NoiseBeyondTheThresholdIsUndecidableNotWithinNoise) {
  json base = rounds_doc(), candidate = rounds_doc();
  const std::vector<double> b(8, 1000.0), n{1300, 800, 1250, 900, 1200, 850, 1150, 950};
  add_rounds(base, "pipe/rtt", b, std::vector<double>(8, 80.0));
  add_rounds(candidate, "pipe/rtt", n, std::vector<double>(8, 80.0));
  const auto& row = row_of(compare_results(base, candidate, {}), "pipe/rtt");
  EXPECT_EQ(row.verdict, Verdict::undecidable);
  EXPECT_NE(row.note.find("undecidable here (round noise +-"), std::string::npos) << row.note;
}

TEST(RoundCompare, TooFewRoundsAreNotTested) {
  json base = rounds_doc(), candidate = rounds_doc();
  add_rounds(base, "pipe/rtt", {100, 100, 100}, {80, 80, 80});
  add_rounds(candidate, "pipe/rtt", {200, 200, 200}, {80, 80, 80});
  const Comparison c = compare_results(base, candidate, {});
  const auto& row = row_of(c, "pipe/rtt");
  EXPECT_EQ(row.verdict, Verdict::too_few_repetitions);
  EXPECT_NE(row.note.find("too few rounds to test (3 < 5)"), std::string::npos) << row.note;
  EXPECT_EQ(c.tested(), 0u);
  const std::string md = format_comparison(c, {}, CompareFormat::markdown, false);
  EXPECT_NE(md.find("(0 of 1 tested over 3 rounds)"), std::string::npos) << md;
}

TEST(RoundCompare, FamilyThresholdsFromAaNoiseRaiseTheBar) {
  json base = rounds_doc(), candidate = rounds_doc();
  std::vector<double> b, n;
  for (int i = 0; i < 8; ++i) {
    b.push_back(1000.0);
    n.push_back(1080.0 + i);  // +8 %, every round
  }
  add_rounds(base, "pipe/rtt", b, std::vector<double>(8, 80.0));
  add_rounds(candidate, "pipe/rtt", n, std::vector<double>(8, 80.0));
  EXPECT_EQ(row_of(compare_results(base, candidate, {}), "pipe/rtt").verdict, Verdict::regression);
  CompareOptions noisy_pipe;
  noisy_pipe.family_thresholds["pipe"] = 0.12;
  const auto& row = row_of(compare_results(base, candidate, noisy_pipe), "pipe/rtt");
  EXPECT_DOUBLE_EQ(row.threshold, 0.12);
  EXPECT_EQ(row.verdict, Verdict::within_noise) << row.note;
}

// ---- two separate runs ----------------------------------------------------------

TEST(MachineChange, ProbesThatMovedAreNamed) {
  const std::vector<json> before{{{"c2c_rtt/cross-l3", 79.0}, {"cpu_loop/pu0", 0.35}}, {{"c2c_rtt/cross-l3", 81.0}}};
  const std::vector<json> after{{{"c2c_rtt/cross-l3", 474.0}, {"cpu_loop/pu0", 0.36}}};
  const auto moves = moved_probes(before, after);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].probe, "c2c_rtt/cross-l3");
  EXPECT_TRUE(moves[0].slower());
  EXPECT_EQ(describe(moves[0]), "c2c_rtt/cross-l3 moved from 80 ns to 474 ns");
  EXPECT_TRUE(moved_probes(before, before).empty());
  // One disturbed set among steady ones is no mode of the machine.
  const std::vector<json> disturbed{{{"c2c_rtt/cross-l3", 474.0}}, {{"c2c_rtt/cross-l3", 82.0}}};
  EXPECT_TRUE(moved_probes(before, disturbed).empty());
}

TEST(MachineChange, ARunPairWhoseProbesMovedHasItsChangeWithheld) {
  json base = test::empty_result_doc(), candidate = test::empty_result_doc();
  base["primbench"]["machine"]["probes"] = probes(79.0);
  candidate["primbench"]["machine"]["probes"] = probes(474.0);
  test::add_benchmark(base, "c2c/rtt/threads/cross-l3", {79, 80, 81, 79, 80, 82, 78});
  test::add_benchmark(candidate, "c2c/rtt/threads/cross-l3", {474, 470, 480, 476, 472, 475, 471});
  const Comparison c = compare_results(base, candidate, {});
  ASSERT_EQ(c.machine_moves.size(), 1u);
  const auto& row = row_of(c, "c2c/rtt/threads/cross-l3");
  EXPECT_EQ(row.verdict, Verdict::machine_changed);
  EXPECT_NE(row.note.find("c2c_rtt/cross-l3 moved from 79 ns to 474 ns"), std::string::npos) << row.note;
  EXPECT_EQ(exit_status(c, FailOn::regression), 0);
  const json out = comparison_json(c, {});
  EXPECT_EQ(out["machine_change_handling"], "changes in the probes' direction withheld");
  EXPECT_EQ(out["summary"]["machine changed"], 1);
}

TEST(MachineChange, AChangeAgainstTheMachinesDirectionIsStillARegression) {
  json base = test::empty_result_doc(), candidate = test::empty_result_doc();
  base["primbench"]["machine"]["probes"] = probes(474.0);
  candidate["primbench"]["machine"]["probes"] = probes(79.0);  // the machine got faster
  test::add_benchmark(base, "pipe/rtt", {1000, 1001, 999, 1002, 998, 1000, 1001});
  test::add_benchmark(candidate, "pipe/rtt", {1500, 1501, 1499, 1502, 1498, 1500, 1503});
  EXPECT_EQ(row_of(compare_results(base, candidate, {}), "pipe/rtt").verdict, Verdict::regression);
}

// ---- a pull-request comment ------------------------------------------------------

TEST(RoundCompareMarkdown, TheFullSuiteFitsAPullRequestComment) {
  // 1,300 rows, 300 of them regressions with long names: the comment keeps
  // the counts and the largest changes and says what it left to the JSON.
  Comparison c;
  c.paired_rounds = true;
  c.rounds = 6;
  for (int i = 0; i < 1300; ++i) {
    MetricComparison row;
    row.benchmark = fmt::format("queue/moodycamel-concurrentqueue/processes/cross-package/stream/{}/real_time", i);
    row.metric = "real_time";
    row.unit = "ns";
    row.base_median = 1000.0;
    row.new_median = 1000.0 + i;
    row.change = i / 1000.0;
    row.change_low = row.change;
    row.change_high = row.change;
    row.rounds = 6;
    row.test = RankTestResult{5.0, 0.001, RankTestMethod::exact};
    row.p_adjusted = 0.002;
    row.verdict = i % 13 == 0 || i > 1000 ? Verdict::regression : Verdict::within_noise;
    row.note = "a note of some length, as the real ones have";
    c.rows.push_back(row);
  }
  const std::string md = format_comparison(c, {}, CompareFormat::markdown, false);
  EXPECT_LE(md.size(), 65'536u);
  EXPECT_EQ(md.rfind("### primbench compare: ", 0), 0u);
  EXPECT_NE(md.find("rows did not fit a pull-request comment"), std::string::npos);
  // The largest change comes first.
  EXPECT_LT(md.find("stream/1299/"), md.find("stream/1001/"));
}

TEST(MachineChange, TheReportSaysWhenTheMachineChangedDuringTheRun) {
  json doc = test::empty_result_doc();
  doc["primbench"]["machine"]["probes"] = {{"start", {{"values", {{"wakeup_rtt/cross-l3", 29'000.0}}}}},
                                           {"end", {{"values", {{"wakeup_rtt/cross-l3", 118'000.0}}}}}};
  const auto warnings = noise_warnings(doc, {});
  const auto it = std::find_if(warnings.begin(), warnings.end(),
                               [](const NoiseWarning& w) { return w.source == NoiseSource::machine_changed; });
  ASSERT_NE(it, warnings.end());
  EXPECT_NE(it->text.find("wakeup_rtt/cross-l3 moved from 29 us to 118 us"), std::string::npos) << it->text;
  doc["primbench"]["machine"]["probes"]["end"]["values"]["wakeup_rtt/cross-l3"] = 31'000.0;
  for (const auto& w : noise_warnings(doc, {})) EXPECT_EQ(w.text.find("changed speed"), std::string::npos) << w.text;
}

// ---- merging rounds ---------------------------------------------------------------

TEST(RoundMerge, EntriesAreTaggedAndRecordsKept) {
  std::vector<RoundRun> runs;
  for (long round = 1; round <= 2; ++round) {
    for (const std::string chunk : {"pipe", "sync"}) {
      json doc = test::empty_result_doc();
      test::add_benchmark(doc, chunk + "/x", {100.0 * round, 110.0 * round});  // with GB's aggregates
      doc["primbench"]["benchmarks"][chunk + "/x"] = {{"family", chunk}, {"round_seen", round}};
      doc["primbench"]["errors"].push_back({{"benchmark", chunk + "/y"}, {"message", "boom"}});
      doc["primbench"]["machine"]["probes"] = probes(80.0 * round);
      runs.push_back({round, chunk, chunk + ".json", doc});
    }
  }
  const json merged = merge_round_runs(runs);
  ASSERT_EQ(merged["benchmarks"].size(), 8u);  // 2 rounds x 2 chunks x 2 repetitions, no aggregates
  for (const json& e : merged["benchmarks"]) {
    EXPECT_EQ(e["run_type"], "iteration");
    EXPECT_EQ(e["repetitions"], 4);
    EXPECT_TRUE(e.contains("round") && e.contains("chunk"));
  }
  EXPECT_EQ(merged["benchmarks"][0]["name"], "pipe/x");
  EXPECT_EQ(merged["benchmarks"][3]["round"], 2);
  EXPECT_EQ(merged["primbench"]["benchmarks"]["sync/x"]["round_seen"], 1);
  EXPECT_EQ(merged["primbench"]["errors"].size(), 4u);
  ASSERT_EQ(merged["primbench"]["rounds"].size(), 4u);
  EXPECT_EQ(merged["primbench"]["rounds"][2]["probes"]["start"]["values"]["c2c_rtt/cross-l3"], 160.0);
}

// ---- A/A noise ------------------------------------------------------------------

TEST(AaNoise, ThresholdIsTheFamilysFarIntervalEnd) {
  Comparison aa;
  aa.rounds = 8;
  for (int i = 0; i < 20; ++i) {
    MetricComparison row;
    row.benchmark = "pipe/" + std::to_string(i);
    row.change_low = -0.01 * (i + 1) / 10.0;
    row.change_high = 0.01 * (i + 1);
    row.noise = 0.02;
    row.verdict = Verdict::within_noise;
    aa.rows.push_back(row);
  }
  const json profile = aa_noise_profile(aa);
  const json& pipe = profile["families"]["pipe"];
  EXPECT_EQ(pipe["benchmarks"], 20);
  EXPECT_NEAR(pipe["threshold"].get<double>(), 0.1905, 1e-9);  // type-7 95th percentile of 0.01..0.20
  EXPECT_GT(pipe["minimum_detectable_effect"].get<double>(), pipe["threshold"].get<double>());
  EXPECT_EQ(pipe["false_alarms"], 0);
}

TEST(AaNoise, FamilyWithoutIntervalsIsListedWithReasonAndSkippedOnRead) {
  Comparison aa;
  aa.rounds = 2;
  for (int i = 0; i < 3; ++i) {
    MetricComparison row;
    row.benchmark = "harness/" + std::to_string(i);
    row.verdict = Verdict::machine_changed;
    aa.rows.push_back(row);
  }
  const json profile = aa_noise_profile(aa);
  const json& harness = profile["families"]["harness"];
  EXPECT_TRUE(harness["threshold"].is_null());
  EXPECT_EQ(harness["benchmarks"], 0);
  EXPECT_NE(harness["reason"].get<std::string>().find("3 machine changed"), std::string::npos) << harness.dump();

  const auto path = test::scratch_dir("aa-noise") / "noise.json";
  std::ofstream(path) << profile.dump();
  EXPECT_TRUE(read_noise_thresholds(path).empty());
}

}  // namespace
}  // namespace primbench
