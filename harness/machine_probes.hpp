// Machine probes: a few fixed measurements taken at the start and the end of
// every run, so that a comparison can tell a machine that changed speed from
// code that did. On a cloud VM the cost of a cross-core wake-up or of a
// cache-line hand-off switches between modes several times apart and stays in
// one for minutes; every benchmark of that kind moves with it, and so does the
// probe measured next to them.
//
// Probes (values in ns, names as in the result file):
//   cpu_loop/pu<N>       one step of a dependent multiply-add chain on PU N
//   c2c_rtt/<class>      a cache-line round trip between the class's representative pair, spinning
//   wakeup_rtt/<class>   a futex round trip (each side sleeps until woken) on same-pu and the
//                        first cross-PU class
// each the best of 5 to 7 batches.
// Together they take about 0.1-0.3 s.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "harness/topology.hpp"

namespace primbench {

struct ProbeSet {
  std::string taken_at;                  // UTC, ISO 8601
  std::map<std::string, double> values;  // probe name -> ns
};

// Measures every probe on the live topology's allowed PUs; the calling thread's
// binding is restored afterwards. Needs binding_supported().
ProbeSet measure_machine_probes(const Topology& topo);

nlohmann::json to_json(const ProbeSet& probes);

}  // namespace primbench
