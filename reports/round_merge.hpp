// One result file per side out of `primbench ab`'s many runs: each round runs
// every chunk (a family) of the suite once per build, and the verdict pairs a
// round's base run with its candidate run. The merged file keeps Google
// Benchmark's shape (its tools read it), with each iteration entry tagged by
// the `round` and `chunk` that measured it, and `primbench.rounds` listing
// every run with its machine probes.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace primbench {

struct RoundRun {
  long round = 0;       // 1-based
  std::string chunk;    // what the run measured, e.g. a family name
  std::string file;     // its results.json
  nlohmann::json doc;   // that file, as read
};

// The merged document: the first run's context and primbench sections, every
// run's iteration entries (GB's aggregates dropped: they described one run)
// numbered as repetitions of one benchmark, the per-benchmark records of the
// first run that has each, every run's errors, and primbench.rounds.
// Throws std::invalid_argument when `runs` is empty.
nlohmann::json merge_round_runs(const std::vector<RoundRun>& runs);

}  // namespace primbench
