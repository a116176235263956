// `primbench run --suite python|all`: the CPython programs (scripts/python)
// run on the native placement plans, their entries land in results.json with
// py/ names, checked placements and the interpreter's facts, absent placement
// classes are "unavailable" entries, a missing interpreter is one line and
// exit 2, and the report puts each CPython benchmark beside its native one.
// The whole-CLI tests skip when no python3 (3.9 or newer) is on PATH.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/python_plan.hpp"
#include "harness/python_suite.hpp"
#include "reports/html_report.hpp"
#include "reports/report_benchmarks.hpp"
#include "reports/report_python.hpp"
#include "tests/result_docs.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool python3_available() {
  return test::run_command({"python3", "-c", "import sys; sys.exit(sys.version_info < (3, 9))"}).exit_code == 0;
}

#define REQUIRE_PYTHON3() \
  if (!python3_available()) GTEST_SKIP() << "no python3 (3.9 or newer) on PATH: the CPython suite cannot run here"

// /dev/shm names whose creator (the pid after "primbench-" or "primbench-py-")
// is gone: what a run left behind. Live ones belong to runs still going.
std::set<std::string> orphaned_segments() {
  std::set<std::string> out;
  for (const std::string& name : test::primbench_segments()) {
    std::string rest = name.substr(std::string_view("primbench-").size());
    if (rest.rfind("py-", 0) == 0) rest = rest.substr(3);
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) out.insert(name);
  }
  return out;
}

struct SuiteRun {
  test::CommandResult command;
  json doc;  // results.json, or null
  std::set<std::string> leftovers;

  const json* entry(const std::string& name) const { return named(doc["benchmarks"], "run_name", name); }
  const json* unavailable(const std::string& name) const { return named(doc["primbench"]["unavailable"], "name", name); }

  static const json* named(const json& list, const char* key, const std::string& name) {
    for (const json& e : list)
      if (e.value(key, "") == name) return &e;
    return nullptr;
  }
};

SuiteRun run_suite(std::vector<std::string> args) {
  const fs::path out = test::scratch_dir("python-suite");
  const std::set<std::string> before = orphaned_segments();
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--out", out.string(), "--force", "--timeout", "60"});
  SuiteRun run;
  run.command = test::run_primbench(args);
  if (std::ifstream in(out / "results.json"); in) run.doc = json::parse(in);
  for (const auto& s : orphaned_segments())
    if (!before.count(s)) run.leftovers.insert(s);
  fs::remove_all(out);
  return run;
}

std::vector<std::string> absent_classes(const json& doc) {
  std::vector<std::string> out;
  for (const json& c : doc["primbench"]["pair_plan"]["pair_classes"])
    if (!c.value("present", true)) out.push_back(c.value("class", ""));
  return out;
}

// --- the CLI ----------------------------------------------------------------

