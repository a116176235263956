// The machine's topology as hwloc draws it (`lstopo --of svg`), for the HTML
// report: hwloc's own picture, not one primbench draws.
//
// The picture belongs to the run: `primbench run` records it beside
// results.json (record_topology_svg), and the report embeds that file. A
// result file without one gets a drawing of the live machine only when it was
// measured on this host; otherwise the report says why there is no picture.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace primbench {

inline constexpr const char* kTopologySvgFile = "topology.svg";

// Pictures larger than this are left out (a very large machine), keeping a
// report of a default run within a few megabytes.
inline constexpr std::size_t kMaxTopologySvgBytes = 1536 * 1024;

struct TopologyPicture {
  std::string svg;   // empty when there is none
  std::string note;  // where the picture comes from, or why there is none
};

// Runs lstopo-no-graphics (else lstopo) on this machine: the SVG, or nullopt
// when neither is installed or it fails.
std::optional<std::string> draw_live_topology_svg();

// Writes <dir>/topology.svg; false (nothing written) when lstopo is not available.
bool record_topology_svg(const std::filesystem::path& dir);

// <run_dir>/topology.svg when present; else a live drawing when
// `results_host` is this host and `results_topology` (the result file's
// one-line topology summary, empty when it has none) is this machine's now;
// else a note. Cloud VMs share host names ("vm", "localhost"): the name alone
// once drew a 2-PU VM into a report measured on a 16-PU one.
TopologyPicture topology_picture(const std::filesystem::path& run_dir, const std::string& results_host,
                                 const std::string& results_topology);

}  // namespace primbench
