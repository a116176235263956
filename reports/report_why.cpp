#include "reports/report_why.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "reports/quantity_text.hpp"
#include "reports/op_counter_changes.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// A pair differs when processes and threads are this far apart per op.
constexpr double kPairCountGap = 0.5;
constexpr std::size_t kMaxPairLines = 8;

std::optional<double> counter_of(const BenchmarkView& v, std::string_view counter) {
  const auto it = v.op_counters.find(std::string(counter));
  return it == v.op_counters.end() ? std::nullopt : std::optional(it->second);
}

// The name with its mode segment blanked: threads and processes twins share it.
std::string twin_key(const BenchmarkView& v) {
  std::vector<std::string> s = v.segments;
  if (s.size() > 2) s[2] = "*";
  std::string key;
  for (const auto& part : s) key += (key.empty() ? "" : "/") + part;
  return key;
}

std::vector<std::string> pair_lines(const BenchmarkViews& rows) {
  std::map<std::string, std::map<std::string, const BenchmarkView*>> twins;
  for (const BenchmarkView* v : rows) twins[twin_key(*v)][v->mode] = v;
  std::vector<std::string> lines;
  for (const auto& [key, modes] : twins) {
    const auto t = modes.find("threads"), p = modes.find("processes");
    if (t == modes.end() || p == modes.end()) continue;
    std::vector<std::string> extra;
    for (const auto& label : {kOpCounterLabels[0], kOpCounterLabels[1], kOpCounterLabels[3]}) {  // switches, calls, faults
      const auto a = counter_of(*t->second, label.counter), b = counter_of(*p->second, label.counter);
      if (!a || !b || std::fabs(*b - *a) < kPairCountGap) continue;
      extra.push_back(fmt::format("{} {} {}", op_counter_text(std::fabs(*b - *a), ""), *b > *a ? "extra" : "fewer",
                                  label.words));
    }
    if (!extra.empty() && lines.size() < kMaxPairLines)
      lines.push_back(fmt::format("{}: processes pay {} per op here, against threads", short_name(key),
                                  fmt::join(extra, ", ")));
  }
  return lines;
}

}  // namespace

std::vector<json> why_blocks(const BenchmarkViews& measured) {
  BenchmarkViews rows;
  for (const BenchmarkView* v : measured)
    if (!v->op_counters.empty()) rows.push_back(v);
  if (rows.empty()) return {};
  std::stable_sort(rows.begin(), rows.end(), [](const BenchmarkView* a, const BenchmarkView* b) {
    return std::pair(twin_key(*a), a->mode != "threads") < std::pair(twin_key(*b), b->mode != "threads");
  });
  std::vector<const OpCounterLabel*> used;
  for (const OpCounterLabel& label : kOpCounterLabels)
    if (std::any_of(rows.begin(), rows.end(), [&](const BenchmarkView* v) { return counter_of(*v, label.counter); }))
      used.push_back(&label);
  json columns = json::array({{{"label", "benchmark"}}, {{"label", "time / op"}, {"numeric", true}}});
  for (const OpCounterLabel* label : used)
    columns.push_back({{"label", std::string(label->words) + " / op"}, {"numeric", true}});
  json table_rows = json::array();
  for (const BenchmarkView* v : rows) {
    json row = json::array({short_name(v->base), v->time_ns ? json(format_quantity(*v->time_ns, "ns")) : json(nullptr)});
    for (const OpCounterLabel* label : used) {
      const auto value = counter_of(*v, label->counter);
      row.push_back(value ? json(op_counter_text(*value, label->unit)) : json(nullptr));
    }
    table_rows.push_back(std::move(row));
  }
  std::vector<json> blocks{{{"kind", "table"},
                            {"caption", "Why: what one operation costs the kernel and the CPU, summed over the "
                                        "benchmark's workers (— where this machine cannot count it; the result file "
                                        "says why)"},
                            {"columns", std::move(columns)},
                            {"rows", std::move(table_rows)}}};
  for (const std::string& line : pair_lines(rows)) blocks.push_back({{"kind", "text"}, {"text", line}});
  return blocks;
}

}  // namespace primbench
