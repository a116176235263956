// `primbench report RESULTS.json -o report.html` (and `primbench run`, which
// writes report.html beside results.json): one HTML file that opens offline,
// with the charting library and the data inside it.
//
// What it shows: the machine and the run, with every noise warning; hwloc's
// picture of the topology; each primitive's cost as a multiple of the
// machine's core-to-core floor; and per benchmark family a table and the
// charts its results support (latency percentiles, throughput by message size
// and by workers with a fitted scaling curve, speedup, core-to-core heatmap,
// latency against offered load).
// Every string from the results is data to the page, never markup.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

#include "reports/topology_picture.hpp"

namespace primbench {

// The page's document model (reports/html_page.hpp) for `results` (as
// read_result_file returned it).
nlohmann::json html_report_document(const nlohmann::json& results, const TopologyPicture& topology);

// Writes the report. The topology picture comes from `run_dir` (where the run
// recorded topology.svg, normally the folder of results.json), see
// topology_picture(). Throws std::runtime_error when the file cannot be written.
void write_html_report(const nlohmann::json& results, const std::filesystem::path& out_html,
                       const std::filesystem::path& run_dir);

// The same with run_dir = the folder of `out_html` (what `run` writes: report.html
// beside results.json and topology.svg).
void write_html_report(const nlohmann::json& results, const std::filesystem::path& out_html);

}  // namespace primbench
