// Did the machine change between two measurements? Every run records machine
// probes at its start and end (harness/machine_probes.hpp: a CPU loop per PU,
// cache-line and wake-up round trips per placement class), and `primbench ab`
// keeps each round's. A probe that moved more than its factor between the
// sets compared is named, so a host switching speed modes is not blamed on
// the code.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace primbench {

// The VM modes the probes exist to catch are 2x (CPU loop) to 4x (wake-up) and
// 6x (cache-line round trip) apart; each factor sits above that probe's own
// spread on a busy machine (best-of-batches CPU loops stay within a few %,
// round trips within about 1.5x).
inline constexpr double kCpuLoopMoveFactor = 1.5;
inline constexpr double kRoundTripMoveFactor = 2.0;

// The factor for a probe by its name ("cpu_loop/..." or a round trip).
double probe_move_factor(const std::string& probe);

struct ProbeMove {
  std::string probe;  // e.g. "c2c_rtt/cross-l3"
  double from_ns = 0.0, to_ns = 0.0;
  bool slower() const { return to_ns > from_ns; }
};

// The probe value sets (each {"name": ns, ...}) of a result file's run: the
// start and end sets of primbench.machine.probes; empty when it has none.
std::vector<nlohmann::json> run_probe_sets(const nlohmann::json& doc);

// The probes whose every value in `to` lies beyond every value in `from` by
// more than their factor (or below by as much), as the move from the
// geometric mean of `from`'s values to `to`'s; a probe missing from a set is
// skipped.
std::vector<ProbeMove> moved_probes(const std::vector<nlohmann::json>& from, const std::vector<nlohmann::json>& to);

// "c2c_rtt/cross-l3 moved from 79 ns to 474 ns".
std::string describe(const ProbeMove& move);

}  // namespace primbench