TEST(PythonSuite, QuickPipeRunHasPyNamesCheckedPlacementsInterpreterAndUnavailableClasses) {
  REQUIRE_PYTHON3();
  const SuiteRun run = run_suite({"--suite", "python", "--quick", "--family", "pipe"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  ASSERT_TRUE(run.doc.is_object());
  EXPECT_TRUE(run.leftovers.empty()) << *run.leftovers.begin();

  std::size_t measured = 0;
  for (const json& e : run.doc["benchmarks"]) {
    const std::string name = e.value("name", "");
    EXPECT_EQ(name.rfind("py/pipe/mp-pipe/", 0), 0u) << name;
    if (e.value("error_occurred", false)) continue;
    ++measured;
    EXPECT_GT(e.value("real_time", 0.0), 0.0) << name;
    EXPECT_LT(e.value("real_time", 0.0), 1e9) << name;  // under a second per message: sanity only
    const json& record = run.doc["primbench"]["benchmarks"].at(name);
    const json& placement = record["placement"];
    EXPECT_TRUE(placement.value("all_ok", false)) << placement.dump();
    ASSERT_EQ(placement["workers"].size(), 2u) << name;
    for (const json& w : placement["workers"]) EXPECT_EQ(w["requested_pu"], w["observed_pu"]) << name;
    EXPECT_EQ(placement["checked_against"].size(), 2u);
  }
  EXPECT_GE(measured, 4u);  // rtt and stream, threads and processes

  const json& python = run.doc["primbench"]["python"];
  EXPECT_EQ(python.value("implementation", ""), "CPython");
  EXPECT_FALSE(python.value("version", "").empty());
  EXPECT_TRUE(python["gil_enabled"].is_boolean());
  EXPECT_EQ(python.value("requested", ""), "python3");
  for (const auto& [name, record] : run.doc["primbench"]["benchmarks"].items())
    EXPECT_EQ(python["pairing"][name].value("native", "").rfind("pipe/unix-stream/", 0), 0u) << name;
  EXPECT_EQ(run.doc["primbench"]["run"]["config"].value("suite", ""), "python");

  for (const std::string& cls : absent_classes(run.doc)) {
    const std::string name = "py/pipe/mp-pipe/threads/" + cls;
    EXPECT_EQ(run.entry(name), nullptr) << "an absent class is no entry in benchmarks[]";
    const json* item = run.unavailable(name);
    ASSERT_NE(item, nullptr) << "not listed unavailable: absent class " << cls;
    EXPECT_EQ(item->value("reason", "").rfind("placement class " + cls + " is absent: ", 0), 0u) << item->dump();
  }
}

TEST(PythonSuite, QuickCountdownRunsOnTheWorkerPlanWithSpeedups) {
  REQUIRE_PYTHON3();
  const SuiteRun run = run_suite({"--suite", "python", "--quick", "--family", "countdown", "--filter", "split/.*/compact"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  EXPECT_TRUE(run.leftovers.empty());
  const std::size_t pus = run.doc["primbench"]["topology"].value("pus", 0);
  const json& records = run.doc["primbench"]["benchmarks"];
  std::size_t widest = 0;
  for (const auto& [name, record] : records.items()) {
    EXPECT_EQ(name.rfind("py/countdown/split/", 0), 0u) << name;
    EXPECT_NE(name.find("/compact/w"), std::string::npos) << name;
    EXPECT_TRUE(record["placement"].value("all_ok", false)) << name << ": " << record["placement"].dump();
    widest = std::max(widest, record["placement"]["workers"].size());
  }
  EXPECT_GE(widest, 1u);
  EXPECT_LE(widest, std::max<std::size_t>(pus, 1));
  const json* processes = run.entry("py/countdown/split/processes/compact/w1");
  ASSERT_NE(processes, nullptr);
  ASSERT_FALSE(processes->value("error_occurred", false)) << processes->dump();
  const double speedup = processes->value("speedup", 0.0);  // over split/threads/compact/w1 of the same call
  EXPECT_GT(speedup, 0.05);
  EXPECT_LT(speedup, 20.0);
}

TEST(PythonSuite, AMissingInterpreterIsOneLineAndExitStatus2) {
  for (const std::string python : {"/nonexistent/python3", "no-such-python-primbench"}) {
    const SuiteRun run = run_suite({"--suite", "python", "--quick", "--python", python});
    EXPECT_EQ(run.command.exit_code, 2) << python;
    const auto lines = test::nonempty_lines(run.command.err);
    ASSERT_EQ(lines.size(), 1u) << run.command.err;
    EXPECT_NE(lines[0].find(python), std::string::npos) << lines[0];
    EXPECT_TRUE(run.doc.is_null());
  }
}

TEST(PythonSuite, AnUnknownFamilyListsWhatThereIs) {
  REQUIRE_PYTHON3();
  const SuiteRun run = run_suite({"--suite", "python", "--quick", "--family", "no-such-group"});
  EXPECT_EQ(run.command.exit_code, 2);
  EXPECT_NE(run.command.err.find("--family no-such-group"), std::string::npos) << run.command.err;
  EXPECT_NE(run.command.err.find("countdown"), std::string::npos) << run.command.err;
}

TEST(PythonSuite, AllSuiteReportPairsNativeAndCPythonWithAFactor) {
  REQUIRE_PYTHON3();
  const SuiteRun run =
      run_suite({"--suite", "all", "--quick", "--filter", "(unix-stream|mp-pipe)/threads/[^/]+/rtt/8$"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  EXPECT_TRUE(run.leftovers.empty());
  const auto views = benchmark_views(run.doc);
  const auto pairs = native_python_pairs(run.doc, views);
  ASSERT_FALSE(pairs.empty()) << run.command.err;
  EXPECT_EQ(pairs[0].native->base.rfind("pipe/unix-stream/threads/", 0), 0u);
  EXPECT_EQ(pairs[0].python->base, "py/pipe/mp-pipe" + pairs[0].native->base.substr(std::string("pipe/unix-stream").size()));
  EXPECT_GT(pairs[0].factor(), 0.0);

  const json page = html_report_document(run.doc, TopologyPicture{});
  const json* section = nullptr;
  for (const json& s : page["sections"])
    if (s["id"] == "native-vs-cpython") section = &s;
  ASSERT_NE(section, nullptr);
  bool table = false;
  for (const json& b : (*section)["blocks"])
    if (b["kind"] == "table") {
      table = true;
      ASSERT_FALSE(b["rows"].empty());
      EXPECT_GT(std::stod(b["rows"][0].back().get<std::string>()), 0.0);  // "12.3×"
    }
  EXPECT_TRUE(table);
}

// --- pieces -----------------------------------------------------------------

TEST(PythonPlan, AWorkerCountAfterThePlacementMakesAnNWorkerBenchmark) {
  EXPECT_TRUE(is_worker_benchmark("py/countdown/split/threads/{placement}/w4"));
  EXPECT_TRUE(is_worker_benchmark("py/pool/map/processes/{placement}/n2/chunk16"));
  EXPECT_FALSE(is_worker_benchmark("py/pipe/mp-pipe/threads/{placement}/rtt/8"));
  EXPECT_FALSE(is_worker_benchmark("py/locks/uncontended/threads/threading_lock"));
  EXPECT_FALSE(is_worker_benchmark("py/n2/what/threads/{placement}"));  // before the placement: not a count
}

TEST(PythonPlan, RunOptionsTheProgramUnderstandsArePassedOn) {
  using V = std::vector<std::string>;
  EXPECT_EQ(python_program_args({"64"}, {"--benchmark_repetitions=3", "--benchmark_min_time=0.5s"}),
            (V{"--size", "64", "--repetitions", "3", "--min-time", "0.5"}));
  EXPECT_EQ(python_program_args({"8", "64"}, {"--benchmark_min_time=100x", "--benchmark_color=false"}), V{});
}

json record_with(std::vector<std::pair<int, int>> requested_observed) {
  json workers = json::array();
  for (const auto& [requested, observed] : requested_observed)
    workers.push_back({{"requested_pu", requested}, {"observed_pu", observed}, {"ok", true}});
  return {{"placement", {{"name", "shared-l3"}, {"workers", workers}, {"all_ok", true}}}};
}

TEST(PythonSuitePlacement, ObservedPusAreCheckedAgainstThePlan) {
  json good = record_with({{0, 0}, {1, 1}});
  EXPECT_TRUE(verify_python_placement(good, {0, 1}));
  EXPECT_TRUE(good["placement"]["all_ok"]);

  json moved = record_with({{0, 0}, {1, 0}});  // worker 1 ran on PU 0
  EXPECT_FALSE(verify_python_placement(moved, {0, 1}));
  EXPECT_FALSE(moved["placement"]["workers"][1]["ok"]);
  EXPECT_FALSE(moved["placement"]["all_ok"]);

  json elsewhere = record_with({{0, 0}, {3, 3}});  // asked for a PU primbench did not hand out
  EXPECT_FALSE(verify_python_placement(elsewhere, {0, 1}));
}

// --- the report, from a made-up result file ---------------------------------

json python_doc() {
  json doc = test::empty_result_doc();
  test::add_benchmark(doc, "pipe/unix-stream/threads/shared-l3/rtt/8/real_time", {2000});
  test::add_benchmark(doc, "py/pipe/mp-pipe/threads/shared-l3/rtt/8", {50000});
  test::add_benchmark(doc, "locks/contended/threads/compact/pthread_mutex/cs0ns_gap0ns/n2/manual_time", {100});
  test::add_benchmark(doc, "py/locks/contended/threads/compact/threading_lock/n2", {400});
  test::add_benchmark(doc, "py/shm/value_add/threads/compact/n2/nolock", {300});
  for (const std::string lang : {"", "py/"})
    for (const std::string mode : {"threads", "processes"})
      for (int w : {1, 2}) {
        const double speedup = lang.empty() || mode == "processes" ? w * 0.95 : 1.0;
        // The program gives its one-thread baseline no speedup: the report takes it as 1×.
        const bool baseline = !lang.empty() && mode == "threads" && w == 1;
        test::add_benchmark(doc, fmt::format("{}countdown/split/{}/compact/w{}", lang, mode, w), {1e6 / speedup},
                            baseline ? std::map<std::string, std::vector<double>>{}
                                     : std::map<std::string, std::vector<double>>{{"speedup", {speedup}}});
      }
  doc["primbench"]["python"] = {
      {"implementation", "CPython"},
      {"version", "3.12.1"},
      {"gil_enabled", true},
      {"pairing",
       {{"py/pipe/mp-pipe/threads/shared-l3/rtt/8",
         {{"native", "pipe/unix-stream/threads/shared-l3/rtt/8"}, {"status", "paired"}}},
        {"py/locks/contended/threads/compact/threading_lock/n2",
         {{"native", "locks/contended/threads/compact/pthread_mutex/cs*ns_gap*ns/n2"}, {"status", "paired"}}},
        {"py/shm/value_add/threads/compact/n2/nolock", {{"native", nullptr}, {"status", "none"}}}}}};
  return doc;
}

TEST(NativeVsCPythonReport, PairsFollowThePairingMapWildcardsIncluded) {
  const json doc = python_doc();
  const auto views = benchmark_views(doc);
  const auto pairs = native_python_pairs(doc, views);
  std::map<std::string, double> factor;
  for (const auto& p : pairs) factor[p.python->base] = p.factor();
  EXPECT_DOUBLE_EQ(factor.at("py/pipe/mp-pipe/threads/shared-l3/rtt/8"), 25.0);
  EXPECT_DOUBLE_EQ(factor.at("py/locks/contended/threads/compact/threading_lock/n2"), 4.0);
  EXPECT_FALSE(factor.count("py/shm/value_add/threads/compact/n2/nolock"));  // nothing native measures it
  // Without a pairing map, a py/ name pairs with the same name minus "py/".
  EXPECT_DOUBLE_EQ(factor.at("py/countdown/split/threads/compact/w2"), 1e6 / (1e6 / 1.9));
}

TEST(NativeVsCPythonReport, TheSectionShowsTheInterpreterTheTableAndFourCountdownLines) {
  const json page = html_report_document(python_doc(), TopologyPicture{});
  const json* section = nullptr;
  for (const json& s : page["sections"])
    if (s["id"] == "native-vs-cpython") section = &s;
  ASSERT_NE(section, nullptr);
  std::set<std::string> kinds, lines;
  for (const json& b : (*section)["blocks"]) {
    kinds.insert(b["kind"].get<std::string>());
    if (b["kind"] == "chart")
      for (const json& s : b["series"]) lines.insert(s["name"].get<std::string>());
    if (b["kind"] == "facts") {
      EXPECT_NE(b.dump().find("3.12.1"), std::string::npos);
    }
  }
  EXPECT_TRUE(kinds.count("facts") && kinds.count("table") && kinds.count("chart")) << section->dump();
  for (const char* line : {"native threads", "native processes", "CPython threads", "CPython processes"})
    EXPECT_TRUE(lines.count(line)) << line << " missing from " << section->dump();
  // py/ benchmarks get sections of their own, apart from the native families.
  bool py_family = false;
  for (const json& s : page["sections"]) py_family = py_family || s["id"] == "family-py-pipe";
  EXPECT_TRUE(py_family);
}

TEST(NativeVsCPythonReport, NoSectionWithoutCPythonResults) {
  json doc = test::empty_result_doc();
  test::add_benchmark(doc, "pipe/unix-stream/threads/shared-l3/rtt/8", {2000});
  EXPECT_FALSE(native_vs_python_section(doc, benchmark_views(doc)));
}

}  // namespace
}  // namespace primbench
