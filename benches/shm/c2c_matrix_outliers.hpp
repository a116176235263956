// Cells of a core-to-core matrix that the reported topology does not explain.
//
// Every cell is labelled with a placement class from the topology the OS
// reports, and cells of one class should measure alike. On a virtual machine
// they need not: the hypervisor places vCPUs on host threads of its own
// choosing and may move them. On a 16-vCPU cloud VM (hwloc: 16 cores, one
// L3, no SMT) most shared-l3 cells measured 120-220 ns while one to five pairs
// per matrix answered in 14-24 ns — host SMT siblings — and which pairs did
// changed from one matrix to the next, a minute apart. A user reading "shared-l3"
// must be told, and the class's floor (the one pair the other families use)
// is only trustworthy when that pair is not such a cell.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "benches/shm/c2c_matrix_plan.hpp"

namespace primbench::shm {

// Further than this factor from its class's median, a cell is unexplained. Pairs
// of one class on real machines differ by up to ~1.5x (mesh distance); a
// hidden SMT sibling is ~7x faster than its class.
inline constexpr double kUnexplainedFactor = 3.0;
// A class needs this many measured cells for its median to judge any of them.
inline constexpr std::size_t kUnexplainedMinCells = 3;

struct UnexplainedCell {
  unsigned pu_a = 0, pu_b = 0;  // OS indexes, the row's PU first
  double rtt_ns = 0;
  PairClass cls{};
  double class_median_ns = 0;
  // The classes whose representative pair this is (their floor is this cell, and
  // every benchmark of those classes ran on it); a pair can represent a class
  // other than its first one (cross-numa's pair is also cross-package).
  std::vector<PairClass> floor_of;
};

inline std::vector<UnexplainedCell> unexplained_cells(const MatrixLayout& layout, std::span<const double> cell_ns) {
  std::map<PairClass, std::vector<double>> by_class;
  for (std::size_t i = 0; i < layout.cells.size(); ++i)
    if (!layout.diagonal(layout.cells[i]) && layout.cells[i].cls && std::isfinite(cell_ns[i]))
      by_class[*layout.cells[i].cls].push_back(cell_ns[i]);
  std::map<PairClass, double> medians;
  for (auto& [cls, values] : by_class) {
    if (values.size() < kUnexplainedMinCells) continue;
    const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
    std::nth_element(values.begin(), mid, values.end());
    double median = *mid;
    if (values.size() % 2 == 0) median = (median + *std::max_element(values.begin(), mid)) / 2;
    medians[cls] = median;
  }
  std::vector<UnexplainedCell> out;
  for (std::size_t i = 0; i < layout.cells.size(); ++i) {
    const MatrixCell& cell = layout.cells[i];
    if (layout.diagonal(cell) || !cell.cls || !std::isfinite(cell_ns[i]) || !medians.count(*cell.cls)) continue;
    const double median = medians.at(*cell.cls), v = cell_ns[i];
    if (v * kUnexplainedFactor >= median && v <= median * kUnexplainedFactor) continue;
    std::vector<PairClass> floor_of;
    for (const ClassRepresentative& r : layout.representatives)
      if (r.cell == i) floor_of.push_back(r.cls);
    out.push_back({layout.pus[cell.row], layout.pus[cell.col], v, *cell.cls, median, std::move(floor_of)});
  }
  return out;
}

// The result's "unexplained_cells" list, and a note when it is not empty.
inline void add_unexplained_cells(nlohmann::json& extra, const MatrixLayout& layout, std::span<const double> cell_ns) {
  const std::vector<UnexplainedCell> cells = unexplained_cells(layout, cell_ns);
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::string> floors;
  for (const UnexplainedCell& c : cells) {
    nlohmann::json floor_of = nlohmann::json::array();
    for (PairClass f : c.floor_of) {
      floor_of.push_back(std::string(to_string(f)));
      floors.emplace_back(to_string(f));
    }
    list.push_back({{"pus", {c.pu_a, c.pu_b}},
                    {"rtt_ns", c.rtt_ns},
                    {"class", std::string(to_string(c.cls))},
                    {"class_median_ns", c.class_median_ns},
                    {"floor_pair", !c.floor_of.empty()},
                    {"floor_of", std::move(floor_of)}});
  }
  extra["unexplained_cells"] = std::move(list);
  if (cells.empty()) return;
  std::string note = fmt::format(
      "{} pair(s) measured more than {}x faster or slower than the median of their placement class: the topology "
      "the OS reports does not explain them (on a virtual machine: vCPUs the host ran on SMT siblings of one core, "
      "or far apart; such placement can change while the suite runs).",
      cells.size(), kUnexplainedFactor);
  if (!floors.empty())
    note += fmt::format(" The floor pair of {} is one of them: benchmarks on that class measured that pair.",
                        fmt::join(floors, ", "));
  extra["unexplained_note"] = std::move(note);
}

}  // namespace primbench::shm
