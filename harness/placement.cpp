#include "harness/placement.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "harness/cpu_list.hpp"
#include "basics/errors.hpp"

namespace primbench {
namespace {

bool same(int x, int y) { return x != kNone && x == y; }
bool differ(int x, int y) { return x != kNone && y != kNone && x != y; }

// The class a pair falls in by the smallest cache/core object they share.
bool hierarchy_class(const PuInfo& a, const PuInfo& b, PairClass c) {
  if (a.os_index == b.os_index) return c == PairClass::same_pu;
  if (same(a.core, b.core)) return c == PairClass::smt;
  if (same(a.l2, b.l2)) return c == PairClass::shared_l2;
  if (same(a.l3, b.l3)) return c == PairClass::shared_l3;
  if (same(a.package, b.package) && differ(a.l3, b.l3)) return c == PairClass::cross_l3;
  return false;
}

// A "pure" pair differs from its class in nothing else worth measuring apart:
// a cross-package pair that also crosses NUMA nodes mixes two effects.
bool is_pure(const PuInfo& a, const PuInfo& b, PairClass c) {
  switch (c) {
    case PairClass::cross_package:
    case PairClass::cross_l3: return same(a.numa, b.numa);
    case PairClass::cross_numa: return same(a.package, b.package);
    default: return true;
  }
}

std::string impure_caveat(PairClass c) {
  switch (c) {
    case PairClass::cross_package: return "every cross-package pair here also crosses NUMA nodes";
    case PairClass::cross_l3: return "every cross-L3 pair here also crosses NUMA nodes";
    case PairClass::cross_numa: return "every cross-NUMA pair here also crosses packages";
    default: return "";
  }
}

std::string absent_reason(const Topology& topo, PairClass c) {
  const auto& pus = topo.pus();
  auto any = [&](auto field) { return std::any_of(pus.begin(), pus.end(), [&](const PuInfo& p) { return p.*field != kNone; }); };
  switch (c) {
    case PairClass::same_pu: return "no allowed PU";
    case PairClass::smt: return "no core has two allowed PUs (SMT absent or disabled)";
    case PairClass::shared_l2:
      return any(&PuInfo::l2) ? "no two cores share an L2 cache" : "the topology reports no L2 cache";
    case PairClass::shared_l3:
      return any(&PuInfo::l3) ? "no two cores share an L3 cache without also sharing an L2"
                              : "the topology reports no L3 cache";
    case PairClass::cross_l3:
      return any(&PuInfo::l3) ? "no package holds two L3 caches" : "the topology reports no L3 cache";
    case PairClass::cross_package: return fmt::format("only {} package has allowed PUs", topo.packages().size());
    case PairClass::cross_numa:
      return topo.numa_nodes().size() > 1 ? "NUMA locality of the allowed PUs is unknown"
                                          : fmt::format("only {} NUMA node has allowed PUs", topo.numa_nodes().size());
  }
  return "unknown class";
}

template <typename Enum, std::size_t N>
Enum parse_enum(std::string_view name, const Enum (&all)[N], const char* what) {
  std::string valid;
  for (Enum e : all) {
    if (to_string(e) == name) return e;
    valid += fmt::format("{}{}", valid.empty() ? "" : ", ", to_string(e));
  }
  throw PlacementError(fmt::format("unknown {} '{}' (valid: {})", what, name, valid));
}

constexpr Policy kAllPolicies[] = {Policy::compact, Policy::spread, Policy::cores, Policy::explicit_list};

// Round-robin across the groups of one hierarchy level, recursively: one PU
// per package before a second in any package, and so on down to SMT siblings.
std::vector<const PuInfo*> spread_order(std::vector<const PuInfo*> pus, std::size_t level) {
  static constexpr int PuInfo::*kLevels[] = {&PuInfo::package, &PuInfo::numa, &PuInfo::die,
                                             &PuInfo::l3,      &PuInfo::l2,   &PuInfo::core};
  if (level == std::size(kLevels) || pus.size() <= 1) return pus;
  std::vector<int> keys;  // first-appearance order keeps the result deterministic
  std::map<int, std::vector<const PuInfo*>> groups;
  for (const PuInfo* p : pus) {
    const int key = p->*kLevels[level];
    if (!groups.count(key)) keys.push_back(key);
    groups[key].push_back(p);
  }
  std::vector<std::vector<const PuInfo*>> ordered;
  for (int key : keys) ordered.push_back(spread_order(groups[key], level + 1));
  std::vector<const PuInfo*> out;
  for (std::size_t round = 0; out.size() < pus.size(); ++round)
    for (const auto& g : ordered)
      if (round < g.size()) out.push_back(g[round]);
  return out;
}

std::vector<const PuInfo*> allowed_in_logical_order(const Topology& topo) {
  std::vector<const PuInfo*> out;
  for (const PuInfo& p : topo.pus())
    if (p.allowed) out.push_back(&p);
  std::sort(out.begin(), out.end(), [](auto* x, auto* y) { return x->logical_index < y->logical_index; });
  return out;
}

}  // namespace

std::string_view to_string(PairClass c) {
  switch (c) {
    case PairClass::same_pu: return "same-pu";
    case PairClass::smt: return "smt";
    case PairClass::shared_l2: return "shared-l2";
    case PairClass::shared_l3: return "shared-l3";
    case PairClass::cross_l3: return "cross-l3";
    case PairClass::cross_package: return "cross-package";
    case PairClass::cross_numa: return "cross-numa";
  }
  return "?";
}

PairClass parse_pair_class(std::string_view name) { return parse_enum(name, kAllPairClasses, "placement class"); }

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::compact: return "compact";
    case Policy::spread: return "spread";
    case Policy::cores: return "cores";
    case Policy::explicit_list: return "explicit";
  }
  return "?";
}

