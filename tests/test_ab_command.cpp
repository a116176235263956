// `primbench ab` and its documented entry point scripts/ci/compare_builds.sh,
// end to end on one small family: the files a CI job reads, rounds tagged in
// the merged results, an A/A run's noise.json, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using test::expect_one_line_error;

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(AbCommand, AaRoundsWriteEveryFileAndExitZero) {
  const fs::path out = test::scratch_dir("ab");
  // Two rounds decide little, and by chance a change: --fail-on none keeps the exit status about the files.
  const auto r = test::run_primbench({"ab", test::primbench_exe(), "--aa", "--rounds", "2", "--min-rounds", "2",
                                      "--fail-on", "none", "--out", out.string(), "--", "--quick", "--family", "harness"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("### primbench compare: ", 0), 0u) << r.out;
  for (const char* file : {"base.json", "new.json", "compare.json", "compare.md", "noise.json"})
    EXPECT_TRUE(fs::exists(out / file)) << file;

  const auto base = read_json(out / "base.json");
  ASSERT_EQ(base["primbench"]["rounds"].size(), 2u);  // one family, two rounds
  for (const auto& round : base["primbench"]["rounds"]) {
    EXPECT_EQ(round["chunk"], "harness");
    EXPECT_TRUE(round["probes"]["start"]["values"].contains("cpu_loop/pu0")) << round.dump();
  }
  for (const auto& entry : base["benchmarks"]) {
    EXPECT_EQ(entry["run_type"], "iteration");
    EXPECT_TRUE(entry["round"] == 1 || entry["round"] == 2) << entry.dump();
  }

  const auto compare = read_json(out / "compare.json");
  EXPECT_EQ(compare["unit_of_replication"], "rounds");
  EXPECT_EQ(compare["rounds"], 2);
  EXPECT_EQ(compare["summary"]["rows"], compare["results"].size());
  ASSERT_FALSE(compare["results"].empty());
  for (const auto& row : compare["results"]) {
    EXPECT_TRUE(row.contains("benchmark") && row.contains("verdict")) << row.dump();
    if (row.contains("test") && !row["test"].is_null()) {
      EXPECT_EQ(row["rounds"], 2);
    }
  }
  // Rounds whose probes separated are left out; with two rounds the family may then have no threshold, but a reason.
  const auto harness_noise = read_json(out / "noise.json")["families"]["harness"];
  ASSERT_TRUE(harness_noise.is_object()) << read_json(out / "noise.json").dump();
  EXPECT_TRUE(harness_noise["threshold"].is_number() || harness_noise["reason"].is_string()) << harness_noise.dump();
}

TEST(AbCommand, CompareBuildsScriptIsTheDocumentedEntryPoint) {
  const fs::path out = test::scratch_dir("compare-builds");
  const std::string script = (test::source_dir() / "scripts/ci/compare_builds.sh").string();
  const auto r = test::run_command({"/usr/bin/env", "ROUNDS=2", "AB_ARGS=--min-rounds 2 --fail-on none", "bash", script,
                                    test::primbench_exe(), test::primbench_exe(), out.string(), "--", "--quick",
                                    "--family", "harness"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out / "compare.md"));
  EXPECT_TRUE(fs::exists(out / "noise.json")) << "one build as both sides is an A/A run";
  EXPECT_TRUE(read_json(out / "compare.json").contains("results"));
  const auto usage = test::run_command({"bash", script});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("Usage:"), std::string::npos) << usage.err;
}

TEST(AbCommand, BadInputIsOneLineAndExitTwo) {
  const std::string exe = test::primbench_exe();
  const std::string out = test::scratch_dir("ab-bad").string();
  expect_one_line_error(test::run_primbench({"ab", "/no/such/primbench", "--aa", "--out", out}), "/no/such/primbench");
  expect_one_line_error(test::run_primbench({"ab", exe, "--out", out}), "BASE and NEW");
  expect_one_line_error(test::run_primbench({"ab", exe, exe, "--rounds", "1", "--out", out}), "--rounds");
  expect_one_line_error(test::run_primbench({"ab", exe, "--aa", "--out", out, "--", "--family", "nosuch"}), "nosuch");
  expect_one_line_error(test::run_primbench({"ab", exe, "--aa", "--noise", "/no/noise.json", "--out", out}),
                        "/no/noise.json");
}

}  // namespace
}  // namespace primbench
