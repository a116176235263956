// The shm and server families: which cells a core-to-core matrix measures on
// a given topology (synthetic, no measuring), what its result says, that the
// live matrix has the right shape and sane values, that every shared counter
// ends exact as threads and as processes, that a corrupted copy and a wrong
// echo are caught, and that nothing is left behind.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "benches/shm/c2c_matrix_outliers.hpp"
#include "benches/shm/c2c_matrix_plan.hpp"
#include "benches/shm/c2c_matrix_run.hpp"
#include "benches/shm/counters.hpp"
#include "benches/shm/echo_server.hpp"
#include "benches/shm/shared_copy.hpp"
#include "benches/shm/workload_run.hpp"
#include "harness/run_identity.hpp"
#include "tests/message_family_run.hpp"
#include "tests/test_support.hpp"

namespace primbench::shm {
namespace {

constexpr const char* kSmallMachine = "synthetic:pack:2 l3:2 core:2 pu:2";            // 16 PUs, no NUMA split
constexpr const char* kBigMachine = "synthetic:pack:2 numa:2 l3:1 core:20 pu:2";      // 160 PUs, 4 NUMA nodes

std::map<std::string, std::size_t> cells_per_class(const MatrixLayout& layout) {
  std::map<std::string, std::size_t> out;
  for (const MatrixCell& c : layout.cells) ++out[c.cls ? std::string(to_string(*c.cls)) : "none"];
  return out;
}

// A round trip per class on kSmallMachine, so floors, means and outliers can be predicted.
const std::map<std::string, double> kSmallMachineByClass{
    {"same-pu", 900}, {"smt", 20}, {"shared-l3", 40}, {"cross-l3", 80}, {"cross-package", 160}};

// One value per class, as the reported topology predicts them.
std::vector<double> cells_by_class(const MatrixLayout& layout, const std::map<std::string, double>& by_class) {
  std::vector<double> cells;
  for (const MatrixCell& c : layout.cells) cells.push_back(by_class.at(std::string(to_string(*c.cls))));
  return cells;
}

// --- the matrix's shape, on synthetic topologies ----------------------------

TEST(ShmMatrixPlan, EveryPairOfASixteenPuMachineIsOneCellLabelledWithItsClass) {
  const Topology topo = Topology::load(kSmallMachine);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  EXPECT_FALSE(layout.sampled);
  EXPECT_EQ(layout.pus, topo.allowed_pus());
  ASSERT_EQ(layout.cells.size(), 16u * 17u / 2u) << "every unordered pair plus the diagonal";
  // Per PU: itself, 1 SMT sibling, 2 PUs on the other core of its L3, 4 in
  // the package's other L3, 8 in the other package.
  const std::map<std::string, std::size_t> expected{
      {"same-pu", 16}, {"smt", 8}, {"shared-l3", 16}, {"cross-l3", 32}, {"cross-package", 64}};
  EXPECT_EQ(cells_per_class(layout), expected);
  for (std::size_t i = 0; i < layout.cells.size(); ++i) {
    const MatrixCell& c = layout.cells[i];
    ASSERT_LE(c.row, c.col);
    EXPECT_EQ(layout.cell_index(c.row, c.col), i);
    EXPECT_EQ(layout.cell_index(c.col, c.row), i) << "either order names the same cell";
  }
}

TEST(ShmMatrixPlan, EachPresentClassFloorIsMeasuredOnThePairOtherFamiliesUse) {
  const Topology topo = Topology::load(kSmallMachine);
  const PairPlan plan = plan_pairs(topo);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan);
  std::set<PairClass> seen;
  for (const ClassRepresentative& r : layout.representatives) {
    seen.insert(r.cls);
    EXPECT_EQ(r.pair, plan.get(r.cls).pairs.front());
    const MatrixCell& cell = layout.cells[r.cell];
    const std::set<unsigned> cell_pus{layout.pus[cell.row], layout.pus[cell.col]};
    EXPECT_EQ(cell_pus, (std::set<unsigned>{r.pair.a, r.pair.b})) << to_string(r.cls);
  }
  for (const PairClassPlan& c : plan.classes) EXPECT_EQ(seen.count(c.cls), c.present ? 1u : 0u) << to_string(c.cls);
}

TEST(ShmMatrixPlan, AboveSixtyFourPusTheMatrixIsASampleAndSaysSo) {
  const Topology topo = Topology::load(kBigMachine);
  const PairPlan plan = plan_pairs(topo);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan);
  ASSERT_EQ(topo.allowed_pus().size(), 160u);
  EXPECT_TRUE(layout.sampled);
  EXPECT_EQ(layout.sampled_from, 160u);
  ASSERT_EQ(layout.pus.size(), kMatrixMaxPus);
  EXPECT_EQ(layout.cells.size(), 64u * 65u / 2u);
  for (std::size_t i = 1; i < layout.pus.size(); ++i)
    EXPECT_LT(topo.pu_by_os(layout.pus[i - 1]).logical_index, topo.pu_by_os(layout.pus[i]).logical_index)
        << "rows stay in logical order";
  std::size_t present = 0;
  for (const PairClassPlan& c : plan.classes) present += c.present ? 1 : 0;
  EXPECT_EQ(layout.representatives.size(), present) << "every class's representative pair is in the sample";
  std::set<int> packages, numa;
  for (unsigned pu : layout.pus) {
    packages.insert(topo.pu_by_os(pu).package);
    numa.insert(topo.pu_by_os(pu).numa);
  }
  EXPECT_EQ(packages.size(), 2u);
  EXPECT_EQ(numa.size(), 4u);
  // The result says so, with the numbers.
  const std::vector<double> cells(layout.cells.size(), 100.0);
  const nlohmann::json extra = matrix_extra(topo, layout, cells, "store", std::vector<int>(layout.pus.size(), 0));
  EXPECT_EQ(extra["sampled"], true);
  EXPECT_NE(extra["sample_note"].get<std::string>().find("64 of 160 allowed PUs"), std::string::npos)
      << extra["sample_note"];
  EXPECT_EQ(extra["rtt_ns"].size(), 64u);
}

