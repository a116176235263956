// A request/response round trip to a server process over AF_UNIX (the
// `Manager` proxy analogue): the server is a forked worker answering every
// client's socket from one poll() loop; each client sends one request at a
// time and checks that the response echoes it.
//   server/rtt/processes/<class>               one client; server on pair.a, client on pair.b
//   server/rtt/processes/compact/n<N>          N clients; server and clients placed compact,
//                                              server first (N = allowed PUs time-shares a PU)
// The reported time is the mean round trip seen by one client; requests_per_s
// (ops_per_s) is what the server sustained over all clients.
#include <fmt/format.h>

#include <string>

#include "benches/shm/echo_server.hpp"
#include "benches/shm/workload_run.hpp"
#include "harness/bench_registry.hpp"

namespace primbench {
namespace {

using namespace shm;

constexpr const char* kLatencyKind = "request round trip (send, server echoes, receive)";

void register_one_client(const BenchEnvironment& env) {
  for (const PairClassPlan& plan : env.pairs.classes) {
    const std::string name = bench_name("server", "rtt", ExecMode::processes, plan.cls);
    if (!plan.present) {
      register_unavailable(name, fmt::format("placement class {} is absent: {}", to_string(plan.cls), plan.reason));
      continue;
    }
    const PuPair pair = plan.pairs.front();
    WorkloadBench spec{"server", ExecMode::processes, std::string(to_string(plan.cls)), {pair.a, pair.b}, false, 1, 0,
                       kLatencyKind, {{"pair", {pair.a, pair.b}}, {"roles", "worker 0 = server (pair.a), worker 1 = client"}}};
    register_workload(name, spec, [] { return EchoServer(1); });
  }
}

void register_clients_sweep(const BenchEnvironment& env) {
  const auto pus = static_cast<unsigned>(env.topo->allowed_pus().size());
  for (unsigned clients : sweep_counts(pus, env.config.quick)) {
    // One more worker than clients: the server. At N = allowed PUs that is
    // one worker too many, and the plan says it time-shares.
    const WorkerPlan plan = plan_workers(*env.topo, {clients + 1, Policy::compact, {}, true});
    nlohmann::json extra{{"roles", "worker 0 = server, workers 1..N = clients"}};
    if (plan.oversubscribed) extra["note"] = plan.note;
    WorkloadBench spec{"server", ExecMode::processes, "compact", plan.pus, plan.oversubscribed, clients, 0,
                       kLatencyKind, std::move(extra)};
    register_workload(sweep_name("server", "rtt", ExecMode::processes, Policy::compact, clients), spec,
                      [clients] { return EchoServer(clients); });
  }
}

void register_server(const BenchEnvironment& env) {
  register_one_client(env);
  register_clients_sweep(env);
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("server", primbench::register_server);
