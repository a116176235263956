#include "harness/topology.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "harness/cpu_list.hpp"
#include "basics/errors.hpp"

namespace primbench {
namespace {

// hwloc bitmaps are C objects; this keeps their lifetime exception-safe.
struct Bitmap {
  hwloc_bitmap_t b = hwloc_bitmap_alloc();
  Bitmap() = default;
  Bitmap(const Bitmap&) = delete;
  Bitmap& operator=(const Bitmap&) = delete;
  ~Bitmap() { hwloc_bitmap_free(b); }
};

std::vector<unsigned> bitmap_indexes(hwloc_const_bitmap_t set) {
  std::vector<unsigned> out;
  if (set == nullptr) return out;
  for (int i = hwloc_bitmap_first(set); i != -1; i = hwloc_bitmap_next(set, i))
    out.push_back(static_cast<unsigned>(i));
  return out;
}

int ancestor_index(hwloc_topology_t t, hwloc_obj_t pu, hwloc_obj_type_t type) {
  hwloc_obj_t a = hwloc_get_ancestor_obj_by_type(t, type, pu);
  return a ? static_cast<int>(a->logical_index) : kNone;
}

const char* cache_kind(hwloc_obj_cache_type_t type) {
  switch (type) {
    case HWLOC_OBJ_CACHE_DATA: return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "instruction";
    default: return "unified";
  }
}

void check_readable_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TopologyError(fmt::format("topology file '{}' cannot be read: {}", path, std::strerror(errno)));
}

}  // namespace

namespace {

// hwloc builds every object a synthetic description implies, so
// "pack:1000 core:1000 pu:100" would allocate 10^8 PUs and hang the loader.
// The arities multiply to the PU count; attributes in (...) and memory
// children in [...] carry no arity and are skipped.
void check_synthetic_size(const std::string& desc) {
  // Ten times the largest machine in the fixtures; planning is quadratic in
  // PUs in places, and a description past this is a typo, not a machine.
  constexpr double kMaxSyntheticPus = 4096;
  std::string levels;
  int depth = 0;
  for (char c : desc) {
    if (c == '(' || c == '[') ++depth;
    else if (c == ')' || c == ']') depth = std::max(0, depth - 1);
    else if (depth == 0) levels += c;
  }
  // An arity follows "type:" or stands alone ("2 4 8" is valid hwloc, and a
  // bare "8800" made hwloc build 8,800 PUs: found by fuzzing); digits inside a
  // type name ("l3") are neither.
  static const std::regex arity(R"((?:^|[\s:])(\d+)(?=\s|$))");
  double pus = 1;
  for (std::sregex_iterator it(levels.begin(), levels.end(), arity), end; it != end; ++it)
    pus *= std::stod((*it)[1].str());
  if (pus > kMaxSyntheticPus)
    throw TopologyError(fmt::format("synthetic topology '{}' has {:.0f} PUs; at most {:.0f} are supported", desc, pus,
                                    kMaxSyntheticPus));
}

}  // namespace

