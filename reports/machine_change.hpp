// Did the machine change between two measurements? Every run records machine
// probes at its start and end (harness/machine_probes.hpp: a CPU loop per PU,
// cache-line and wake-up round trips per placement class), and `primbench ab`
// keeps each round's. A probe that moved more than kProbeMoveFactor between
// the sets compared is named, so a host switching speed modes is not blamed
// on the code.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace primbench {

// The probes' own batch-to-batch spread stays well inside this; the VM modes
// they exist to catch are 2x (CPU loop) to 6x (cache-line round trip) apart.
inline constexpr double kProbeMoveFactor = 1.5;

struct ProbeMove {
  std::string probe;  // e.g. "c2c_rtt/cross-l3"
  double from_ns = 0.0, to_ns = 0.0;
  bool slower() const { return to_ns > from_ns; }
};

// The probe value sets (each {"name": ns, ...}) of a result file's run: the
// start and end sets of primbench.machine.probes; empty when it has none.
std::vector<nlohmann::json> run_probe_sets(const nlohmann::json& doc);

// The probes that moved by more than kProbeMoveFactor from any set in `from`
// to any set in `to` (or within either), as the move from the geometric mean
// of `from`'s values to `to`'s; a probe missing from a set is skipped.
std::vector<ProbeMove> moved_probes(const std::vector<nlohmann::json>& from, const std::vector<nlohmann::json>& to);

// "c2c_rtt/cross-l3 moved from 79 ns to 474 ns".
std::string describe(const ProbeMove& move);

}  // namespace primbench
