#include "reports/hardware_compare.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "basics/errors.hpp"
#include "basics/benchmark_name.hpp"
#include "reports/op_counter_changes.hpp"
#include "reports/result_reader.hpp"

namespace primbench {
namespace {

using nlohmann::json;

constexpr const char* kMetric = "real_time";

// One column: the files measured on one machine.
struct Machine {
  std::string label;
  std::vector<std::string> files;
  nlohmann::json config;  // primbench.run.config of its first file, or null
  MachineIdentity identity;
  std::vector<std::pair<std::string, std::string>> facts;
  std::map<std::string, BenchmarkRun> runs;
  std::vector<std::string> order;  // run names in file order
};

bool same_identity(const MachineIdentity& a, const MachineIdentity& b) {
  return a.host == b.host && a.cpu_model == b.cpu_model && a.num_cpus == b.num_cpus && a.topology == b.topology;
}

bool overlaps(const Machine& machine, const std::vector<BenchmarkRun>& runs) {
  for (const auto& run : runs) {
    if (machine.runs.contains(run.name)) return true;
  }
  return false;
}

// "fleet/node7/results.json" -> "node7": `primbench run` always writes
// results.json, so its folder is what tells the files apart.
std::string file_label(const std::string& file) {
  const std::filesystem::path path(file);
  const std::string stem = path.stem().string();
  const std::string folder = path.parent_path().filename().string();
  return stem == "results" && !folder.empty() ? folder : stem;
}

// Host names label the columns; two columns of one host (separate runs) or a
// file without a host name fall back on the file name.
void label_machines(std::vector<Machine>& machines) {
  std::map<std::string, int> uses;
  for (auto& m : machines) {
    m.label = m.identity.host.empty() ? file_label(m.files.front()) : m.identity.host;
    ++uses[m.label];
  }
  std::set<std::string> taken;
  for (auto& m : machines) {
    if (uses[m.label] > 1) m.label = fmt::format("{} ({})", m.label, file_label(m.files.front()));
    const std::string wanted = m.label;
    for (int k = 2; !taken.insert(m.label).second; ++k) m.label = fmt::format("{} #{}", wanted, k);
  }
}

std::vector<Machine> group_machines(const std::vector<HardwareInput>& inputs) {
  std::vector<Machine> machines;
  for (const auto& input : inputs) {
    const MachineIdentity identity = machine_identity(input.doc);
    std::vector<BenchmarkRun> runs = benchmark_runs(input.doc);
    Machine* into = nullptr;
    for (auto& m : machines) {
      if (same_identity(m.identity, identity) && !overlaps(m, runs)) into = &m;
    }
    if (!into) {
      const json& run = input.doc.contains("primbench") ? input.doc["primbench"].value("run", json()) : json();
      machines.push_back(Machine{"", {}, run.is_object() ? run.value("config", json()) : json(), identity,
                                 machine_facts(input.doc), {}, {}});
      into = &machines.back();
    }
    into->files.push_back(input.file);
    for (auto& run : runs) {
      into->order.push_back(run.name);
      into->runs.emplace(run.name, std::move(run));
    }
  }
  label_machines(machines);
  return machines;
}

// "pipe/pipe/processes/cross-package/rtt/8" -> title "pipe/pipe/processes/rtt/8",
// placement "cross-package"; a name without a placement is its own title.
struct NameParts {
  std::string title, placement, family;
};

NameParts split_name(const std::string& name) {
  std::vector<std::string> parts = split_benchmark_name(name);
  NameParts out{name, "", parts.front()};
  if (parts.size() >= 4 && (parts[2] == "threads" || parts[2] == "processes")) {
    out.placement = parts[3];
    parts.erase(parts.begin() + 3);
    out.title = fmt::format("{}", fmt::join(parts, "/"));
  }
  return out;
}

json counters_of(const BenchmarkRun& run) {
  json counters = json::object();
  const json* entry = representative_entry(run);
  if (!entry) return counters;
  for (const std::string& name : counter_names(*entry)) {
    if (!metric_direction(name)) continue;
    if (auto value = representative_value(run, name)) counters[name] = *value;
  }
  return counters;
}

json cell_of(const Machine& machine, const std::string& name) {
  json cell{{"status", "ok"}, {"value", nullptr},          {"repetitions", 0},  {"relative", nullptr},
            {"versus_baseline", nullptr}, {"counters", json::object()}, {"note", ""}};
  const auto it = machine.runs.find(name);
  if (it == machine.runs.end()) {
    cell["status"] = "missing";
    cell["note"] = "not in this machine's files";
    return cell;
  }
  const BenchmarkRun& run = it->second;
  if (run.error) {
    const std::string prefix = "unavailable: ";
    const bool unavailable = run.error->rfind("unavailable", 0) == 0;
    cell["status"] = unavailable ? "unavailable" : "failed";
    cell["note"] = run.error->rfind(prefix, 0) == 0 ? run.error->substr(prefix.size()) : *run.error;
    return cell;
  }
  cell["repetitions"] = run.repetitions.size();
  if (auto value = representative_value(run, kMetric)) cell["value"] = *value;
  else cell["note"] = "no real_time value";
  cell["counters"] = counters_of(run);
  return cell;
}

// The candidate machine against the baseline, where both have enough
// repetitions to test: compare's own rule, worded for machines.
json versus_baseline(const BenchmarkRun& baseline, const BenchmarkRun& other, const CompareOptions& options) {
  const std::vector<double> base = repetition_values(baseline, kMetric);
  const std::vector<double> candidate = repetition_values(other, kMetric);
  if (std::min(base.size(), candidate.size()) < options.min_repetitions) return nullptr;
  BootstrapOptions bootstrap;
  bootstrap.resamples = options.bootstrap_resamples;
  bootstrap.confidence = 1.0 - options.alpha;
  const auto change = median_change(base, candidate, bootstrap);
  if (!change) return nullptr;
  const RankTestResult test = mann_whitney_u(base, candidate);
  const Verdict verdict =
      classify_change(test.p_value, change->low, change->high, Better::lower, options.threshold, options.alpha);
  return {{"change", change->change},
          {"low", change->low},
          {"high", change->high},
          {"p_value", test.p_value},
          {"verdict", verdict == Verdict::regression    ? "slower"
                      : verdict == Verdict::improvement ? "faster"
                      : verdict == Verdict::undecidable ? "undecidable"
                                                        : "within noise"}};
}

void relate_to_baseline(json& row, const std::vector<Machine>& machines, std::size_t baseline,
                        const CompareOptions& rule) {
  const std::string name = row["benchmark"];
  const json& base_cell = row["cells"][baseline];
  const bool base_ok = base_cell["value"].is_number() && base_cell["value"].get<double>() > 0.0;
  for (std::size_t m = 0; m < machines.size(); ++m) {
    json& cell = row["cells"][m];
    if (!base_ok || !cell["value"].is_number()) continue;
    cell["relative"] = cell["value"].get<double>() / base_cell["value"].get<double>();
    if (m == baseline) continue;
    cell["versus_baseline"] = versus_baseline(machines[baseline].runs.at(name), machines[m].runs.at(name), rule);
    // What each operation costs the kernel here, against the baseline machine: the reason beside the ratio.
    if (std::string why = op_counter_changes(machines[baseline].runs.at(name), machines[m].runs.at(name)); !why.empty())
      cell["why"] = std::move(why);
  }
}

json tables_of(const std::vector<Machine>& machines, std::size_t baseline, const CompareOptions& rule) {
  // Tables and rows in the baseline's file order, then what only others have.
  std::vector<std::size_t> visit{baseline};
  for (std::size_t m = 0; m < machines.size(); ++m) {
    if (m != baseline) visit.push_back(m);
  }
  json tables = json::array();
  std::map<std::string, std::size_t> table_index;
  std::set<std::string> placed;
  for (std::size_t m : visit) {
    for (const std::string& name : machines[m].order) {
      if (!placed.insert(name).second) continue;
      const NameParts parts = split_name(name);
      auto [it, added] = table_index.try_emplace(parts.title, tables.size());
      if (added) tables.push_back({{"title", parts.title}, {"family", parts.family}, {"rows", json::array()}});
      json row{{"placement", parts.placement}, {"benchmark", name}, {"cells", json::array()}};
      for (const Machine& machine : machines) row["cells"].push_back(cell_of(machine, name));
      relate_to_baseline(row, machines, baseline, rule);
      tables[it->second]["rows"].push_back(std::move(row));
    }
  }
  return tables;
}

json context_diff(const std::vector<Machine>& machines) {
  json diff = json::array();
  const auto& labels = machines.front().facts;
  for (std::size_t f = 0; f < labels.size(); ++f) {
    if (labels[f].first == "date") continue;  // always differs; shown with each machine's facts
    json values = json::array();
    std::set<std::string> distinct;
    for (const auto& m : machines) {
      values.push_back(m.facts[f].second);
      distinct.insert(m.facts[f].second);
    }
    if (distinct.size() > 1) diff.push_back({{"fact", labels[f].first}, {"values", values}});
  }
  return diff;
}

// Per family, each machine's geometric mean of value ÷ baseline's over the
// benchmarks both measured (1 for the baseline): one number per machine and family.
json headlines(const json& tables, std::size_t machines) {
  struct Sum {
    std::vector<double> log_sum;
    std::vector<std::size_t> count;
  };
  std::map<std::string, Sum> by_family;
  std::vector<std::string> order;
  for (const json& table : tables) {
    const std::string family = table["family"].get<std::string>();
    auto [it, added] = by_family.try_emplace(family, Sum{std::vector<double>(machines, 0.0),
                                                          std::vector<std::size_t>(machines, 0)});
    if (added) order.push_back(family);
    for (const json& row : table["rows"])
      for (std::size_t m = 0; m < machines; ++m)
        if (const json& r = row["cells"][m]["relative"]; r.is_number() && r.get<double>() > 0) {
          it->second.log_sum[m] += std::log(r.get<double>());
          ++it->second.count[m];
        }
  }
  json out = json::array();
  for (const std::string& family : order) {
    const Sum& s = by_family[family];
    json geomeans = json::array(), counts = json::array();
    for (std::size_t m = 0; m < machines; ++m) {
      geomeans.push_back(s.count[m] ? json(std::exp(s.log_sum[m] / s.count[m])) : json(nullptr));
      counts.push_back(s.count[m]);
    }
    out.push_back({{"family", family}, {"geomean_relative", geomeans}, {"benchmarks", counts}});
  }
  return out;
}

// How the runs were configured differently: "suite: quick on a, default on b".
json run_differences(const std::vector<Machine>& machines) {
  const auto setting = [](const json& config, const char* key) -> std::string {
    if (!config.is_object() || !config.contains(key)) return "unknown";
    const json& v = config[key];
    if (std::string(key) == "quick") return v == true ? "quick" : "default";
    return v.is_array() && v.empty() ? "default" : v.dump();
  };
  json out = json::array();
  for (const auto& [key, what] : {std::pair{"quick", "suite"}, std::pair{"sizes", "message sizes"},
                                  std::pair{"families", "families"}, std::pair{"gbench_flags", "Google Benchmark flags"}}) {
    std::set<std::string> distinct;
    std::string said;
    for (const Machine& m : machines) {
      const std::string value = setting(m.config, key);
      distinct.insert(value);
      said += fmt::format("{}{} on {}", said.empty() ? "" : ", ", value, m.label);
    }
    if (distinct.size() > 1) out.push_back(fmt::format("The runs differ in {}: {}.", what, said));
  }
  return out;
}

}  // namespace

std::vector<std::string> hardware_machine_labels(const std::vector<HardwareInput>& inputs) {
  std::vector<std::string> labels;
  for (const auto& m : group_machines(inputs)) labels.push_back(m.label);
  return labels;
}

nlohmann::json hardware_comparison_model(const std::vector<HardwareInput>& inputs, std::size_t baseline,
                                         const CompareOptions& rule) {
  validate(rule);
  const std::vector<Machine> machines = group_machines(inputs);
  if (machines.size() < 2)
    throw UsageError(fmt::format("--hardware needs results from at least two machines; the {} file(s) given are "
                                 "all from {}",
                                 inputs.size(), machines.empty() ? "nowhere" : machines.front().label));
  if (baseline >= machines.size())
    throw UsageError(fmt::format("--baseline {} is out of range: there are {} machines", baseline + 1, machines.size()));

  json model{{"metric", kMetric},
             {"unit", "ns"},
             {"better", "lower"},
             {"baseline", baseline},
             {"rule", {{"alpha", rule.alpha}, {"threshold", rule.threshold}, {"min_repetitions", rule.min_repetitions}}}};
  json& columns = model["machines"] = json::array();
  for (const auto& m : machines) {
    json facts = json::object();
    for (const auto& [label, value] : m.facts) facts[label] = value;
    columns.push_back({{"label", m.label}, {"files", m.files}, {"facts", facts}});
  }
  model["context_diff"] = context_diff(machines);
  model["tables"] = tables_of(machines, baseline, rule);
  model["headlines"] = headlines(model["tables"], machines.size());
  model["run_differences"] = run_differences(machines);
  return model;
}

nlohmann::json hardware_comparison_model(const std::vector<std::filesystem::path>& files, std::size_t baseline,
                                         const CompareOptions& rule) {
  std::vector<HardwareInput> inputs;
  for (const auto& file : files) inputs.push_back({file.string(), read_result_file(file)});
  return hardware_comparison_model(inputs, baseline, rule);
}

}  // namespace primbench
