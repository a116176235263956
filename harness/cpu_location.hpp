// The PUs a user chooses on the command line (run --cpuset, plan --pus), in
// hwloc's location syntax as hwloc-calc and hwloc-bind take it: core:0-3,
// numa:1, package:0.core:0-7, pu:2,pu:5, core:0-3 ~pu:1, 0x3, all. Indexes
// are hwloc's logical ones, as in those tools; plain lists of OS indexes
// (0,2-3), which primbench always took, keep their meaning.
#pragma once

#include <string_view>
#include <vector>

#include "harness/topology.hpp"

namespace primbench {

// The PUs (OS indexes) `location` names in `topo`: a plain list in the order
// given, anything else in logical order; `all` is every allowed PU. Throws
// UsageError naming the option and location (with hwloc's complaint) when hwloc
// cannot resolve it, when it names no PU, or a PU the topology does not have.
std::vector<unsigned> resolve_cpu_location(const Topology& topo, std::string_view location,
                                           std::string_view option = "location");

// Resolves `location` and narrows topo's allowed PUs to it; `option`
// ("--cpuset") names it in errors and in allowed_reason(). Throws UsageError
// when it names a PU that is not allowed (outside the CPU affinity or cgroup).
std::vector<unsigned> restrict_to_location(Topology& topo, std::string_view option, std::string_view location);

}  // namespace primbench
