// Reading result files back: what a malformed file gets told, what a plain
// Google Benchmark file reads as, and the view the reports share.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "reports/result_file.hpp"
#include "reports/result_reader.hpp"
#include "tests/result_docs.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

// The one line a user sees for `text` saved as a file.
std::string error_for(const std::string& text) {
  const fs::path path = test::write_text(test::scratch_dir("reader") / "bad.json", text);
  try {
    read_result_file(path);
  } catch (const ResultFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted: " << text;
  return "";
}

std::string error_for_doc(const nlohmann::json& doc) { return error_for(doc.dump(2)); }

bool has(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

nlohmann::json doc_with_one_benchmark() {
  nlohmann::json doc = test::empty_result_doc();
  test::add_benchmark(doc, "c2c/rtt/threads/shared-l3", {100, 101, 102, 99, 100});
  return doc;
}

// ---- malformed text: file, line, column -------------------------------------

TEST(ResultReader, SyntaxErrorNamesFileLineAndColumn) {
  const std::string e = error_for("{\n  \"context\": {},\n  \"benchmarks\": [1,]\n}\n");
  EXPECT_TRUE(has(e, "bad.json:3:20: invalid JSON")) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
}

TEST(ResultReader, NanAndInfinityAreRefusedWithTheReason) {
  const std::string nan = error_for("{\"context\": {}, \"benchmarks\": [{\"name\": \"x\", \"real_time\": NaN}]}");
  EXPECT_TRUE(has(nan, "bad.json:1:")) << nan;
  EXPECT_TRUE(has(nan, "NaN and Infinity are not JSON")) << nan;
  const std::string inf = error_for("{\"context\": {}, \"benchmarks\": [{\"name\": \"x\", \"p99_ns\": -Infinity}]}");
  EXPECT_TRUE(has(inf, "NaN and Infinity are not JSON")) << inf;
}

TEST(ResultReader, NumberBeyondADoubleIsRefusedNotThrown) {
  // Found by fuzzing: nlohmann throws out_of_range, not parse_error, for it.
  const std::string e = error_for("{\"context\": {}, \"benchmarks\": [{\"name\": \"x\", \"real_time\": 98e816}]}");
  EXPECT_TRUE(has(e, "bad.json: invalid JSON: number overflow parsing '98e816'")) << e;
}

TEST(ResultReader, TruncatedFileSaysWhereItEnds) {
  const std::string text = doc_with_one_benchmark().dump(2);
  const std::string e = error_for(text.substr(0, text.size() / 2));
  EXPECT_TRUE(has(e, "bad.json:")) << e;
  EXPECT_TRUE(has(e, "invalid JSON")) << e;
}

TEST(ResultReader, NestingDeeperThanTheLimitIsRefusedWhereItHappens) {
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const std::string e = error_for(deep);
  EXPECT_TRUE(has(e, "bad.json:1:65: nested deeper than 64 levels")) << e;
  // Brackets inside strings are text, not nesting.
  nlohmann::json doc = doc_with_one_benchmark();
  doc["benchmarks"][0]["label"] = std::string(200, '[');
  EXPECT_NO_THROW(parse_result_text(doc.dump(), "ok.json"));
}

TEST(ResultReader, FileOverTheSizeLimitIsRefusedBeforeReading) {
  const fs::path path = test::scratch_dir("reader") / "huge.json";
  test::write_text(path, "{}");
  fs::resize_file(path, kMaxResultFileBytes + (1 << 20));  // sparse: costs no disk
  try {
    read_result_file(path);
    FAIL() << "a 257 MiB file was read";
  } catch (const ResultFileError& e) {
    EXPECT_TRUE(has(e.what(), "257 MiB is more than a result file may be (256 MiB)")) << e.what();
  }
  fs::remove(path);
}

TEST(ResultReader, MissingFileAndDirectoryAreNamed) {
  EXPECT_THROW(read_result_file("/no/such/results.json"), ResultFileError);
  try {
    read_result_file("/no/such/results.json");
  } catch (const ResultFileError& e) {
    EXPECT_EQ(std::string(e.what()), "/no/such/results.json: no such result file");
  }
  try {
    read_result_file(test::scratch_dir("reader"));
  } catch (const ResultFileError& e) {
    EXPECT_TRUE(has(e.what(), "not a regular file")) << e.what();
  }
}

// ---- schema: file, JSON path, what is wrong ---------------------------------

TEST(ResultReader, SchemaErrorsNameTheJsonPath) {
  nlohmann::json doc = doc_with_one_benchmark();
  doc.erase("benchmarks");
  EXPECT_TRUE(has(error_for_doc(doc), "bad.json: /: 'benchmarks' is missing"));

  doc = doc_with_one_benchmark();
  doc["benchmarks"][2]["real_time"] = "fast";
  EXPECT_TRUE(has(error_for_doc(doc), "bad.json: /benchmarks/2/real_time: expected a number, found string"));

  doc = doc_with_one_benchmark();
  doc["benchmarks"][0]["time_unit"] = "fortnights";
  EXPECT_TRUE(has(error_for_doc(doc), "/benchmarks/0/time_unit: 'fortnights' is not one of ns, us, ms, s"));

  doc = doc_with_one_benchmark();
  doc["benchmarks"][1].erase("name");
  EXPECT_TRUE(has(error_for_doc(doc), "/benchmarks/1: 'name' is missing"));

  doc = doc_with_one_benchmark();
  doc["benchmarks"][0]["run_type"] = "warmup";
  EXPECT_TRUE(has(error_for_doc(doc), "/benchmarks/0/run_type: 'warmup' is neither"));

  doc = doc_with_one_benchmark();
  doc["benchmarks"][0].erase("real_time");
  EXPECT_TRUE(has(error_for_doc(doc), "/benchmarks/0: 'real_time' is missing"));

  doc = doc_with_one_benchmark();
  doc["primbench"]["benchmarks"]["c2c/rtt/threads/shared-l3"] = {{"latency", {{"percentiles", 3}}}};
  EXPECT_TRUE(has(error_for_doc(doc), "/primbench/benchmarks/c2c~1rtt~1threads~1shared-l3/latency/percentiles: "
                                  "expected an object, found number"));

  doc = doc_with_one_benchmark();
  doc["primbench"]["unavailable"] = {{{"name", "c2c/rtt/threads/smt"}}};
  EXPECT_TRUE(has(error_for_doc(doc), "/primbench/unavailable/0: 'reason' is missing"));

  EXPECT_TRUE(has(error_for("[1, 2]"), "bad.json: /: expected an object, found array"));
}

TEST(ResultReader, SchemaVersionPolicy) {
  nlohmann::json doc = doc_with_one_benchmark();
  doc["primbench"]["schema_version"] = kResultSchemaVersion + 1;
  const std::string e = error_for_doc(doc);
  EXPECT_TRUE(has(e, "/primbench/schema_version: version 2 is newer than this primbench reads (1)")) << e;
  doc["primbench"]["schema_version"] = 0;
  EXPECT_TRUE(has(error_for_doc(doc), "version 0 does not exist"));
  doc["primbench"].erase("schema_version");
  EXPECT_TRUE(has(error_for_doc(doc), "/primbench: 'schema_version' is missing"));
  // Fields a later minor change adds are ignored, not refused.
  doc = doc_with_one_benchmark();
  doc["primbench"]["something_new"] = {{"a", 1}};
  doc["benchmarks"][0]["new_gbench_field"] = "text";
  EXPECT_NO_THROW(parse_result_text(doc.dump(), "newer.json"));
}

// ---- what is accepted -------------------------------------------------------

// Google Benchmark 1.7.1's own output, as `--benchmark_out_format=json`
// writes it with --benchmark_repetitions=2: aggregates (cv with a fraction
// under time_unit "ns"), an error entry, a counter, no "primbench" object.
constexpr const char* kPlainGoogleBenchmarkFile = R"({
  "context": {
    "date": "2024-05-01T10:00:00+00:00",
    "host_name": "ci-runner",
    "executable": "./bench",
    "num_cpus": 2,
    "mhz_per_cpu": 2800,
    "cpu_scaling_enabled": false,
    "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 1}],
    "load_avg": [0.1, 0.2, 0.3],
    "library_build_type": "release"
  },
  "benchmarks": [
    {"name": "BM_Push/8", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Push/8",
     "run_type": "iteration", "repetitions": 2, "repetition_index": 0, "threads": 1, "iterations": 1000,
     "real_time": 1.5, "cpu_time": 1.4, "time_unit": "us", "items_per_second": 6.6e5},
    {"name": "BM_Push/8", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Push/8",
     "run_type": "iteration", "repetitions": 2, "repetition_index": 1, "threads": 1, "iterations": 1000,
     "real_time": 1.7, "cpu_time": 1.6, "time_unit": "us", "items_per_second": 6.0e5},
    {"name": "BM_Push/8_mean", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Push/8",
     "run_type": "aggregate", "repetitions": 2, "threads": 1, "aggregate_name": "mean", "aggregate_unit": "time",
     "iterations": 2, "real_time": 1.6, "cpu_time": 1.5, "time_unit": "us", "items_per_second": 6.3e5},
    {"name": "BM_Push/8_median", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Push/8",
     "run_type": "aggregate", "repetitions": 2, "threads": 1, "aggregate_name": "median", "aggregate_unit": "time",
     "iterations": 2, "real_time": 1.6, "cpu_time": 1.5, "time_unit": "us", "items_per_second": 6.3e5},
    {"name": "BM_Push/8_cv", "family_index": 0, "per_family_instance_index": 0, "run_name": "BM_Push/8",
     "run_type": "aggregate", "repetitions": 2, "threads": 1, "aggregate_name": "cv", "aggregate_unit": "percentage",
     "iterations": 2, "real_time": 0.088, "cpu_time": 0.094, "time_unit": "ns", "items_per_second": 0.067},
    {"name": "BM_Broken", "family_index": 1, "per_family_instance_index": 0, "run_name": "BM_Broken",
     "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "threads": 1,
     "error_occurred": true, "error_message": "no device", "iterations": 0,
     "real_time": 0, "cpu_time": 0, "time_unit": "ns"}
  ]
})";

