// Running the CPython side of `primbench run --suite python|all`: each call of
// the plan (harness/python_plan.hpp) under the supervisor, its JSON document
// taken apart into one outcome per benchmark, shaped as the native run loop's
// (harness/run_loop.hpp), so that one results.json holds both languages.
//
// A call runs several benchmarks (a group's countdown baseline must share the
// call with the rest: their speedup is over it), so its watchdog is --timeout
// times its benchmarks, and the program's own per-repetition --deadline stays
// below --timeout: a hang normally becomes that one benchmark's error entry in
// the document; the watchdog, the last resort, costs the rest of the call.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

#include "harness/python_plan.hpp"
#include "harness/run_loop.hpp"

namespace primbench {

struct PythonSuiteResults {
  RunResults run;                 // outcomes of every listed name, unavailable ones too
  nlohmann::json python;          // primbench.python in the result file (reports/SCHEMA.md)
};

// `first_index` and `total` number the progress lines after the native ones.
PythonSuiteResults run_python_suite(const PythonProgram& program, const PythonSuitePlan& plan,
                                    const PythonSuiteOptions& options, const std::filesystem::path& work_dir,
                                    const ProgressFn& progress, std::size_t first_index, std::size_t total);

// Checks a record's placement against the PUs the call was given: every
// worker must have asked for one of them and been seen on the PU it asked
// for. Sets each worker's `ok` and `all_ok` accordingly (never turns the
// program's own "false" into true) and returns all_ok; a record without
// workers passes.
bool verify_python_placement(nlohmann::json& record, const std::vector<unsigned>& pus);

}  // namespace primbench
