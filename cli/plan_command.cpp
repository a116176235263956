#include <fmt/format.h>

#include "cli/commands.hpp"
#include "harness/cpu_location.hpp"
#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "harness/placement.hpp"
#include "harness/topology.hpp"

namespace primbench::cli {

namespace {

struct PlanArgs {
  std::string topology;
  bool pairs = false;
  bool all_pairs = false;
  unsigned workers = 0;
  std::string policy;  // compact, or explicit when --pus is given alone
  std::string pus;
  bool allow_oversubscribe = false;
  bool json = false;
};

void run_plan(const PlanArgs& a) {
  Topology topo = Topology::load(a.topology);
  // --pus chooses the PUs every plan below is made on, pairs included.
  const std::vector<unsigned> chosen =
      a.pus.empty() ? std::vector<unsigned>{} : restrict_to_location(topo, "--pus", a.pus);
  if (a.pairs || a.all_pairs) {
    const PairPlan plan = plan_pairs(topo, a.all_pairs);
    fmt::print("{}", a.json ? json_text(to_json(plan), 2) + "\n" : format_table(plan));
    return;
  }
  WorkerRequest req;
  req.policy = a.policy.empty() ? (chosen.empty() ? Policy::compact : Policy::explicit_list) : parse_policy(a.policy);
  req.workers = a.workers;
  req.allow_oversubscribe = a.allow_oversubscribe;
  req.explicit_pus = chosen;
  if (req.policy != Policy::explicit_list && req.workers == 0)
    throw UsageError("plan needs --workers N (or --pairs, or --pus LOCATION)");
  const WorkerPlan plan = plan_workers(topo, req);
  fmt::print("{}", a.json ? json_text(to_json(plan), 2) + "\n" : format_table(plan, topo));
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("plan", "Show where workers would be placed");
  auto a = std::make_shared<PlanArgs>();
  add_topology_option(*cmd, a->topology);
  cmd->add_flag("--pairs", a->pairs, "Representative PU pairs for each placement class");
  cmd->add_flag("--all-pairs", a->all_pairs, "Every PU pair of each placement class");
  cmd->add_option("--workers,-n", a->workers, "Number of workers to place")->check(CLI::PositiveNumber);
  cmd->add_option("--policy", a->policy, "compact (default) | spread | cores | explicit (default with --pus)");
  cmd->add_option("--pus", a->pus, "Plan on these PUs only, in hwloc-calc's words (core:0-3, numa:1, "
                  "package:0.core:0-7, pu:2,pu:5, 0x3, all) or as OS indexes (0,2,4-7); alone, one worker on each");
  cmd->add_flag("--allow-oversubscribe", a->allow_oversubscribe, "Allow more workers than usable PUs");
  cmd->add_flag("--json", a->json, "Print JSON");
  cmd->callback([a, &exit_status] {
    run_plan(*a);
    exit_status = 0;
  });
}

}  // namespace primbench::cli
