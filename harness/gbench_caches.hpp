// The CPU caches in Google Benchmark's own format, from hwloc.
//
// Google Benchmark reads its context's `caches` from sysfs
// (/sys/devices/system/cpu/cpu0/cache); many virtual machines have no such
// directory, and GB then writes `"caches": []` although hwloc (which also
// asks CPUID) sees L1d, L2 and L3. The result file fills the list from here so
// that tools reading only GB's fields (Bencher, GB's own scripts) see them too.
#pragma once

#include <nlohmann/json.hpp>

#include "harness/topology.hpp"

namespace primbench {

// The caches of the first allowed PU, as GB lists CPU 0's: one
// {"type": "Data"|"Instruction"|"Unified", "level", "size" (bytes),
// "num_sharing" (allowed PUs sharing it)} per cache, by level, data before
// instruction. Empty when hwloc knows no caches either.
nlohmann::json gbench_cache_list(const Topology& topo);

}  // namespace primbench
