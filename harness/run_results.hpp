// What a run produced, benchmark by benchmark: the data the run loop hands to
// the result writer (reports/result_file.hpp), kept apart from the loop itself
// so that the writer and the reports never depend on how a run is carried out.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace primbench {

struct BenchmarkOutcome {
  std::string name;
  bool ok = false;
  std::string error;               // why there is no measurement
  nlohmann::json gbench_context;   // the child's Google Benchmark context
  nlohmann::json entries = nlohmann::json::array();  // its Google Benchmark entries
  nlohmann::json records = nlohmann::json::object();  // primbench extras by name
  double seconds = 0;
};

struct RunResults {
  std::vector<BenchmarkOutcome> outcomes;
  std::vector<std::string> listed;  // every benchmark that was to run
  int interrupted_by = 0;           // signal number, 0 if the run completed
  nlohmann::json steal;             // the hypervisor's steal on every PU over the run (cpu_steal.hpp)
};

}  // namespace primbench
