#include "reports/hardware_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "basics/json_text.hpp"
#include "reports/quantity_text.hpp"
#include "reports/html_page.hpp"
#include "reports/web_assets.hpp"

namespace primbench {
namespace {

using nlohmann::json;

std::string string_of(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> machine_labels(const json& model) {
  std::vector<std::string> labels;
  const std::size_t baseline = model.value("baseline", 0u);
  for (std::size_t i = 0; i < model["machines"].size(); ++i) {
    std::string label = string_of(model["machines"][i], "label");
    if (i == baseline) label += " (baseline)";
    labels.push_back(label);
  }
  return labels;
}

json column_heads(const std::string& first, const std::vector<std::string>& machines, bool numeric) {
  json heads = json::array({{{"label", first}, {"numeric", false}}});
  for (const auto& m : machines) heads.push_back({{"label", m}, {"numeric", numeric}});
  return heads;
}

json machines_section(const json& model, const std::vector<std::string>& labels) {
  json blocks = json::array();
  std::vector<std::string> facts;
  for (const json& m : model["machines"])
    if (m.contains("facts") && m["facts"].is_object())
      for (const auto& [fact, value] : m["facts"].items())
        if (std::find(facts.begin(), facts.end(), fact) == facts.end()) facts.push_back(fact);
  json rows = json::array();
  for (const auto& fact : facts) {
    json row = json::array({fact});
    for (const json& m : model["machines"]) {
      const json& value = m.contains("facts") ? m["facts"].value(fact, json()) : json();
      row.push_back(value.is_string() && !value.get<std::string>().empty() ? value : json(nullptr));
    }
    rows.push_back(std::move(row));
  }
  json files = json::array({"result files"});
  for (const json& m : model["machines"]) {
    std::string list;
    for (const json& f : m.value("files", json::array())) {
      if (!list.empty()) list += ", ";
      list += f.is_string() ? f.get<std::string>() : json_text(f);
    }
    files.push_back(list);
  }
  rows.push_back(std::move(files));
  blocks.push_back({{"kind", "table"}, {"caption", "Where each column was measured"},
                    {"columns", column_heads("fact", labels, false)}, {"rows", std::move(rows)}});

  json differences = json::array();
  for (const json& d : model.value("context_diff", json::array())) {
    std::string values;
    const json& vs = d.value("values", json::array());
    for (std::size_t i = 0; i < vs.size() && i < labels.size(); ++i) {
      if (!values.empty()) values += " · ";
      values += fmt::format("{}: {}", string_of(model["machines"][i], "label"),
                            vs[i].is_string() ? vs[i].get<std::string>() : json_text(vs[i]));
    }
    differences.push_back(fmt::format("{} differs: {}", string_of(d, "fact"), values));
  }
  if (!differences.empty())
    blocks.push_back({{"kind", "warnings"},
                      {"heading", "Besides the hardware, these differ (they can explain part of a difference)"},
                      {"items", std::move(differences)}});
  return {{"id", "machines"}, {"heading", "Machines"}, {"blocks", std::move(blocks)}};
}

std::string cell_text(const json& cell, const std::string& unit) {
  const std::string status = string_of(cell, "status");
  const std::string note = string_of(cell, "note");
  if (status == "unavailable" || status == "failed") return note.empty() ? status : status + ": " + note;
  if (status == "missing" || !cell.contains("value") || !cell["value"].is_number()) return "—";
  std::string out = format_quantity(cell["value"].get<double>(), unit);
  if (cell.contains("relative") && cell["relative"].is_number())
    out += fmt::format(" ({:.2f}×)", cell["relative"].get<double>());
  if (cell.contains("versus_baseline") && cell["versus_baseline"].is_object())
    out += " " + string_of(cell["versus_baseline"], "verdict");
  if (const auto reps = cell.value("repetitions", json()); reps.is_number() && reps.get<double>() > 1)
    out += fmt::format(", {} reps", json_text(reps));
  if (const std::string why = string_of(cell, "why"); !why.empty()) out += "; " + why;
  return out;
}

// "0.62× (30)": a machine's geometric mean against the baseline, over how many benchmarks.
std::string geomean_text(const json& headline, std::size_t m, bool is_baseline) {
  const json& g = headline["geomean_relative"][m];
  if (!g.is_number()) return "—";
  if (is_baseline) return fmt::format("1× (baseline, {})", json_text(headline["benchmarks"][m]));
  return fmt::format("{:.3g}× ({})", g.get<double>(), json_text(headline["benchmarks"][m]));
}

json headline_section(const json& model, const std::vector<std::string>& labels) {
  json blocks = json::array();
  const json& differences = model.value("run_differences", json::array());
  if (!differences.empty())
    blocks.push_back({{"kind", "warnings"},
                      {"heading", "The runs were not configured alike: their numbers are not all comparable"},
                      {"items", differences}});
  const std::size_t baseline = model.value("baseline", std::size_t{0});
  json rows = json::array();
  for (const json& h : model.value("headlines", json::array())) {
    json row = json::array({h["family"]});
    for (std::size_t m = 0; m < labels.size(); ++m) row.push_back(geomean_text(h, m, m == baseline));
    rows.push_back(std::move(row));
  }
  blocks.push_back({{"kind", "text"},
                    {"text", fmt::format("Per family, each machine's {} as a geometric mean of its ratios to the "
                                         "baseline over the benchmarks both measured ({} is better; the count in "
                                         "brackets).",
                                         string_of(model, "metric"), model.value("better", "lower"))}});
  blocks.push_back({{"kind", "table"}, {"columns", column_heads("family", labels, true)}, {"rows", std::move(rows)}});
  // The core-to-core floor per placement class: one number a machine.
  for (const json& table : model["tables"]) {
    const std::string title = string_of(table, "title");
    if (title != "c2c/rtt/threads" && title != "c2c/rtt/processes") continue;
    json floor_rows = json::array();
    for (const json& row : table.value("rows", json::array())) {
      json out = json::array({string_of(row, "placement")});
      for (const json& cell : row.value("cells", json::array())) out.push_back(cell_text(cell, string_of(model, "unit")));
      floor_rows.push_back(std::move(out));
    }
    blocks.push_back({{"kind", "table"},
                      {"caption", fmt::format("Core-to-core floor ({}): one cache line's round trip per placement class",
                                              title.substr(title.rfind('/') + 1))},
                      {"columns", column_heads("placement", labels, true)},
                      {"rows", std::move(floor_rows)}});
  }
  return {{"id", "headline"}, {"heading", "Headline"}, {"blocks", std::move(blocks)}};
}

json results_section(const json& model, const std::vector<std::string>& labels) {
  json blocks = json::array();
  const std::string unit = string_of(model, "unit");
  std::map<std::string, json> by_family;
  std::vector<std::string> families;
  for (const json& table : model["tables"]) {
    json rows = json::array();
    for (const json& row : table.value("rows", json::array())) {
      const std::string placement = string_of(row, "placement");
      json out = json::array({placement.empty() ? string_of(row, "benchmark") : placement});
      for (const json& cell : row.value("cells", json::array())) out.push_back(cell_text(cell, unit));
      rows.push_back(std::move(out));
    }
    const std::string family = string_of(table, "family");
    if (!by_family.count(family)) families.push_back(family);
    by_family[family].push_back({{"kind", "table"},
                                 {"caption", string_of(table, "title")},
                                 {"columns", column_heads("placement", labels, true)},
                                 {"rows", std::move(rows)}});
  }
  // Every table stays on the page, folded per family under the headline's numbers.
  for (const std::string& family : families)
    blocks.push_back({{"kind", "details"},
                      {"summary", fmt::format("{} ({} tables)", family, by_family[family].size())},
                      {"blocks", std::move(by_family[family])}});
  if (blocks.empty()) blocks.push_back({{"kind", "text"}, {"text", "The files have no benchmark in common."}});
  return {{"id", "results"}, {"heading", "Results per family"}, {"blocks", std::move(blocks)}};
}

}  // namespace

json hardware_html_document(const json& model) {
  if (!model.is_object() || !model.contains("machines") || !model["machines"].is_array() ||
      !model.contains("tables") || !model["tables"].is_array())
    throw std::invalid_argument("a hardware comparison model has \"machines\" and \"tables\" arrays");
  const std::vector<std::string> labels = machine_labels(model);
  std::string names;
  for (const json& m : model["machines"]) {
    if (!names.empty()) names += " vs ";
    names += string_of(m, "label");
  }
  return {{"title", fmt::format("primbench hardware comparison: {}", names)},
          {"subtitle", fmt::format("{} in {}, {} is better; each machine relative to the baseline",
                                   string_of(model, "metric"), string_of(model, "unit"), model.value("better", "lower"))},
          {"generator", fmt::format("primbench {} · charts by Apache ECharts {}", PRIMBENCH_VERSION,
                                    web::echarts_version())},
          {"sections", {headline_section(model, labels), machines_section(model, labels), results_section(model, labels)}}};
}

void write_hardware_html(const json& model, const std::filesystem::path& out_html) {
  write_html_page(out_html, hardware_html_document(model));
}

}  // namespace primbench
