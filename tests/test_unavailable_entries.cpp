// A benchmark the machine cannot run is listed in primbench.unavailable, not
// in benchmarks[]; every reader still shows it as before: compare as "not
// compared" with the reason, the export lists it beside its medians, the HTML
// report under "Not measured on this machine". Files from before the list
// (the entry in benchmarks[]) read the same.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "reports/compare.hpp"
#include "reports/export_filtered.hpp"
#include "reports/html_report.hpp"
#include "reports/result_reader.hpp"
#include "reports/unavailable_entries.hpp"
#include "tests/result_docs.hpp"

namespace primbench {
namespace {

using nlohmann::json;

constexpr const char* kSmt = "c2c/rtt/threads/smt";
constexpr const char* kReason = "placement class smt is absent: no core has two allowed PUs";

json measured_doc() {
  json doc = test::empty_result_doc();
  test::add_benchmark(doc, "c2c/rtt/threads/shared-l3", test::noisy(100, 5, 0.01, 1));
  return doc;
}

json listed_doc() {
  json doc = measured_doc();
  test::add_unavailable(doc, kSmt, kReason);
  return parse_result_text(doc.dump(), "listed.json");
}

json older_doc() {
  json doc = measured_doc();
  test::add_failure(doc, kSmt, std::string("unavailable: ") + kReason);
  return parse_result_text(doc.dump(), "older.json");
}

TEST(UnavailableEntries, TakenOutOfBenchmarksOncePerName) {
  json entries = json::array({{{"name", "a"}, {"real_time", 1.0}},
                              {{"name", "b/real_time"}, {"run_name", "b/real_time"}, {"error_occurred", true},
                               {"error_message", "unavailable: too big"}},
                              {{"name", "b/real_time"}, {"run_name", "b/real_time"}, {"error_occurred", true},
                               {"error_message", "unavailable: too big"}},
                              {{"name", "c"}, {"error_occurred", true}, {"error_message", "crashed (unavailable: no)"}}});
  const json taken = take_unavailable(entries);
  EXPECT_EQ(taken, json::parse(R"([{"name": "b/real_time", "reason": "too big"}])"));
  ASSERT_EQ(entries.size(), 2u) << "measured and failed entries stay";
  EXPECT_EQ(entries[1]["name"], "c");
}

TEST(UnavailableEntries, CompareSaysNotComparedWithTheReasonFromEitherPlace) {
  for (const auto& [base, candidate] : {std::pair{older_doc(), listed_doc()}, std::pair{listed_doc(), listed_doc()}}) {
    const Comparison c = compare_results(base, candidate, {});
    ASSERT_EQ(c.rows.size(), 2u);
    EXPECT_EQ(c.rows[1].benchmark, kSmt);
    EXPECT_EQ(c.rows[1].verdict, Verdict::not_compared);
    EXPECT_EQ(c.rows[1].note, std::string("unavailable: ") + kReason);
  }
}

TEST(UnavailableEntries, TheExportListsThemBesideTheMedians) {
  for (const json& doc : {older_doc(), listed_doc()}) {
    const FilteredExport e = filtered_export(doc, "results.json");
    ASSERT_EQ(e.median["benchmarks"].size(), 1u);
    EXPECT_EQ(e.median["benchmarks"][0]["name"], "c2c/rtt/threads/shared-l3");
    EXPECT_EQ(e.median["primbench"]["unavailable"], json::array({{{"name", kSmt}, {"reason", kReason}}}));
    ASSERT_EQ(e.skipped.size(), 1u);
    EXPECT_NE(e.skipped[0].find(kSmt), std::string::npos) << e.skipped[0];
    // median.json is read back as a result file, with the benchmark still unavailable.
    const json median = parse_result_text(e.median.dump(), "median.json");
    EXPECT_EQ(benchmark_runs(median).back().error, std::string("unavailable: ") + kReason);
  }
}

TEST(UnavailableEntries, TheReportShowsThemAsNotMeasured) {
  const std::string page = html_report_document(listed_doc(), {}).dump();
  EXPECT_NE(page.find("Not measured on this machine"), std::string::npos);
  EXPECT_NE(page.find(kReason), std::string::npos);
  EXPECT_NE(page.find("1 unavailable on this machine"), std::string::npos);
}

}  // namespace
}  // namespace primbench
