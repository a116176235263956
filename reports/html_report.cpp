#include "reports/html_report.hpp"

#include <fmt/format.h>

#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "basics/json_text.hpp"
#include "reports/quantity_text.hpp"
#include "reports/html_page.hpp"
#include "reports/report_answers.hpp"
#include "reports/report_benchmarks.hpp"
#include "reports/report_charts.hpp"
#include "reports/report_pivot.hpp"
#include "reports/report_profiles.hpp"
#include "reports/report_python.hpp"
#include "reports/report_summary.hpp"
#include "reports/report_why.hpp"
#include "reports/result_reader.hpp"
#include "reports/web_assets.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// Headings for the families primbench ships; another family is headed by its name.
const std::map<std::string, std::string>& family_titles() {
  static const std::map<std::string, std::string> titles{
      {"c2c", "c2c: core-to-core cache-line round trip"},
      {"harness", "harness: the cost of measuring"},
      {"pipe", "pipe: pipes, sockets, FIFOs and eventfd"},
      {"queue", "queue: message queues and rings"},
      {"shm", "shm: shared memory, atomics and the core-to-core matrix"},
      {"server", "server: request/response over a socket"},
      {"locks", "locks: mutexes and spinlocks"},
      {"sync", "sync: waking another thread or process"},
      {"pool", "pool: handing work to a thread or process pool"},
      {"spawn", "spawn: starting threads and processes"},
      {"countdown", "countdown: CPU-bound scaling"},
      {"load", "load: latency against offered load (open loop)"},
  };
  return titles;
}

std::string family_title(const std::string& family) {
  const auto it = family_titles().find(family);
  return it != family_titles().end() ? it->second : family;
}

// An HTML id (and URL fragment) from a family name, which comes from the results.
std::string section_id(const std::string& family) {
  std::string id = "family-";
  for (const unsigned char c : family) id += std::isalnum(c) || c == '-' || c == '_' ? static_cast<char>(c) : '-';
  return id;
}

json text_block(const std::string& text) { return {{"kind", "text"}, {"text", text}}; }

// Blocks behind a <details> line: there to open, not in the way.
json folded(const std::string& summary, json blocks) {
  return {{"kind", "details"}, {"summary", summary}, {"blocks", std::move(blocks)}};
}

json section(const std::string& id, const std::string& heading, json blocks) {
  return {{"id", id}, {"heading", heading}, {"blocks", std::move(blocks)}};
}

// A table column: a heading and the cell of one benchmark (nullopt: empty).
struct Column {
  std::string label;
  bool numeric;
  std::function<std::optional<std::string>(const BenchmarkView&)> cell;
};

// The table of `views` with the columns that have at least one cell; with
// `anchored`, each row carries its benchmark's id (one table per benchmark does).
json table_block(const std::string& caption, const BenchmarkViews& views, const std::vector<Column>& columns,
                 bool anchored = false) {
  std::vector<bool> used(columns.size(), false);
  std::vector<std::vector<std::optional<std::string>>> cells;
  for (const BenchmarkView* v : views) {
    auto& row = cells.emplace_back();
    for (std::size_t c = 0; c < columns.size(); ++c) {
      row.push_back(columns[c].cell(*v));
      used[c] = used[c] || row.back().has_value();
    }
  }
  json heads = json::array(), rows = json::array(), row_ids = json::array();
  if (anchored)
    for (const BenchmarkView* v : views) row_ids.push_back(benchmark_anchor(v->base));
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (used[c]) heads.push_back({{"label", columns[c].label}, {"numeric", columns[c].numeric}});
  for (const auto& row : cells) {
    json out = json::array();
    for (std::size_t c = 0; c < columns.size(); ++c)
      if (used[c]) out.push_back(row[c] ? json(*row[c]) : json(nullptr));
    rows.push_back(std::move(out));
  }
  return {{"kind", "table"},
          {"caption", caption},
          {"columns", std::move(heads)},
          {"rows", std::move(rows)},
          {"row_ids", anchored ? std::move(row_ids) : json(nullptr)}};
}

std::optional<std::string> duration(const std::optional<double>& ns) {
  return ns ? std::optional(format_quantity(*ns, "ns")) : std::nullopt;
}

