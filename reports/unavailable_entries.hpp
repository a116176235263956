// Benchmarks this machine cannot run as asked: a placement class it lacks, a
// size above a primitive's limit. Their Google Benchmark entries carry an
// error_message starting "unavailable: " and no measurement; in benchmarks[]
// they read as a time of 0 to the tools that know only GB's fields (compare.py
// loses its geomean, dashboards store 0 ns points). The result file therefore
// lists them in primbench.unavailable instead; the reader gives them back to
// the reports as error runs, as they were.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace primbench {

inline constexpr std::string_view kUnavailablePrefix = "unavailable: ";

// True for an error message saying the machine lacks what the benchmark needs.
bool is_unavailable_message(std::string_view message);

// True for an error entry with such a message.
bool is_unavailable_entry(const nlohmann::json& entry);

// {"name": name, "reason": message without the prefix}: an item of primbench.unavailable.
nlohmann::json unavailable_item(const std::string& name, std::string_view message);

// Removes the unavailable entries from `entries` (a GB benchmarks array) and
// returns them as [{"name": run_name, "reason": message without the prefix}],
// one per name, in the order they came.
nlohmann::json take_unavailable(nlohmann::json& entries);

// The error a report shows for an item of primbench.unavailable.
std::string unavailable_message(const nlohmann::json& item);

}  // namespace primbench
