// The CPU affinity primbench inherits (taskset, hwloc-bind, a job scheduler)
// is the part of the machine it plans and runs on: the test restricts itself
// with sched_setaffinity, then plans in-process and runs the primbench binary,
// which inherits the mask. Needs two PUs; on this project's 2-vCPU machine the
// mask is PU 1 alone. Never asserts timings.
#include <gtest/gtest.h>
#include <sched.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/placement.hpp"
#include "harness/topology.hpp"
#include "tests/test_support.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;
using test::run_primbench;

// Binds the calling thread (the one that plans and spawns primbench) to one
// PU for a scope; the threads and processes it starts inherit the mask.
class ScopedAffinity {
 public:
  explicit ScopedAffinity(unsigned pu) {
    sched_getaffinity(0, sizeof saved_, &saved_);
    cpu_set_t only;
    CPU_ZERO(&only);
    CPU_SET(pu, &only);
    ok_ = sched_setaffinity(0, sizeof only, &only) == 0;
  }
  ~ScopedAffinity() { sched_setaffinity(0, sizeof saved_, &saved_); }
  ScopedAffinity(const ScopedAffinity&) = delete;
  ScopedAffinity& operator=(const ScopedAffinity&) = delete;
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

// The last allowed PU (1 here), so that the plan cannot land there by chance as PU 0 would.
#define PRIMBENCH_RESTRICT_TO_LAST_PU(pu)                                                          \
  const std::vector<unsigned> all_pus = Topology::load("live").allowed_pus();                      \
  if (all_pus.size() < 2) GTEST_SKIP() << "one allowed PU: no narrower mask to inherit";           \
  const unsigned pu = all_pus.back();                                                              \
  ScopedAffinity affinity(pu);                                                                     \
  ASSERT_TRUE(affinity.ok()) << "sched_setaffinity to PU " << pu

std::string number_of(unsigned n) { return std::to_string(n); }

TEST(CpuAffinity, TheLiveTopologyAllowsOnlyTheInheritedPus) {
  PRIMBENCH_RESTRICT_TO_LAST_PU(pu);
  const Topology topo = Topology::load("live");
  EXPECT_EQ(topo.allowed_pus(), std::vector<unsigned>{pu});
  EXPECT_EQ(topo.allowed_reason(),
            "1 of " + number_of(static_cast<unsigned>(all_pus.size())) + " PUs allowed by the CPU affinity");
  EXPECT_TRUE(topo.pus().size() == all_pus.size()) << "the other PUs are listed, not allowed";

  const PairPlan pairs = plan_pairs(topo, /*all_pairs=*/true);
  for (const PairClassPlan& c : pairs.classes)
    for (const PuPair& p : c.pairs) EXPECT_TRUE(p.a == pu && p.b == pu) << to_string(c.cls);
  EXPECT_TRUE(pairs.get(PairClass::same_pu).present);
  for (Policy policy : {Policy::compact, Policy::spread, Policy::cores})
    EXPECT_EQ(plan_workers(topo, {3, policy, {}, true}).pus, (std::vector<unsigned>{pu, pu, pu})) << to_string(policy);

  EXPECT_EQ(Topology::load("synthetic:pack:2 l3:2 core:4 pu:2").allowed_pus().size(), 32u)
      << "a synthetic machine is not this one: no mask applies";
}

TEST(CpuAffinity, TopoAndPlanSayWhichPusAreAllowedAndWhy) {
  PRIMBENCH_RESTRICT_TO_LAST_PU(pu);
  const auto topo = run_primbench({"topo", "--json"});
  ASSERT_EQ(topo.exit_code, 0) << topo.err;
  const auto j = nlohmann::json::parse(topo.out);
  EXPECT_EQ(j["allowed_pus"], number_of(pu));
  EXPECT_NE(j["allowed_reason"].get<std::string>().find("allowed by the CPU affinity"), std::string::npos);
  const auto text = run_primbench({"topo"});
  const std::string said = "1 of " + number_of(static_cast<unsigned>(all_pus.size())) + " PUs allowed by the CPU affinity";
  EXPECT_NE(text.out.find(said), std::string::npos) << text.out;

  const auto plan = run_primbench({"plan", "--all-pairs", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const auto pairs = nlohmann::json::parse(plan.out);  // named: a range-for over a temporary's member dangles
  for (const auto& c : pairs["pair_classes"]) {
    for (const auto& p : c["pairs"]) EXPECT_EQ(p, nlohmann::json::array({pu, pu})) << c["class"];
    if (!c["present"].get<bool>()) {
      EXPECT_NE(c["reason"].get<std::string>().find("CPU affinity"), std::string::npos) << c;
    }
  }
  const auto workers =
      run_primbench({"plan", "--workers", "2", "--policy", "spread", "--allow-oversubscribe", "--json"});
  ASSERT_EQ(workers.exit_code, 0) << workers.err;
  const auto spread = nlohmann::json::parse(workers.out);
  for (const auto& w : spread["workers"]) EXPECT_EQ(w["pu"], pu);

  test::expect_one_line_error(run_primbench({"plan", "--pus", number_of(all_pus.front())}), "outside the allowed PUs");
  const auto synthetic = run_primbench({"plan", "--pairs", "--json", "--topology", "synthetic:pack:2 core:2 pu:1"});
  ASSERT_EQ(synthetic.exit_code, 0) << synthetic.err;
  EXPECT_NE(synthetic.out.find("\"present\": true"), std::string::npos) << "planning elsewhere is unchanged";
}

// Every worker of the run lands on the inherited PU, and the result file says why.
void expect_run_on(unsigned pu, const std::vector<std::string>& extra, const std::string& reason) {
  const fs::path out = test::scratch_dir("affinity");
  std::vector<std::string> args{"run", "--quick", "--family", "pipe", "--filter", "same-pu", "--out", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_primbench(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "results.json");
  const auto doc = nlohmann::json::parse(in);
  const auto& topology = doc["primbench"]["topology"];
  EXPECT_EQ(topology["allowed_pus"], std::to_string(pu));
  EXPECT_NE(topology["allowed_reason"].get<std::string>().find(reason), std::string::npos) << topology;
  EXPECT_NE(topology["summary"].get<std::string>().find(reason), std::string::npos) << topology;
  std::size_t workers = 0;
  for (const auto& [name, record] : doc["primbench"]["benchmarks"].items())
    for (const auto& w : record["placement"]["workers"]) {
      EXPECT_EQ(w["requested_pu"], pu) << name;
      EXPECT_EQ(w["observed_pu"], pu) << name;
      ++workers;
    }
  EXPECT_GT(workers, 0u) << "some benchmark ran";
}

TEST(CpuAffinity, ARunUnderAnInheritedMaskStaysInsideIt) {
  PRIMBENCH_RESTRICT_TO_LAST_PU(pu);
  expect_run_on(pu, {}, "allowed by the CPU affinity");
}

TEST(CpuAffinity, RunCpusetBindsTheRunAndItsBenchmarkProcesses) {
  const std::vector<unsigned> all_pus = Topology::load("live").allowed_pus();
  if (all_pus.size() < 2) GTEST_SKIP() << "one allowed PU: --cpuset cannot narrow it";
  const unsigned pu = all_pus.back();
  expect_run_on(pu, {"--cpuset", std::to_string(pu)}, "allowed by --cpuset " + std::to_string(pu));
}

}  // namespace
}  // namespace primbench
