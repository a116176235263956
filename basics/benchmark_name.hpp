// Benchmark names as Google Benchmark writes them: slash-separated segments,
// the ones we registered followed by the ones GB appends (/manual_time,
// /iterations:1, /repeats:5, /threads:4, ...). Every reader of results
// (report, capacity, hardware comparison, tests) takes names apart here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace primbench {

// "a/b/c" -> {"a", "b", "c"}; "" -> {""}.
std::vector<std::string> split_benchmark_name(std::string_view name);

// The inverse of split_benchmark_name.
std::string join_benchmark_name(std::span<const std::string> segments);

// A segment Google Benchmark appends to a registered name.
bool is_gbench_suffix(std::string_view segment);

// True when GB's name says the benchmark runs a fixed number of iterations
// (".../iterations:1/manual_time"): each is a whole experiment, not a sample.
bool has_fixed_iterations(std::string_view name);

// The registered name: trailing GB suffixes removed
// ("shm/c2c_matrix/processes/cas/iterations:1/manual_time" -> "shm/c2c_matrix/processes/cas").
std::string registered_name(std::string_view name);

}  // namespace primbench
