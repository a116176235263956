#include "harness/pinning.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "harness/cpu_list.hpp"

namespace primbench {
namespace {

int hwloc_flags(PinScope scope) {
  // STRICT: a binding hwloc can only approximate must fail, not silently widen.
  return (scope == PinScope::thread ? HWLOC_CPUBIND_THREAD : HWLOC_CPUBIND_PROCESS) | HWLOC_CPUBIND_STRICT;
}

void require_real_binding(const Topology& topo) {
  if (!topo.binding_supported())
    throw PinError(fmt::format("cannot pin on topology '{}': it is not this machine", topo.source()));
}

}  // namespace

void pin_current(const Topology& topo, unsigned os_pu, PinScope scope) {
  require_real_binding(topo);
  if (!topo.has_pu(os_pu) || !topo.pu_by_os(os_pu).allowed)
    throw PinError(fmt::format("cannot pin to PU {}: not an allowed PU of this machine", os_pu));
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, os_pu);
  const int rc = hwloc_set_cpubind(topo.hwloc(), set, hwloc_flags(scope));
  const int err = errno;
  hwloc_bitmap_free(set);
  if (rc != 0) throw PinError(fmt::format("binding to PU {} failed: {}", os_pu, std::strerror(err)));
}

void bind_process_to_allowed(const Topology& topo) {
  require_real_binding(topo);
  hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topo.hwloc());
  if (hwloc_set_cpubind(topo.hwloc(), allowed, hwloc_flags(PinScope::process)) != 0)
    throw PinError(fmt::format("binding primbench to PUs {} failed: {}", format_cpu_list(topo.allowed_pus()),
                               std::strerror(errno)));
}

ObservedPlacement observe_current(const Topology& topo, unsigned requested_pu, PinScope scope) {
  ObservedPlacement obs;
  obs.requested_pu = static_cast<std::int32_t>(requested_pu);
  if (!topo.binding_supported()) return obs;
  const int flags = scope == PinScope::thread ? HWLOC_CPUBIND_THREAD : HWLOC_CPUBIND_PROCESS;
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  if (hwloc_get_cpubind(topo.hwloc(), set, flags) == 0) {
    obs.bound_cpus = hwloc_bitmap_weight(set);
    obs.binding_exact = obs.bound_cpus == 1 && hwloc_bitmap_isset(set, requested_pu);
  }
  hwloc_bitmap_zero(set);
  if (hwloc_get_last_cpu_location(topo.hwloc(), set, flags) == 0) obs.observed_pu = hwloc_bitmap_first(set);
  hwloc_bitmap_free(set);
  return obs;
}

ScopedThreadPin::ScopedThreadPin(const Topology& topo, unsigned os_pu)
    : topo_(topo), pu_(os_pu), previous_(hwloc_bitmap_alloc()) {
  if (topo.binding_supported()) hwloc_get_cpubind(topo.hwloc(), previous_, HWLOC_CPUBIND_THREAD);
  try {
    pin_current(topo, os_pu, PinScope::thread);
  } catch (...) {
    hwloc_bitmap_free(previous_);
    throw;
  }
}

ScopedThreadPin::~ScopedThreadPin() {
  if (!hwloc_bitmap_iszero(previous_)) hwloc_set_cpubind(topo_.hwloc(), previous_, HWLOC_CPUBIND_THREAD);
  hwloc_bitmap_free(previous_);
}

nlohmann::json to_json(const ObservedPlacement& p) {
  return {{"requested_pu", p.requested_pu}, {"observed_pu", p.observed_pu}, {"bound_cpus", p.bound_cpus},
          {"binding_exact", p.binding_exact}, {"ok", p.ok()}};
}

}  // namespace primbench
