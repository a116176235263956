// run --profile: perf's samples folded into flame-graph stacks, kept with the
// results and drawn in the report; without perf the run goes on unprofiled.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness/profiler.hpp"
#include "reports/report_profiles.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(Profiler, PerfScriptFoldsIntoStacksFromTheOutermostFrame) {
  const std::string script =
      "primbench 101 \n"
      "\tffffffff81000001 anon_pipe_write\n"
      "\tffffffff81000002 vfs_write\n"
      "\t           20b1d __GI___libc_write\n"
      "\t    7f1b99c278a8 [unknown]\n"
      "\t    7f1b99c278a9 [unknown]\n"
      "\t               0 [unknown]\n"
      "\n"
      "pb worker 102 \n"
      "\tffffffff81000001 anon_pipe_write\n"
      "\tffffffff81000002 vfs_write\n"
      "\t           20b1d __GI___libc_write\n"
      "\t    7f1b99c278a8 [unknown]\n"
      "\n"
      "pb worker 103 \n"
      "\t    1234 std::map<int;int>::find\n";
  const auto folded = fold_perf_script(script);
  ASSERT_EQ(folded.size(), 3u);
  // A thread name may hold spaces; a run of unknown frames is one; address 0 is no frame.
  EXPECT_EQ(folded.at("pb worker;[unknown];__GI___libc_write;vfs_write;anon_pipe_write"), 1u);
  EXPECT_EQ(folded.at("pb worker;std::map<int:int>::find"), 1u) << "';' separates frames, so a name loses it";
  EXPECT_EQ(folded.count("primbench;[unknown];__GI___libc_write;vfs_write;anon_pipe_write"), 1u);
}

TEST(Profiler, ProfileKeepsTheHeaviestStacksAndSumsTheRest) {
  std::map<std::string, std::uint64_t> folded{{"a;b", 10}, {"a;c", 5}, {"d", 1}, {"e", 1}};
  const json p = profile_json(folded, Profiler{}, 2);
  EXPECT_EQ(p["samples"], 17);
  ASSERT_EQ(p["stacks"].size(), 3u);
  EXPECT_EQ(p["stacks"][0], json::array({"a;b", 10}));
  EXPECT_EQ(p["stacks"][2], json::array({"[other stacks]", 2}));
}

TEST(Profiler, FlameTreeCountsEachFrameWithWhatIsAboveIt) {
  const json tree = flame_tree(json::array({json::array({"a;b", 10}), json::array({"a;c", 5}), json::array({"d", 1})}));
  EXPECT_EQ(tree["name"], "all");
  EXPECT_EQ(tree["value"], 16);
  ASSERT_EQ(tree["children"].size(), 2u);
  EXPECT_EQ(tree["children"][0]["name"], "a");
  EXPECT_EQ(tree["children"][0]["value"], 15);
  EXPECT_EQ(tree["children"][0]["children"][1]["value"], 5);
}

TEST(Profiler, WithoutPerfTheRunSaysSoOnceAndGoesOn) {
  const fs::path out = test::scratch_dir("profile-no-perf");
  const auto r = test::run_command({"/usr/bin/env", "PATH=/nonexistent", test::primbench_exe(), "run", "--quick",
                                    "--filter", "harness/steady_clock_read", "--profile", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("primbench: --profile: perf is not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the run goes on unprofiled"), std::string::npos);
  std::ifstream in(out / "results.json");
  const json doc = json::parse(in);
  EXPECT_EQ(doc["primbench"]["run"]["config"]["profile"], false);
  EXPECT_EQ(doc.dump().find("\"stacks\""), std::string::npos);
}

TEST(Profiler, PipeRoundTripsShowTheKernelsPipeFunctionsAndTheReportDrawsThem) {
  if (auto profiler = find_profiler(); std::holds_alternative<std::string>(profiler))
    GTEST_SKIP() << std::get<std::string>(profiler);
  const fs::path out = test::scratch_dir("profile-pipe");
  const auto r = test::run_primbench({"run", "--quick", "--family", "pipe", "--filter", "pipe/pipe/threads/.*/rtt",
                                      "--profile", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  const json doc = json::parse(in);
  const std::regex pipe_function("(^|;)(anon_)?pipe_(read|write)(;|$)");
  std::size_t profiled = 0;
  for (const auto& [name, record] : doc["primbench"]["benchmarks"].items()) {
    ASSERT_TRUE(record.contains("profile")) << name;
    ++profiled;
    bool kernel_pipe = false;
    for (const json& s : record["profile"]["stacks"]) kernel_pipe |= std::regex_search(s[0].get<std::string>(), pipe_function);
    EXPECT_TRUE(kernel_pipe) << name << ": " << record["profile"].dump().substr(0, 2000);
    EXPECT_TRUE(fs::exists(out / "profiles" / record["profile"]["folded_file"].get<std::string>()));
  }
  EXPECT_GT(profiled, 0u);
  std::ifstream page_in(out / "report.html");
  std::stringstream page;
  page << page_in.rdbuf();
  EXPECT_NE(page.str().find("\"kind\":\"flamegraph\""), std::string::npos);
  EXPECT_NE(page.str().find("d3-flame-graph"), std::string::npos) << "the library is inlined";
}

}  // namespace
}  // namespace primbench