Policy parse_policy(std::string_view name) { return parse_enum(name, kAllPolicies, "placement policy"); }

bool pair_in_class(const PuInfo& a, const PuInfo& b, PairClass c) {
  if (c == PairClass::cross_package) return differ(a.package, b.package);
  if (c == PairClass::cross_numa) return differ(a.numa, b.numa);
  return hierarchy_class(a, b, c);
}

const PairClassPlan& PairPlan::get(PairClass c) const {
  for (const auto& p : classes)
    if (p.cls == c) return p;
  throw PlacementError(fmt::format("pair plan has no entry for {}", to_string(c)));
}

PairPlan plan_pairs(const Topology& topo, bool all_pairs) {
  PairPlan plan;
  plan.topology_source = topo.source();
  const auto pus = allowed_in_logical_order(topo);
  const std::string narrowed = topo.allowed_reason();
  for (PairClass c : kAllPairClasses) {
    PairClassPlan entry{c, false, "", {}};
    std::vector<PuPair> pure, impure;
    for (std::size_t i = 0; i < pus.size() && (all_pairs || pure.empty()); ++i) {
      // same-pu pairs a PU with itself; every other class pairs distinct PUs.
      const std::size_t first_j = c == PairClass::same_pu ? i : i + 1;
      const std::size_t last_j = c == PairClass::same_pu ? i + 1 : pus.size();
      for (std::size_t j = first_j; j < last_j && (all_pairs || pure.empty()); ++j) {
        if (!pair_in_class(*pus[i], *pus[j], c)) continue;
        (is_pure(*pus[i], *pus[j], c) ? pure : impure).push_back({pus[i]->os_index, pus[j]->os_index});
      }
    }
    if (pure.empty() && !impure.empty()) entry.reason = impure_caveat(c);
    entry.pairs = std::move(pure);
    if (all_pairs || entry.pairs.empty()) entry.pairs.insert(entry.pairs.end(), impure.begin(), impure.end());
    if (!all_pairs && entry.pairs.size() > 1) entry.pairs.resize(1);
    entry.present = !entry.pairs.empty();
    // A class the chosen PUs lack may still be on the machine: say what narrowed them.
    if (!entry.present) entry.reason = absent_reason(topo, c) + (narrowed.empty() ? "" : "; " + narrowed);
    plan.classes.push_back(std::move(entry));
  }
  return plan;
}

std::vector<unsigned> policy_order(const Topology& topo, Policy policy) {
  const auto pus = allowed_in_logical_order(topo);
  std::vector<unsigned> out;
  if (policy == Policy::spread) {
    for (const PuInfo* p : spread_order(pus, 0)) out.push_back(p->os_index);
  } else if (policy == Policy::cores) {
    std::set<int> seen;  // first allowed PU of each core, cores in topology order
    for (const PuInfo* p : pus)
      if (p->core == kNone || seen.insert(p->core).second) out.push_back(p->os_index);
  } else {
    // hwloc's logical order walks the tree depth-first: SMT siblings are
    // adjacent even when their OS indexes interleave (0,8,1,9,...).
    for (const PuInfo* p : pus) out.push_back(p->os_index);
  }
  return out;
}

