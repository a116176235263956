#include "harness/topology_format.hpp"

#include <fmt/format.h>

#include <map>

#include "harness/cpu_list.hpp"

namespace primbench {
namespace {

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

std::string human_bytes(std::uint64_t bytes) {
  if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (1ull << 20)) return fmt::format("{:.4g} MiB", static_cast<double>(bytes) / (1 << 20));
  if (bytes >= (1ull << 10)) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

std::string binding_text(const Topology& topo) {
  return topo.binding_supported() ? "bindings real" : "bindings NOT real (not this machine: planning only)";
}

std::string object_label(hwloc_obj_t o) {
  char type[64];
  hwloc_obj_type_snprintf(type, sizeof type, o, 1);
  std::string label = type;
  if (hwloc_obj_type_is_cache(o->type)) return fmt::format("{} ({})", label, human_bytes(o->attr->cache.size));
  if (o->type == HWLOC_OBJ_NUMANODE)
    return fmt::format("{} P#{} ({})", label, o->os_index, human_bytes(o->attr->numanode.local_memory));
  if (o->type == HWLOC_OBJ_PU) return fmt::format("PU L#{} P#{}", o->logical_index, o->os_index);
  if (o->os_index != HWLOC_UNKNOWN_INDEX && o->type != HWLOC_OBJ_MACHINE && o->type != HWLOC_OBJ_GROUP)
    return fmt::format("{} P#{}", label, o->os_index);
  return label;
}

bool shown(hwloc_topology_t t, hwloc_obj_t o) {
  if (o->type == HWLOC_OBJ_NUMANODE)
    return hwloc_bitmap_isset(hwloc_topology_get_allowed_nodeset(t), o->os_index) != 0;
  return o->cpuset && hwloc_bitmap_intersects(o->cpuset, hwloc_topology_get_allowed_cpuset(t));
}

std::vector<hwloc_obj_t> shown_children(hwloc_topology_t t, hwloc_obj_t o) {
  std::vector<hwloc_obj_t> out;
  for (hwloc_obj_t c = o->memory_first_child; c; c = c->next_sibling)
    if (shown(t, c)) out.push_back(c);
  for (hwloc_obj_t c = o->first_child; c; c = c->next_sibling)
    if (shown(t, c)) out.push_back(c);
  return out;
}

void print_tree(hwloc_topology_t t, hwloc_obj_t o, int indent, std::string& out) {
  std::string line = object_label(o);
  std::vector<hwloc_obj_t> kids = shown_children(t, o);
  while (kids.size() == 1 && kids[0]->type != HWLOC_OBJ_NUMANODE) {  // lstopo-style chain
    o = kids[0];
    line += " + " + object_label(o);
    kids = shown_children(t, o);
  }
  if (o->type == HWLOC_OBJ_PU && !hwloc_bitmap_isset(hwloc_topology_get_allowed_cpuset(t), o->os_index))
    line += " (disallowed)";
  out += fmt::format("{:{}}{}\n", "", indent * 2, line);
  for (hwloc_obj_t c : kids) print_tree(t, c, indent + 1, out);
}

nlohmann::json group_json(const GroupInfo& g) {
  nlohmann::json j{{"logical_index", g.logical_index}, {"os_index", g.os_index}, {"pus", format_cpu_list(g.pus)}};
  if (g.memory_bytes) j["memory_bytes"] = g.memory_bytes;
  if (!g.subtype.empty()) j["subtype"] = g.subtype;
  return j;
}

std::map<std::string, std::size_t> cache_counts(const Topology& topo) {
  std::map<std::string, std::size_t> counts;
  for (const CacheInfo& c : topo.caches())
    ++counts[fmt::format("L{}{}", c.level, c.kind == "data" ? "d" : c.kind == "instruction" ? "i" : "")];
  return counts;
}

}  // namespace

std::string topology_summary(const Topology& topo) {
  const unsigned smt = topo.smt_width();
  std::string caches;
  for (const auto& [name, n] : cache_counts(topo)) caches += fmt::format("{}{} x{}", caches.empty() ? "" : ", ", name, n);
  std::string kinds = topo.cpukinds().size() > 1 ? fmt::format("; {} CPU kinds (hybrid)", topo.cpukinds().size()) : "";
  std::string offline = topo.offline_pus().empty() ? "" : fmt::format("; offline PUs {}", format_cpu_list(topo.offline_pus()));
  const std::string reason = topo.allowed_reason();
  const std::vector<unsigned> pus = topo.allowed_pus();
  std::string allowed =
      reason.empty() ? "" : fmt::format("; {} (PU{} {})", reason, pus.size() > 1 ? "s" : "", format_cpu_list(pus));
  return fmt::format("{}, {}, {}, {}, SMT {}{}; {}{}{}; {} ({})", plural(topo.allowed_pus().size(), "PU"),
                     plural(topo.cores().size(), "core"), plural(topo.packages().size(), "package"),
                     plural(topo.numa_nodes().size(), "NUMA node"), smt > 1 ? fmt::format("{}-way", smt) : "off",
                     kinds, caches.empty() ? "no CPU caches reported" : caches, offline, allowed, binding_text(topo),
                     topo.source());
}

std::string topology_tree(const Topology& topo) {
  std::string out;
  print_tree(topo.hwloc(), hwloc_get_root_obj(topo.hwloc()), 0, out);
  return out;
}

nlohmann::json topology_summary_json(const Topology& topo) {
  nlohmann::json caches = nlohmann::json::object();
  for (const auto& [name, n] : cache_counts(topo)) caches[name] = n;
  return {{"source", topo.source()},
          {"binding_supported", topo.binding_supported()},
          {"pus", topo.allowed_pus().size()},
          {"cores", topo.cores().size()},
          {"packages", topo.packages().size()},
          {"dies", topo.dies().size()},
          {"numa_nodes", topo.numa_nodes().size()},
          {"smt_width", topo.smt_width()},
          {"cpukinds", topo.cpukinds().size()},
          {"caches", caches},
          {"allowed_pus", format_cpu_list(topo.allowed_pus())},
          {"allowed_reason", topo.allowed_reason()},
          {"offline_pus", format_cpu_list(topo.offline_pus())},
          {"summary", topology_summary(topo)}};
}

nlohmann::json topology_to_json(const Topology& topo) {
  nlohmann::json j = topology_summary_json(topo);
  auto& pus = j["pu_list"] = nlohmann::json::array();
  for (const PuInfo& p : topo.pus())
    pus.push_back({{"os_index", p.os_index}, {"logical_index", p.logical_index}, {"allowed", p.allowed},
                   {"core", p.core}, {"package", p.package}, {"die", p.die}, {"l1", p.l1}, {"l2", p.l2},
                   {"l3", p.l3}, {"numa", p.numa}, {"numa_nodes", p.numa_nodes}, {"cpukind", p.cpukind}});
  for (auto [key, groups] : {std::pair{"core_list", &topo.cores()}, std::pair{"package_list", &topo.packages()},
                             std::pair{"die_list", &topo.dies()}, std::pair{"numa_list", &topo.numa_nodes()}}) {
    auto& arr = j[key] = nlohmann::json::array();
    for (const GroupInfo& g : *groups) arr.push_back(group_json(g));
  }
  auto& caches = j["cache_list"] = nlohmann::json::array();
  for (const CacheInfo& c : topo.caches())
    caches.push_back({{"level", c.level}, {"kind", c.kind}, {"logical_index", c.logical_index},
                      {"size_bytes", c.size_bytes}, {"line_size", c.line_size}, {"pus", format_cpu_list(c.pus)}});
  auto& kinds = j["cpukind_list"] = nlohmann::json::array();
  for (const CpuKindInfo& k : topo.cpukinds()) {
    nlohmann::json infos = nlohmann::json::object();
    for (const auto& [name, value] : k.infos) infos[name] = value;
    kinds.push_back({{"efficiency", k.efficiency}, {"pus", format_cpu_list(k.pus)}, {"infos", infos}});
  }
  return j;
}

}  // namespace primbench
