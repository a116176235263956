// The HTML report: given a result file, the user gets one page that opens
// offline, shows the machine with its noise warnings, the topology, each
// primitive against the core-to-core floor, and per family a table and the
// charts the results support; strings from the results render as text.
// The last tests open the page in a real headless Chromium.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "harness/topology.hpp"
#include "harness/topology_format.hpp"
#include "reports/compare_format.hpp"
#include "reports/hardware_compare.hpp"
#include "reports/hardware_html.hpp"
#include "reports/html_page.hpp"
#include "reports/html_report.hpp"
#include "reports/report_benchmarks.hpp"
#include "reports/report_charts.hpp"
#include "reports/result_reader.hpp"
#include "tests/result_docs.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Strings a hostile or unlucky result file could carry.
const std::string kHostileHost = "<script>window.__pwned=1</script>";
const std::string kHostileLabel = "<img src=x onerror=\"window.__pwned=1\">";
const std::string kHostileError = "</script><script>window.__pwned=1</script>\xE2\x80\xA8 after a line separator";
const std::string kHostileFamily = "xss<svg onload=window.__pwned=1>";

// --- a result file ------------------------------------------------------------

json gb_entry(const std::string& name, double real_time, json counters = json::object(), const char* unit = "ns") {
  json e{{"name", name},          {"run_name", name},      {"run_type", "iteration"}, {"repetitions", 1},
         {"repetition_index", 0}, {"threads", 1},          {"iterations", 1000},      {"real_time", real_time},
         {"cpu_time", real_time}, {"time_unit", unit},     {"family_index", 0},       {"per_family_instance_index", 0}};
  e.update(counters);
  return e;
}

json unavailable_entry(const std::string& name, const std::string& reason) {
  json e = gb_entry(name, 0);
  e["error_occurred"] = true;
  e["error_message"] = "unavailable: " + reason;
  return e;
}

json latency(double p50) {
  return {{"unit", "ns"},
          {"sample", "round trip"},
          {"percentiles",
           {{"p50", p50}, {"p90", p50 * 1.4}, {"p99", p50 * 3}, {"p999", p50 * 9}, {"p9999", p50 * 20},
            {"min", p50 * 0.8}, {"max", p50 * 40}, {"mean", p50 * 1.3}, {"count", 5000}}},
          {"histogram", {{"count", 5000}, {"min", p50 * 0.8}, {"max", p50 * 40}, {"sum", p50 * 6500}, {"buckets", json::array()}}}};
}

json record(const std::string& family, const std::string& mode, const std::string& placement,
            std::optional<double> p50 = std::nullopt, json extra = json::object(), bool oversubscribed = false) {
  json r{{"family", family},
         {"mode", mode},
         {"placement", {{"name", placement}, {"all_ok", true}, {"oversubscribed", oversubscribed}, {"workers", json::array()}}},
         {"extra", std::move(extra)}};
  if (p50) r["latency"] = latency(*p50);
  return r;
}

// USL throughput with λ = 1e7 op/s, σ = 0.1, κ = 0.01.
double usl(double n) { return 1e7 * n / (1 + 0.1 * (n - 1) + 0.01 * n * (n - 1)); }

