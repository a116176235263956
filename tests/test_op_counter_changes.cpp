// What a reader sees of the counters per operation: compare names the ones
// that moved beside the time change, compare --hardware beside the ratio, and
// the HTML report's family sections carry a "why" table with threads and
// processes side by side.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/compare.hpp"
#include "reports/hardware_compare.hpp"
#include "reports/op_counter_changes.hpp"
#include "reports/report_benchmarks.hpp"
#include "reports/report_why.hpp"
#include "tests/result_docs.hpp"

namespace primbench {
namespace {

using test::add_benchmark;

const std::string kPipe = "pipe/pipe/processes/same-pu/rtt/8/real_time";

nlohmann::json pipe_run(double time_ns, double switches, double syscalls) {
  nlohmann::json doc = test::empty_result_doc();
  add_benchmark(doc, kPipe, std::vector<double>(5, time_ns),
                {{"ctx_switches_per_op", std::vector<double>(5, switches)},
                 {"syscalls_per_op", std::vector<double>(5, syscalls)},
                 {"user_ns_per_op", std::vector<double>(5, 300.0)}});
  return doc;
}

TEST(OpCounterChanges, NameTheCountersThatMovedAndOnlyThose) {
  const nlohmann::json base_doc = pipe_run(4000, 2.0, 4.0), slower_doc = pipe_run(6000, 3.1, 4.0);
  const auto base = benchmark_runs(base_doc), slower = benchmark_runs(slower_doc);  // they refer into the docs
  EXPECT_EQ(op_counter_changes(base.front(), slower.front()), "context switches 2.0 -> 3.1 per op");
  EXPECT_EQ(op_counter_changes(base.front(), base.front()), "");
}

TEST(OpCounterChanges, CompareShowsThemBesideTheTimeChange) {
  const Comparison c = compare_results(pipe_run(4000, 2.0, 4.0), pipe_run(6000, 3.1, 6.0), CompareOptions{});
  ASSERT_FALSE(c.rows.empty());
  EXPECT_EQ(c.rows.front().metric, "real_time");
  EXPECT_EQ(c.rows.front().why, "context switches 2.0 -> 3.1, system calls 4.0 -> 6.0 per op");
  for (const auto& row : c.rows) EXPECT_FALSE(row.metric.ends_with("_per_op")) << "an explanation, not a verdict";
}

TEST(OpCounterChanges, CompareHardwareShowsThemBesideTheRatio) {
  test::Machine other;
  other.host = "other-host";
  nlohmann::json second = pipe_run(6000, 3.1, 4.0);
  second["context"]["host_name"] = other.host;
  second["primbench"]["machine"]["hostname"] = other.host;
  const nlohmann::json model =
      hardware_comparison_model(std::vector<HardwareInput>{{"a.json", pipe_run(4000, 2.0, 4.0)}, {"b.json", second}}, 0);
  const std::string text = model.dump();
  EXPECT_NE(text.find("context switches 2.0 -> 3.1 per op"), std::string::npos) << text.substr(0, 2000);
}

TEST(OpCounterChanges, TheReportsWhyTablePutsThreadsBesideProcesses) {
  nlohmann::json doc = test::empty_result_doc();
  add_benchmark(doc, "pipe/pipe/threads/same-pu/rtt/8/real_time", {3000},
                {{"ctx_switches_per_op", {2.0}}, {"syscalls_per_op", {4.0}}});
  add_benchmark(doc, "pipe/fifo/threads/same-pu/rtt/8/real_time", {3100}, {{"ctx_switches_per_op", {2.0}}});
  add_benchmark(doc, "pipe/pipe/processes/same-pu/rtt/8/real_time", {5000},
                {{"ctx_switches_per_op", {4.0}}, {"syscalls_per_op", {4.0}}});
  const std::vector<BenchmarkView> views = benchmark_views(doc);
  BenchmarkViews list;
  for (const auto& v : views) list.push_back(&v);
  const std::vector<nlohmann::json> blocks = why_blocks(list);
  ASSERT_EQ(blocks.size(), 2u);
  const auto& rows = blocks[0]["rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "pipe/threads/same-pu/rtt/8");
  EXPECT_EQ(rows[2][0], "pipe/processes/same-pu/rtt/8");  // the twin, on the next row
  EXPECT_EQ(rows[2][2], "4.0");
  EXPECT_EQ(blocks[1]["text"], "pipe/*/same-pu/rtt/8: processes pay 2.0 extra context switches per op here, against threads");
}

TEST(OpCounterChanges, NoCountersNoWhyTable) {
  nlohmann::json doc = test::empty_result_doc();
  add_benchmark(doc, "pipe/pipe/threads/same-pu/rtt/8/real_time", {3000});
  const std::vector<BenchmarkView> views = benchmark_views(doc);
  EXPECT_TRUE(why_blocks({&views.front()}).empty());
}

}  // namespace
}  // namespace primbench