std::optional<std::string> rate(const std::optional<RateCounter>& r) {
  return r ? std::optional(format_quantity(r->per_second, r->unit)) : std::nullopt;
}

std::string notes_of(const BenchmarkView& v) {
  std::vector<std::string> notes;
  if (!v.label.empty()) notes.push_back(v.label);
  if (!v.placement_ok) notes.push_back("placement check failed");
  if (!v.placement_verified) notes.push_back("placement not verified (a plain reference)");
  if (v.oversubscribed) notes.push_back("oversubscribed");
  if (v.cv && *v.cv > kHighCv) notes.push_back("noisy");
  if (v.steal_noisy && v.steal_share)
    notes.push_back(fmt::format("hypervisor took {:.0f} % of a PU", *v.steal_share * 100));
  if (!v.noise_note.empty()) notes.push_back(v.noise_note);
  std::string out;
  for (const auto& n : notes) {
    if (!out.empty()) out += "; ";
    out += n;
  }
  return out;
}

std::vector<Column> measurement_columns(const CoreToCoreFloors& floors) {
  return {
      {"benchmark", false, [](const BenchmarkView& v) { return std::optional(short_name(v.base)); }},
      {"p50", true, [](const BenchmarkView& v) { return duration(v.p50); }},
      {"p99", true, [](const BenchmarkView& v) { return duration(v.p99); }},
      {"p99.9", true, [](const BenchmarkView& v) { return duration(v.p999); }},
      {"max", true, [](const BenchmarkView& v) { return duration(v.max); }},
      {"time / op", true, [](const BenchmarkView& v) { return duration(v.time_ns); }},
      {"throughput", true, [](const BenchmarkView& v) { return rate(v.op_rate); }},
      {"bytes / s", true, [](const BenchmarkView& v) { return rate(v.byte_rate); }},
      {"speedup", true,
       [](const BenchmarkView& v) {
         return v.speedup ? std::optional(fmt::format("{:.2f}×", *v.speedup)) : std::nullopt;
       }},
      {"× c2c floor", true,
       [&floors](const BenchmarkView& v) -> std::optional<std::string> {
         const auto multiple = floors.multiple(v);
         return multiple ? std::optional(fmt::format("{:.3g}×", *multiple)) : std::nullopt;
       }},
      {"samples", true,
       [](const BenchmarkView& v) { return v.samples ? std::optional(fmt::format("{:.0f}", *v.samples)) : std::nullopt; }},
      {"CV (reps)", true,
       [](const BenchmarkView& v) {
         return v.cv ? std::optional(fmt::format("{:.1f} % ({})", *v.cv * 100, v.repetitions)) : std::nullopt;
       }},
      {"notes", false,
       [](const BenchmarkView& v) {
         std::string n = notes_of(v);
         return n.empty() ? std::nullopt : std::optional(n);
       }},
  };
}

std::vector<Column> error_columns() {
  return {{"benchmark", false, [](const BenchmarkView& v) { return std::optional(v.base); }},
          {"reason", false, [](const BenchmarkView& v) { return std::optional(v.error); }}};
}

json machine_section(const json& results, const std::vector<BenchmarkView>& views) {
  json blocks = json::array();
  const auto warnings = noise_warnings(results, views);
  if (warnings.empty())
    blocks.push_back(text_block("No noise warnings: nothing in the machine's context or in the results suggests "
                                "the numbers are disturbed."));
  else
  {
    json items = json::array();
    for (const NoiseWarning& w : warnings) items.push_back(w.text);
    blocks.push_back({{"kind", "warnings"}, {"heading", "Noise warnings"}, {"items", std::move(items)}});
  }
  blocks.push_back(machine_facts_block(results));
  blocks.push_back(run_facts_block(results));
  return section("machine", "Machine and run", std::move(blocks));
}

json topology_section(const json& results, const TopologyPicture& topology) {
  json blocks = json::array();
  if (const json& t = results.contains("primbench") ? results["primbench"].value("topology", json()) : json();
      t.is_object() && t.contains("summary"))
    blocks.push_back(text_block(t["summary"].is_string() ? t["summary"].get<std::string>() : json_text(t["summary"])));
  if (!topology.svg.empty())
    blocks.push_back({{"kind", "svg_image"},
                      {"svg", topology.svg},
                      {"alt", "the machine's topology drawn by hwloc's lstopo"},
                      {"note", topology.note}});
  else
    blocks.push_back(text_block(topology.note));
  if (auto classes = placement_classes_block(results)) blocks.push_back(std::move(*classes));
  return section("topology", "Topology", std::move(blocks));
}

