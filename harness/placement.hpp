// Placement plans: which PUs a benchmark's workers run on.
//
// Two kinds of plan. A pair plan picks, for each relation two workers can have
// (same PU, SMT siblings, sharing an L2/L3, across L3s, packages, NUMA nodes),
// representative PU pairs; a relation the machine lacks is reported absent with
// the reason, never replaced by another. A worker plan places N workers by a
// policy (compact, spread, cores, explicit) and refuses oversubscription unless
// it is explicitly allowed, in which case the plan says so.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "harness/topology.hpp"

namespace primbench {

enum class PairClass { same_pu, smt, shared_l2, shared_l3, cross_l3, cross_package, cross_numa };
inline constexpr PairClass kAllPairClasses[] = {PairClass::same_pu,   PairClass::smt,      PairClass::shared_l2,
                                                PairClass::shared_l3, PairClass::cross_l3, PairClass::cross_package,
                                                PairClass::cross_numa};

std::string_view to_string(PairClass c);
PairClass parse_pair_class(std::string_view name);  // throws PlacementError listing valid names

struct PuPair {
  unsigned a = 0, b = 0;  // OS indexes
  bool operator==(const PuPair&) const = default;
};

// True when the pair belongs to the class (classes by cache level are exclusive:
// a pair sharing an L2 is shared-l2, not shared-l3; cross-package and cross-numa
// can both hold for one pair).
bool pair_in_class(const PuInfo& a, const PuInfo& b, PairClass c);

struct PairClassPlan {
  PairClass cls{};
  bool present = false;
  std::string reason;         // why absent, or a caveat about the chosen pair
  std::vector<PuPair> pairs;  // representative first; every pair when asked for all
};

struct PairPlan {
  std::string topology_source;
  std::vector<PairClassPlan> classes;  // one per PairClass, in kAllPairClasses order
  const PairClassPlan& get(PairClass c) const;
};

PairPlan plan_pairs(const Topology& topo, bool all_pairs = false);

enum class Policy { compact, spread, cores, explicit_list };
std::string_view to_string(Policy p);
Policy parse_policy(std::string_view name);  // throws PlacementError listing valid names

struct WorkerPlan {
  Policy policy = Policy::compact;
  std::vector<unsigned> pus;  // OS index per worker
  unsigned capacity = 0;      // PUs the policy may use (allowed PUs, or cores)
  bool oversubscribed = false;
  unsigned max_workers_per_pu = 0;
  std::string note;
};

struct WorkerRequest {
  unsigned workers = 0;                 // 0 with explicit_list: one per listed PU
  Policy policy = Policy::compact;
  std::vector<unsigned> explicit_pus;  // OS indexes, for Policy::explicit_list
  bool allow_oversubscribe = false;
};

// Throws PlacementError (one line, with the numbers) when the request cannot be met.
WorkerPlan plan_workers(const Topology& topo, const WorkerRequest& request);

// The PU order each policy fills, before any cut to N workers.
std::vector<unsigned> policy_order(const Topology& topo, Policy policy);

nlohmann::json to_json(const PairPlan& plan);
nlohmann::json to_json(const WorkerPlan& plan);
std::string format_table(const PairPlan& plan);
std::string format_table(const WorkerPlan& plan, const Topology& topo);

}  // namespace primbench
