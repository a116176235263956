// Result files made to order for the report tests: a machine, benchmarks with
// chosen repetition values, GB's aggregates over them, failures. Shaped like
// `primbench run`'s output (Google Benchmark 1.7.1 entries + "primbench").
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace primbench::test {

struct Machine {
  std::string host = "bench-host";
  std::string cpu = "Test CPU 3000";
  int cpus = 8;
  std::string topology = "8 PUs, 4 cores, 1 package, 1 NUMA node, SMT 2-way; L3 x1; bindings real (live)";
  std::string compiler = "GCC 12.2.0";
  std::string kernel = "Linux 6.1.0";
};

inline nlohmann::json empty_result_doc(const Machine& m = {}) {
  return {{"context",
           {{"date", "2024-05-01T10:00:00+00:00"},
            {"host_name", m.host},
            {"executable", "primbench"},
            {"num_cpus", m.cpus},
            {"mhz_per_cpu", 3000},
            {"cpu_scaling_enabled", false},
            {"caches", nlohmann::json::array({{{"type", "Data"}, {"level", 1}, {"size", 32768}, {"num_sharing", 2}}})},
            {"load_avg", {0.5, 0.4, 0.3}},
            {"library_build_type", "release"}}},
          {"benchmarks", nlohmann::json::array()},
          {"primbench",
           {{"schema_version", 1},
            {"run", {{"started_at", "2024-05-01T10:00:00Z"}, {"interrupted", false}}},
            {"machine",
             {{"cpu_model", m.cpu}, {"hostname", m.host}, {"kernel", m.kernel}, {"compiler", m.compiler},
              {"build_type", "Release"}, {"git_revision", "abc123"}}},
            {"topology", {{"pus", m.cpus}, {"summary", m.topology}}},
            {"clock", {{"source", "steady_clock"}}},
            {"benchmarks", nlohmann::json::object()},
            {"errors", nlohmann::json::array()}}}};
}

inline double median_value(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// One entry per value (run_type iteration) and, for more than one, GB's
// mean/median/stddev aggregates. `counters` hold one value per repetition.
inline void add_benchmark(nlohmann::json& doc, const std::string& name, const std::vector<double>& real_time_ns,
                          const std::map<std::string, std::vector<double>>& counters = {}) {
  const std::size_t reps = real_time_ns.size();
  for (std::size_t i = 0; i < reps; ++i) {
    nlohmann::json e{{"name", name},
                     {"family_index", 0},
                     {"per_family_instance_index", 0},
                     {"run_name", name},
                     {"run_type", "iteration"},
                     {"repetitions", reps},
                     {"repetition_index", i},
                     {"threads", 1},
                     {"iterations", 1000},
                     {"real_time", real_time_ns[i]},
                     {"cpu_time", real_time_ns[i] / 2},
                     {"time_unit", "ns"}};
    for (const auto& [counter, values] : counters) e[counter] = values.at(i);
    doc["benchmarks"].push_back(e);
  }
  if (reps < 2) return;
  nlohmann::json median{{"name", name + "_median"}, {"family_index", 0},  {"per_family_instance_index", 0},
                        {"run_name", name},         {"run_type", "aggregate"}, {"repetitions", reps},
                        {"threads", 1},             {"aggregate_name", "median"}, {"aggregate_unit", "time"},
                        {"iterations", reps},       {"real_time", median_value(real_time_ns)},
                        {"cpu_time", median_value(real_time_ns) / 2}, {"time_unit", "ns"}};
  for (const auto& [counter, values] : counters) median[counter] = median_value(values);
  nlohmann::json stddev = median;
  stddev["name"] = name + "_stddev";
  stddev["aggregate_name"] = "stddev";
  stddev["real_time"] = 1.0;
  for (const auto& [counter, values] : counters) stddev[counter] = 0.5;
  nlohmann::json cv = stddev;  // GB 1.7.1: a fraction, still under time_unit "ns"
  cv["name"] = name + "_cv";
  cv["aggregate_name"] = "cv";
  cv["aggregate_unit"] = "percentage";
  cv["real_time"] = 0.01;
  doc["benchmarks"].push_back(median);
  doc["benchmarks"].push_back(stddev);
  doc["benchmarks"].push_back(cv);
}

// As primbench's run loop records a benchmark that failed (and, in files
// written before primbench.unavailable, one that cannot run here).
inline void add_failure(nlohmann::json& doc, const std::string& name, const std::string& message) {
  doc["benchmarks"].push_back({{"name", name},          {"family_index", -1}, {"per_family_instance_index", 0},
                               {"run_name", name},      {"run_type", "iteration"}, {"repetitions", 1},
                               {"repetition_index", 0}, {"threads", 1},       {"iterations", 0},
                               {"real_time", 0},        {"cpu_time", 0},      {"time_unit", "ns"},
                               {"error_occurred", true}, {"error_message", message}});
}

// As primbench's result file lists a benchmark this machine cannot run.
inline void add_unavailable(nlohmann::json& doc, const std::string& name, const std::string& reason) {
  nlohmann::json& list = doc["primbench"]["unavailable"];
  if (!list.is_array()) list = nlohmann::json::array();
  list.push_back({{"name", name}, {"reason", reason}});
}

// `n` values around `center` with a relative spread of `noise` (uniform),
// reproducible from `seed`.
inline std::vector<double> noisy(double center, std::size_t n, double noise, unsigned seed) {
  std::mt19937 generator(seed);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(generator() % 100001) / 100000.0;  // [0, 1]
    out.push_back(center * (1.0 + noise * (2.0 * u - 1.0)));
  }
  return out;
}

inline std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

inline std::filesystem::path write_doc(const std::filesystem::path& path, const nlohmann::json& doc) {
  return write_text(path, doc.dump(2));
}

// Every block of a report section (or of a block that holds blocks), folded
// ones included, in page order.
inline void collect_blocks(const nlohmann::json& holder, std::vector<const nlohmann::json*>& out) {
  if (!holder.contains("blocks")) return;
  for (const nlohmann::json& b : holder["blocks"]) {
    out.push_back(&b);
    collect_blocks(b, out);
  }
}

inline std::vector<const nlohmann::json*> blocks_in(const nlohmann::json& section) {
  std::vector<const nlohmann::json*> out;
  collect_blocks(section, out);
  return out;
}

}  // namespace primbench::test
