#include "cli/commands.hpp"

namespace primbench::cli {

void add_topology_option(CLI::App& cmd, std::string& spec) {
  cmd.add_option("--topology", spec,
                 "live (default; HWLOC_XMLFILE is honoured), a path to an hwloc XML export, or "
                 "synthetic:\"pack:2 l3:2 core:4 pu:2\"");
}

}  // namespace primbench::cli
