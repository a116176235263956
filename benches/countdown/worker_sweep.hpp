// Scaling sweeps over worker counts (countdown, pool): which N to visit for a
// placement policy, and which of the N workers share a core, so that the
// speedup knee at the SMT boundary can be read straight from the result file.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "harness/placement.hpp"
#include "harness/topology.hpp"

namespace primbench::sweep {

// The policies a sweep runs under: fill cores' PUs first, spread over the
// machine, or one PU per core (never two workers on one core).
inline constexpr Policy kSweepPolicies[] = {Policy::compact, Policy::spread, Policy::cores};

// How many PUs (cores, for Policy::cores) a policy may place workers on.
inline unsigned policy_capacity(const Topology& topo, Policy policy) {
  return static_cast<unsigned>(policy_order(topo, policy).size());
}

// Every N from 1 to `capacity` on small machines; on larger ones the powers of
// two plus the points where the curve can bend: the core count and one past
// it (where spread starts doubling up on cores), and the capacity itself.
// Quick mode keeps the two ends.
inline std::vector<unsigned> worker_counts(unsigned capacity, unsigned cores, bool quick) {
  constexpr unsigned kEveryNUpTo = 8;
  std::vector<unsigned> counts;
  if (capacity == 0) return counts;
  if (quick) {
    counts = {1, capacity};
  } else if (capacity <= kEveryNUpTo) {
    for (unsigned n = 1; n <= capacity; ++n) counts.push_back(n);
  } else {
    for (unsigned n = 1; n <= capacity; n *= 2) counts.push_back(n);
    for (unsigned n : {cores, cores + 1, capacity})
      if (n >= 1 && n <= capacity) counts.push_back(n);
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// Per worker: its PU, its core, and the other workers on that core (SMT
// siblings doing work at the same time). Plus the totals a report plots
// against: distinct cores used, and how many workers share their core.
inline nlohmann::json describe_core_sharing(const Topology& topo, const std::vector<unsigned>& pus) {
  std::map<int, std::vector<unsigned>> workers_by_core;
  for (unsigned w = 0; w < pus.size(); ++w) workers_by_core[topo.pu_by_os(pus[w]).core].push_back(w);
  nlohmann::json workers = nlohmann::json::array();
  unsigned sharing = 0;
  for (unsigned w = 0; w < pus.size(); ++w) {
    const int core = topo.pu_by_os(pus[w]).core;
    std::vector<unsigned> others;
    for (unsigned o : workers_by_core[core])
      if (o != w) others.push_back(o);
    sharing += others.empty() ? 0 : 1;
    workers.push_back({{"worker", w}, {"pu", pus[w]}, {"core", core}, {"core_shared_with_workers", others}});
  }
  return {{"workers", workers},
          {"cores_used", workers_by_core.size()},
          {"workers_sharing_a_core", sharing},
          {"smt_width", topo.smt_width()}};
}

// "/w<N>": the suffix every sweep entry's name ends with.
inline std::string workers_suffix(unsigned n) { return fmt::format("/w{}", n); }

}  // namespace primbench::sweep
