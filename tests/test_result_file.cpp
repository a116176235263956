// The result file keeps Google Benchmark's shape and is strict JSON.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "harness/run_loop.hpp"
#include "reports/result_file.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

RunResults two_outcomes() {
  RunResults r;
  r.listed = {"a/ok", "b/hung"};
  BenchmarkOutcome ok;
  ok.name = "a/ok";
  ok.ok = true;
  ok.gbench_context = {{"date", "x"}, {"host_name", "h"}, {"num_cpus", 2}};
  ok.entries = nlohmann::json::array({{{"name", "a/ok"}, {"run_name", "a/ok"}, {"real_time", 12.5}}});
  ok.records = {{"a/ok", {{"family", "a"}}}};
  BenchmarkOutcome hung;
  hung.name = "b/hung";
  hung.error = "benchmark b/hung did not finish within 1 s (watchdog killed it)";
  hung.entries = nlohmann::json::array({error_entry(hung.name, hung.error)});
  r.outcomes = {ok, hung};
  return r;
}

TEST(ResultFile, KeepsGoogleBenchmarkShapeAndAddsPrimbench) {
  RunContext ctx;
  ctx.machine = {{"hostname", "h"}, {"bad", std::nan("")}};
  const auto doc = build_result_document(two_outcomes(), ctx);
  EXPECT_EQ(doc["context"]["host_name"], "h");
  ASSERT_EQ(doc["benchmarks"].size(), 2u);
  EXPECT_EQ(doc["benchmarks"][1]["error_occurred"], true);
  EXPECT_EQ(doc["benchmarks"][1]["name"], "b/hung");
  EXPECT_EQ(doc["primbench"]["benchmarks"]["a/ok"]["family"], "a");
  EXPECT_EQ(doc["primbench"]["errors"].size(), 1u);
  EXPECT_EQ(doc["primbench"]["run"]["benchmarks_ok"], 1);
  const std::string text = doc.dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos) << "NaN must not reach the file";
}

// primbench's statistics of one benchmark process's Google Benchmark entries.
nlohmann::json statistics_of(nlohmann::json entries) {
  RunResults r;
  BenchmarkOutcome b;
  b.name = "x";
  b.ok = true;
  b.gbench_context = {{"host_name", "h"}};
  b.entries = std::move(entries);
  r.outcomes = {b};
  return build_result_document(r, RunContext{})["primbench"]["statistics"];
}

TEST(ResultFile, RepetitionStatisticsFlagNoiseAndSaySingleRuns) {
  nlohmann::json entries = nlohmann::json::array();
  for (double t : {100.0, 101.0, 99.0, 100.0, 160.0})  // one outlier: CV 22 %
    entries.push_back({{"name", "x"}, {"run_name", "x"}, {"run_type", "iteration"}, {"real_time", t},
                       {"cpu_time", t}, {"time_unit", "ns"}});
  entries.push_back({{"name", "y"}, {"run_name", "y"}, {"run_type", "iteration"}, {"real_time", 5.0}});
  entries.push_back({{"name", "x_mean"}, {"run_name", "x"}, {"run_type", "aggregate"}, {"real_time", 112.0}});
  const auto stats = statistics_of(entries);
  EXPECT_EQ(stats["x"]["repetitions"], 5) << "aggregates are not repetitions";
  EXPECT_EQ(stats["x"]["real_time"]["median"], 100.0);
  EXPECT_EQ(stats["x"]["real_time"]["mad"], 1.0);
  EXPECT_TRUE(stats["x"]["noisy"].get<bool>());
  EXPECT_FALSE(stats["y"]["noisy"].get<bool>());
  EXPECT_NE(stats["y"]["noise"].get<std::string>().find("one repetition"), std::string::npos);
}

