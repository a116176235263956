#include <fmt/format.h>

#include "cli/commands.hpp"
#include "basics/json_text.hpp"
#include "harness/topology.hpp"
#include "harness/topology_format.hpp"

namespace primbench::cli {

void add_topo_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("topo", "Show the machine's topology as primbench sees it");
  auto spec = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  add_topology_option(*cmd, *spec);
  cmd->add_flag("--json", *json, "Print JSON instead of a tree");
  cmd->callback([spec, json, &exit_status] {
    const Topology topo = Topology::load(*spec);
    if (*json)
      fmt::print("{}\n", json_text(topology_to_json(topo), 2));
    else
      fmt::print("{}{}\n", topology_tree(topo), topology_summary(topo));
    exit_status = 0;
  });
}

}  // namespace primbench::cli