json fixture_results() {
  json benchmarks = json::array();
  json records = json::object();
  auto add = [&](json entry, std::optional<json> rec = std::nullopt, const std::string& key = "") {
    if (rec) records[key.empty() ? entry["name"].get<std::string>() : key] = *rec;
    benchmarks.push_back(std::move(entry));
  };
  // c2c: the floors.
  add(gb_entry("c2c/rtt/threads/shared-l3", 800, {{"p50_ns", 250.0}}), record("c2c", "threads", "shared-l3", 250));
  add(gb_entry("c2c/rtt/processes/shared-l3", 900, {{"p50_ns", 300.0}}), record("c2c", "processes", "shared-l3", 300));
  add(unavailable_entry("c2c/rtt/threads/smt", "placement class smt is absent: no core has two allowed PUs"));
  // pipe: round trips at two sizes, a stream over five.
  for (const int size : {8, 4096}) {
    const std::string base = fmt::format("pipe/pipe/threads/shared-l3/rtt/{}", size);
    json e = gb_entry(base + "/real_time", 3000 + size, {{"p50_ns", 2500.0 + size}});
    if (size == 8) e["label"] = kHostileLabel;
    add(e, record("pipe", "threads", "shared-l3", 2500.0 + size), base);
  }
  for (const int size : {8, 64, 512, 4096, 32768}) {
    const std::string base = fmt::format("pipe/pipe/threads/shared-l3/stream/{}", size);
    const double per_msg = 400 + size * 0.05;
    add(gb_entry(base + "/manual_time", per_msg, {{"msgs_per_s", 1e9 / per_msg}, {"bytes_per_s", 1e9 / per_msg * size}}),
        record("pipe", "threads", "shared-l3"), base);
  }
  // locks: a sweep the USL fits, one too short to fit, one oversubscribed point.
  for (const int n : {1, 2, 4, 8}) {
    const std::string name = fmt::format("locks/contended/threads/compact/mutex/cs0ns_gap0ns/n{}", n);
    add(gb_entry(name, 1e9 / usl(n), {{"ops_per_s", usl(n)}}), record("locks", "threads", "compact", {}, {}, n == 8));
  }
  for (const int n : {1, 2}) {
    const std::string name = fmt::format("locks/contended/threads/compact/spin/cs0ns_gap0ns/n{}", n);
    add(gb_entry(name, 50.0 * n, {{"ops_per_s", 2e7 / n}}), record("locks", "threads", "compact"));
  }
  // countdown: speedup by workers.
  const double speedups[] = {1.0, 1.9, 2.7, 3.4};
  for (int w = 1; w <= 4; ++w) {
    const std::string name = fmt::format("countdown/split/threads/compact/w{}/manual_time", w);
    json rec = record("countdown", "threads", "compact");
    // w2 lost 30 % of a PU to the hypervisor (flagged), w3 1 % (not).
    if (w == 2 || w == 3)
      rec["steal"] = {{"window_s", 1.0}, {"steal_ms", {{"1", w == 2 ? 300 : 10}}}, {"steal_share", w == 2 ? 0.3 : 0.01},
                      {"noisy", w == 2}};
    if (w == 4) rec["extra"]["noise"] = "one countdown step took 0.35 to 0.74 ns across this entry's runs (2.1x)";
    add(gb_entry(name, 33.0 / speedups[w - 1], {{"speedup", speedups[w - 1]}, {"workers", double(w)}}, "ms"), rec);
  }
  // shm: a core-to-core matrix with one cell not measured.
  json rtt = json::array();
  for (int r = 0; r < 4; ++r) {
    json row = json::array();
    for (int c = 0; c < 4; ++c) row.push_back(r == c ? json(1300.0) : json(200.0 + 50 * std::abs(r - c)));
    rtt.push_back(row);
  }
  rtt[1][3] = nullptr;
  rtt[0][2] = rtt[2][0] = 20.0;  // a pair the topology does not explain (a VM's vCPUs on host SMT siblings)
  const json unexplained = json::array({{{"pus", {0, 2}}, {"rtt_ns", 20.0}, {"class", "shared-l3"},
                                         {"class_median_ns", 250.0}, {"floor_pair", false}}});
  add(gb_entry("shm/c2c_matrix/threads/store/manual_time", 260),
      record("shm", "threads", "matrix", {},
             {{"pus", {0, 1, 2, 3}}, {"rtt_ns", rtt}, {"diagonal_note", "same PU: time-shared"},
              {"unexplained_cells", unexplained}, {"unexplained_note", "1 pair(s) measured more than 3x ..."}}),
      "shm/c2c_matrix/threads/store");
  // harness: five repetitions that disagree (CV above 5 %).
  const double reps[] = {20, 22, 25, 30, 35};
  for (int i = 0; i < 5; ++i) {
    json e = gb_entry("harness/clock_read/tsc", reps[i]);
    e["repetitions"] = 5;
    e["repetition_index"] = i;
    benchmarks.push_back(e);
  }
  for (const auto& [aggregate, value] : std::vector<std::pair<std::string, double>>{{"mean", 26.4}, {"median", 25}, {"stddev", 6.1}, {"cv", 0.23}}) {
    json e = gb_entry("harness/clock_read/tsc_" + aggregate, value);
    e["run_name"] = "harness/clock_read/tsc";
    e["run_type"] = "aggregate";
    e["aggregate_name"] = aggregate;
    e["repetitions"] = 5;
    if (aggregate == "cv") {
      e["aggregate_unit"] = "percentage";
      e.erase("time_unit");
    }
    benchmarks.push_back(e);
  }
  // A family whose name is markup.
  add(gb_entry(kHostileFamily + "/probe/threads/shared-l3", 100.0));

  json machine{{"hostname", kHostileHost},
               {"cpu_model", "Test CPU @ 2.50GHz"},
               {"kernel", "Linux 6.1"},
               {"hypervisor", "KVM"},
               {"build_type", "Release"},
               {"logical_cpus_online", 2},
               {"load_average_start", {{"one_minute", 0.2}, {"five_minutes", 0.3}, {"fifteen_minutes", 0.4}}},
               {"load_average_end", {{"one_minute", 3.5}, {"five_minutes", 1.0}, {"fifteen_minutes", 0.5}}},
               {"warnings", {"The machine is virtualised (hypervisor: KVM); results include hypervisor noise."}}};
  json primbench{
      {"schema_version", 1},
      {"run",
       {{"started_at", "2026-11-22T03:00:00Z"}, {"finished_at", "2026-11-22T03:01:00Z"}, {"benchmarks_listed", 30},
        {"benchmarks_run", 30}, {"benchmarks_ok", 29}, {"interrupted", false},
        {"steal", {{"window_s", 60.0}, {"steal_ms", {{"0", 600}, {"1", 2400}}}, {"steal_share", 0.04}, {"noisy", true}}},
        {"config", {{"quick", true}, {"families", json::array()}, {"filter", ""}, {"sizes", json::array()}, {"gbench_flags", json::array()}}}}},
      {"machine", machine},
      {"topology", {{"summary", "4 PUs, 4 cores, 1 package, 1 NUMA node, SMT off"}}},
      {"clock", {{"source", "tsc"}, {"tsc_hz", 2.5e9}, {"read_overhead_ns", 16.0}}},
      {"pair_plan",
       {{"pair_classes",
         {{{"class", "shared-l3"}, {"present", true}, {"pairs", {{0, 1}}}},
          {{"class", "smt"}, {"present", false}, {"pairs", json::array()}, {"reason", "no core has two allowed PUs"}}}}}},
      {"benchmarks", records},
      {"errors", {{{"benchmark", "queue/spsc-ring/threads/shared-l3/rtt/8"}, {"message", kHostileError}}}}};
  json context{{"date", "2026-11-22T03:00:00+00:00"}, {"host_name", kHostileHost}, {"executable", "__bench"},
               {"num_cpus", 2}, {"mhz_per_cpu", 2500}, {"cpu_scaling_enabled", false}, {"caches", json::array()},
               {"load_avg", {0.2, 0.3, 0.4}}, {"library_build_type", "debug"}};  // as Debian's libbenchmark says
  return {{"context", context}, {"benchmarks", benchmarks}, {"primbench", primbench}};
}

