// Which cells a core-to-core latency matrix measures, and how its result is
// written down — everything about the matrix that needs no measuring, so it is
// testable on a synthetic topology.
//
// Rows and columns are the allowed PUs in hwloc's logical order (cores, caches
// and packages form visible blocks in a heatmap). Above kMatrixMaxPus PUs the
// matrix is a sample, said so in the result: first the PUs of every placement
// class's representative pair (so each class's floor is measured on exactly
// the pair the other families use), then PUs in spread order (one per package,
// NUMA node, L3, ... in turn) until the cap. Each unordered pair is one cell,
// measured once with the row PU initiating, and mirrored; the diagonal holds
// the same-PU round trip of two workers time-sharing the PU.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/placement.hpp"
#include "harness/topology.hpp"

namespace primbench::shm {

inline constexpr unsigned kMatrixMaxPus = 64;  // 64 PUs = 2080 cells: ~1 ms each in a 3 s budget

struct MatrixCell {
  unsigned row = 0, col = 0;  // indexes into MatrixLayout::pus, row <= col
  std::optional<PairClass> cls;  // the first class in kAllPairClasses order that holds
};

struct ClassRepresentative {
  PairClass cls{};
  PuPair pair;             // as the pair plan names it (OS indexes)
  std::size_t cell = 0;    // the cell measuring it
};

struct MatrixLayout {
  std::vector<unsigned> pus;  // OS indexes, logical order
  bool sampled = false;
  std::size_t sampled_from = 0;  // allowed PUs before sampling
  std::vector<MatrixCell> cells;
  std::vector<ClassRepresentative> representatives;  // one per class present in the pair plan

  std::size_t cell_index(unsigned row, unsigned col) const {  // either order
    const std::size_t r = std::min(row, col), c = std::max(row, col), n = pus.size();
    return r * n - r * (r - 1) / 2 + (c - r);  // listed row by row, col >= row: row r starts after sum(n - k), k < r
  }
  bool diagonal(const MatrixCell& cell) const { return cell.row == cell.col; }
};

inline std::optional<PairClass> primary_class(const PuInfo& a, const PuInfo& b) {
  for (PairClass c : kAllPairClasses)
    if (pair_in_class(a, b, c)) return c;
  return std::nullopt;
}

inline std::vector<unsigned> sample_matrix_pus(const Topology& topo, const PairPlan& plan, unsigned max_pus) {
  std::set<unsigned> chosen;
  for (const PairClassPlan& c : plan.classes)
    if (c.present && chosen.size() + 2 <= max_pus) chosen.insert({c.pairs.front().a, c.pairs.front().b});
  for (unsigned pu : policy_order(topo, Policy::spread)) {
    if (chosen.size() >= max_pus) break;
    chosen.insert(pu);
  }
  std::vector<unsigned> out;
  for (unsigned pu : topo.allowed_pus())  // back to logical order
    if (chosen.count(pu)) out.push_back(pu);
  return out;
}

inline MatrixLayout plan_c2c_matrix(const Topology& topo, const PairPlan& plan, unsigned max_pus = kMatrixMaxPus) {
  MatrixLayout layout;
  const std::vector<unsigned> allowed = topo.allowed_pus();
  layout.sampled_from = allowed.size();
  layout.sampled = allowed.size() > max_pus;
  layout.pus = layout.sampled ? sample_matrix_pus(topo, plan, max_pus) : allowed;
  const unsigned n = static_cast<unsigned>(layout.pus.size());
  for (unsigned r = 0; r < n; ++r)
    for (unsigned c = r; c < n; ++c)
      layout.cells.push_back({r, c, primary_class(topo.pu_by_os(layout.pus[r]), topo.pu_by_os(layout.pus[c]))});
  auto index_of = [&](unsigned pu) -> std::optional<unsigned> {
    const auto it = std::find(layout.pus.begin(), layout.pus.end(), pu);
    if (it == layout.pus.end()) return std::nullopt;
    return static_cast<unsigned>(it - layout.pus.begin());
  };
  for (const PairClassPlan& c : plan.classes) {
    if (!c.present) continue;
    const PuPair pair = c.pairs.front();
    const auto a = index_of(pair.a), b = index_of(pair.b);
    if (a && b) layout.representatives.push_back({c.cls, pair, layout.cell_index(*a, *b)});
  }
  return layout;
}

// The time the benchmark reports: the mean over the cells of distinct PUs
// (the diagonal only when there is no other cell: a one-PU machine).
inline double mean_pair_rtt(const MatrixLayout& layout, std::span<const double> cell_ns) {
  double sum = 0;
  std::size_t n = 0;
  for (bool diagonal_only : {false, true}) {
    for (std::size_t i = 0; i < layout.cells.size(); ++i)
      if (layout.diagonal(layout.cells[i]) == diagonal_only && std::isfinite(cell_ns[i])) {
        sum += cell_ns[i];
        ++n;
      }
    if (n > 0) break;
  }
  return n ? sum / static_cast<double>(n) : 0.0;
}

// The per-class floors the reports divide other latencies by: the cell of the
// class's representative pair, and the mean over every cell in the class.
struct ClassFloors {
  std::map<std::string, double> floor_ns, class_mean_ns;
  std::map<std::string, std::vector<unsigned>> floor_pairs;
  std::map<std::string, std::size_t> class_cells;
};

inline ClassFloors class_floors(const Topology& topo, const MatrixLayout& layout, std::span<const double> cell_ns) {
  ClassFloors out;
  for (const ClassRepresentative& r : layout.representatives) {
    const std::string name(to_string(r.cls));
    out.floor_ns[name] = cell_ns[r.cell];
    out.floor_pairs[name] = {r.pair.a, r.pair.b};
  }
  for (PairClass c : kAllPairClasses) {
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < layout.cells.size(); ++i) {
      const MatrixCell& cell = layout.cells[i];
      if (!std::isfinite(cell_ns[i]) ||
          !pair_in_class(topo.pu_by_os(layout.pus[cell.row]), topo.pu_by_os(layout.pus[cell.col]), c))
        continue;
      sum += cell_ns[i];
      ++n;
    }
    if (n == 0) continue;
    out.class_mean_ns[std::string(to_string(c))] = sum / static_cast<double>(n);
    out.class_cells[std::string(to_string(c))] = n;
  }
  return out;
}