json floor_section(const std::vector<BenchmarkView>& views, const CoreToCoreFloors& floors) {
  json blocks = json::array();
  BenchmarkViews all, floor_views;
  for (const auto& v : views) {
    all.push_back(&v);
    if (is_core_to_core_floor(v)) floor_views.push_back(&v);
  }
  if (floors.empty()) {
    blocks.push_back(text_block("This run did not measure c2c/rtt, the core-to-core round trip, so there is no "
                                "floor to compare the primitives with. Run the c2c family to see it."));
    return section("floor", "Cost against the core-to-core floor", std::move(blocks));
  }
  blocks.push_back(text_block(
      "The floor is what the hardware charges for one hand-off between two workers: the median round trip of a "
      "cache line bounced between them (c2c/rtt), per mode and placement class. A round trip through any primitive "
      "between two PUs makes at least that hand-off each way, so round trips are compared with it, like with like: "
      "the multiple says how much the primitive adds on top. Same-PU round trips are left out (two workers "
      "time-sharing one PU measure the scheduler), as are streams (a per-message cost, not a round trip). The "
      "core-to-core matrix (shm/c2c_matrix, in the shm section) measures every pair in one short run each, so its "
      "cell for the same pair can differ from this floor, which the c2c family measures at length."));
  blocks.push_back(table_block(
      "Core-to-core floors", floor_views,
      {{"benchmark", false, [](const BenchmarkView& v) { return std::optional(v.base); }},
       {"mode", false, [](const BenchmarkView& v) { return std::optional(v.mode); }},
       {"placement", false, [](const BenchmarkView& v) { return std::optional(v.placement); }},
       {"floor (p50 round trip)", true, [](const BenchmarkView& v) { return duration(v.p50); }}}));
  FloorCharts charts = floor_multiple_charts(all, floors);
  if (!charts.anomalies.empty())
    blocks.push_back({{"kind", "warnings"},
                      {"heading", "Round trips below their floor: anomalies to look at, not wins"},
                      {"items", charts.anomalies}});
  if (charts.charts.empty()) {
    blocks.push_back(text_block("No round trip outside c2c ran between two PUs of a mode and class with a floor."));
  } else {
    const std::string summary = fmt::format("Charts: round trips against the floor, per family ({})", charts.charts.size());
    blocks.push_back(folded(summary, json(std::move(charts.charts))));
  }
  return section("floor", "Cost against the core-to-core floor", std::move(blocks));
}

// "3 not measured on this machine: placement class smt is absent: ... (2); ..."
std::string not_measured_line(const BenchmarkViews& unavailable) {
  constexpr std::size_t kReasonsSaid = 2;
  std::map<std::string, std::size_t> reasons;
  for (const BenchmarkView* v : unavailable) ++reasons[v->error];
  std::string line = fmt::format("{} not measured on this machine: ", unavailable.size());
  std::size_t said = 0;
  for (const auto& [reason, count] : reasons) {
    if (said++ == kReasonsSaid) {
      line += fmt::format("; and {} other reasons", reasons.size() - kReasonsSaid);
      break;
    }
    line += fmt::format("{}{} ({})", said > 1 ? "; " : "", reason, count);
  }
  return line;
}

