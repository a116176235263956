// `primbench run --soak DURATION`: the duration parser, drift against the
// first iteration, the leak rules, and a short real soak that must loop more
// than once and leak nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "basics/errors.hpp"
#include "cli/soak.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TEST(Soak, DurationsAreNumbersWithUnits) {
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("10m"), milliseconds(600'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
}

TEST(Soak, BadDurationsAreRefusedNamingTheText) {
  for (const char* bad : {"", "10", "10x", "s", "-5s", "0s", "1.2.3s", "5 s", "1000h", "ms10"}) {
    try {
      parse_duration(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
}

SoakIteration iteration(unsigned index, std::map<std::string, double> medians) {
  SoakIteration it;
  it.index = index;
  it.median_ns = std::move(medians);
  return it;
}

TEST(Soak, DriftIsAgainstTheFirstIterationLargestFirst) {
  std::vector<SoakIteration> its{iteration(1, {{"steady", 100}, {"drifts", 100}}),
                                 iteration(2, {{"steady", 101}, {"drifts", 130}}),
                                 iteration(3, {{"steady", 99.5}, {"drifts", 120}, {"late", 50}}),
                                 iteration(4, {{"steady", 100}, {"drifts", 500}, {"late", 40}})};
  its[3].complete = false;  // interrupted: not compared
  const auto drift = compute_drift(its);
  ASSERT_EQ(drift.size(), 3u);
  EXPECT_EQ(drift[0].benchmark, "drifts");
  EXPECT_NEAR(drift[0].largest_change, 0.30, 1e-9);
  EXPECT_EQ(drift[0].largest_at, 2u);
  EXPECT_EQ(drift[0].changes.size(), 2u);
  EXPECT_EQ(drift[0].last_ns, 120);
  EXPECT_EQ(drift[1].benchmark, "steady");
  EXPECT_NEAR(drift[1].largest_change, 0.01, 1e-9);
  EXPECT_EQ(drift[2].benchmark, "late");  // one median only: nothing to compare yet
  EXPECT_EQ(drift[2].largest_at, 0u);
}

TEST(Soak, IterationErrorsCountFailuresButNotUnavailableClasses) {
  RunResults results;
  BenchmarkOutcome measured;
  measured.name = "fam/x";
  measured.ok = true;
  measured.entries = nlohmann::json::array(
      {{{"name", "fam/x"}, {"run_name", "fam/x"}, {"run_type", "iteration"}, {"real_time", 2.0}, {"time_unit", "us"}}});
  BenchmarkOutcome crashed;
  crashed.name = "fam/crash";
  crashed.error = "benchmark fam/crash killed by signal 11";
  crashed.entries = nlohmann::json::array({error_entry(crashed.name, crashed.error)});
  BenchmarkOutcome killed_worker;  // the process exited 0, the benchmark reported its worker's death
  killed_worker.name = "fam/killed";
  killed_worker.ok = true;
  killed_worker.entries = nlohmann::json::array({error_entry("fam/killed", "worker 0 was killed by signal 9")});
  BenchmarkOutcome absent;
  absent.name = "fam/smt";
  absent.ok = true;
  absent.entries = nlohmann::json::array({error_entry("fam/smt", "unavailable: no SMT")});
  BenchmarkOutcome absent_at_run_time = absent;
  absent_at_run_time.name = "fam/ring";
  absent_at_run_time.entries = nlohmann::json::array({error_entry("fam/ring", "unavailable: too few PUs")});
  results.outcomes = {measured, crashed, killed_worker, absent, absent_at_run_time};
  const SoakIteration it = summarize_iteration(results, {{"fam/smt", "unavailable: no SMT"}});
  ASSERT_EQ(it.median_ns.size(), 1u);
  EXPECT_DOUBLE_EQ(it.median_ns.at("fam/x"), 2000.0);
  ASSERT_EQ(it.errors.size(), 2u);
  EXPECT_EQ(it.errors[0].benchmark, "fam/crash");
  EXPECT_EQ(it.errors[1].benchmark, "fam/killed");
}

TEST(Soak, LeakRules) {
  ResourceSnapshot start{.open_fds = 5, .rss_kib = 10'000, .run_segments = 0, .primbench_segments = 3,
                         .child_processes = 0};
  ResourceSnapshot first = start, end = start;
  first.rss_kib = 20'000;
  end.rss_kib = 20'000 + kRssGrowthLimitKiB;  // at the limit: still fine
  end.primbench_segments = 7;                   // other runs' segments are not this run's leak
  auto leaked = [](const std::vector<LeakCheck>& checks) {
    std::vector<std::string> names;
    for (const auto& c : checks)
      if (c.leaked) names.push_back(c.resource);
    return names;
  };
  EXPECT_TRUE(leaked(check_leaks(start, first, end, 3)).empty());
  end.open_fds = 6;
  end.rss_kib += 1;
  end.run_segments = 1;
  end.child_processes = 1;
  EXPECT_EQ(leaked(check_leaks(start, first, end, 3)).size(), 4u);
  // One iteration: no warmed-up baseline, so memory is not judged.
  end = start;
  end.rss_kib = 100'000;
  EXPECT_TRUE(leaked(check_leaks(start, end, end, 1)).empty());
}

TEST(Soak, BadValueIsOneLineAndExitTwo) {
  for (const char* bad : {"10x", "0s", "forever"}) {
    const auto r = test::run_primbench({"run", "--soak", bad, "--out", "/tmp/primbench-soak-never-created"});
    test::expect_one_line_error(r, bad);
  }
  EXPECT_FALSE(fs::exists("/tmp/primbench-soak-never-created"));
}

// Two fast selftest benchmarks (PRIMBENCH_SELFTEST=1) for 2 s: several
// iterations, no error, no leak, soak.json and nothing else.
TEST(Soak, ShortSoakLoopsSeveralTimesAndLeaksNothing) {
  const fs::path out = test::scratch_dir("soak");
  setenv("PRIMBENCH_SELFTEST", "1", 1);
  const auto r = test::run_primbench({"run", "--soak", "2s", "--family", "selftest", "--filter", "/ok/", "--out",
                                      out.string()});
  unsetenv("PRIMBENCH_SELFTEST");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::nonempty_lines(r.out), std::vector<std::string>{(out / "soak.json").string()});
  std::ifstream in(out / "soak.json");
  ASSERT_TRUE(in.good()) << r.err;
  const auto doc = nlohmann::json::parse(in);
  EXPECT_GE(doc["soak"]["iterations"].get<int>(), 2) << r.err;
  EXPECT_TRUE(doc["ok"].get<bool>()) << doc.dump(2);
  EXPECT_TRUE(doc["errors"].empty()) << doc["errors"].dump(2);
  ASSERT_EQ(doc["leaks"].size(), 4u);
  for (const auto& check : doc["leaks"]) EXPECT_FALSE(check["leaked"].get<bool>()) << check.dump();
  ASSERT_EQ(doc["drift"]["benchmarks"].size(), 2u) << doc["drift"].dump(2);
  for (const auto& d : doc["drift"]["benchmarks"]) {
    EXPECT_GT(d["first_ns"].get<double>(), 0) << d.dump();
    EXPECT_EQ(d["changes"].size() + 1, doc["soak"]["iterations"].get<std::size_t>()) << d.dump();
  }
  EXPECT_NE(r.err.find("primbench: soak: iteration 2 "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "results.json")) << "a soak writes soak.json only";
  for (const auto& e : fs::directory_iterator(out))
    EXPECT_TRUE(e.path().filename() == "soak.json" || e.path().filename() == "topology.svg") << e.path();
  fs::remove_all(out);
}

}  // namespace
}  // namespace primbench
