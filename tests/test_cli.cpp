// The primbench command as a user runs it: output, exit statuses, and what a
// run leaves behind (nothing but its results).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "harness/cpu_steal.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

using test::run_primbench;
namespace fs = std::filesystem;

using test::expect_one_line_error;


TEST(Cli, TopoJsonOfTheLargeSmpFixture) {
  PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir);
  const auto r = run_primbench({"topo", "--topology", (dir / "192em64t-24n8c2t.xml").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["pus"], 384);
  EXPECT_EQ(j["cores"], 192);
  EXPECT_EQ(j["packages"], 24);
  EXPECT_EQ(j["numa_nodes"], 24);
  EXPECT_EQ(j["binding_supported"], false);
}

TEST(Cli, TopoTreeOfThisMachineEndsWithASummary) {
  const auto r = run_primbench({"topo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = test::nonempty_lines(r.out);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_NE(lines.front().find("Machine"), std::string::npos) << r.out;
  EXPECT_NE(lines.back().find("bindings real (live)"), std::string::npos) << lines.back();
}

TEST(Cli, PairPlanOfTheTwoPackageSynthetic) {
  const auto r = run_primbench({"plan", "--pairs", "--json", "--topology", "synthetic:pack:2 l3:2 core:4 pu:2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> classes;
  for (const auto& c : j["pair_classes"]) classes[c["class"]] = c;
  for (const char* present : {"smt", "shared-l3", "cross-l3", "cross-package"})
    EXPECT_TRUE(classes[present]["present"].get<bool>()) << present;
  EXPECT_FALSE(classes["cross-numa"]["present"].get<bool>());
  EXPECT_FALSE(classes["cross-numa"]["reason"].get<std::string>().empty());
}

TEST(Cli, OversubscriptionIsRefusedThenMarked) {
  expect_one_line_error(run_primbench({"plan", "--workers", "100000"}), "--allow-oversubscribe");
  const auto r = run_primbench({"plan", "--workers", "100000", "--allow-oversubscribe", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out)["oversubscribed"].get<bool>());
}

TEST(Cli, BadInputIsOneLineAndExitTwo) {
  expect_one_line_error(run_primbench({"plan", "--pairs", "--topology", "/no/such.xml"}), "/no/such.xml");
  expect_one_line_error(run_primbench({"topo", "--bogus"}), "--bogus");
  expect_one_line_error(run_primbench({"plan", "--workers", "2", "--policy", "random"}), "random");
  expect_one_line_error(run_primbench({"plan", "--pus", "0,x"}), "0,x");
  expect_one_line_error(run_primbench({"topo", "--topology", "synthetic:nonsense"}), "nonsense");
  expect_one_line_error(run_primbench({"run", "--topology", "synthetic:pack:2 pu:2"}), "not this machine");
  expect_one_line_error(run_primbench({"run", "--family", "nosuch", "--out", test::scratch_dir("cli").string()}), "nosuch");
  // A comma-separated list is split, each name checked.
  expect_one_line_error(run_primbench({"run", "--family", "c2c,nosuch", "--out", test::scratch_dir("cli").string()}),
                        "'nosuch'");
  expect_one_line_error(run_primbench({"run", "--frobnicate"}), "--frobnicate");
  expect_one_line_error(run_primbench({}), "subcommand");
}

// A Google Benchmark flag GB cannot read (1.7.1 takes --benchmark_min_time=0.05,
// not 0.05s) stops the run before any benchmark, in one error line, rather
// than failing every benchmark's process.
TEST(Cli, AGoogleBenchmarkFlagGoogleBenchmarkRefusesStopsTheRunBeforeItStarts) {
  const auto out = test::scratch_dir("cli");
  const auto r = run_primbench({"run", "--quick", "--family", "harness", "--benchmark_min_time=0.05s", "--out", out.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const auto lines = test::nonempty_lines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("primbench: error: ", 0), 0u) << r.err;
  EXPECT_NE(lines.back().find("--benchmark_min_time=0.05s"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[  1/"), std::string::npos) << "no benchmark ran:\n" << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "results.json"));
  expect_one_line_error(run_primbench({"run", "--benchmark_list_tests=true", "--out", out.string()}),
                        "--benchmark_list_tests");
}

TEST(Cli, VersionAndHelp) {
  EXPECT_EQ(run_primbench({"version"}).exit_code, 0);
  const auto help = run_primbench({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--quick"), std::string::npos);
}

TEST(Cli, QuickRunWritesGoogleBenchmarkJsonWithPlacements) {
  const fs::path out = test::scratch_dir("cli");
  const auto r = run_primbench({"run", "--quick", "--family", "c2c", "--filter", "same-pu|smt|shared|cross", "--out",
                                out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  const auto doc = nlohmann::json::parse(in);
  for (const char* key : {"date", "host_name", "num_cpus", "caches", "library_build_type"})
    EXPECT_TRUE(doc["context"].contains(key)) << key;
  ASSERT_FALSE(doc["benchmarks"].empty());
  const auto& pb = doc["primbench"];
  EXPECT_EQ(pb["schema_version"], 1);
  bool measured = false;
  const bool steal_counted = !read_steal_ticks().by_pu.empty();
  for (const auto& e : doc["benchmarks"]) {
    const std::string name = e["name"];
    if (e.value("error_occurred", false)) {
      EXPECT_NE(e["error_message"].get<std::string>().find("unavailable"), std::string::npos) << name;
      continue;
    }
    measured = true;
    EXPECT_GT(e["real_time"].get<double>(), 0) << name;
    EXPECT_LT(e["real_time"].get<double>(), 1e9) << name << ": a round trip under 1 s";
    const auto rec = pb["benchmarks"][e["run_name"].get<std::string>()];
    ASSERT_FALSE(rec.is_null()) << "no placement record for " << name;
    if (name.find("rtt_plain") == std::string::npos) {
      EXPECT_EQ(rec["placement"]["workers"].size(), 2u) << name;
      EXPECT_TRUE(rec["placement"]["all_ok"].get<bool>()) << name;
      EXPECT_GT(rec["latency"]["percentiles"]["count"].get<double>(), 0) << name;
      // The hypervisor's steal on the workers' PUs, where the kernel counts it.
      if (steal_counted) {
        ASSERT_TRUE(rec.contains("steal")) << name;
        for (const auto& w : rec["placement"]["workers"])
          EXPECT_TRUE(rec["steal"]["steal_ms"].contains(std::to_string(w["requested_pu"].get<int>()))) << name;
        EXPECT_GE(rec["steal"]["steal_share"].get<double>(), 0.0) << name;
      }
    }
  }
  if (steal_counted) {
    EXPECT_TRUE(pb["run"]["steal"]["steal_ms"].is_object());
  }
  EXPECT_TRUE(measured);
  EXPECT_TRUE(test::primbench_segments().empty());
  fs::remove_all(out);
}

// The selftest family (registered only with PRIMBENCH_SELFTEST=1) has workers
// that hang or crash on purpose.
TEST(Cli, HungAndCrashedWorkersAreReportedByNameAndTheRunGoesOn) {
  const fs::path out = test::scratch_dir("cli");
  setenv("PRIMBENCH_SELFTEST", "1", 1);
  setenv("PRIMBENCH_WORKER_DEADLINE_MS", "400", 1);
  const auto r = run_primbench({"run", "--family", "selftest", "--timeout", "20", "--out", out.string()});
  unsetenv("PRIMBENCH_SELFTEST");
  unsetenv("PRIMBENCH_WORKER_DEADLINE_MS");
  EXPECT_EQ(r.exit_code, 1) << "a hung thread ends its benchmark process: the run reports a failure\n" << r.err;
  std::ifstream in(out / "results.json");
  const auto doc = nlohmann::json::parse(in);
  auto entries = test::entries_by_registered_name(doc);
  auto error_of = [&](const std::string& name) { return entries[name].value("error_message", std::string()); };
  const std::string hung_process = error_of("selftest/hang/processes/same-pu");
  EXPECT_NE(hung_process.find("worker 0 (process on PU"), std::string::npos) << hung_process;
  EXPECT_NE(hung_process.find("did not finish"), std::string::npos) << hung_process;
  EXPECT_NE(hung_process.find("[processes]"), std::string::npos) << hung_process;
  const std::string hung_thread = error_of("selftest/hang/threads/same-pu");
  EXPECT_NE(hung_thread.find("worker 0 (thread on PU"), std::string::npos) << hung_thread;
  const std::string crashed = error_of("selftest/crash/processes/same-pu");
  EXPECT_NE(crashed.find("killed by signal 11"), std::string::npos) << crashed;
  for (const char* ok : {"selftest/ok/processes/same-pu", "selftest/ok/threads/same-pu"}) {
    EXPECT_FALSE(entries[ok].value("error_occurred", false)) << ok << ": " << error_of(ok);
    EXPECT_GT(entries[ok].value("iterations", 0), 0) << ok;
  }
  EXPECT_TRUE(test::primbench_segments().empty());
  EXPECT_EQ(test::run_command({"pgrep", "-f", out.string()}).exit_code, 1) << "no process left behind";
  fs::remove_all(out);
}

TEST(Cli, ExistingResultsAreNotOverwrittenWithoutForce) {
  const fs::path out = test::scratch_dir("cli");
  std::ofstream(out / "results.json") << "{}";
  expect_one_line_error(run_primbench({"run", "--quick", "--out", out.string()}), "--force");
  fs::remove_all(out);
}

TEST(Cli, InterruptedRunStopsPromptlyAndLeavesNothingBehind) {
  const fs::path out = test::scratch_dir("cli");
  const auto r = run_primbench({"run", "--out", out.string()}, /*interrupt_after_s=*/2.0);
  EXPECT_EQ(r.exit_code, 128 + SIGINT) << r.err;
  EXPECT_LT(r.seconds, 15.0) << "SIGINT must stop the run promptly";
  EXPECT_TRUE(test::primbench_segments().empty());
  const auto leftovers = test::run_command({"pgrep", "-f", out.string()});
  EXPECT_NE(leftovers.exit_code, 0) << "still running: " << leftovers.out;
  std::ifstream in(out / "results.json");
  ASSERT_TRUE(in.good()) << "what was measured before the interrupt is written";
  const auto doc = nlohmann::json::parse(in);
  EXPECT_TRUE(doc["primbench"]["run"]["interrupted"].get<bool>());
  fs::remove_all(out);
}

}  // namespace
}  // namespace primbench
