#include "reports/topology_picture.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "harness/topology.hpp"
#include "harness/topology_format.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

// hwloc 2.9 writes viewBox='0 0 195px 324px'; a viewBox takes plain numbers,
// and a browser rejects the attribute (with a console error) otherwise.
void fix_viewbox_units(std::string& svg) {
  const std::string attribute = "viewBox='";
  const std::size_t start = svg.find(attribute);
  if (start == std::string::npos) return;
  const std::size_t value = start + attribute.size();
  const std::size_t end = svg.find('\'', value);
  if (end == std::string::npos) return;
  std::string box = svg.substr(value, end - value);
  for (std::size_t px; (px = box.find("px")) != std::string::npos;) box.erase(px, 2);
  svg.replace(value, end - value, box);
}

std::optional<std::string> run_lstopo(const char* command) {
  FILE* pipe = popen(command, "r");
  if (!pipe) return std::nullopt;
  std::string out;
  char buffer[16384];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  if (out.find("<svg") == std::string::npos) return std::nullopt;
  fix_viewbox_units(out);
  return out;
}

std::string this_host() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace

std::optional<std::string> draw_live_topology_svg() {
  // --no-io: caches, cores and NUMA nodes are what placement is about; PCI
  // devices would make the picture several times larger.
  for (const char* command : {"lstopo-no-graphics --no-io --of svg - 2>/dev/null", "lstopo --no-io --of svg - 2>/dev/null"})
    if (auto svg = run_lstopo(command)) return svg;
  return std::nullopt;
}

bool record_topology_svg(const fs::path& dir) {
  const auto svg = draw_live_topology_svg();
  if (!svg) return false;
  std::ofstream out(dir / kTopologySvgFile, std::ios::binary);
  out << *svg;
  return static_cast<bool>(out.flush());
}

// This machine's one-line summary as `run` records it; empty when hwloc fails.
std::string live_topology_summary() {
  try {
    return topology_summary(Topology::load("live"));
  } catch (const std::exception&) {
    return {};
  }
}

TopologyPicture topology_picture(const fs::path& run_dir, const std::string& results_host,
                                 const std::string& results_topology) {
  TopologyPicture picture;
  if (std::ifstream in{run_dir / kTopologySvgFile, std::ios::binary}) {
    std::stringstream text;
    text << in.rdbuf();
    picture.svg = text.str();
    fix_viewbox_units(picture.svg);
    picture.note = "Drawn by hwloc's lstopo on the measured machine when the run started.";
  } else if (!results_host.empty() && results_host == this_host()) {
    const std::string live = live_topology_summary();
    if (!live.empty() && !results_topology.empty() && results_topology != live) {
      // Another machine of the same name, or this one seen through another
      // cgroup, HWLOC_XMLFILE or hwloc version: either way a drawing made now
      // would not show what was measured.
      picture.note = fmt::format("No topology picture: the run recorded none (lstopo was not available when it "
                                 "ran), and the topology here ({}) differs from the measured one ({}).",
                                 live, results_topology);
    } else if (auto svg = draw_live_topology_svg()) {
      picture.svg = std::move(*svg);
      picture.note = "Drawn by hwloc's lstopo on this host when the report was written (the run recorded no "
                     "picture): if the machine changed since the run, so did the picture.";
    } else {
      picture.note = "lstopo not available: install hwloc (Debian package 'hwloc') to see the topology drawn.";
    }
  } else {
    picture.note = fmt::format("No topology picture: the run recorded none (lstopo was not available when it ran), "
                               "and this report is written on a different host than '{}'.",
                               results_host);
  }
  if (picture.svg.size() > kMaxTopologySvgBytes) {
    picture.note = fmt::format("Topology picture left out: lstopo drew {:.1f} MB, more than the report allows.",
                               picture.svg.size() / 1e6);
    picture.svg.clear();
  }
  return picture;
}

}  // namespace primbench