// The result's "extra" JSON: the matrix as the HTML report draws it, and the
// floors. `cell_ns` holds one value per cell (NaN: not measured, written null);
// `home_numa` one NUMA node per row (-1: unknown, written null).
inline nlohmann::json matrix_extra(const Topology& topo, const MatrixLayout& layout, std::span<const double> cell_ns,
                                   std::string_view variant, std::span<const int> home_numa) {
  const std::size_t n = layout.pus.size();
  auto value = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json rtt = nlohmann::json::array(), cls = nlohmann::json::array(), homes = nlohmann::json::array();
  for (unsigned r = 0; r < n; ++r) {
    nlohmann::json rtt_row = nlohmann::json::array(), cls_row = nlohmann::json::array();
    for (unsigned c = 0; c < n; ++c) {
      const std::size_t i = layout.cell_index(r, c);
      rtt_row.push_back(value(cell_ns[i]));
      const auto& label = layout.cells[i].cls;
      cls_row.push_back(label ? nlohmann::json(std::string(to_string(*label))) : nlohmann::json(nullptr));
    }
    rtt.push_back(std::move(rtt_row));
    cls.push_back(std::move(cls_row));
    homes.push_back(r < home_numa.size() && home_numa[r] >= 0 ? nlohmann::json(home_numa[r]) : nlohmann::json(nullptr));
  }
  const ClassFloors floors = class_floors(topo, layout, cell_ns);
  nlohmann::json extra{
      {"pus", layout.pus},
      {"rtt_ns", std::move(rtt)},
      {"class", std::move(cls)},
      {"variant", variant},
      {"sampled", layout.sampled},
      {"home_numa", std::move(homes)},
      {"floor_ns", floors.floor_ns},
      {"floor_pairs", floors.floor_pairs},
      {"class_mean_ns", floors.class_mean_ns},
      {"class_cells", floors.class_cells},
      {"home_numa_note",
       "NUMA node of the page holding each row's line (get_mempolicy, read after the run); cell (i, j), i < j, "
       "bounces row i's line"},
      {"diagonal_note",
       "same PU: two workers time-share the PU and hand the line over through sched_yield (scheduler cost, "
       "not a cache transfer); excluded from the reported mean"},
      {"symmetric_note", "each unordered pair is measured once, the row PU initiating, and mirrored"},
      {"class_note",
       "class: the first of same-pu, smt, shared-l2, shared-l3, cross-l3, cross-package, cross-numa that the pair "
       "belongs to; class_mean_ns counts a pair in every class it belongs to; floor_ns is the cell of the class's "
       "representative pair (the pair other families measure)"},
  };
  if (layout.sampled)
    extra["sample_note"] = fmt::format(
        "{} of {} allowed PUs: the PUs of every class's representative pair, then spread order (one per package, "
        "NUMA node, L3, ... in turn) up to {}",
        n, layout.sampled_from, n);
  return extra;
}

}  // namespace primbench::shm