TEST(ResultReader, AcceptsAPlainGoogleBenchmarkFile) {
  const nlohmann::json doc = parse_result_text(kPlainGoogleBenchmarkFile, "gb.json");
  const auto runs = benchmark_runs(doc);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].name, "BM_Push/8");
  EXPECT_EQ(runs[0].repetitions.size(), 2u);
  EXPECT_EQ(runs[0].aggregates.size(), 3u);
  EXPECT_FALSE(runs[0].error);
  EXPECT_EQ(repetition_values(runs[0], "real_time"), (std::vector<double>{1500.0, 1700.0}));  // us -> ns
  EXPECT_EQ(representative_value(runs[0], "real_time"), 1600.0);
  EXPECT_EQ(representative_value(runs[0], "items_per_second"), 6.3e5);
  EXPECT_EQ(runs[1].error, "no device");
  // Without a "primbench" object only GB's context identifies the machine.
  const MachineIdentity id = machine_identity(doc);
  EXPECT_EQ(id.host, "ci-runner");
  EXPECT_EQ(id.num_cpus, "2");
  EXPECT_EQ(id.topology, "");
}

TEST(ResultReader, OldFilesWithoutRunNameGroupBySuffix) {
  nlohmann::json doc = parse_result_text(kPlainGoogleBenchmarkFile, "gb.json");
  for (auto& e : doc["benchmarks"]) e.erase("run_name");
  const auto runs = benchmark_runs(doc);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].name, "BM_Push/8");
  EXPECT_EQ(runs[0].aggregates.count("median"), 1u);
}