// --benchmark_report_aggregates_only=true: GB writes no repetitions, so the
// statistics are GB's aggregates, said to be, with the noise from GB's cv.
TEST(ResultFile, RepetitionStatisticsFromGoogleBenchmarksAggregatesAlone) {
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& [aggregate, time] : {std::pair{"mean", 104.0}, {"median", 100.0}, {"stddev", 9.0}, {"cv", 0.087}})
    entries.push_back({{"name", std::string("x_") + aggregate}, {"run_name", "x"}, {"run_type", "aggregate"},
                       {"aggregate_name", aggregate}, {"repetitions", 3}, {"real_time", time}, {"cpu_time", time},
                       {"time_unit", "ns"}, {"workers", nullptr}});
  const auto stats = statistics_of(entries);
  EXPECT_EQ(stats["x"]["repetitions"], 3);
  EXPECT_EQ(stats["x"]["real_time"]["median"], 100.0);
  EXPECT_EQ(stats["x"]["real_time"]["cv"], 0.087);
  EXPECT_TRUE(stats["x"]["noisy"].get<bool>()) << "GB's cv of 8.7 % is above 5 %";
  EXPECT_NE(stats["x"]["from"].get<std::string>().find("Google Benchmark's aggregates"), std::string::npos);
}

TEST(ResultFile, FallbackContextWhenEveryBenchmarkFailed) {
  RunResults r = two_outcomes();
  r.outcomes.erase(r.outcomes.begin());
  RunContext ctx;
  ctx.machine = {{"hostname", "box"}, {"logical_cpus_online", nullptr}};  // unreadable: null
  const auto doc = build_result_document(r, ctx);
  EXPECT_EQ(doc["context"]["host_name"], "box");
  EXPECT_EQ(doc["context"]["num_cpus"], 0);
  EXPECT_TRUE(doc["context"].contains("caches"));
}

// What the machine cannot run is listed in the primbench section, not as a
// 0 ns entry that GB's tools and dashboards would take for a measurement.
TEST(ResultFile, UnavailableBenchmarksAreListedOutsideBenchmarks) {
  RunResults r = two_outcomes();
  BenchmarkOutcome absent;  // listed unavailable: the run loop wrote its entry
  absent.name = "c2c/rtt/threads/smt";
  absent.ok = true;
  absent.entries = nlohmann::json::array({error_entry(absent.name, "unavailable: placement class smt is absent")});
  BenchmarkOutcome too_big;  // found unavailable by the benchmark itself, once per repetition
  too_big.name = "pipe/unix-dgram/threads/same-pu/stream/4194304";
  too_big.ok = true;
  too_big.gbench_context = {{"host_name", "h"}};
  for (int rep = 0; rep < 2; ++rep)
    too_big.entries.push_back({{"name", too_big.name + "/real_time"}, {"run_name", too_big.name + "/real_time"},
                               {"run_type", "iteration"}, {"repetition_index", rep}, {"error_occurred", true},
                               {"error_message", "unavailable: AF_UNIX datagram of 4194304 bytes is too big"}});
  r.outcomes.push_back(absent);
  r.outcomes.push_back(too_big);
  const auto doc = build_result_document(r, RunContext{});
  for (const auto& e : doc["benchmarks"])
    EXPECT_EQ(e.value("error_message", "").find("unavailable"), std::string::npos) << e.dump();
  EXPECT_EQ(doc["benchmarks"].size(), 2u) << "the measured and the failed benchmark stay";
  EXPECT_EQ(doc["primbench"]["unavailable"], nlohmann::json::parse(R"([
    {"name": "c2c/rtt/threads/smt", "reason": "placement class smt is absent"},
    {"name": "pipe/unix-dgram/threads/same-pu/stream/4194304/real_time",
     "reason": "AF_UNIX datagram of 4194304 bytes is too big"}])"));
  EXPECT_EQ(doc["primbench"]["errors"].size(), 1u) << "unavailable is no error";
}

TEST(ResultFile, WritesAtomicallyAndRoundTrips) {
  const auto path = test::scratch_dir("result-file") / "results.json";
  const auto doc = build_result_document(two_outcomes(), RunContext{});
  write_json_file(path, doc);
  std::ifstream in(path);
  EXPECT_EQ(nlohmann::json::parse(in), doc);
  EXPECT_THROW(write_json_file("/nonexistent-dir/x.json", doc), std::runtime_error);
}

}  // namespace
}  // namespace primbench
