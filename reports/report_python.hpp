// The HTML report's "Native vs CPython" section, shown when the run measured
// CPython benchmarks (`primbench run --suite python|all`, names py/...): the
// interpreter, each CPython benchmark beside its native counterpart with the
// factor CPython costs over native, and the countdown's speedup by workers in
// both languages (under the GIL the CPython thread line stays flat).
//
// Pairing: primbench.python.pairing gives each py/ name its native name, as
// scripts/python/pairing.json maps it; a '*' in it stands for a native
// parameter CPython has no equivalent of (the lock benches' critical-section
// length) and matches within one name segment; the first native result that
// matches is the counterpart. A file without that map pairs a py/ name with
// the same name minus "py/".
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "reports/report_benchmarks.hpp"

namespace primbench {

bool is_python_benchmark(const BenchmarkView& view);

// The family section a benchmark is listed under: py/<family> for a CPython
// one (its record says "pipe", but its numbers are not the native pipe's).
std::string section_family(const BenchmarkView& view);

struct NativePythonPair {
  const BenchmarkView* native = nullptr;
  const BenchmarkView* python = nullptr;
  std::string measure;  // what both numbers are, e.g. "p50 latency"
  double native_ns = 0, python_ns = 0;
  double factor() const { return python_ns / native_ns; }  // CPython ÷ native
};

// Every measured CPython benchmark whose native counterpart this run measured,
// on the same measure: the median latency sample when both have one, else the
// time per operation; per unit of work when both records give a different
// extra.count (the countdown's count differs between --smoke and native --quick).
std::vector<NativePythonPair> native_python_pairs(const nlohmann::json& results, const std::vector<BenchmarkView>& views);

// nullopt when the results hold no py/ benchmark.
std::optional<nlohmann::json> native_vs_python_section(const nlohmann::json& results,
                                                        const std::vector<BenchmarkView>& views);

}  // namespace primbench
