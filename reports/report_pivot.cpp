#include "reports/report_pivot.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "reports/quantity_text.hpp"
#include "reports/report_answers.hpp"

namespace primbench {
namespace {

using nlohmann::json;

bool has_mode(const BenchmarkView& v) { return v.mode == "threads" || v.mode == "processes"; }

// The name without family, mode, placement and size: what a row stands for.
std::string row_of(const BenchmarkView& v) {
  if (!has_mode(v)) return short_name(v.base);
  std::string out;
  for (std::size_t i = 1; i < v.segments.size(); ++i)
    if (i != 2 && i != 3 && v.size_segment != i) out += (out.empty() ? "" : "/") + v.segments[i];
  return out;
}

std::string column_of(const BenchmarkView& v) {
  return has_mode(v) ? fmt::format("{} · {}", v.mode, v.placement) : std::string("value");
}

// Indexes in first-seen order.
template <class Key>
std::size_t index_of(std::map<Key, std::size_t>& index, json& labels, const Key& key, const std::string& label) {
  const auto [it, added] = index.emplace(key, index.size());
  if (added) labels.push_back(label);
  return it->second;
}

}  // namespace

std::optional<json> pivot_block(const BenchmarkViews& measured) {
  // Sizes ascending, whatever order the benchmarks ran in.
  std::set<double> sizes;
  bool unsized = false;
  for (const BenchmarkView* v : measured)
    if (cost_ns(*v)) {
      if (v->size_bytes)
        sizes.insert(*v->size_bytes);
      else
        unsized = true;
    }
  if (sizes.empty() && !unsized) return std::nullopt;
  json size_labels = json::array();
  std::map<double, std::size_t> size_index;
  for (const double s : sizes) index_of(size_index, size_labels, s, format_quantity(s, "B"));
  if (sizes.empty()) size_labels.push_back("—");

  std::map<std::string, std::size_t> rows, columns;
  json row_labels = json::array(), column_labels = json::array(), cells = json::array();
  for (const BenchmarkView* v : measured) {
    const auto cost = cost_ns(*v);
    if (!cost) continue;
    const std::size_t row = index_of(rows, row_labels, row_of(*v), row_of(*v));
    const std::size_t column = index_of(columns, column_labels, column_of(*v), column_of(*v));
    // A benchmark without a size, beside sized ones, shows at every size (null).
    const json size = v->size_bytes ? json(size_index[*v->size_bytes]) : sizes.empty() ? json(0) : json(nullptr);
    cells.push_back({row, column, size, format_quantity(*cost, "ns"), *cost, "#" + benchmark_anchor(v->base)});
  }
  return json{{"kind", "pivot"},
              {"caption", "Cost per operation: the median latency sample where the benchmark records a distribution "
                          "(a round trip for rtt), else the time per operation. Click a heading to sort; type to "
                          "filter; every number links to its row in the full table."},
              {"row_label", "benchmark"},
              {"rows", std::move(row_labels)},
              {"columns", std::move(column_labels)},
              {"sizes", std::move(size_labels)},
              {"cells", std::move(cells)}};
}

}  // namespace primbench
