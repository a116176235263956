#include "reports/round_merge.hpp"

#include <map>
#include <stdexcept>

namespace primbench {
namespace {

using nlohmann::json;

bool is_aggregate(const json& entry) { return entry.value("run_type", std::string("iteration")) == "aggregate"; }

// Adds the records keyed by benchmark name (primbench.benchmarks,
// primbench.statistics) that `into` lacks; arrays (errors, unavailable) are
// appended, each item tagged with its round.
void merge_primbench(json& into, const json& from, long round) {
  for (const auto& [key, value] : from.items()) {
    if (value.is_array() && (key == "errors" || key == "unavailable")) {
      json& list = into[key];
      if (!list.is_array()) list = json::array();
      for (json item : value) {
        if (item.is_object()) item["round"] = round;
        list.push_back(std::move(item));
      }
    } else if (value.is_object() && (key == "benchmarks" || key == "statistics")) {
      json& records = into[key];
      if (!records.is_object()) records = json::object();
      for (const auto& [name, record] : value.items())
        if (!records.contains(name)) records[name] = record;
    }
  }
}

json round_record(const RoundRun& run) {
  json record{{"round", run.round}, {"chunk", run.chunk}, {"file", run.file}};
  const json& pb = run.doc.contains("primbench") ? run.doc["primbench"] : json::object();
  if (pb.contains("run")) {
    record["started_at"] = pb["run"].value("started_at", "");
    record["finished_at"] = pb["run"].value("finished_at", "");
  }
  if (pb.contains("machine") && pb["machine"].contains("probes")) record["probes"] = pb["machine"]["probes"];
  return record;
}

}  // namespace

json merge_round_runs(const std::vector<RoundRun>& runs) {
  if (runs.empty()) throw std::invalid_argument("no runs to merge");
  json merged = runs.front().doc;
  merged["benchmarks"] = json::array();
  json& pb = merged["primbench"];
  if (!pb.is_object()) pb = json::object();
  for (const char* key : {"benchmarks", "statistics", "errors", "unavailable"}) pb.erase(key);
  pb["rounds"] = json::array();

  std::map<std::string, std::vector<json>> entries;  // run_name -> iteration entries
  std::vector<std::string> order;                   // run_names in order of first appearance
  for (const RoundRun& run : runs) {
    for (json entry : run.doc.value("benchmarks", json::array())) {
      if (is_aggregate(entry)) continue;
      const std::string name = entry.value("run_name", entry.value("name", std::string()));
      entry["round"] = run.round;
      entry["chunk"] = run.chunk;
      auto& list = entries[name];
      if (list.empty()) order.push_back(name);
      list.push_back(std::move(entry));
    }
    if (run.doc.contains("primbench")) merge_primbench(pb, run.doc["primbench"], run.round);
    pb["rounds"].push_back(round_record(run));
  }
  for (const std::string& name : order) {
    auto& list = entries[name];
    for (std::size_t i = 0; i < list.size(); ++i) {
      list[i]["repetitions"] = list.size();
      list[i]["repetition_index"] = i;
      merged["benchmarks"].push_back(std::move(list[i]));
    }
  }
  if (pb.contains("run") && pb["run"].is_object()) {
    pb["run"]["finished_at"] = runs.back().doc.value(json::json_pointer("/primbench/run/finished_at"), std::string());
    pb["run"]["merged_runs"] = runs.size();
  }
  return merged;
}

}  // namespace primbench