// The fixture as primbench reads it: through the reader, like the command.
json read_back(const json& doc) { return parse_result_text(doc.dump(), "fixture.json"); }

// --- looking into a document model ---------------------------------------------

const json& section_of(const json& document, const std::string& id) {
  for (const json& s : document["sections"])
    if (s["id"] == id) return s;
  throw std::runtime_error("no section " + id);
}

std::vector<json> charts_in(const json& section) {
  std::vector<json> out;
  for (const json* b : test::blocks_in(section))
    if ((*b)["kind"] == "chart") out.push_back(*b);
  return out;
}

std::optional<json> chart_titled(const json& section, const std::string& title) {
  for (const json& c : charts_in(section))
    if (c["title"].get<std::string>().starts_with(title)) return c;
  return std::nullopt;
}

std::size_t chart_count(const json& document) {
  std::size_t n = 0;
  for (const json& s : document["sections"]) n += charts_in(s).size();
  return n;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const BenchmarkView& view_named(const std::vector<BenchmarkView>& views, const std::string& base) {
  for (const auto& v : views)
    if (v.base == base) return v;
  throw std::runtime_error("no benchmark " + base);
}


// --- the page -------------------------------------------------------------------

TEST(HtmlPage, DataCannotEndItsScriptElement) {
  const json data{{"s", "</script><script>alert(1)</script><!-- a & b > c \xE2\x80\xA8 \xE2\x80\xA9"}};
  const std::string out = json_for_script_element(data);
  EXPECT_EQ(out.find('<'), std::string::npos) << out;
  EXPECT_EQ(out.find('>'), std::string::npos);
  EXPECT_EQ(out.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_NE(out.find("\\u2028"), std::string::npos);
  EXPECT_NE(out.find("\\u2029"), std::string::npos);
  EXPECT_EQ(json::parse(out), data);  // the same data to JSON.parse
}

TEST(HtmlPage, InvalidUtf8BecomesAReplacementCharacterNotAFailure) {
  const std::string out = json_for_script_element(json{{"host", "bad\xFFname"}});
  EXPECT_EQ(json::parse(out)["host"], "bad\xEF\xBF\xBDname");
}

TEST(HtmlPage, HtmlEscapeCoversTextAndAttributes) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlPage, PageHoldsItsAssetsAndOnlyTheScriptsItOpens) {
  const json document{{"title", kHostileHost}, {"sections", json::array()}, {"note", kHostileError}};
  const std::string page = render_html_page(document);
  EXPECT_EQ(count(page, "<script"), 3u);  // the data, ECharts, page.js
  EXPECT_EQ(count(page, "</script"), 3u);
  EXPECT_NE(page.find("<title>&lt;script&gt;window.__pwned=1&lt;/script&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_NE(page.find("echarts"), std::string::npos);
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
}

// --- reading the benchmarks -------------------------------------------------------

TEST(ReportBenchmarks, NamesAreTakenApartIntoFamilyModePlacementAndParameters) {
  const auto views = benchmark_views(read_back(fixture_results()));
  const auto& stream = view_named(views, "pipe/pipe/threads/shared-l3/stream/4096");
  EXPECT_EQ(stream.name, "pipe/pipe/threads/shared-l3/stream/4096/manual_time");
  EXPECT_EQ(stream.family, "pipe");
  EXPECT_EQ(stream.mode, "threads");
  EXPECT_EQ(stream.placement, "shared-l3");
  EXPECT_EQ(stream.size_bytes, 4096);
  ASSERT_TRUE(stream.byte_rate && stream.op_rate);
  EXPECT_EQ(stream.op_rate->unit, "msg/s");
  EXPECT_EQ(stream.byte_rate->unit, "B/s");

  const auto& lock = view_named(views, "locks/contended/threads/compact/mutex/cs0ns_gap0ns/n4");
  EXPECT_EQ(lock.workers, 4);
  EXPECT_FALSE(lock.size_bytes);
  EXPECT_EQ(view_named(views, "countdown/split/threads/compact/w3").workers, 3);
  EXPECT_DOUBLE_EQ(*view_named(views, "countdown/split/threads/compact/w3").time_ns, 33e6 / 2.7);
  EXPECT_TRUE(view_named(views, "locks/contended/threads/compact/mutex/cs0ns_gap0ns/n8").oversubscribed);
}

TEST(ReportBenchmarks, RepetitionsGiveTheMedianAndTheirSpread) {
  const auto views = benchmark_views(read_back(fixture_results()));
  const auto& clock = view_named(views, "harness/clock_read/tsc");
  EXPECT_DOUBLE_EQ(*clock.time_ns, 25);
  EXPECT_EQ(clock.repetitions, 5);
  ASSERT_TRUE(clock.cv);
  EXPECT_GT(*clock.cv, 0.2);
}

TEST(ReportBenchmarks, UnavailableAndFailedBenchmarksCarryTheirReasonNotNumbers) {
  const auto views = benchmark_views(read_back(fixture_results()));
  const auto& smt = view_named(views, "c2c/rtt/threads/smt");
  EXPECT_TRUE(smt.unavailable);
  EXPECT_NE(smt.error.find("smt is absent"), std::string::npos);
  const auto& failed = view_named(views, "queue/spsc-ring/threads/shared-l3/rtt/8");  // only in primbench.errors
  EXPECT_FALSE(failed.unavailable);
  EXPECT_EQ(failed.error, kHostileError);
  EXPECT_FALSE(failed.time_ns);
}

// --- the report ---------------------------------------------------------------------

TEST(HtmlReport, SummaryShowsEveryNoiseWarning) {
  const json document = html_report_document(read_back(fixture_results()), {});
  const json& summary = section_of(document, "machine");
  const json& warnings = summary["blocks"][0];
  ASSERT_EQ(warnings["kind"], "warnings");
  const std::string all = warnings["items"].dump();
  EXPECT_NE(all.find("virtualised"), std::string::npos);                 // the machine context's own
  EXPECT_NE(all.find("at the end of the run"), std::string::npos);       // load at the end
  EXPECT_NE(all.find("oversubscribed"), std::string::npos);              // locks n8
  EXPECT_NE(all.find("harness/clock_read/tsc (2"), std::string::npos);   // high CV, in per cent
  EXPECT_NE(all.find("1 benchmark failed"), std::string::npos);
  EXPECT_NE(all.find("took up to 4.0 % of a PU"), std::string::npos);     // the run's steal
  EXPECT_NE(all.find("1 benchmark lost more than 2 %"), std::string::npos) << all;
  EXPECT_NE(all.find("countdown/split/threads/compact/w2 (30 %)"), std::string::npos) << all;
  EXPECT_EQ(all.find("compact/w3 ("), std::string::npos) << "1 % is below the flag";
  EXPECT_NE(all.find("1 benchmark saw the machine's speed change while measuring (their notes in the tables say how): "
                     "countdown/split/threads/compact/w4"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("built without NDEBUG"), std::string::npos) << all;  // Debian's libbenchmark
  EXPECT_NE(all.find("shm/c2c_matrix/threads/store (1 pair, e.g. PU 0 ↔ PU 2 20 ns, shared-l3 median 250 ns)"),
            std::string::npos)
      << all;
  EXPECT_EQ(document["title"], "primbench report: " + kHostileHost);  // as text; the page escapes it

  json release = fixture_results();
  release["context"]["library_build_type"] = "release";
  const json release_document = html_report_document(read_back(release), {});
  EXPECT_EQ(section_of(release_document, "machine")["blocks"][0]["items"].dump().find("NDEBUG"), std::string::npos)
      << "a release build of Google Benchmark is not worth a warning";
}

// Every {text, href} cell under `node`.
void collect_links(const json& node, std::vector<json>& out) {
  if (node.is_object() && node.contains("href") && node.contains("text")) out.push_back(node);
  if (node.is_structured())
    for (const json& child : node) collect_links(child, out);
}

std::set<std::string> row_ids_of(const json& document) {
  std::set<std::string> ids;
  for (const json& s : document["sections"])
    for (const json* b : test::blocks_in(s))
      if (b->value("row_ids", json()).is_array())
        for (const json& id : (*b)["row_ids"]) ids.insert(id.get<std::string>());
  return ids;
}

const json* card_titled(const json& summary, const std::string& title) {
  for (const json& c : summary["blocks"][0]["blocks"])
    if (c["title"] == title) return &c;
  return nullptr;
}

TEST(HtmlReport, OpensOnAnswersWhoseNumbersLinkToTheirRows) {
  json doc = fixture_results();
  // The same round trip between processes, at twice the cost.
  json e = gb_entry("pipe/pipe/processes/shared-l3/rtt/8/real_time", 6000, {{"p50_ns", 5016.0}});
  doc["benchmarks"].push_back(e);
  doc["primbench"]["benchmarks"]["pipe/pipe/processes/shared-l3/rtt/8"] = record("pipe", "processes", "shared-l3", 5016.0);
  const json document = html_report_document(read_back(doc), {});
  ASSERT_EQ(document["sections"][0]["id"], "summary");
  const json& summary = document["sections"][0];

  const json* rtt = card_titled(summary, "Round trip of a message");
  ASSERT_TRUE(rtt) << summary.dump();
  const std::string card = rtt->dump();
  EXPECT_NE(card.find("shared-l3"), std::string::npos) << card;  // the placement it answers at
  EXPECT_NE(card.find("8 B"), std::string::npos) << card;        // the smallest size, not 4 KiB
  EXPECT_NE(card.find("2.00×"), std::string::npos) << "processes ÷ threads: " << card;
  EXPECT_NE(card.find("Processes cost 2.00× threads"), std::string::npos) << card;
  EXPECT_NE(card.find("#b-pipe/pipe/processes/shared-l3/rtt/8"), std::string::npos) << card;

  const json* floor = card_titled(summary, "Core-to-core floor");
  ASSERT_TRUE(floor);
  EXPECT_NE(floor->dump().find("250 ns"), std::string::npos) << floor->dump();
  EXPECT_NE(floor->dump().find("300 ns"), std::string::npos) << floor->dump();

  const json* capacity = card_titled(summary, "Capacity");
  ASSERT_TRUE(capacity);
  EXPECT_NE(capacity->dump().find("locks/contended/threads/compact/mutex/cs0ns_gap0ns/n*"), std::string::npos);
  EXPECT_NE(capacity->dump().find("knee"), std::string::npos) << "the 4-point sweep is fitted";

  // The fixture's run had its load rise and lost 4 % to steal: disturbed, grade C.
  const json* noise = card_titled(summary, "Can these numbers be compared?");
  ASSERT_TRUE(noise);
  EXPECT_NE(noise->dump().find("Grade C"), std::string::npos) << noise->dump();

  // Every number links to a row that exists.
  std::vector<json> links;
  collect_links(summary, links);
  ASSERT_GE(links.size(), 6u);
  const std::set<std::string> ids = row_ids_of(document);
  for (const json& link : links)
    EXPECT_TRUE(ids.count(link["href"].get<std::string>().substr(1))) << link.dump();
}

TEST(HtmlReport, ANoiseGradeFollowsWhatDisturbedTheRun) {
  json quiet = fixture_results();
  quiet["primbench"]["machine"]["warnings"] = json::array();
  quiet["primbench"]["machine"]["load_average_end"]["one_minute"] = 0.1;
  quiet["primbench"]["run"]["steal"]["steal_share"] = 0.0;
  quiet["context"]["library_build_type"] = "release";
  json interrupted = quiet;
  interrupted["primbench"]["run"]["interrupted"] = true;
  const auto grade_of = [](const json& doc) {
    const json document = html_report_document(read_back(doc), {});
    const std::string text = card_titled(document["sections"][0], "Can these numbers be compared?")->dump();
    return text.substr(text.find("Grade ") + 6, 1);
  };
  EXPECT_NE(grade_of(quiet), "A") << "the fixture still has noisy repetitions and stolen time per benchmark";
  EXPECT_EQ(grade_of(interrupted), "D");
}

TEST(HtmlReport, PlainReferencesAreNotVerifiedRatherThanMisplaced) {
  json doc = fixture_results();
  json rec = record("c2c", "threads", "shared-l3", 240);  // no workers read back
  doc["benchmarks"].push_back(gb_entry("c2c/rtt_plain/threads/shared-l3/real_time", 700, {{"p50_ns", 240.0}}));
  doc["primbench"]["benchmarks"]["c2c/rtt_plain/threads/shared-l3"] = rec;
  const json document = html_report_document(read_back(doc), {});
  EXPECT_EQ(section_of(document, "machine").dump().find("did not run exactly where requested"), std::string::npos);
  EXPECT_NE(section_of(document, "family-c2c").dump().find("placement not verified"), std::string::npos);
}

TEST(HtmlReport, EachPrimitiveIsPricedInMultiplesOfTheSamePlacementFloor) {
  const json document = html_report_document(read_back(fixture_results()), {});
  const json& floor = section_of(document, "floor");
  const auto bars = chart_titled(floor, "Round trips against the core-to-core floor: pipe");
  ASSERT_TRUE(bars);
  const auto& names = (*bars)["categories"];
  const auto& values = (*bars)["series"][0]["values"];
  const auto at = std::find(names.begin(), names.end(), "pipe/pipe/threads/shared-l3/rtt/8") - names.begin();
  ASSERT_LT(static_cast<std::size_t>(at), names.size());
  EXPECT_DOUBLE_EQ(values[at].get<double>(), 2508.0 / 250.0);  // p50 round trip / c2c threads shared-l3 p50
  // No floor for compact placements: not priced, not guessed.
  EXPECT_EQ(bars->dump().find("locks/contended"), std::string::npos);
  // The family table carries the multiple too.
  EXPECT_NE(section_of(document, "family-pipe").dump().find("10×"), std::string::npos);
  // Like with like: a stream's per-message cost is no round trip; each bar says its absolute time.
  EXPECT_EQ(bars->dump().find("/stream/"), std::string::npos);
  EXPECT_EQ((*bars)["series"][0]["texts"][at], "2.51 us · 10×");
}

TEST(HtmlReport, ARoundTripBelowItsFloorIsAnAnomalyNotABar) {
  json doc = fixture_results();
  doc["benchmarks"].push_back(gb_entry("queue/odd/threads/shared-l3/rtt/8", 150, {{"p50_ns", 120.0}}));
  doc["primbench"]["benchmarks"]["queue/odd/threads/shared-l3/rtt/8"] = record("queue", "threads", "shared-l3", 120.0);
  const json document = html_report_document(read_back(doc), {});
  const json& floor = section_of(document, "floor");
  for (const json& chart : charts_in(floor)) {
    EXPECT_EQ(chart.dump().find("queue/odd"), std::string::npos) << "not drawn as a win";
    EXPECT_LE(chart["categories"].size(), kMaxFloorBars);
  }
  bool listed = false;
  for (const json* b : test::blocks_in(floor))
    if ((*b)["kind"] == "warnings")
      listed = listed || (*b)["items"].dump().find("queue/odd/threads/shared-l3/rtt/8: 120 ns, 0.48× its floor (250 ns)") !=
                             std::string::npos;
  EXPECT_TRUE(listed) << floor.dump();
}

TEST(HtmlReport, ChartsHoldAtMostEightSeriesAndSweepsKeepTheirFit) {
  json chart{{"kind", "chart"}, {"chart", "xy"}, {"title", "T"}, {"note", "said once"}, {"series", json::array()}};
  for (int i = 0; i < 7; ++i) {
    chart["series"].push_back({{"name", fmt::format("s{}", i)}, {"style", "points"}, {"group", i}});
    chart["series"].push_back({{"name", fmt::format("s{} fit", i)}, {"style", "fit"}, {"group", i}});
  }
  chart["series"].push_back({{"name", "ideal"}, {"style", "ideal"}, {"group", 7}});
  const auto parts = split_chart(chart);
  ASSERT_EQ(parts.size(), 3u);  // 7 pairs, 3 pairs beside the ideal line in each part
  std::size_t drawn = 0;
  for (const json& part : parts) {
    EXPECT_LE(part["series"].size(), kMaxSeries);
    EXPECT_EQ(part["series"].back()["name"], "ideal");
    for (std::size_t i = 0; i + 1 < part["series"].size(); i += 2)
      EXPECT_EQ(part["series"][i + 1]["name"], part["series"][i]["name"].get<std::string>() + " fit");
    drawn += part["series"].size() - 1;
  }
  EXPECT_EQ(drawn, 14u);
  EXPECT_EQ(parts[0]["title"], "T (1 of 3)");
  EXPECT_TRUE(parts[0].contains("note"));
  EXPECT_FALSE(parts[1].contains("note"));
}

TEST(HtmlReport, FamiliesGetTheChartsTheirResultsSupport) {
  const json document = html_report_document(read_back(fixture_results()), {});
  const json& pipe = section_of(document, "family-pipe");
  const auto percentiles = chart_titled(pipe, "Latency percentiles");
  ASSERT_TRUE(percentiles);
  EXPECT_TRUE((*percentiles)["y"]["log"].get<bool>());
  const auto by_size = chart_titled(pipe, "Throughput by message size");
  ASSERT_TRUE(by_size);
  EXPECT_EQ((*by_size)["y"]["unit"], "B/s");
  EXPECT_EQ((*by_size)["series"][0]["points"].size(), 5u);
  EXPECT_TRUE(chart_titled(pipe, "Median latency by message size"));

  const auto workers = chart_titled(section_of(document, "family-locks"), "Throughput by workers");
  ASSERT_TRUE(workers);
  std::vector<std::string> styles;
  for (const json& s : (*workers)["series"]) styles.push_back(s["style"]);
  // Each sweep with its linear scaling from N = 1; mutex fitted, spin too short.
  EXPECT_EQ(styles, (std::vector<std::string>{"points", "linear", "fit", "points", "linear"}));
  EXPECT_TRUE((*workers)["x"]["integer"].get<bool>());
  const json& linear = (*workers)["series"][1]["points"];
  EXPECT_DOUBLE_EQ(linear[1][1].get<double>(), 8 * linear[0][1].get<double>()) << "N = 1 to 8, eight times N = 1";
  const std::string note = (*workers)["note"];
  EXPECT_NE(note.find("σ = 0.1"), std::string::npos) << note;
  EXPECT_NE(note.find("spin/cs0ns_gap0ns/*: scaling fit unavailable"), std::string::npos) << note;

  const auto speedup = chart_titled(section_of(document, "family-countdown"), "Speedup by workers");
  ASSERT_TRUE(speedup);
  EXPECT_EQ((*speedup)["series"].back()["style"], "ideal");
  EXPECT_EQ((*speedup)["series"].back()["points"], json({{1, 1}, {4.0, 4.0}}));

  const auto heatmap = chart_titled(section_of(document, "family-shm"), "Core-to-core round trip");
  ASSERT_TRUE(heatmap);
  EXPECT_EQ((*heatmap)["cells"].size(), 15u);  // 4 x 4 less the cell not measured
  EXPECT_EQ((*heatmap)["x_categories"][3], "PU 3");
  // The colour scale spans the cross-PU cells (20-350 ns), not the 1300 ns diagonal.
  EXPECT_EQ((*heatmap)["color_range"], json({20.0, 350.0}));
  const std::string heatmap_notes = (*heatmap)["note"].dump();
  EXPECT_NE(heatmap_notes.find("1 pair(s) measured more than 3x"), std::string::npos) << heatmap_notes;
}

TEST(HtmlReport, UnavailableAndFailedBenchmarksAreListedWithTheirReason) {
  const json document = html_report_document(read_back(fixture_results()), {});
  const std::string c2c = section_of(document, "family-c2c").dump();
  EXPECT_NE(c2c.find("Not measured on this machine"), std::string::npos);
  EXPECT_NE(c2c.find("smt is absent"), std::string::npos);
  const json& queue = section_of(document, "family-queue");
  EXPECT_NE(queue.dump().find("Failed"), std::string::npos);
}

TEST(HtmlReport, SectionIdsComeFromFamilyNamesButStayPlainIdentifiers) {
  const json document = html_report_document(read_back(fixture_results()), {});
  for (const json& s : document["sections"]) {
    const std::string id = s["id"];
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
              std::string::npos)
        << id;
  }
}

TEST(HtmlReport, TopologyPictureIsEmbeddedOrItsAbsenceExplained) {
  const json results = read_back(fixture_results());
  const json with = html_report_document(results, {"<svg xmlns='http://www.w3.org/2000/svg'/>", "drawn by lstopo"});
  EXPECT_EQ(section_of(with, "topology")["blocks"][1]["kind"], "svg_image");
  const json without = html_report_document(results, {"", "lstopo not available"});
  EXPECT_NE(section_of(without, "topology").dump().find("lstopo not available"), std::string::npos);
}

TEST(HtmlReport, RunDirectoryPictureIsPreferredAndItsViewBoxRepaired) {
  const fs::path dir = test::scratch_dir("html-topology");
  std::ofstream(dir / kTopologySvgFile) << "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 195px 324px'/>";
  const TopologyPicture picture = topology_picture(dir, "some-other-host", "");
  EXPECT_NE(picture.svg.find("viewBox='0 0 195 324'"), std::string::npos) << picture.svg;
  EXPECT_NE(picture.note.find("when the run started"), std::string::npos);
  fs::remove_all(dir);
  EXPECT_TRUE(topology_picture(dir, "some-other-host", "").svg.empty());
}

TEST(HtmlReport, ALiveDrawingNeedsThisHostAndThisTopology) {
  const fs::path dir = test::scratch_dir("html-topology-live");  // no recorded picture in it
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  // Cloud VMs share names: the same name with another machine's topology is another machine.
  const TopologyPicture other = topology_picture(dir, host, "16 PUs, 16 cores, 1 package; bindings real (live)");
  EXPECT_TRUE(other.svg.empty());
  EXPECT_NE(other.note.find("differs from the measured one"), std::string::npos) << other.note;
  const std::string here = topology_summary(Topology::load("live"));
  const TopologyPicture elsewhere = topology_picture(dir, "some-other-host", here);
  EXPECT_TRUE(elsewhere.svg.empty()) << "the same shape on another host is another machine";
  EXPECT_NE(elsewhere.note.find("different host"), std::string::npos) << elsewhere.note;
  const TopologyPicture same = topology_picture(dir, host, here);
  EXPECT_EQ(same.note.find("differs from the measured one"), std::string::npos) << same.note;
  EXPECT_TRUE(!same.svg.empty() || same.note.find("lstopo not available") != std::string::npos) << same.note;
  fs::remove_all(dir);
}

TEST(HtmlReport, PlainGoogleBenchmarkFileStillGetsAReport) {
  json plain = fixture_results();
  plain.erase("primbench");
  const json document = html_report_document(read_back(plain), {});
  EXPECT_NE(section_of(document, "machine").dump().find("plain Google Benchmark file"), std::string::npos);
  EXPECT_TRUE(chart_titled(section_of(document, "family-pipe"), "Throughput by message size"));
}

// --- the command ---------------------------------------------------------------------

TEST(ReportCommand, WritesOneSelfContainedFileBesideTheResults) {
  const fs::path dir = test::scratch_dir("html-command");
  std::ofstream(dir / "results.json") << fixture_results().dump(2);
  const auto r = test::run_primbench({"report", (dir / "results.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, (dir / "report.html").string() + "\n");
  const std::string page = slurp(dir / "report.html");
  EXPECT_LT(page.size(), 3u << 20);
  EXPECT_EQ(page.find(kHostileHost), std::string::npos);  // never raw markup
  EXPECT_EQ(page.find(kHostileLabel), std::string::npos);
  EXPECT_EQ(count(page, "</script"), 3u);
  fs::remove_all(dir);
}

TEST(ReportCommand, BadInputIsOneLineAndExitStatusTwo) {
  const fs::path dir = test::scratch_dir("html-bad");
  std::ofstream(dir / "broken.json") << "{\"context\": {";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report", (dir / "missing.json").string()},
           {"report", (dir / "broken.json").string()},
           {"report"},
           {"report", (dir / "broken.json").string(), "--bogus"}}) {
    SCOPED_TRACE(args.back());
    test::expect_one_line_error(test::run_primbench(args));
  }
  std::ofstream(dir / "results.json") << fixture_results().dump();
  const auto r = test::run_primbench({"report", (dir / "results.json").string(), "-o", dir.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a folder is not a file to write
  fs::remove_all(dir);
}

// --- in a real browser -------------------------------------------------------------

fs::path build_dir() { return fs::path(test::primbench_exe()).parent_path(); }

// Runs scripts/html_check.mjs; skips the test when Chromium cannot be had.
void check_in_browser(const fs::path& page, const fs::path& screenshot, std::size_t charts,
                      const std::vector<std::string>& texts, const std::string& first_section = "") {
  std::vector<std::string> argv{"node", (test::source_dir() / "scripts/html_check.mjs").string(), page.string(),
                                screenshot.string(), "--charts", std::to_string(charts), "--no-global", "__pwned",
                                "--max-series", std::to_string(kMaxSeries), "--max-height", "15000"};
  if (!first_section.empty()) {
    argv.push_back("--first-section");
    argv.push_back(first_section);
  }
  for (const auto& t : texts) {
    argv.push_back("--text");
    argv.push_back(t);
  }
  const auto r = test::run_command(argv, 0, 240);
  if (r.exit_code == 77) GTEST_SKIP() << "headless Chromium unavailable: " << r.out;
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::cout << "screenshot for a person to look at: " << screenshot.string() << "\n" << r.out;
}

TEST(HtmlReportBrowser, PageLoadsOfflineDrawsEveryChartAndRunsNoInjectedCode) {
  const fs::path dir = test::scratch_dir("html-browser");
  const json results = fixture_results();
  std::ofstream(dir / "results.json") << results.dump();
  const auto r = test::run_primbench({"report", (dir / "results.json").string(), "-o", (dir / "report.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t charts = chart_count(html_report_document(read_back(results), {}));
  EXPECT_GE(charts, 8u);
  check_in_browser(dir / "report.html", build_dir() / "html_report_screenshot.png", charts,
                   {kHostileHost, kHostileLabel, "</script><script>window.__pwned=1</script>", kHostileFamily,
                    "Noise warnings", "Round trips against the core-to-core floor: pipe", "Round trip of a message"},
                   "summary");
  fs::remove_all(dir);
}

TEST(HtmlReportBrowser, HardwareComparisonPageLeadsWithOneNumberPerFamilyAndMachine) {
  const fs::path dir = test::scratch_dir("html-hardware");
  json a = fixture_results(), b = fixture_results();
  b["context"]["host_name"] = "machine-b";
  b["primbench"]["machine"]["hostname"] = "machine-b";
  b["primbench"]["machine"]["cpu_model"] = "Other CPU";
  b["primbench"]["run"]["config"]["quick"] = false;  // a full run against a quick one
  for (json& e : b["benchmarks"])
    if (e["real_time"].is_number()) e["real_time"] = e["real_time"].get<double>() * 0.8;
  const json model = hardware_comparison_model(
      std::vector<HardwareInput>{{"a.json", read_back(a)}, {"b.json", read_back(b)}}, 0);
  ASSERT_FALSE(model["headlines"].empty());
  for (const json& h : model["headlines"]) {
    if (h["geomean_relative"][1].is_number()) {
      EXPECT_NEAR(h["geomean_relative"][1].get<double>(), 0.8, 1e-9) << h.dump();
    }
  }
  ASSERT_EQ(model["run_differences"].size(), 1u);
  EXPECT_NE(model["run_differences"][0].get<std::string>().find("suite: quick on"), std::string::npos);
  const json document = hardware_html_document(model);
  EXPECT_EQ(document["sections"][0]["id"], "headline");
  EXPECT_NE(document.dump().find("(baseline"), std::string::npos);
  const std::string text = format_hardware_comparison(model, CompareFormat::terminal, false);
  EXPECT_NE(text.find("warning: The runs differ in suite"), std::string::npos) << text;
  EXPECT_NE(text.find("0.8x"), std::string::npos) << text;
  write_hardware_html(model, dir / "hardware.html");
  check_in_browser(dir / "hardware.html", build_dir() / "hardware_html_screenshot.png", 0,
                   {kHostileHost, "machine-b", "Other CPU", "Headline", "0.8× (", "The runs differ in suite"});
  fs::remove_all(dir);
}

}  // namespace
}  // namespace primbench
