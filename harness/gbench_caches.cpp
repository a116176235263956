#include "harness/gbench_caches.hpp"

#include <algorithm>
#include <tuple>

namespace primbench {
namespace {

// GB's words for the cache types (sysfs's `type` file), in the order GB lists them.
int type_rank(const std::string& kind) { return kind == "data" ? 0 : kind == "instruction" ? 1 : 2; }
const char* gbench_type(const std::string& kind) {
  return kind == "data" ? "Data" : kind == "instruction" ? "Instruction" : "Unified";
}

}  // namespace

nlohmann::json gbench_cache_list(const Topology& topo) {
  nlohmann::json out = nlohmann::json::array();
  const std::vector<unsigned> allowed = topo.allowed_pus();
  if (allowed.empty()) return out;
  const unsigned first = allowed.front();
  std::vector<const CacheInfo*> mine;
  for (const CacheInfo& c : topo.caches())
    if (std::find(c.pus.begin(), c.pus.end(), first) != c.pus.end()) mine.push_back(&c);
  std::sort(mine.begin(), mine.end(), [](const CacheInfo* a, const CacheInfo* b) {
    return std::tuple(a->level, type_rank(a->kind)) < std::tuple(b->level, type_rank(b->kind));
  });
  for (const CacheInfo* c : mine)
    out.push_back({{"type", gbench_type(c->kind)},
                   {"level", c->level},
                   {"size", c->size_bytes},
                   {"num_sharing", c->pus.size()}});
  return out;
}

}  // namespace primbench