TEST(ShmMatrixPlan, TheResultIsASymmetricMatrixWithFloorsKeyedByClass) {
  const Topology topo = Topology::load(kSmallMachine);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  // A value per class, so floors and means can be predicted; one cell unmeasured.
  const std::map<std::string, double>& by_class = kSmallMachineByClass;
  std::vector<double> cells = cells_by_class(layout, by_class);
  const std::size_t missing = layout.cell_index(14, 15);
  ASSERT_EQ(layout.cells[missing].cls, PairClass::smt);
  cells[missing] = std::numeric_limits<double>::quiet_NaN();
  std::vector<int> homes(16, 0);
  homes[3] = -1;
  const nlohmann::json extra = matrix_extra(topo, layout, cells, "cas", homes);

  EXPECT_EQ(extra["variant"], "cas");
  EXPECT_EQ(extra["sampled"], false);
  EXPECT_EQ(extra["pus"].get<std::vector<unsigned>>(), layout.pus);
  ASSERT_EQ(extra["rtt_ns"].size(), 16u);
  for (unsigned r = 0; r < 16; ++r) {
    ASSERT_EQ(extra["rtt_ns"][r].size(), 16u);
    EXPECT_EQ(extra["rtt_ns"][r][r], 900.0) << "the diagonal holds the same-PU round trip";
    for (unsigned c = 0; c < 16; ++c) EXPECT_EQ(extra["rtt_ns"][r][c], extra["rtt_ns"][c][r]);
  }
  EXPECT_TRUE(extra["rtt_ns"][14][15].is_null()) << "an unmeasured cell is null, never a number";
  EXPECT_EQ(extra["class"][0][8], "cross-package");
  EXPECT_TRUE(extra["home_numa"][3].is_null());
  EXPECT_EQ(extra["home_numa"][0], 0);
  for (const auto& [cls, ns] : by_class) {
    EXPECT_EQ(extra["floor_ns"][cls], ns) << cls;
    EXPECT_EQ(extra["class_mean_ns"][cls], ns) << cls;
  }
  EXPECT_EQ(extra["floor_pairs"]["shared-l3"], (std::vector<unsigned>{0, 2}));
  EXPECT_EQ(extra["class_cells"]["smt"], 7u) << "the unmeasured cell counts in no mean";
  EXPECT_FALSE(extra.contains("sample_note"));
  // The benchmark's time: the mean over distinct-PU cells, diagonal excluded.
  const double expected_mean = (7 * 20.0 + 16 * 40.0 + 32 * 80.0 + 64 * 160.0) / 119.0;
  EXPECT_DOUBLE_EQ(mean_pair_rtt(layout, cells), expected_mean);
}

