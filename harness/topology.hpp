// The machine as primbench sees it: a plain-data model read once from hwloc.
//
// Placement planning, printing and tests work on this model only; the hwloc
// handle is kept alongside solely so that pinning can call hwloc's binding API.
// Counts follow the "allowed" view: a PU outside the allowed cpuset (a
// restricted cgroup, an offline CPU, and on the live machine the CPU affinity
// primbench inherited) is listed but never used for placement.
#pragma once

#include <hwloc.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace primbench {

inline constexpr int kNone = -1;  // "this PU has no such ancestor"

struct PuInfo {
  unsigned os_index = 0;       // the CPU number the OS uses (taskset, /proc)
  unsigned logical_index = 0;  // hwloc's topology-ordered index
  bool allowed = true;
  int core = kNone;     // logical index of the Core ancestor
  int package = kNone;  // logical index of the Package ancestor
  int die = kNone;
  int l1 = kNone, l2 = kNone, l3 = kNone;  // logical indexes of CPU caches
  int numa = kNone;                        // first allowed local NUMA node
  std::vector<int> numa_nodes;             // all allowed local NUMA nodes
  int cpukind = kNone;                     // index into Topology::cpukinds
};

struct CacheInfo {
  int level = 0;
  std::string kind;  // "unified", "data", "instruction"
  int logical_index = 0;
  std::uint64_t size_bytes = 0;
  unsigned line_size = 0;
  std::vector<unsigned> pus;  // allowed PUs (OS indexes) sharing this cache
};

struct GroupInfo {  // a core, package, die or NUMA node
  int logical_index = 0;
  unsigned os_index = 0;
  std::vector<unsigned> pus;       // allowed PUs (OS indexes)
  std::uint64_t memory_bytes = 0;  // NUMA nodes only
  std::string subtype;             // e.g. "MCDRAM" for a NUMA node
};

struct CpuKindInfo {
  int efficiency = 0;  // hwloc's ranking: higher is more performant
  std::vector<unsigned> pus;
  std::vector<std::pair<std::string, std::string>> infos;  // CoreType, FrequencyMaxMHz...
};

struct HwlocTopologyDeleter {
  void operator()(hwloc_topology* t) const noexcept { hwloc_topology_destroy(t); }
};
using HwlocHandle = std::unique_ptr<hwloc_topology, HwlocTopologyDeleter>;

class Topology {
 public:
  // `spec` is "live", a path to an hwloc XML export, or "synthetic:<desc>".
  // An empty spec means "live" unless HWLOC_XMLFILE is set, as hwloc's tools do.
  // On the live machine the calling thread's CPU affinity (taskset, hwloc-bind,
  // a job scheduler) narrows the allowed PUs; XML and synthetic ones keep theirs.
  // `affinity_by` names it in allowed_reason(): a benchmark process says
  // "--cpuset core:1", where its run's binding came from.
  // Throws TopologyError with the offending spec in the message.
  static Topology load(const std::string& spec, const std::string& affinity_by = "the CPU affinity");

  // Narrows the allowed PUs to `pus` (OS indexes, each already allowed); `by`
  // says what chose them ("--cpuset core:1") in allowed_reason(). Throws
  // TopologyError naming a PU that is not allowed.
  void restrict_allowed(const std::vector<unsigned>& pus, const std::string& by);

  // Why fewer PUs are allowed than the topology holds, e.g. "1 of 2 PUs
  // allowed by the CPU affinity"; empty when every PU is allowed.
  std::string allowed_reason() const;

  // The topology as an hwloc XML export (disallowed PUs included), for hwloc's
  // own tools to read exactly what primbench reads.
  std::string xml() const;

  const std::string& source() const { return source_; }
  // False for XML and synthetic topologies: binding calls would pin to a
  // machine that is not this one, so they are refused rather than faked.
  bool binding_supported() const { return binding_supported_; }
  hwloc_topology_t hwloc() const { return handle_.get(); }

  const std::vector<PuInfo>& pus() const { return pus_; }  // ordered by logical index
  std::vector<unsigned> allowed_pus() const;               // OS indexes, logical order
  std::vector<unsigned> offline_pus() const { return offline_; }
  const std::vector<GroupInfo>& cores() const { return cores_; }
  const std::vector<GroupInfo>& packages() const { return packages_; }
  const std::vector<GroupInfo>& dies() const { return dies_; }
  const std::vector<GroupInfo>& numa_nodes() const { return numa_; }
  const std::vector<CacheInfo>& caches() const { return caches_; }
  const std::vector<CpuKindInfo>& cpukinds() const { return cpukinds_; }

  const PuInfo& pu_by_os(unsigned os_index) const;  // throws TopologyError
  bool has_pu(unsigned os_index) const;
  // Largest number of allowed PUs found in one core (the SMT width).
  unsigned smt_width() const;

 private:
  void read_model();
  void apply_cpu_affinity(const std::string& by);

  std::string source_;
  bool binding_supported_ = false;
  HwlocHandle handle_;
  std::vector<PuInfo> pus_;
  std::vector<unsigned> offline_;
  std::vector<std::string> narrowed_by_;  // what removed PUs from the allowed set, in order
  std::vector<GroupInfo> cores_, packages_, dies_, numa_;
  std::vector<CacheInfo> caches_;
  std::vector<CpuKindInfo> cpukinds_;
};

}  // namespace primbench
