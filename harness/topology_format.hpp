// Human- and machine-readable views of a Topology (`primbench topo`).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "harness/topology.hpp"

namespace primbench {

// One line: "2 PUs, 2 cores, 1 package, 1 NUMA node, SMT off; L2 x2, L3 x1; bindings real (live)",
// with "; 1 of 2 PUs allowed by the CPU affinity (PU 1)" before the bindings when PUs are left out.
std::string topology_summary(const Topology& topo);

// An indented tree in the spirit of lstopo: chains of single children are
// joined with " + ", and only objects holding allowed PUs are shown.
std::string topology_tree(const Topology& topo);

// Everything the model holds (counts, PUs, caches, groups, cpukinds).
nlohmann::json topology_to_json(const Topology& topo);

// The compact subset carried in every result file.
nlohmann::json topology_summary_json(const Topology& topo);

}  // namespace primbench