json family_section(const std::string& family, const BenchmarkViews& views, const CoreToCoreFloors& floors,
                    json after_pivot) {
  BenchmarkViews measured, unavailable, failed;
  for (const BenchmarkView* v : views)
    (v->error.empty() ? measured : v->unavailable ? unavailable : failed).push_back(v);
  json blocks = json::array();
  blocks.push_back(text_block(fmt::format("{} benchmarks: {} measured, {} unavailable on this machine, {} failed.",
                                          views.size(), measured.size(), unavailable.size(), failed.size())));
  if (auto pivot = pivot_block(measured)) blocks.push_back(std::move(*pivot));
  for (json& b : after_pivot) blocks.push_back(std::move(b));
  if (json why = why_blocks(measured); !why.empty()) blocks.push_back(folded("Why it costs that: counters per operation", std::move(why)));
  json charts = json::array();
  for (auto* build : {&latency_percentile_chart, &latency_by_size_chart, &throughput_by_size_chart,
                      &throughput_by_workers_chart, &speedup_chart, &offered_load_chart})
    if (auto chart = (*build)(measured))
      for (json& part : split_chart(*chart)) charts.push_back(std::move(part));
  for (const BenchmarkView* v : measured)
    if (auto heatmap = core_to_core_heatmap(*v)) charts.push_back(std::move(*heatmap));
  if (!charts.empty()) {
    const std::string summary = fmt::format("Charts ({})", charts.size());
    blocks.push_back(folded(summary, std::move(charts)));
  }
  if (!measured.empty()) {
    json table = table_block("Every result: latency percentiles from each benchmark's histogram; time / op is "
                             "Google Benchmark's time per iteration",
                             measured, measurement_columns(floors), true);
    table["csv"] = fmt::format("primbench-{}.csv", family);
    const std::string summary = fmt::format("All {} results (table, CSV)", measured.size());
    blocks.push_back(folded(summary, json::array({std::move(table)})));
  }
  if (!unavailable.empty())
    blocks.push_back(folded(not_measured_line(unavailable),
                            json::array({table_block("Not measured on this machine", unavailable, error_columns(), true)})));
  if (!failed.empty()) blocks.push_back(table_block("Failed", failed, error_columns(), true));
  return section(section_id(family), family_title(family), std::move(blocks));
}

std::string host_of(const json& results) { return machine_identity(results).host; }

// A caption or chart note the page already showed is left out where it comes again.
void say_notes_once(json& blocks, std::set<std::string>& said) {
  for (json& block : blocks) {
    for (const char* key : {"caption", "note"})
      if (block.contains(key) && block[key].is_string() && !said.insert(block[key].get<std::string>()).second)
        block.erase(key);
    if (block.contains("blocks")) say_notes_once(block["blocks"], said);
  }
}

}  // namespace

json html_report_document(const json& results, const TopologyPicture& topology) {
  const std::vector<BenchmarkView> views = benchmark_views(results);
  const CoreToCoreFloors floors(views);

  std::vector<std::string> families;
  std::map<std::string, BenchmarkViews> by_family;
  for (const auto& v : views) {
    const std::string family = section_family(v);
    if (by_family[family].empty()) families.push_back(family);
    by_family[family].push_back(&v);
  }

  json sections = json::array();
  sections.push_back(answers_section(results, views));
  sections.push_back(machine_section(results, views));
  sections.push_back(topology_section(results, topology));
  sections.push_back(floor_section(views, floors));
  if (auto profiles = profiles_section(views)) sections.push_back(std::move(*profiles));
  if (auto python = native_vs_python_section(results, views)) sections.push_back(std::move(*python));
  std::set<std::string> ids;
  for (const auto& family : families) {
    json s = family_section(family, by_family[family], floors,
                            family == "load" ? open_loop_capacity_blocks(results) : json::array());
    // Two names that differ only in characters an id cannot hold.
    while (!ids.insert(s["id"].get<std::string>()).second) s["id"] = s["id"].get<std::string>() + "-";
    sections.push_back(std::move(s));
  }

  std::set<std::string> said;
  for (json& s : sections) say_notes_once(s["blocks"], said);
  const std::string host = host_of(results);
  return {{"title", fmt::format("primbench report: {}", host.empty() ? "unknown host" : host)},
          {"subtitle", fmt::format("{} benchmarks in {} families", views.size(), families.size())},
          {"generator", fmt::format("primbench {} · charts by Apache ECharts {}", PRIMBENCH_VERSION,
                                    web::echarts_version())},
          {"sections", std::move(sections)}};
}

void write_html_report(const json& results, const std::filesystem::path& out_html,
                       const std::filesystem::path& run_dir) {
  const MachineIdentity measured = machine_identity(results);
  write_html_page(out_html, html_report_document(results, topology_picture(run_dir, measured.host, measured.topology)));
}

void write_html_report(const json& results, const std::filesystem::path& out_html) {
  write_html_report(results, out_html, out_html.parent_path().empty() ? "." : out_html.parent_path());
}

}  // namespace primbench
