// Binding workers to PUs through hwloc, and reading back where they really ran.
//
// Binding is refused (PinError) on a topology that is not this machine (XML or
// synthetic): pretending to pin there would make every placement a lie.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

#include "basics/errors.hpp"
#include "harness/topology.hpp"

namespace primbench {

struct PinError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Requested vs observed placement of one worker. Plain data: it is written by
// worker processes into shared memory and read back by the parent.
struct ObservedPlacement {
  std::int32_t requested_pu = -1;  // OS index asked for
  std::int32_t observed_pu = -1;   // where the worker last ran (hwloc_get_last_cpu_location)
  std::int32_t bound_cpus = 0;     // PUs in the binding read back with hwloc_get_cpubind
  bool binding_exact = false;      // the binding read back is exactly {requested_pu}
  bool ok() const { return binding_exact && observed_pu == requested_pu; }
};

enum class PinScope { thread, process };

// Binds the calling thread (or the whole calling process) to one PU.
void pin_current(const Topology& topo, unsigned os_pu, PinScope scope);

// Binds the whole calling process to the topology's allowed PUs (`run
// --cpuset`): every process it starts then inherits the binding, and plans
// and pins inside it as under taskset or hwloc-bind.
void bind_process_to_allowed(const Topology& topo);

// Reads back the calling thread's/process's binding and last CPU; call it after
// the work so that a migration during the run is caught.
ObservedPlacement observe_current(const Topology& topo, unsigned requested_pu, PinScope scope);

// Pins the calling thread for a scope and restores its previous binding after:
// benchmark bodies run on Google Benchmark's own threads, which later
// benchmarks reuse.
class ScopedThreadPin {
 public:
  ScopedThreadPin(const Topology& topo, unsigned os_pu);
  ~ScopedThreadPin();
  ScopedThreadPin(const ScopedThreadPin&) = delete;
  ScopedThreadPin& operator=(const ScopedThreadPin&) = delete;
  ObservedPlacement observe() const { return observe_current(topo_, pu_, PinScope::thread); }

 private:
  const Topology& topo_;
  unsigned pu_;
  hwloc_bitmap_t previous_;
};

nlohmann::json to_json(const ObservedPlacement& p);

}  // namespace primbench