TEST(ShmMatrixPlan, PairsFarFromTheirClassAreListedAndAFloorPairAmongThemIsNamed) {
  const Topology topo = Topology::load(kSmallMachine);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  const std::map<std::string, double>& by_class = kSmallMachineByClass;
  std::vector<double> cells = cells_by_class(layout, by_class);
  nlohmann::json clean = matrix_extra(topo, layout, cells, "store", std::vector<int>(16, 0));
  add_unexplained_cells(clean, layout, cells);
  EXPECT_TRUE(clean["unexplained_cells"].empty()) << "a matrix its topology explains lists nothing";
  EXPECT_FALSE(clean.contains("unexplained_note"));

  // A cross-package pair answering like SMT siblings (a VM's vCPUs on one host
  // core), a shared-l3 floor pair 10x slow, a cross-l3 pair just inside 3x.
  cells[layout.cell_index(3, 12)] = 20;
  cells[layout.cell_index(0, 2)] = 400;
  cells[layout.cell_index(0, 4)] = 80 * 2.9;
  nlohmann::json extra = matrix_extra(topo, layout, cells, "store", std::vector<int>(16, 0));
  add_unexplained_cells(extra, layout, cells);
  const nlohmann::json& listed = extra["unexplained_cells"];
  ASSERT_EQ(listed.size(), 2u) << listed;
  EXPECT_EQ(listed[0]["pus"], (std::vector<unsigned>{0, 2}));
  EXPECT_EQ(listed[0]["class"], "shared-l3");
  EXPECT_EQ(listed[0]["class_median_ns"], 40.0);
  EXPECT_EQ(listed[0]["floor_pair"], true) << "(0, 2) is the pair every shared-l3 benchmark uses";
  EXPECT_EQ(listed[0]["floor_of"], nlohmann::json({"shared-l3"}));
  EXPECT_EQ(listed[1]["pus"], (std::vector<unsigned>{3, 12}));
  EXPECT_EQ(listed[1]["rtt_ns"], 20.0);
  EXPECT_EQ(listed[1]["class"], "cross-package");
  EXPECT_EQ(listed[1]["floor_pair"], false);
  const std::string note = extra["unexplained_note"];
  EXPECT_NE(note.find("2 pair(s)"), std::string::npos) << note;
  EXPECT_NE(note.find("floor pair of shared-l3"), std::string::npos) << note;
}

// 4 PUs, two cores per L3: shared-l3 holds 2 pairs, (0, 1) and (2, 3); cross-l3 the other 4.
constexpr const char* kTwoL3s = "synthetic:pack:1 l3:2 core:2 pu:1";

TEST(ShmMatrixPlan, AClassOfFewerThanThreeMeasuredPairsJudgesNone) {
  const Topology topo = Topology::load(kTwoL3s);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  std::vector<double> cells = cells_by_class(layout, {{"same-pu", 900}, {"shared-l3", 40}, {"cross-l3", 80}});
  cells[layout.cell_index(0, 1)] = 1;  // 100x apart, and two pairs give no median to judge either by
  cells[layout.cell_index(2, 3)] = 100;
  EXPECT_TRUE(unexplained_cells(layout, cells).empty());
}

