// Every family runs under --benchmark_repetitions, as a user comparing two
// runs passes it: each benchmark is measured in every repetition, with Google
// Benchmark's aggregates and primbench's statistics over them, or is listed as
// unavailable on this machine; no error entry (GB 1.7.1 prints NaN for the cv
// of a counter that is 0 in every repetition, and that used to fail the run).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

// Every native family but selftest (its benchmarks fail on purpose).
const std::vector<std::string> kFamilies{"c2c",  "countdown", "harness", "load",  "locks", "pipe",
                                         "pool", "queue",     "server",  "shm",   "spawn", "sync"};
constexpr int kRepetitions = 2;

nlohmann::json run_with_repetitions(const std::string& family) {
  const fs::path out = test::scratch_dir("reps");
  const auto r = test::run_primbench({"run", "--quick", "--family", family, "--out", out.string(), "--timeout", "60",
                                      "--benchmark_repetitions=" + std::to_string(kRepetitions)});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  if (!in) return nullptr;
  nlohmann::json doc = nlohmann::json::parse(in);
  fs::remove_all(out);
  return doc;
}

class FamilyWithRepetitions : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilyWithRepetitions, EveryBenchmarkHasItsRepetitionsAndAggregatesOrIsUnavailable) {
  // The countdown's length is its own: the test checks the entries, not the speed.
  if (GetParam() == "countdown") setenv("PRIMBENCH_COUNTDOWN_COUNT", "2000000", 1);
  const nlohmann::json doc = run_with_repetitions(GetParam());
  unsetenv("PRIMBENCH_COUNTDOWN_COUNT");
  ASSERT_FALSE(doc.is_null()) << "no results.json";

  std::map<std::string, int> repetitions;
  std::map<std::string, std::set<std::string>> aggregates;
  for (const auto& e : doc["benchmarks"]) {
    ASSERT_FALSE(e.value("error_occurred", false)) << e["name"] << ": " << e["error_message"];
    const std::string run = e["run_name"];
    if (e["run_type"] == "aggregate") aggregates[run].insert(e["aggregate_name"].get<std::string>());
    else ++repetitions[run];
  }
  for (const auto& [run, n] : repetitions) {
    EXPECT_EQ(n, kRepetitions) << run;
    EXPECT_EQ(aggregates[run], (std::set<std::string>{"mean", "median", "stddev", "cv"})) << run;
    EXPECT_EQ(doc["primbench"]["statistics"][run]["repetitions"], kRepetitions) << run;
  }
  const std::size_t unavailable = doc["primbench"]["unavailable"].size();
  EXPECT_EQ(repetitions.size() + unavailable, doc["primbench"]["run"]["benchmarks_listed"].get<std::size_t>())
      << "every listed benchmark is measured or unavailable";
  EXPECT_GT(repetitions.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Families, FamilyWithRepetitions, ::testing::ValuesIn(kFamilies),
                         [](const auto& instance) { return instance.param; });

// A family added later is added to the list above.
TEST(FamilyWithRepetitionsList, NamesEveryFamilyPrimbenchHas) {
  const auto r = test::run_primbench({"run", "--family", "no-such-family", "--out", test::scratch_dir("reps").string()});
  const std::string line = test::expect_one_line_error(r, "(valid: ");
  std::set<std::string> valid;
  const std::string list = line.substr(line.find("(valid: ") + 8);
  for (std::size_t at = 0; at < list.size();) {
    const std::size_t end = list.find_first_of(",)", at);
    valid.insert(list.substr(at, end - at));
    at = end + 2;
  }
  valid.erase("selftest");
  EXPECT_EQ(valid, std::set<std::string>(kFamilies.begin(), kFamilies.end())) << line;
}

}  // namespace
}  // namespace primbench