Topology Topology::load(const std::string& spec_in, const std::string& affinity_by) {
  std::string spec = spec_in;
  std::string origin;
  if (spec.empty() || spec == "live") {
    // hwloc itself would silently load HWLOC_XMLFILE; make that visible instead.
    if (const char* env = std::getenv("HWLOC_XMLFILE"); env && *env) {
      spec = env;
      origin = " (from HWLOC_XMLFILE)";
    } else {
      spec = "live";
    }
  }

  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw TopologyError("hwloc_topology_init failed");
  Topology topo;
  topo.handle_.reset(raw);
  // Keep disallowed PUs visible so they can be reported (and refused) by name.
  hwloc_topology_set_flags(raw, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
  // I/O devices play no part in placement; skipping them keeps loading fast.
  hwloc_topology_set_io_types_filter(raw, HWLOC_TYPE_FILTER_KEEP_NONE);

  constexpr std::string_view kSynthetic = "synthetic:";
  if (spec.rfind(kSynthetic, 0) == 0) {
    const std::string desc = spec.substr(kSynthetic.size());
    check_synthetic_size(desc);
    if (hwloc_topology_set_synthetic(raw, desc.c_str()) != 0)
      throw TopologyError(fmt::format("invalid synthetic topology '{}' (hwloc syntax, e.g. \"pack:2 l3:2 core:4 pu:2\")", desc));
    topo.source_ = "synthetic:" + desc;
  } else if (spec != "live") {
    check_readable_file(spec);
    if (hwloc_topology_set_xml(raw, spec.c_str()) != 0)
      throw TopologyError(fmt::format("topology file '{}' is not a loadable hwloc XML export", spec));
    topo.source_ = "xml:" + spec + origin;
  } else {
    topo.source_ = "live";
  }
  if (hwloc_topology_load(raw) != 0)
    throw TopologyError(fmt::format("hwloc could not load topology '{}': {}", spec, std::strerror(errno)));

  topo.binding_supported_ = hwloc_topology_is_thissystem(raw) != 0;
  topo.read_model();
  if (topo.allowed_pus().size() < topo.pus_.size())
    topo.narrowed_by_.push_back(topo.source_ == "live" ? "the cgroup cpuset" : "the topology file's allowed set");
  // Only the live machine's binding describes the machine planned for.
  if (topo.source_ == "live" && topo.binding_supported_) topo.apply_cpu_affinity(affinity_by);
  if (topo.allowed_pus().empty()) throw TopologyError(fmt::format("topology '{}' has no allowed PU", spec));
  return topo;
}

// The calling thread's binding is what the threads and processes it starts
// inherit; primbench loads the live topology before it pins anything.
void Topology::apply_cpu_affinity(const std::string& by) {
  Bitmap bound;
  if (hwloc_get_cpubind(handle_.get(), bound.b, HWLOC_CPUBIND_THREAD) != 0) return;  // the OS cannot say
  hwloc_bitmap_and(bound.b, bound.b, hwloc_topology_get_allowed_cpuset(handle_.get()));
  if (!hwloc_bitmap_iszero(bound.b)) restrict_allowed(bitmap_indexes(bound.b), by);
}

void Topology::restrict_allowed(const std::vector<unsigned>& pus, const std::string& by) {
  hwloc_topology_t t = handle_.get();
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  Bitmap chosen;
  for (unsigned pu : pus) {
    if (!hwloc_bitmap_isset(allowed, pu))
      throw TopologyError(fmt::format("PU {} is not an allowed PU of topology '{}' (allowed: {})", pu, source_,
                                      format_cpu_list(allowed_pus())));
    hwloc_bitmap_set(chosen.b, pu);
  }
  if (hwloc_bitmap_iszero(chosen.b)) throw TopologyError(fmt::format("{} chooses no PU", by));
  if (hwloc_bitmap_isequal(chosen.b, allowed)) return;  // narrows nothing: not worth a mention
  // Memory follows the PUs: a NUMA node local to none of them leaves the allowed set too.
  Bitmap nodes;
  hwloc_cpuset_to_nodeset(t, chosen.b, nodes.b);
  hwloc_bitmap_and(nodes.b, nodes.b, hwloc_topology_get_allowed_nodeset(t));
  const hwloc_const_nodeset_t local_nodes = hwloc_bitmap_iszero(nodes.b) ? nullptr : nodes.b;
  if (hwloc_topology_allow(t, chosen.b, local_nodes, HWLOC_ALLOW_FLAG_CUSTOM) != 0)
    throw TopologyError(fmt::format("hwloc could not narrow topology '{}' to PUs {}: {}", source_,
                                    format_cpu_list(pus), std::strerror(errno)));
  narrowed_by_.push_back(by);
  read_model();
}

std::string Topology::allowed_reason() const {
  const std::size_t allowed = allowed_pus().size();
  if (allowed == pus_.size() || narrowed_by_.empty()) return "";
  std::string by;
  for (std::size_t i = 0; i < narrowed_by_.size(); ++i)
    by += (i == 0 ? "" : i + 1 == narrowed_by_.size() ? " and " : ", ") + narrowed_by_[i];
  return fmt::format("{} of {} PUs allowed by {}", allowed, pus_.size(), by);
}

std::string Topology::xml() const {
  char* buffer = nullptr;
  int length = 0;
  if (hwloc_topology_export_xmlbuffer(handle_.get(), &buffer, &length, 0) != 0)
    throw TopologyError(fmt::format("hwloc could not export topology '{}' as XML", source_));
  std::string out(buffer, length > 0 ? static_cast<std::size_t>(length) - 1 : 0);  // length counts the final NUL
  hwloc_free_xmlbuffer(handle_.get(), buffer);
  return out;
}

void Topology::read_model() {
  hwloc_topology_t t = handle_.get();
  // Read afresh: restrict_allowed() calls this again on a narrower allowed set.
  pus_.clear();
  cores_.clear();
  packages_.clear();
  dies_.clear();
  numa_.clear();
  caches_.clear();
  cpukinds_.clear();
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t);
  hwloc_const_nodeset_t allowed_nodes = hwloc_topology_get_allowed_nodeset(t);

  auto allowed_in = [&](hwloc_const_cpuset_t set) {
    Bitmap both;
    hwloc_bitmap_and(both.b, set, allowed);
    return bitmap_indexes(both.b);
  };
  // Only groups holding at least one allowed PU exist for planning purposes.
  auto collect = [&](hwloc_obj_type_t type, std::vector<GroupInfo>& out) {
    for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_obj_by_type(t, type, o));) {
      GroupInfo g{static_cast<int>(o->logical_index), o->os_index, allowed_in(o->cpuset), 0, ""};
      if (type == HWLOC_OBJ_NUMANODE) {
        if (!hwloc_bitmap_isset(allowed_nodes, o->os_index)) continue;
        g.memory_bytes = o->attr->numanode.local_memory;
        g.subtype = o->subtype ? o->subtype : "";
      }
      if (!g.pus.empty()) out.push_back(std::move(g));
    }
  };
  collect(HWLOC_OBJ_CORE, cores_);
  collect(HWLOC_OBJ_PACKAGE, packages_);
  collect(HWLOC_OBJ_DIE, dies_);
  collect(HWLOC_OBJ_NUMANODE, numa_);

  for (int depth = 0; depth < hwloc_topology_get_depth(t); ++depth) {
    const hwloc_obj_type_t type = hwloc_get_depth_type(t, depth);
    if (!hwloc_obj_type_is_cache(type)) continue;
    for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_obj_by_depth(t, depth, o));) {
      CacheInfo c{static_cast<int>(o->attr->cache.depth), cache_kind(o->attr->cache.type),
                  static_cast<int>(o->logical_index), o->attr->cache.size, o->attr->cache.linesize,
                  allowed_in(o->cpuset)};
      if (!c.pus.empty()) caches_.push_back(std::move(c));
    }
  }

  const int nkinds = hwloc_cpukinds_get_nr(t, 0);
  for (int k = 0; k < nkinds; ++k) {
    Bitmap set;
    int efficiency = 0;
    unsigned ninfos = 0;
    hwloc_info_s* infos = nullptr;
    if (hwloc_cpukinds_get_info(t, static_cast<unsigned>(k), set.b, &efficiency, &ninfos, &infos, 0) != 0) continue;
    CpuKindInfo kind{efficiency, allowed_in(set.b), {}};
    for (unsigned i = 0; i < ninfos; ++i) kind.infos.emplace_back(infos[i].name, infos[i].value);
    cpukinds_.push_back(std::move(kind));
  }

  for (hwloc_obj_t o = nullptr; (o = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_PU, o));) {
    PuInfo pu;
    pu.os_index = o->os_index;
    pu.logical_index = o->logical_index;
    pu.allowed = hwloc_bitmap_isset(allowed, o->os_index) != 0;
    pu.core = ancestor_index(t, o, HWLOC_OBJ_CORE);
    pu.package = ancestor_index(t, o, HWLOC_OBJ_PACKAGE);
    pu.die = ancestor_index(t, o, HWLOC_OBJ_DIE);
    pu.l1 = ancestor_index(t, o, HWLOC_OBJ_L1CACHE);
    pu.l2 = ancestor_index(t, o, HWLOC_OBJ_L2CACHE);
    pu.l3 = ancestor_index(t, o, HWLOC_OBJ_L3CACHE);
    for (const GroupInfo& node : numa_)
      if (std::find(node.pus.begin(), node.pus.end(), pu.os_index) != node.pus.end())
        pu.numa_nodes.push_back(node.logical_index);
    if (!pu.numa_nodes.empty()) pu.numa = pu.numa_nodes.front();
    for (std::size_t k = 0; k < cpukinds_.size(); ++k) {
      const auto& members = cpukinds_[k].pus;
      if (std::find(members.begin(), members.end(), pu.os_index) != members.end()) pu.cpukind = static_cast<int>(k);
    }
    pus_.push_back(std::move(pu));
  }

  Bitmap missing;  // in the machine, but not online: offline CPUs
  hwloc_bitmap_andnot(missing.b, hwloc_topology_get_complete_cpuset(t), hwloc_topology_get_topology_cpuset(t));
  offline_ = bitmap_indexes(missing.b);
}

std::vector<unsigned> Topology::allowed_pus() const {
  std::vector<unsigned> out;
  for (const PuInfo& pu : pus_)
    if (pu.allowed) out.push_back(pu.os_index);
  return out;
}

bool Topology::has_pu(unsigned os_index) const {
  return std::any_of(pus_.begin(), pus_.end(), [&](const PuInfo& p) { return p.os_index == os_index; });
}

const PuInfo& Topology::pu_by_os(unsigned os_index) const {
  for (const PuInfo& pu : pus_)
    if (pu.os_index == os_index) return pu;
  throw TopologyError(fmt::format("PU {} does not exist in topology '{}'", os_index, source_));
}

unsigned Topology::smt_width() const {
  std::size_t width = 1;
  for (const GroupInfo& core : cores_) width = std::max(width, core.pus.size());
  return static_cast<unsigned>(width);
}

}  // namespace primbench