TEST(ShmMatrixPlan, AnEvenClassIsJudgedByTheMeanOfItsMiddleTwoAndThreeTimesItIsStillExplained) {
  const Topology topo = Topology::load(kTwoL3s);
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  std::vector<double> cells = cells_by_class(layout, {{"same-pu", 900}, {"shared-l3", 40}, {"cross-l3", 80}});
  // cross-l3's median is (20 + 40) / 2 = 30: 9.5 and 95 are beyond 3x of it, and would
  // not both be with either middle value alone (20: 9.5 is not; 40: 95 is not).
  cells[layout.cell_index(0, 2)] = 9.5;
  cells[layout.cell_index(0, 3)] = 20;
  cells[layout.cell_index(1, 2)] = 40;
  cells[layout.cell_index(1, 3)] = 95;
  std::vector<UnexplainedCell> listed = unexplained_cells(layout, cells);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].rtt_ns, 9.5);
  EXPECT_EQ(listed[1].rtt_ns, 95);
  EXPECT_EQ(listed[0].class_median_ns, 30);
  cells[layout.cell_index(0, 2)] = 10;  // exactly 3x below: still explained
  cells[layout.cell_index(1, 3)] = 90;  // exactly 3x above
  EXPECT_TRUE(unexplained_cells(layout, cells).empty());
}

TEST(ShmMatrixPlan, TheCellBudgetKeepsTheWholeMatrixBounded) {
  using namespace std::chrono_literals;
  EXPECT_EQ(matrix_cell_budget(3, true), 40ms) << "2 PUs, quick: 3 cells, 120 ms";
  EXPECT_EQ(matrix_cell_budget(3, false), 200ms);
  EXPECT_LE(matrix_cell_budget(2080, false) * 2080, 3s) << "64 PUs by default";
  EXPECT_LE(matrix_cell_budget(2080, true) * 2080, 1s) << "64 PUs, quick";
}

