// Reading what a benchmark child's Google Benchmark wrote (--benchmark_out).
//
// Google Benchmark 1.7.1's JSON reporter prints a value that is not a finite
// number as a bare NaN, -NaN, Infinity or -Infinity: not JSON. It happens in
// ordinary runs: with repetitions, the `cv` aggregate of a counter that is 0
// in every repetition is 0/0. Such a value measures nothing, so it is read as
// null, which is what the result file writes for a value it does not have.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace primbench {

// `text` with every bare NaN/-NaN/Infinity/-Infinity outside a string
// replaced by null; strings (a benchmark name, an error message) are kept as
// they are.
std::string with_non_finite_as_null(std::string_view text);

// Parses Google Benchmark's JSON output, its non-finite numbers read as
// null. Throws nlohmann::json::parse_error for anything else that is not
// JSON (a truncated file among them).
nlohmann::json parse_gbench_output(std::string_view text);

}  // namespace primbench
