#include "harness/repetition_stats.hpp"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "harness/statistics.hpp"

namespace primbench {

nlohmann::json repetition_statistics(const nlohmann::json& entries, double noise_cv_threshold) {
  struct Samples {
    std::vector<double> real, cpu;
    std::string unit;
  };
  std::map<std::string, Samples> by_name;
  for (const auto& e : entries) {
    if (e.value("error_occurred", false) || e.value("run_type", "iteration") != "iteration") continue;
    if (!e.contains("real_time") || !e.contains("run_name")) continue;
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
  return out;
}

}  // namespace primbench
