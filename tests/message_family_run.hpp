// Shared by the family tests: run one family through the real CLI (supervisor,
// one child per benchmark) and index its result entries and records by the
// name the bench registered (Google Benchmark's /manual_time, /iterations:1
// suffixes removed), so tests name benchmarks as the benches do.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "basics/benchmark_name.hpp"
#include "tests/test_support.hpp"

namespace primbench::test {

struct FamilyRun {
  CommandResult command;
  std::map<std::string, nlohmann::json> entries;  // Google Benchmark entry by name
  std::map<std::string, std::string> unavailable;  // primbench.unavailable: reason by name
  nlohmann::json records = nlohmann::json::object();  // primbench records by name

  bool has(const std::string& name) const { return entries.count(name) > 0 || unavailable.count(name) > 0; }
  // Every benchmark of the run, measured or unavailable, in name order.
  std::vector<std::string> names() const {
    std::set<std::string> all;
    for (const auto& [name, entry] : entries) all.insert(name);
    for (const auto& [name, reason] : unavailable) all.insert(name);
    return {all.begin(), all.end()};
  }
  // The entry's error, or "unavailable: <reason>" for a benchmark the machine cannot run.
  std::string error(const std::string& name) const {
    if (const auto it = unavailable.find(name); it != unavailable.end()) return "unavailable: " + it->second;
    const auto& e = entries.at(name);
    return e.value("error_occurred", false) ? e.value("error_message", std::string("?")) : std::string();
  }
  double counter(const std::string& name, const std::string& key) const { return entries.at(name).value(key, -1.0); }
};

inline FamilyRun run_family(std::vector<std::string> args) {
  const std::filesystem::path out = test::scratch_dir("family");
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--out", out.string(), "--timeout", "60"});
  FamilyRun run;
  run.command = run_primbench(args);
  std::ifstream in(out / "results.json");
  if (in) {
    const auto doc = nlohmann::json::parse(in);
    run.entries = test::entries_by_registered_name(doc);
    for (const auto& item : doc["primbench"]["unavailable"])
      run.unavailable[registered_name(item["name"].get<std::string>())] = item["reason"].get<std::string>();
    for (const auto& [name, record] : doc["primbench"]["benchmarks"].items()) run.records[registered_name(name)] = record;
  }
  std::filesystem::remove_all(out);
  return run;
}

}  // namespace primbench::test
