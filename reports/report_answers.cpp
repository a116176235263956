#include "reports/report_answers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "basics/benchmark_name.hpp"
#include "basics/statistics.hpp"
#include "reports/capacity.hpp"
#include "reports/quantity_text.hpp"
#include "reports/report_summary.hpp"

namespace primbench {
namespace {

using nlohmann::json;
using ViewList = std::vector<const BenchmarkView*>;

// For two workers on different cores, the classes in the order the summary
// prefers them: sharing a cache first, the common hand-off.
constexpr std::array<const char*, 6> kCrossCoreOrder{"shared-l3", "shared-l2",     "cross-l3",
                                                     "smt",       "cross-package", "cross-numa"};
// Rows a card shows before folding the rest.
constexpr std::size_t kRowsShown = 5;

// "1.04×", "12.5×", "3310×"
std::string ratio_text(double ratio) {
  if (ratio < 10) return fmt::format("{:.2f}×", ratio);
  return ratio < 100 ? fmt::format("{:.1f}×", ratio) : fmt::format("{:.0f}×", ratio);
}

// One question a reader choosing a primitive asks, and the benchmarks that answer it.
struct Topic {
  std::string title;
  std::vector<std::string> families;
  std::string what;  // the name's second segment, or empty for any
  std::string kind;  // the segment after the placement (rtt, stream), or empty for any
  bool pair = false;  // two workers at a placement class: answered at a cross-core class
  bool largest_workers = false;  // at the largest worker count rather than the smallest above one
  std::string cost;  // what the numbers are
};

const std::vector<Topic>& topics() {
  static const std::vector<Topic> list{
      {"Round trip of a message", {"pipe", "queue"}, "", "rtt", true, false, "median round trip"},
      {"Streaming messages", {"pipe", "queue"}, "", "stream", true, false, "time per message"},
      {"Waking another worker", {"sync", "locks"}, "wakeup", "", true, false, "median wake-up"},
      {"A lock two workers contend for", {"locks"}, "contended", "", false, false, "time per lock/unlock"},
      {"Handing a task to a pool", {"pool"}, "", "", false, false, "time per task"},
      {"Starting a worker", {"spawn"}, "", "", false, false, "time per start"},
      {"Counting down: N threads against N processes", {"countdown"}, "", "", false, true, "time for the count"},
  };
  return list;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool answers(const Topic& topic, const BenchmarkView& v) {
  if (!v.error.empty() || !cost_ns(v) || (v.mode != "threads" && v.mode != "processes") || v.segments.size() < 4)
    return false;
  if (!contains(topic.families, v.family) || (!topic.what.empty() && v.what != topic.what)) return false;
  return topic.kind.empty() || (v.segments.size() > 4 && v.segments[4] == topic.kind);
}

// The name without what the card's heading already says: mode, placement,
// the topic's segments, size and worker count.
std::string primitive_label(const Topic& topic, const BenchmarkView& v) {
  std::string out;
  for (std::size_t i = 0; i < v.segments.size(); ++i) {
    const bool said = i == 2 || i == 3 || (i == 1 && !topic.what.empty()) || (i == 4 && !topic.kind.empty()) ||
                      v.size_segment == i || v.workers_segment == i;
    if (!said) out += (out.empty() ? "" : "/") + v.segments[i];
  }
  return out;
}

std::string most_common_placement(const ViewList& views) {
  std::map<std::string, std::size_t> counts;
  for (const BenchmarkView* v : views) ++counts[v->placement];
  return std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

std::string chosen_placement(const Topic& topic, const ViewList& views) {
  if (topic.pair)
    for (const char* cls : kCrossCoreOrder)
      if (std::any_of(views.begin(), views.end(), [cls](const BenchmarkView* v) { return v->placement == cls; }))
        return cls;
  return most_common_placement(views);
}

// Whether `a` answers the topic better than `b` for one primitive and mode:
// the smallest message, and the smallest worker count above one (or the largest).
bool preferred(const Topic& topic, const BenchmarkView& a, const BenchmarkView& b) {
  const double size_a = a.size_bytes.value_or(0), size_b = b.size_bytes.value_or(0);
  if (size_a != size_b) return size_a < size_b;
  const double wa = a.workers.value_or(1), wb = b.workers.value_or(1);
  if (topic.largest_workers) return wa > wb;
  if ((wa >= 2) != (wb >= 2)) return wa >= 2;
  return wa < wb;
}

struct Row {
  std::string label;
  const BenchmarkView* threads = nullptr;
  const BenchmarkView* processes = nullptr;
  // The cheaper of its two modes (a row has at least one).
  const BenchmarkView& fastest() const {
    return !processes || (threads && *cost_ns(*threads) <= *cost_ns(*processes)) ? *threads : *processes;
  }
  double best() const { return *cost_ns(fastest()); }
};

// A cell whose text links to the row of benchmark `name`.
json linked(const std::string& text, const std::string& name) {
  return {{"text", text}, {"href", "#" + benchmark_anchor(name)}};
}

json cost_cell(const BenchmarkView* v) {
  return v ? linked(format_quantity(*cost_ns(*v), "ns"), v->base) : json(nullptr);
}

json ratio_cell(const Row& row) {
  if (!row.threads || !row.processes) return nullptr;
  return ratio_text(*cost_ns(*row.processes) / *cost_ns(*row.threads));
}

json table(const std::vector<std::string>& labels, json rows) {
  json columns = json::array();
  for (std::size_t i = 0; i < labels.size(); ++i) columns.push_back({{"label", labels[i]}, {"numeric", i > 0}});
  return {{"kind", "table"}, {"columns", std::move(columns)}, {"rows", std::move(rows)}};
}

json text(const std::string& t) { return {{"kind", "text"}, {"text", t}}; }

json card(const std::string& title, json blocks) {
  return {{"kind", "card"}, {"title", title}, {"blocks", std::move(blocks)}};
}

// A table of its first kRowsShown rows, the rest folded beneath it.
void add_folded_table(json& blocks, const std::vector<std::string>& labels, const json& rows) {
  json shown = json::array(), rest = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) (i < kRowsShown ? shown : rest).push_back(rows[i]);
  blocks.push_back(table(labels, std::move(shown)));
  if (!rest.empty())
    blocks.push_back({{"kind", "details"},
                      {"summary", fmt::format("{} more", rest.size())},
                      {"blocks", json::array({table(labels, std::move(rest))})}});
}

std::string where(const Row& row) {
  const BenchmarkView* v = row.threads ? row.threads : row.processes;
  std::string at;
  if (v->size_bytes) at += format_quantity(*v->size_bytes, "B");
  if (v->workers) at += (at.empty() ? "" : ", ") + fmt::format("{:g} workers", *v->workers);
  return at;
}

std::string headline(const std::vector<Row>& rows) {
  const Row& best = rows.front();
  std::string line = fmt::format("Fastest: {} with {}, {}", best.label, best.fastest().mode,
                                 format_quantity(best.best(), "ns"));
  if (rows.size() > 1)
    line += fmt::format(", {} faster than the next, {} ({})", ratio_text(rows[1].best() / best.best()),
                        rows[1].label, format_quantity(rows[1].best(), "ns"));
  std::vector<double> ratios;
  for (const Row& r : rows)
    if (r.threads && r.processes) ratios.push_back(*cost_ns(*r.processes) / *cost_ns(*r.threads));
  if (!ratios.empty())
    line += fmt::format(". Processes cost {} threads (median over {} measured both ways)", ratio_text(median_of(ratios)),
                        ratios.size());
  // Rows are sorted: a family's first row is its best.
  std::set<std::string> families;
  std::string per_family;
  for (const Row& r : rows) {
    const auto cut = r.label.find('/');
    if (families.insert(r.label.substr(0, cut)).second)
      per_family += fmt::format(" {} {} ({}),", r.label.substr(0, cut), r.label.substr(cut + 1),
                                format_quantity(r.best(), "ns"));
  }
  if (families.size() > 1) {
    per_family.pop_back();
    line += ". Best per family:" + per_family;
  }
  return line + ".";
}

// The first (or last) segment of every row's label when they all share it and
// have another; empty otherwise.
std::string shared_segment(const std::vector<Row>& rows, bool first) {
  std::optional<std::string> shared;
  for (const Row& r : rows) {
    const auto cut = first ? r.label.find('/') : r.label.rfind('/');
    if (cut == std::string::npos) return {};
    const std::string segment = first ? r.label.substr(0, cut) : r.label.substr(cut + 1);
    if (shared && *shared != segment) return {};
    shared = segment;
  }
  return shared.value_or("");
}

std::string without_segment(const std::string& label, const std::string& segment) {
  if (label.rfind(segment + "/", 0) == 0) return label.substr(segment.size() + 1);
  return label.substr(0, label.size() - segment.size() - 1);
}

std::optional<json> topic_card(const Topic& topic, const std::vector<BenchmarkView>& views) {
  ViewList candidates;
  for (const auto& v : views)
    if (answers(topic, v)) candidates.push_back(&v);
  if (candidates.empty()) return std::nullopt;
  const std::string placement = chosen_placement(topic, candidates);

  std::map<std::string, Row> by_label;
  for (const BenchmarkView* v : candidates) {
    if (v->placement != placement) continue;
    Row& row = by_label[primitive_label(topic, *v)];
    const BenchmarkView*& slot = v->mode == "threads" ? row.threads : row.processes;
    if (!slot || preferred(topic, *v, *slot)) slot = v;
  }
  std::vector<Row> rows;
  for (auto& [label, row] : by_label) {
    row.label = label;
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.best() < b.best(); });

  std::set<std::string> sizes;
  for (const Row& r : rows) sizes.insert(where(r));
  const bool one_size = sizes.size() == 1;
  std::string scope = fmt::format("{} · {}", topic.cost, placement);
  if (one_size && !sizes.begin()->empty()) scope += " · " + *sizes.begin();
  const std::string headline_text = headline(rows);
  // What every row's name shares goes to the card's scope line, so the table stays narrow.
  for (const std::string& shared : {shared_segment(rows, true), shared_segment(rows, false)})
    if (!shared.empty()) {
      for (Row& r : rows) r.label = without_segment(r.label, shared);
      scope += " · " + shared;
    }
  json table_rows = json::array();
  for (const Row& r : rows) {
    const std::string label = one_size || where(r).empty() ? r.label : fmt::format("{} ({})", r.label, where(r));
    table_rows.push_back({label, cost_cell(r.threads), cost_cell(r.processes), ratio_cell(r)});
  }
  json blocks = json::array({text(scope + "."), text(headline_text)});
  add_folded_table(blocks, {"primitive", "threads", "processes", "proc./thr."}, table_rows);
  return card(topic.title, std::move(blocks));
}

std::optional<json> floor_card(const std::vector<BenchmarkView>& views) {
  std::map<std::string, Row> by_class;
  std::vector<std::string> order;
  for (const auto& v : views) {
    if (!is_core_to_core_floor(v)) continue;
    if (!by_class.count(v.placement)) order.push_back(v.placement);
    Row& row = by_class[v.placement];
    (v.mode == "threads" ? row.threads : row.processes) = &v;
  }
  if (order.empty()) return std::nullopt;
  json rows = json::array();
  for (const auto& cls : order) {
    const Row& r = by_class[cls];
    rows.push_back({cls == "same-pu" ? "same-pu (two workers time-sharing one PU: the scheduler, not a cache line)" : cls,
                    cost_cell(r.threads), cost_cell(r.processes)});
  }
  json blocks = json::array({text("The median round trip of one cache line between two pinned workers (c2c/rtt), "
                                  "per placement class: what the hardware charges for a hand-off.")});
  blocks.push_back(table({"placement class", "threads", "processes"}, std::move(rows)));
  return card("Core-to-core floor", std::move(blocks));
}

json sweep_blocks(const CapacityAnalysis& analysis) {
  json blocks = json::array();
  json rows = json::array();
  std::map<std::string, std::vector<json>> rows_by_family;
  std::size_t fitted = 0, max_distinct = 0;
  for (const SweepCapacity& s : analysis.sweeps) {
    std::vector<const SweepPoint*> usable;
    for (const SweepPoint& p : s.sweep.points)
      if (p.usable()) usable.push_back(&p);
    max_distinct = std::max(max_distinct, usable.size());
    if (usable.size() < 2) continue;
    const SweepPoint& first = *usable.front();
    const SweepPoint& last = *usable.back();
    std::string knee;
    if (s.fit) {
      ++fitted;
      knee = s.fit->peak_workers ? fmt::format("N* = {:.3g}{}", *s.fit->peak_workers,
                                               s.fit->peak_beyond_measured ? " (beyond measured)" : "")
                                 : "no peak in the model";
    }
    json row{s.sweep.key, fmt::format("{:g}", last.workers),
             linked(ratio_text(last.median_throughput() / first.median_throughput()), last.benchmark)};
    if (s.fit) row.push_back(knee);
    rows_by_family[s.sweep.family].push_back(std::move(row));
  }
  // One sweep of each family first: a run has many sweeps of a kind.
  for (std::size_t i = 0, added = 1; added; ++i) {
    added = 0;
    for (const auto& [family, family_rows] : rows_by_family)
      if (i < family_rows.size()) {
        rows.push_back(family_rows[i]);
        ++added;
      }
  }
  if (!rows.empty()) {
    blocks.push_back(text("Throughput at the largest worker count N measured, against the smallest, and the knee of "
                          "the Universal Scalability Law fit (primbench capacity)."));
    if (fitted == 0)
      blocks.push_back(text(fmt::format("No sweep could be fitted: the fit needs {} worker counts, and this run "
                                        "measured at most {}.",
                                        kUslMinimumDistinctWorkers, max_distinct)));
    // The knee column only where some sweep has one; a row without a fit gets an empty cell.
    if (fitted > 0)
      for (auto& row : rows)
        if (row.size() == 3) row.push_back(nullptr);
    add_folded_table(blocks, fitted > 0 ? std::vector<std::string>{"sweep", "N", "vs smallest N", "knee"}
                                        : std::vector<std::string>{"sweep", "N", "vs smallest N"},
                     rows);
  }
  return blocks;
}

json open_loop_blocks(const CapacityAnalysis& analysis) {
  json blocks = json::array();
  json load_rows = json::array();
  for (const SloCapacity& c : analysis.open_loop) {
    const json subject = linked(registered_name(c.subject), c.subject);
    if (c.max_rate) {
      load_rows.push_back({subject, format_quantity(*c.max_rate, c.unit),
                           c.p99_ns ? json(format_quantity(*c.p99_ns, "ns")) : json(nullptr)});
      continue;
    }
    // None met the target: the lowest p99 measured says how far off it is.
    const LoadPoint* lowest = nullptr;
    for (const LoadPoint& p : c.load)
      if (p.p99_ns && (!lowest || *p.p99_ns < *lowest->p99_ns)) lowest = &p;
    load_rows.push_back({subject, "none",
                         lowest ? json(fmt::format("lowest {}", format_quantity(*lowest->p99_ns, "ns"))) : json(c.note)});
  }
  if (!load_rows.empty()) {
    blocks.push_back(text(fmt::format("The highest offered rate whose p99 latency stays within {} (open loop).",
                                      format_quantity(analysis.slo_ns, "ns"))));
    add_folded_table(blocks, {"load", "highest rate", "p99"}, load_rows);
  }
  return blocks;
}

std::optional<json> capacity_card(const json& results) {
  const CapacityAnalysis analysis = analyse_capacity(results);
  json blocks = sweep_blocks(analysis);
  for (json& b : open_loop_blocks(analysis)) blocks.push_back(std::move(b));
  if (blocks.empty()) return std::nullopt;
  return card("Capacity", std::move(blocks));
}

// A: nothing disturbed the run; B: caveats that widen the spread; C: the run
// was disturbed; D: the machine changed or the run was cut short.
char noise_grade(const std::vector<NoiseWarning>& warnings) {
  char grade = 'A';
  for (const NoiseWarning& w : warnings) {
    switch (w.source) {
      case NoiseSource::interrupted:
      case NoiseSource::machine_changed: grade = std::max(grade, 'D'); break;
      case NoiseSource::load:
      case NoiseSource::steal:
      case NoiseSource::repetitions_vary:
      case NoiseSource::disturbed:
      case NoiseSource::unexplained_pairs: grade = std::max(grade, 'C'); break;
      default: grade = std::max(grade, 'B');
    }
  }
  return grade;
}

json noise_card(const json& results, const std::vector<BenchmarkView>& views) {
  const auto warnings = noise_warnings(results, views);
  const char grade = noise_grade(warnings);
  static const std::map<char, std::string> meaning{
      {'A', "nothing in the machine or the results suggests disturbance"},
      {'B', "caveats that widen the spread, nothing that moved the numbers"},
      {'C', "other work, the hypervisor or repetitions that disagree disturbed the run"},
      {'D', "the machine changed speed during the run, or the run was cut short: do not compare it"}};
  json blocks = json::array({text(fmt::format("Grade {}: {} ({} noise warnings, listed under Machine and run).", grade,
                                              meaning.at(grade), warnings.size()))});
  std::size_t repeated = 0, steady = 0;
  for (const auto& v : views)
    if (v.cv) {
      ++repeated;
      steady += *v.cv <= kHighCv;
    }
  if (repeated == 0)
    blocks.push_back(text("Each benchmark ran once, so no spread was measured: compare this run with another "
                          "through primbench ab, which decides on interleaved rounds."));
  else
    blocks.push_back(text(fmt::format("{} of {} repeated benchmarks agree between repetitions within {:.0f} %; "
                                      "repetitions in one process are not independent samples of the machine, so "
                                      "decide regressions with primbench ab (interleaved rounds).",
                                      steady, repeated, kHighCv * 100)));
  blocks.push_back(text("Compare only runs of the same suite, sizes and repetitions on the same machine."));
  return card("Can these numbers be compared?", std::move(blocks));
}

}  // namespace

std::string benchmark_anchor(const std::string& name) {
  std::string id = "b-";
  for (const unsigned char c : registered_name(name)) id += std::isspace(c) ? '_' : static_cast<char>(c);
  return id;
}

json open_loop_capacity_blocks(const json& results) { return open_loop_blocks(analyse_capacity(results)); }

json answers_section(const json& results, const std::vector<BenchmarkView>& views) {
  json cards = json::array();
  for (const Topic& topic : topics())
    if (auto c = topic_card(topic, views)) cards.push_back(std::move(*c));
  if (auto c = floor_card(views)) cards.push_back(std::move(*c));
  if (auto c = capacity_card(results)) cards.push_back(std::move(*c));
  cards.push_back(noise_card(results, views));
  return {{"id", "summary"},
          {"heading", "Summary"},
          {"blocks", json::array({{{"kind", "grid"}, {"blocks", std::move(cards)}}})}};
}

}  // namespace primbench