TEST(ShmSweep, WorkerCountsVisitEveryNUpToEightThenPowersOfTwoAndTheEnd) {
  EXPECT_EQ(sweep_counts(2, false), (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(sweep_counts(20, false), (std::vector<unsigned>{1, 2, 3, 4, 5, 6, 7, 8, 16, 20}));
  EXPECT_EQ(sweep_counts(64, false), (std::vector<unsigned>{1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64}));
  EXPECT_EQ(sweep_counts(20, true), (std::vector<unsigned>{1, 20}));
  EXPECT_EQ(sweep_counts(1, true), (std::vector<unsigned>{1}));
}

// --- live: this machine ------------------------------------------------------

bool no_children_left() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

// This process's segments only: other runs on the machine may hold theirs.
std::vector<std::string> own_segments() {
  std::vector<std::string> own;
  for (const std::string& name : test::primbench_segments())
    if (name.rfind(run_id(), 0) == 0) own.push_back(name);
  return own;
}

class ShmLive : public ::testing::TestWithParam<ExecMode> {
 protected:
  void TearDown() override {
    EXPECT_TRUE(no_children_left());
    EXPECT_EQ(own_segments(), std::vector<std::string>{});
  }
  Topology topo = Topology::load("live");
  ExecMode mode() const { return GetParam(); }
  std::vector<unsigned> pus(unsigned n) const {
    std::vector<unsigned> out;
    const auto allowed = topo.allowed_pus();
    for (unsigned i = 0; i < n; ++i) out.push_back(allowed[i % allowed.size()]);
    return out;
  }
};

template <typename Handoff>
void expect_sane_live_matrix(const Topology& topo, ExecMode mode) {
  const MatrixLayout layout = plan_c2c_matrix(topo, plan_pairs(topo));
  const std::size_t n = topo.allowed_pus().size();
  ASSERT_EQ(layout.pus.size(), std::min<std::size_t>(n, kMatrixMaxPus));
  const MatrixMeasurement m =
      measure_c2c_matrix<Handoff>(topo, mode, layout, std::chrono::milliseconds(5), "test-matrix");
  ASSERT_EQ(m.cell_ns.size(), layout.cells.size());
  for (std::size_t i = 0; i < m.cell_ns.size(); ++i) {
    EXPECT_GT(m.cell_ns[i], 0.0) << "cell " << i;
    EXPECT_LT(m.cell_ns[i], 1e9) << "cell " << i;
    EXPECT_GE(m.cell_batches[i], kMinBatchesPerCell) << "cell " << i;
  }
  EXPECT_EQ(m.home_numa.size(), layout.pus.size());
  ASSERT_EQ(m.placements.size(), 2 * layout.pus.size()) << "a worker per PU and a twin per PU";
  for (const ObservedPlacement& p : m.placements) EXPECT_TRUE(p.ok()) << p.requested_pu << " ran on " << p.observed_pu;
  if (layout.pus.size() > 1) {
    EXPECT_GT(m.latency.count(), 0u) << "distinct-PU cells keep their batch samples";
  }
  const nlohmann::json extra = matrix_extra(topo, layout, m.cell_ns, Handoff::name, m.home_numa);
  EXPECT_EQ(extra["rtt_ns"].size(), layout.pus.size());
  EXPECT_TRUE(extra["floor_ns"].contains("same-pu"));
  for (const PairClassPlan& c : plan_pairs(topo).classes)
    EXPECT_EQ(extra["floor_ns"].contains(std::string(to_string(c.cls))), c.present) << to_string(c.cls);
}

TEST_P(ShmLive, StoreMatrixHasTheRightShapeAndSaneValues) { expect_sane_live_matrix<StoreHandoff>(topo, mode()); }
TEST_P(ShmLive, CasMatrixHasTheRightShapeAndSaneValues) { expect_sane_live_matrix<CasHandoff>(topo, mode()); }

// More workers than PUs on purpose: time-sharing makes lost updates likelier, not rarer.
TEST_P(ShmLive, ContendedCounterEndsExact) {
  const GroupRun run = run_workload(topo, mode(), pus(4), 100'000, "test-add", ContendedAdd{});
  EXPECT_EQ(run.error, "");
  EXPECT_GT(run.timed.count(), 0);
  EXPECT_GT(run.latency.count(), 0u);
}

TEST_P(ShmLive, PrivateCountersEndExactAdjacentOrPadded) {
  EXPECT_EQ(run_workload(topo, mode(), pus(3), 100'000, "test-adjacent", PrivateCounters<AdjacentCounters>{3}).error, "");
  EXPECT_EQ(run_workload(topo, mode(), pus(3), 100'000, "test-padded", PrivateCounters<PaddedCounters>{3}).error, "");
}

TEST_P(ShmLive, ReadMostlyArraySumsToTheWritesMade) {
  const GroupRun run = run_workload(topo, mode(), pus(3), 64 * 1000 + 5, "test-read-mostly", ReadMostlyArray{3});
  EXPECT_EQ(run.error, "");
}

TEST_P(ShmLive, ACopiedBufferArrivesIntact) {
  const std::vector<unsigned> pair = pus(2);
  const GroupRun run = run_workload(topo, mode(), pair, 50, "test-copy", SharedCopy(65536 + 3, spin_budget(pair[0] == pair[1])));
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.latency.count(), 50u) << "one sample per timed transfer";
  EXPECT_GT(run.timed.count(), 0);
}

TEST_P(ShmLive, ACorruptedByteInTheSharedBufferIsCaught) {
  const std::vector<unsigned> pair = pus(2);
  const GroupRun run =
      run_workload(topo, mode(), pair, 10, "test-copy", SharedCopy(4096, spin_budget(pair[0] == pair[1]), true));
  EXPECT_NE(run.error.find("4096-byte copy, first transfer: checksum of the received buffer"), std::string::npos)
      << run.error;
}

INSTANTIATE_TEST_SUITE_P(Modes, ShmLive, ::testing::Values(ExecMode::threads, ExecMode::processes),
                         [](const auto& param_info) { return std::string(to_string(param_info.param)); });

// --- the checks themselves ---------------------------------------------------

TEST(ShmChecks, AnInexactCounterIsAnErrorWithTheNumbers) {
  alignas(64) unsigned char region[256] = {};
  const ContendedAdd add;
  add.prepare(region);
  aligned_in<ContendedAdd::Counter>(region)->value = 199;
  std::vector<WorkerSlot> slots(2);
  EXPECT_EQ(add.verify(region, slots, 100), "shared counter ended at 199, expected 2 workers x 100 increments = 200");
  aligned_in<ContendedAdd::Counter>(region)->value = 200;
  EXPECT_EQ(add.verify(region, slots, 100), "");

  alignas(128) unsigned char padded[1024] = {};
  const PrivateCounters<PaddedCounters> own{2};
  own.prepare(padded);
  PaddedCounters::counter(aligned_in<PaddedCounters::Slot>(padded), 0) = 100;
  PaddedCounters::counter(aligned_in<PaddedCounters::Slot>(padded), 1) = 99;
  EXPECT_EQ(own.verify(padded, slots, 100), "worker 1's counter ended at 99, expected 100");
}

TEST(ShmChecks, AWrongEchoIsNamedWithBothSequenceNumbers) {
  EXPECT_EQ(echo_mismatch({17, 2, 0}, {17, 2, 0}), "");
  EXPECT_EQ(echo_mismatch({17, 2, 0}, {18, 2, 0}), "wrong echo: client 2 request seq 17 was answered with client 2 seq 18");
  EXPECT_NE(echo_mismatch({17, 2, 0}, {17, 3, 0}), "") << "another client's answer is wrong too";
}

TEST(ShmChecks, ChecksumSeesAFlippedBitAnywhere) {
  std::vector<unsigned char> buffer(4099, 0x5a);
  const std::uint64_t clean = buffer_checksum(buffer);
  for (std::size_t at : {std::size_t{0}, std::size_t{7}, std::size_t{2048}, std::size_t{4098}}) {
    buffer[at] ^= 1;
    EXPECT_NE(buffer_checksum(buffer), clean) << "byte " << at;
    buffer[at] ^= 1;
  }
}

// --- the server ----------------------------------------------------------------

class ServerLive : public ::testing::Test {
 protected:
  void TearDown() override {
    EXPECT_TRUE(no_children_left());
    EXPECT_EQ(own_segments(), std::vector<std::string>{});
  }
  Topology topo = Topology::load("live");
  std::vector<unsigned> server_and_clients(unsigned clients) const {
    return plan_workers(topo, {clients + 1, Policy::compact, {}, true}).pus;
  }
};

TEST_F(ServerLive, EveryRequestOfEveryClientIsEchoedAndCounted) {
  const GroupRun run =
      run_workload(topo, ExecMode::processes, server_and_clients(3), 2000, "test-server", EchoServer(3));
  EXPECT_EQ(run.error, "");
  EXPECT_EQ(run.latency.count(), 3u * 2000u) << "one round trip sample per request";
  EXPECT_GT(run.latency.min(), 0u);
  EXPECT_LT(run.latency.max(), 1'000'000'000u);
}

TEST_F(ServerLive, AWrongEchoFailsTheClientWithTheNumbers) {
  try {
    run_workload(topo, ExecMode::processes, server_and_clients(1), 100, "test-server [same-pu]",
                 EchoServer(1, /*wrong_echo_at=*/17));
    FAIL() << "a wrong echo went unnoticed";
  } catch (const WorkerFailure& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("test-server [same-pu]"), std::string::npos) << what;
    EXPECT_NE(what.find("worker 1"), std::string::npos) << what;
    EXPECT_NE(what.find("wrong echo: client 0 request seq 17 was answered with client 0 seq 18"), std::string::npos)
        << what;
  }
}

TEST_F(ServerLive, AClientThatStopsEarlyIsReportedNotWaitedFor) {
  // With several clients, the failing one hangs up and the server still ends
  // (when the others are done) instead of waiting for the deadline.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run_workload(topo, ExecMode::processes, server_and_clients(2), 500, "test-server",
                            EchoServer(2, /*wrong_echo_at=*/3)),
               WorkerFailure);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// --- through the CLI: names, entries and records as a user gets them ----------

TEST(ShmFamilyRun, QuickRunGivesTheMatrixAsTheReportDrawsItAndExactCounters) {
  const Topology topo = Topology::load("live");
  const auto pus = topo.allowed_pus().size();
  const std::string n = std::to_string(pus);
  const test::FamilyRun run = test::run_family(
      {"--quick", "--family", "shm", "--filter",
       "shm/c2c_matrix/processes/cas|shm/atomic_add/processes/compact/n" + n + "$|shm/false_sharing/threads/.*|"
       "shm/read_mostly/threads/compact/n" + n + "$|shm/copy/processes/(smt|shared-l3/4096)$"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;

  const std::string matrix = "shm/c2c_matrix/processes/cas";
  ASSERT_TRUE(run.has(matrix)) << run.command.err;
  EXPECT_EQ(run.error(matrix), "");
  const nlohmann::json& extra = run.records.at(matrix).at("extra");
  ASSERT_EQ(extra["rtt_ns"].size(), pus);
  EXPECT_EQ(extra["variant"], "cas");
  double sum = 0;
  std::size_t cells = 0;
  for (std::size_t r = 0; r < pus; ++r)
    for (std::size_t c = r + 1; c < pus; ++c, ++cells) sum += extra["rtt_ns"][r][c].get<double>();
  if (cells > 0) {
    EXPECT_NEAR(run.entries.at(matrix)["real_time"].get<double>(), sum / static_cast<double>(cells), 1e-3 * sum)
        << "the entry's time is the mean round trip over the PU pairs";
  }

  for (const std::string& name :
       {"shm/atomic_add/processes/compact/n" + n, "shm/read_mostly/threads/compact/n" + n}) {
    ASSERT_TRUE(run.has(name)) << name << "\n" << run.command.err;
    EXPECT_EQ(run.error(name), "") << name;
    EXPECT_GT(run.counter(name, "ops_per_s"), 0) << name;
    EXPECT_EQ(run.counter(name, "workers"), static_cast<double>(pus)) << name;
    EXPECT_EQ(run.records.at(name).at("placement").at("workers").size(), pus) << name;
  }
  if (pus >= 2) {
    const std::string n_workers = "shm/false_sharing/threads/compact/n" + std::to_string(std::min<std::size_t>(pus, 8));
    for (const std::string layout : {"/adjacent", "/padded"}) {
      const std::string name = n_workers + layout;
      EXPECT_EQ(run.error(name), "") << name;
      EXPECT_GT(run.counter(name, "ops_per_s"), 0) << name;
      // An increment is shorter than a clock read: no latency at all, never a latency of 0 ns.
      EXPECT_FALSE(run.entries.at(name).contains("p50_ns")) << name << ": " << run.entries.at(name).dump();
      EXPECT_FALSE(run.records.at(name).contains("latency")) << name;
    }
  }
  const PairPlan plan = plan_pairs(topo);
  if (plan.get(PairClass::shared_l3).present) {
    const std::string copy = "shm/copy/processes/shared-l3/4096";
    EXPECT_EQ(run.error(copy), "");
    EXPECT_GT(run.counter(copy, "bytes_per_second"), 0);
    EXPECT_EQ(run.records.at(copy).at("extra").at("bytes"), 4096);
  }
  if (!plan.get(PairClass::smt).present) {
    EXPECT_NE(run.error("shm/copy/processes/smt").find("unavailable: placement class smt is absent"),
              std::string::npos)
        << "an absent class is one entry, without sizes";
  }
  EXPECT_EQ(test::primbench_segments(), std::vector<std::string>{});
}

TEST(ShmFamilyRun, QuickServerRunEchoesForOneAndNClients) {
  const Topology topo = Topology::load("live");
  const test::FamilyRun run = test::run_family({"--quick", "--family", "server"});
  ASSERT_EQ(run.command.exit_code, 0) << run.command.err;
  for (const PairClassPlan& c : plan_pairs(topo).classes) {
    const std::string name = "server/rtt/processes/" + std::string(to_string(c.cls));
    ASSERT_TRUE(run.has(name)) << name;
    if (!c.present) {
      EXPECT_NE(run.error(name).find("unavailable"), std::string::npos) << name;
      continue;
    }
    EXPECT_EQ(run.error(name), "") << name;
    EXPECT_GT(run.counter(name, "p50_ns"), 0) << name;
    EXPECT_LT(run.counter(name, "p50_ns"), 1e9) << name;
  }
  const unsigned pus = static_cast<unsigned>(topo.allowed_pus().size());
  for (unsigned clients : sweep_counts(pus, true)) {
    const std::string name = "server/rtt/processes/compact/n" + std::to_string(clients);
    ASSERT_TRUE(run.has(name)) << name;
    EXPECT_EQ(run.error(name), "") << name;
    EXPECT_GT(run.counter(name, "ops_per_s"), 0) << name;
    EXPECT_EQ(run.records.at(name).at("placement").at("workers").size(), clients + 1) << "the server and N clients";
  }
}

}  // namespace
}  // namespace primbench::shm