// A file lists what the machine cannot run in primbench.unavailable; a file
// from before kept it in benchmarks[] as an error entry. Both read the same.
TEST(ResultReader, UnavailableBenchmarksReadTheSameFromTheListAndFromOlderFiles) {
  nlohmann::json older = doc_with_one_benchmark(), listed = doc_with_one_benchmark();
  test::add_failure(older, "c2c/rtt/threads/smt", "unavailable: placement class smt is absent");
  test::add_unavailable(listed, "c2c/rtt/threads/smt", "placement class smt is absent");
  const fs::path dir = test::scratch_dir("reader");
  const nlohmann::json older_read = read_result_file(test::write_doc(dir / "older.json", older));
  const nlohmann::json listed_read = read_result_file(test::write_doc(dir / "listed.json", listed));
  for (const auto* doc : {&older_read, &listed_read}) {
    const auto runs = benchmark_runs(*doc);
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[1].name, "c2c/rtt/threads/smt");
    EXPECT_EQ(runs[1].error, "unavailable: placement class smt is absent");
    EXPECT_TRUE(runs[1].repetitions.empty());
    EXPECT_FALSE(runs[0].error) << "the measured benchmark is untouched";
  }
}

TEST(ResultReader, RoundTripReadWriteReadIsEqual) {
  nlohmann::json doc = doc_with_one_benchmark();
  test::add_failure(doc, "c2c/rtt/threads/smt", "unavailable: placement class smt is absent");
  doc["primbench"]["benchmarks"]["c2c/rtt/threads/shared-l3"] = {
      {"family", "c2c"},
      {"latency", {{"unit", "ns"}, {"percentiles", {{"p50", 255.0}, {"count", 7779}}},
                   {"histogram", {{"count", 2}, {"buckets", {{250, 251, 1}, {255, 256, 1}}}}}}}};
  const fs::path dir = test::scratch_dir("reader");
  const nlohmann::json first = read_result_file(test::write_doc(dir / "a.json", doc));
  write_json_file(dir / "b.json", first);
  const nlohmann::json second = read_result_file(dir / "b.json");
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, doc);
}