WorkerPlan plan_workers(const Topology& topo, const WorkerRequest& req) {
  WorkerPlan plan;
  plan.policy = req.policy;
  std::vector<unsigned> order;
  if (req.policy == Policy::explicit_list) {
    if (req.explicit_pus.empty()) throw PlacementError("policy 'explicit' needs a PU list (--pus 0,2,4)");
    const auto allowed = topo.allowed_pus();
    for (unsigned pu : req.explicit_pus)
      if (std::find(allowed.begin(), allowed.end(), pu) == allowed.end())
        throw PlacementError(fmt::format("PU {} is not an allowed PU of this topology (allowed: {})", pu,
                                         format_cpu_list(allowed)));
    order = req.explicit_pus;
  } else {
    order = policy_order(topo, req.policy);
  }
  const unsigned n = req.workers ? req.workers : static_cast<unsigned>(order.size());
  plan.capacity = static_cast<unsigned>(order.size());
  if (n == 0) throw PlacementError("a plan needs at least one worker");
  if (n > plan.capacity && !req.allow_oversubscribe)
    throw PlacementError(fmt::format(
        "{} workers requested but policy '{}' has only {} {} (PUs {}); pass --allow-oversubscribe to time-share them",
        n, to_string(req.policy), plan.capacity, req.policy == Policy::cores ? "cores" : "PUs",
        format_cpu_list(order)));
  for (unsigned w = 0; w < n; ++w) plan.pus.push_back(order[w % order.size()]);
  plan.oversubscribed = n > plan.capacity;
  plan.max_workers_per_pu = (n + plan.capacity - 1) / plan.capacity;
  if (plan.oversubscribed)
    plan.note = fmt::format("oversubscribed: {} workers time-share {} PUs (up to {} per PU)", n, plan.capacity,
                            plan.max_workers_per_pu);
  return plan;
}

nlohmann::json to_json(const PairPlan& plan) {
  nlohmann::json classes = nlohmann::json::array();
  for (const auto& c : plan.classes) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const PuPair& p : c.pairs) pairs.push_back({p.a, p.b});
    nlohmann::json entry{{"class", to_string(c.cls)}, {"present", c.present}, {"pairs", pairs}};
    if (!c.reason.empty()) entry[c.present ? "caveat" : "reason"] = c.reason;
    classes.push_back(std::move(entry));
  }
  return {{"topology", plan.topology_source}, {"pair_classes", classes}};
}

nlohmann::json to_json(const WorkerPlan& plan) {
  nlohmann::json workers = nlohmann::json::array();
  for (std::size_t w = 0; w < plan.pus.size(); ++w) workers.push_back({{"worker", w}, {"pu", plan.pus[w]}});
  return {{"policy", to_string(plan.policy)}, {"workers", workers},     {"capacity", plan.capacity},
          {"oversubscribed", plan.oversubscribed}, {"max_workers_per_pu", plan.max_workers_per_pu},
          {"note", plan.note}};
}

std::string format_table(const PairPlan& plan) {
  std::string out = fmt::format("{:<14} {:<8} {}\n", "class", "present", "pairs (OS indexes) / reason");
  for (const auto& c : plan.classes) {
    std::string detail;
    for (const PuPair& p : c.pairs) detail += fmt::format("{}{}-{}", detail.empty() ? "" : " ", p.a, p.b);
    if (!c.reason.empty()) detail += (detail.empty() ? "" : "  (") + c.reason + (c.present ? ")" : "");
    out += fmt::format("{:<14} {:<8} {}\n", to_string(c.cls), c.present ? "yes" : "no", detail);
  }
  return out;
}

std::string format_table(const WorkerPlan& plan, const Topology& topo) {
  std::string out = fmt::format("{:>6} {:>4} {:>5} {:>7} {:>5}\n", "worker", "PU", "core", "package", "numa");
  for (std::size_t w = 0; w < plan.pus.size(); ++w) {
    const PuInfo& p = topo.pu_by_os(plan.pus[w]);
    out += fmt::format("{:>6} {:>4} {:>5} {:>7} {:>5}\n", w, p.os_index, p.core, p.package, p.numa);
  }
  out += fmt::format("policy {}, {} workers on {} usable PUs{}\n", to_string(plan.policy), plan.pus.size(),
                     plan.capacity, plan.oversubscribed ? "; " + plan.note : "");
  return out;
}

}  // namespace primbench
