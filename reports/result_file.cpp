#include "reports/result_file.hpp"

#include "basics/file_write.hpp"
#include "basics/json_text.hpp"
#include "harness/repetition_stats.hpp"
#include "reports/unavailable_entries.hpp"

namespace primbench {
namespace {

// Used only when no benchmark process produced a context of its own (every
// benchmark failed): the same keys, from primbench's own view of the machine.
// value() falls back only for a missing key; a field the context could not
// read is present as null, so read through this instead.
template <typename T>
T field_or(const nlohmann::json& j, const char* key, T fallback) {
  const auto it = j.find(key);
  return it != j.end() && !it->is_null() ? it->get<T>() : fallback;
}

nlohmann::json fallback_gbench_context(const RunContext& c) {
  return {{"date", c.started_at},
          {"host_name", field_or<std::string>(c.machine, "hostname", "unknown")},
          {"executable", "primbench"},
          {"num_cpus", field_or<int>(c.machine, "logical_cpus_online", 0)},
          {"mhz_per_cpu", 0},
          {"cpu_scaling_enabled", false},
          {"caches", nlohmann::json::array()},
          {"load_avg", nlohmann::json::array()},
          {"library_build_type", "release"}};
}

// Google Benchmark reads caches from sysfs only; where it found none, hwloc's
// view in GB's format, so that tools reading GB's fields see them. Returns
// where the list came from, or null when GB's own list was kept.
nlohmann::json fill_missing_caches(nlohmann::json& gbench_context, const nlohmann::json& hwloc_caches) {
  const auto caches = gbench_context.find("caches");
  const bool none = caches == gbench_context.end() || !caches->is_array() || caches->empty();
  if (!none || !hwloc_caches.is_array() || hwloc_caches.empty()) return nullptr;
  gbench_context["caches"] = hwloc_caches;
  return "hwloc";
}

}  // namespace

nlohmann::json build_result_document(const RunResults& results, const RunContext& context) {
  nlohmann::json gbench_context;
  nlohmann::json benchmarks = nlohmann::json::array();
  nlohmann::json records = nlohmann::json::object();
  nlohmann::json errors = nlohmann::json::array();
  for (const BenchmarkOutcome& b : results.outcomes) {
    if (gbench_context.is_null() && b.ok) gbench_context = b.gbench_context;
    for (const auto& e : b.entries) benchmarks.push_back(e);
    for (const auto& [name, record] : b.records.items()) records[name] = record;
    if (!b.ok) errors.push_back({{"benchmark", b.name}, {"message", b.error}});
  }
  if (gbench_context.is_null()) gbench_context = fallback_gbench_context(context);
  const nlohmann::json caches_source = fill_missing_caches(gbench_context, context.hwloc_caches);
  const nlohmann::json unavailable = take_unavailable(benchmarks);

  std::size_t completed = 0;
  for (const auto& b : results.outcomes) completed += b.ok ? 1 : 0;
  nlohmann::json run{{"started_at", context.started_at},
                     {"finished_at", context.finished_at},
                     {"config", context.config},
                     {"benchmarks_listed", results.listed.size()},
                     {"benchmarks_run", results.outcomes.size()},
                     {"benchmarks_ok", completed},
                     {"interrupted", results.interrupted_by != 0}};
  if (results.interrupted_by) run["interrupted_by"] = strsignal(results.interrupted_by);
  if (!results.steal.is_null()) run["steal"] = results.steal;

  nlohmann::json doc;
  doc["context"] = gbench_context;
  doc["benchmarks"] = benchmarks;
  doc["primbench"] = {{"schema_version", kResultSchemaVersion},
                      {"run", run},
                      {"machine", context.machine},
                      {"topology", context.topology},
                      {"clock", context.clock},
                      {"pair_plan", context.pair_plan},
                      {"benchmarks", records},
                      {"statistics", repetition_statistics(benchmarks)},
                      {"errors", errors},
                      {"unavailable", unavailable}};
  if (!caches_source.is_null()) doc["primbench"]["context_sources"] = {{"caches", caches_source}};
  if (!context.python.is_null()) doc["primbench"]["python"] = context.python;
  return doc;
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& doc) {
  // json_text replaces a stray invalid UTF-8 byte from a host name or an
  // error message: it must not make the whole file unwritable.
  write_file_atomically(path, json_text(doc, 2) + '\n');
}

}  // namespace primbench