// ---- the view -----------------------------------------------------------------

TEST(ResultView, MetricDirectionsAndUnits) {
  EXPECT_EQ(metric_direction("real_time"), Better::lower);
  EXPECT_EQ(metric_direction("p99_ns"), Better::lower);
  EXPECT_EQ(metric_direction("cpu_a_ns_per_msg"), Better::lower);
  EXPECT_EQ(metric_direction("msgs_per_s"), Better::higher);
  EXPECT_EQ(metric_direction("bytes_per_second"), Better::higher);
  EXPECT_EQ(metric_direction("speedup"), Better::higher);
  EXPECT_EQ(metric_direction("samples"), std::nullopt);
  EXPECT_EQ(metric_direction("placement_ok"), std::nullopt);
  const nlohmann::json entry{{"time_unit", "us"}};
  EXPECT_EQ(metric_unit(entry, "real_time"), "us");
  EXPECT_EQ(metric_unit(entry, "msgs_per_s"), "msgs/s");
  EXPECT_EQ(metric_unit(entry, "items_per_second"), "items/s");
  EXPECT_EQ(metric_unit(entry, "cpu_b_ns_per_rtt"), "ns");
  EXPECT_EQ(metric_unit(entry, "baseline_ms"), "ms");
  EXPECT_EQ(metric_unit(entry, "speedup"), "x");
}

TEST(ResultView, CounterNamesLeaveGoogleBenchmarksFieldsOut) {
  const nlohmann::json doc = parse_result_text(kPlainGoogleBenchmarkFile, "gb.json");
  EXPECT_EQ(counter_names(doc["benchmarks"][0]), std::vector<std::string>{"items_per_second"});
}

TEST(ResultView, IdentityDifferencesNameWhatDiffers) {
  test::Machine a, b;
  b.host = "other-host";
  b.cpus = 16;
  const auto d = identity_differences(machine_identity(test::empty_result_doc(a)), machine_identity(test::empty_result_doc(b)));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "host 'bench-host' vs 'other-host'");
  EXPECT_EQ(d[1], "num_cpus '8' vs '16'");
  EXPECT_TRUE(identity_differences(machine_identity(test::empty_result_doc(a)),
                                   machine_identity(test::empty_result_doc(a)))
                  .empty());
}

}  // namespace
}  // namespace primbench
