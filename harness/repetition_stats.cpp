#include "harness/repetition_stats.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "basics/statistics.hpp"

namespace primbench {
namespace {

// A number of `entry`, or null where it has none (GB's cv of a constant is NaN, read as null).
nlohmann::json number_or_null(const nlohmann::json& entry, const char* key) {
  const auto it = entry.find(key);
  return it != entry.end() && it->is_number() ? *it : nlohmann::json();
}

// --benchmark_report_aggregates_only=true leaves Google Benchmark's aggregates
// and no repetitions: their figures, with no MAD, IQR or CI to add, and the
// noise verdict from GB's own cv.
nlohmann::json from_gbench_aggregates(const std::map<std::string, const nlohmann::json*>& aggregates,
                                      double noise_cv_threshold) {
  const nlohmann::json& any = *aggregates.begin()->second;
  nlohmann::json real = nlohmann::json::object(), cpu = nlohmann::json::object();
  for (const auto& [name, entry] : aggregates) {
    real[name] = number_or_null(*entry, "real_time");
    cpu[name] = number_or_null(*entry, "cpu_time");
  }
  nlohmann::json j{{"repetitions", any.value("repetitions", 0)},
                   {"estimator", "median"},
                   {"time_unit", any.value("time_unit", "ns")},
                   {"real_time", real},
                   {"cpu_time", cpu},
                   {"from", "Google Benchmark's aggregates (the repetitions were not reported)"}};
  const auto cv = aggregates.find("cv");
  const nlohmann::json cv_value = cv == aggregates.end() ? nlohmann::json() : number_or_null(*cv->second, "real_time");
  j["noisy"] = cv_value.is_number() && cv_value.get<double>() > noise_cv_threshold;
  j["noise"] = cv_value.is_number()
                   ? fmt::format("CV {:.1f} % (Google Benchmark's) over {} repetitions (threshold {:.0f} %)",
                                 cv_value.get<double>() * 100, j["repetitions"].get<int>(), noise_cv_threshold * 100)
                   : std::string("no CV reported: noise not judged");
  return j;
}

}  // namespace

nlohmann::json repetition_statistics(const nlohmann::json& entries, double noise_cv_threshold) {
  struct Samples {
    std::vector<double> real, cpu;
    std::string unit;
  };
  std::map<std::string, Samples> by_name;
  std::map<std::string, std::map<std::string, const nlohmann::json*>> aggregates_by_name;
  for (const auto& e : entries) {
    if (e.value("error_occurred", false) || !e.contains("run_name")) continue;
    if (e.value("run_type", "iteration") == "aggregate") {
      if (e.contains("aggregate_name"))
        aggregates_by_name[e["run_name"].get<std::string>()][e["aggregate_name"].get<std::string>()] = &e;
      continue;
    }
    if (!e.contains("real_time")) continue;
    Samples& s = by_name[e["run_name"].get<std::string>()];
    s.real.push_back(e["real_time"].get<double>());
    s.cpu.push_back(e.value("cpu_time", 0.0));
    s.unit = e.value("time_unit", "ns");
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, s] : by_name) {
    const Summary real = summarize(s.real);
    nlohmann::json j{{"repetitions", s.real.size()},
                     {"estimator", "median"},
                     {"time_unit", s.unit},
                     {"real_time", real},
                     {"cpu_time", summarize(s.cpu)}};
    if (s.real.size() < 2) {
      j["noisy"] = false;
      j["noise"] = "one repetition: no spread measured (use --benchmark_repetitions=N)";
    } else {
      j["noisy"] = is_noisy(real, noise_cv_threshold);
      j["noise"] = fmt::format("CV {:.1f} % over {} repetitions (threshold {:.0f} %)", real.cv * 100, s.real.size(),
                               noise_cv_threshold * 100);
    }
    out[name] = std::move(j);
  }
  for (const auto& [name, aggregates] : aggregates_by_name)
    if (!by_name.contains(name)) out[name] = from_gbench_aggregates(aggregates, noise_cv_threshold);
  return out;
}

}  // namespace primbench
