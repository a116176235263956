// A family's "why" table: what one operation costs the kernel and the CPU
// (context switches, system calls, user / kernel / off-CPU time, migrations,
// faults, and the hardware counters where the machine has them) beside its
// time, threads and processes of the same benchmark on adjacent rows, and a
// line for each such pair whose kernel work differs ("processes pay 2.0 extra
// context switches per op here").
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "reports/report_charts.hpp"

namespace primbench {

// The table and its lines; nothing when no benchmark of `measured` carries
// counters per operation (a run with --counters none, an older file).
std::vector<nlohmann::json> why_blocks(const BenchmarkViews& measured);

}  // namespace primbench
