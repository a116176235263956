#include "reports/export_filtered.hpp"

#include <fmt/format.h>

#include <system_error>

#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "reports/compare_statistics.hpp"
#include "reports/result_file.hpp"
#include "reports/result_reader.hpp"
#include "reports/unavailable_entries.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// Several repetitions but no aggregates (a file merged from separate runs):
// an entry shaped like GB's median aggregate, built from the repetitions.
json median_of_repetitions(const BenchmarkRun& run) {
  json entry = run.repetitions.front().get();
  std::vector<std::string> metrics = counter_names(entry);
  metrics.insert(metrics.begin(), {"real_time", "cpu_time"});
  for (const std::string& metric : metrics) {
    std::vector<double> values;
    for (const json& rep : run.repetitions) {
      if (const auto it = rep.find(metric); it != rep.end() && it->is_number()) values.push_back(it->get<double>());
    }
    if (values.size() == run.repetitions.size()) entry[metric] = median_of(values);
    else entry.erase(metric);
  }
  entry["run_type"] = "aggregate";
  entry["aggregate_name"] = "median";
  entry["repetitions"] = run.repetitions.size();
  entry.erase("repetition_index");
  return entry;
}

std::optional<json> median_entry(const BenchmarkRun& run) {
  if (const auto it = run.aggregates.find("median"); it != run.aggregates.end()) {
    json entry = it->second.get();
    entry["name"] = run.name;
    return entry;
  }
  if (run.repetitions.size() == 1) return run.repetitions.front().get();
  if (run.repetitions.size() > 1) return median_of_repetitions(run);
  return std::nullopt;
}

// github-action-benchmark shows `range` beside the value: GB's stddev
// aggregate of the same metric, when the run has one.
json custom_point(const BenchmarkRun& run, const json& entry, const std::string& name, const std::string& metric) {
  json point{{"name", name}, {"unit", metric_unit(entry, metric)}, {"value", entry.at(metric)}};
  if (const auto it = run.aggregates.find("stddev"); it != run.aggregates.end()) {
    if (const auto sd = it->second.get().find(metric); sd != it->second.get().end() && sd->is_number())
      point["range"] = fmt::format("± {:.4g}", sd->get<double>());
  }
  if (entry.contains("repetitions") && entry.value("run_type", "") == "aggregate")
    point["extra"] = fmt::format("median of {} repetitions", json_text(entry.at("repetitions")));
  return point;
}

}  // namespace

FilteredExport filtered_export(const nlohmann::json& doc, const std::string& source) {
  FilteredExport out;
  json entries = json::array(), unavailable = json::array();
  out.bigger_is_better = json::array();
  out.smaller_is_better = json::array();
  for (const BenchmarkRun& run : benchmark_runs(doc)) {
    if (run.error) {
      out.skipped.push_back(fmt::format("{}: {}", run.name, *run.error));
      if (is_unavailable_message(*run.error)) unavailable.push_back(unavailable_item(run.name, *run.error));
      continue;
    }
    const std::optional<json> entry = median_entry(run);
    if (!entry) {
      out.skipped.push_back(fmt::format("{}: no median aggregate and no single repetition", run.name));
      continue;
    }
    if (entry->contains("real_time") && entry->at("real_time").is_number())
      out.smaller_is_better.push_back(custom_point(run, *entry, run.name, "real_time"));
    for (const std::string& counter : counter_names(*entry)) {
      const auto better = metric_direction(counter);
      if (!better) continue;
      json& into = *better == Better::higher ? out.bigger_is_better : out.smaller_is_better;
      into.push_back(custom_point(run, *entry, fmt::format("{} ({})", run.name, counter), counter));
    }
    entries.push_back(*entry);
  }

  // What this machine could not run stays listed, outside benchmarks[] as in a result file.
  json primbench{{"schema_version", kResultSchemaVersion},
                 {"export", {{"kind", "median"}, {"source", source}}},
                 {"unavailable", unavailable}};
  if (const auto p = doc.find("primbench"); p != doc.end()) {
    // What tells machines apart (compare, --hardware) stays with the numbers.
    for (const char* key : {"machine", "topology", "clock"}) {
      if (const auto it = p->find(key); it != p->end()) primbench[key] = *it;
    }
  }
  out.median = {{"context", doc.at("context")}, {"benchmarks", entries}, {"primbench", primbench}};
  return out;
}

std::vector<std::filesystem::path> write_filtered_export(const FilteredExport& exported,
                                                         const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw UsageError(fmt::format("cannot create directory '{}': {}", dir.string(),
                                 ec ? ec.message() : "a file of that name exists"));
  const std::vector<std::pair<std::string, const json*>> files{{"median.json", &exported.median},
                                                               {"bigger_is_better.json", &exported.bigger_is_better},
                                                               {"smaller_is_better.json", &exported.smaller_is_better}};
  std::vector<std::filesystem::path> written;
  for (const auto& [name, doc] : files) {
    const auto path = dir / name;
    try {
      write_json_file(path, *doc);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    written.push_back(path);
  }
  return written;
}

}  // namespace primbench
