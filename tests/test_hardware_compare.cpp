// `primbench compare --hardware`: three machines side by side, placement
// classes aligned by name, normalised to a chosen baseline.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "basics/errors.hpp"
#include "reports/compare_format.hpp"
#include "reports/hardware_compare.hpp"
#include "tests/result_docs.hpp"

namespace primbench {
namespace {

using test::add_benchmark;
using test::noisy;

test::Machine machine(const std::string& host, int cpus, const std::string& topology) {
  test::Machine m;
  m.host = host;
  m.cpus = cpus;
  m.cpu = host + " CPU";
  m.topology = topology;
  return m;
}

// A laptop (one package, SMT), a two-socket server, and a small VM without SMT.
// The laptop's file lists its missing class in primbench.unavailable; the
// VM's is older and has its missing classes in benchmarks[].
std::vector<HardwareInput> fleet() {
  nlohmann::json laptop = test::empty_result_doc(machine("laptop", 8, "8 PUs, 1 package, SMT 2-way"));
  add_benchmark(laptop, "c2c/rtt/threads/smt", noisy(40, 5, 0.01, 1));
  add_benchmark(laptop, "c2c/rtt/threads/shared-l3", noisy(100, 5, 0.01, 2));
  test::add_unavailable(laptop, "c2c/rtt/threads/cross-package",
                        "placement class cross-package is absent: only 1 package has allowed PUs");
  add_benchmark(laptop, "pipe/pipe/processes/shared-l3/rtt/8", {5000});

  nlohmann::json server = test::empty_result_doc(machine("server", 64, "64 PUs, 2 packages, SMT 2-way"));
  add_benchmark(server, "c2c/rtt/threads/smt", noisy(40, 5, 0.01, 3));
  add_benchmark(server, "c2c/rtt/threads/shared-l3", noisy(200, 5, 0.01, 4));
  add_benchmark(server, "c2c/rtt/threads/cross-package", noisy(400, 5, 0.01, 5));
  add_benchmark(server, "pipe/pipe/processes/shared-l3/rtt/8", {2500});

  nlohmann::json vm = test::empty_result_doc(machine("vm", 2, "2 PUs, 1 package, SMT off"));
  test::add_failure(vm, "c2c/rtt/threads/smt", "unavailable: placement class smt is absent");
  add_benchmark(vm, "c2c/rtt/threads/shared-l3", noisy(50, 5, 0.01, 6));
  test::add_failure(vm, "c2c/rtt/threads/cross-package", "unavailable: placement class cross-package is absent");
  return {{"laptop.json", laptop}, {"server.json", server}, {"vm.json", vm}};
}

const nlohmann::json& cell(const nlohmann::json& model, const std::string& title, const std::string& placement,
                           std::size_t machine_index) {
  for (const auto& t : model["tables"]) {
    if (t["title"] != title) continue;
    for (const auto& r : t["rows"]) {
      if (r["placement"] == placement) return r["cells"][machine_index];
    }
  }
  throw std::runtime_error("no cell " + title + " " + placement);
}

TEST(HardwareCompare, PlacementClassesLineUpAcrossMachines) {
  const nlohmann::json model = hardware_comparison_model(fleet(), 0);
  ASSERT_EQ(model["machines"].size(), 3u);
  EXPECT_EQ(model["machines"][0]["label"], "laptop");
  EXPECT_EQ(model["machines"][1]["facts"]["CPU"], "server CPU");
  ASSERT_EQ(model["tables"].size(), 2u);
  const auto& c2c = model["tables"][0];
  EXPECT_EQ(c2c["title"], "c2c/rtt/threads");
  EXPECT_EQ(c2c["family"], "c2c");
  ASSERT_EQ(c2c["rows"].size(), 3u);
  EXPECT_EQ(c2c["rows"][0]["placement"], "smt");
  EXPECT_EQ(c2c["rows"][2]["placement"], "cross-package");
  EXPECT_EQ(model["tables"][1]["title"], "pipe/pipe/processes/rtt/8");

  EXPECT_DOUBLE_EQ(cell(model, "c2c/rtt/threads", "shared-l3", 0)["relative"].get<double>(), 1.0);
  EXPECT_NEAR(cell(model, "c2c/rtt/threads", "shared-l3", 1)["relative"].get<double>(), 2.0, 0.05);
  EXPECT_NEAR(cell(model, "c2c/rtt/threads", "shared-l3", 2)["relative"].get<double>(), 0.5, 0.02);
  EXPECT_EQ(cell(model, "c2c/rtt/threads", "shared-l3", 1)["versus_baseline"]["verdict"], "slower");
  EXPECT_EQ(cell(model, "c2c/rtt/threads", "shared-l3", 2)["versus_baseline"]["verdict"], "faster");
  EXPECT_EQ(cell(model, "c2c/rtt/threads", "smt", 1)["versus_baseline"]["verdict"], "within noise");
}

TEST(HardwareCompare, AMissingPlacementClassIsUnavailableWithTheReason) {
  const nlohmann::json model = hardware_comparison_model(fleet(), 0);
  EXPECT_EQ(cell(model, "c2c/rtt/threads", "smt", 2)["status"], "unavailable") << "older file: from benchmarks[]";
  const auto& laptop_cross = cell(model, "c2c/rtt/threads", "cross-package", 0);
  EXPECT_EQ(laptop_cross["status"], "unavailable");
  EXPECT_TRUE(laptop_cross["value"].is_null());
  EXPECT_EQ(laptop_cross["note"], "placement class cross-package is absent: only 1 package has allowed PUs");
  const auto& server_cross = cell(model, "c2c/rtt/threads", "cross-package", 1);
  EXPECT_EQ(server_cross["status"], "ok");
  EXPECT_TRUE(server_cross["relative"].is_null()) << "no baseline value to relate to";
  const auto& vm_pipe = cell(model, "pipe/pipe/processes/rtt/8", "shared-l3", 2);
  EXPECT_EQ(vm_pipe["status"], "missing");
  const auto& server_pipe = cell(model, "pipe/pipe/processes/rtt/8", "shared-l3", 1);
  EXPECT_DOUBLE_EQ(server_pipe["relative"].get<double>(), 0.5);
  EXPECT_TRUE(server_pipe["versus_baseline"].is_null()) << "one repetition: nothing to test";
}

TEST(HardwareCompare, TheBaselineIsChosen) {
  const nlohmann::json model = hardware_comparison_model(fleet(), 1);
  EXPECT_EQ(model["baseline"], 1);
  EXPECT_NEAR(cell(model, "c2c/rtt/threads", "shared-l3", 0)["relative"].get<double>(), 0.5, 0.02);
  EXPECT_DOUBLE_EQ(cell(model, "c2c/rtt/threads", "cross-package", 1)["relative"].get<double>(), 1.0);
  EXPECT_THROW(hardware_comparison_model(fleet(), 3), UsageError);
}

TEST(HardwareCompare, ContextDiffListsWhatDiffers) {
  const nlohmann::json model = hardware_comparison_model(fleet(), 0);
  std::map<std::string, nlohmann::json> diff;
  for (const auto& d : model["context_diff"]) diff[d["fact"]] = d["values"];
  EXPECT_EQ(diff["CPU"], nlohmann::json({"laptop CPU", "server CPU", "vm CPU"}));
  EXPECT_EQ(diff.count("topology"), 1u);
  EXPECT_EQ(diff.count("compiler"), 0u) << "same compiler everywhere";
}

TEST(HardwareCompare, FilesOfOneMachineMergeUnlessTheyRepeatABenchmark) {
  const auto inputs = fleet();
  // The server's results split per family, as a CI matrix job per family writes them.
  nlohmann::json server_c2c = inputs[1].doc, server_pipe = inputs[1].doc;
  server_c2c["benchmarks"] = nlohmann::json::array();
  server_pipe["benchmarks"] = nlohmann::json::array();
  for (const auto& e : inputs[1].doc["benchmarks"])
    (e["name"].get<std::string>().rfind("c2c", 0) == 0 ? server_c2c : server_pipe)["benchmarks"].push_back(e);
  const std::vector<HardwareInput> split{inputs[0], {"server-c2c.json", server_c2c}, {"server-pipe.json", server_pipe}};
  const nlohmann::json merged = hardware_comparison_model(split, 0);
  ASSERT_EQ(merged["machines"].size(), 2u);
  EXPECT_EQ(merged["machines"][1]["files"], nlohmann::json({"server-c2c.json", "server-pipe.json"}));
  EXPECT_DOUBLE_EQ(cell(merged, "pipe/pipe/processes/rtt/8", "shared-l3", 1)["relative"].get<double>(), 0.5);

  // Two runs of one machine repeat benchmarks: a column each, told apart by file.
  const std::vector<HardwareInput> twice{inputs[0], {"laptop-again.json", inputs[0].doc}};
  const nlohmann::json separate = hardware_comparison_model(twice, 0);
  ASSERT_EQ(separate["machines"].size(), 2u);
  EXPECT_EQ(separate["machines"][0]["label"], "laptop (laptop)");
  EXPECT_EQ(separate["machines"][1]["label"], "laptop (laptop-again)");
  EXPECT_EQ(hardware_machine_labels(twice)[1], "laptop (laptop-again)");
  // `primbench run` names every file results.json: its folder tells them apart.
  const std::vector<HardwareInput> runs{{"monday/results.json", inputs[0].doc}, {"tuesday/results.json", inputs[0].doc}};
  EXPECT_EQ(hardware_machine_labels(runs), (std::vector<std::string>{"laptop (monday)", "laptop (tuesday)"}));

  EXPECT_THROW(hardware_comparison_model(std::vector<HardwareInput>{inputs[0]}, 0), UsageError);
}

TEST(HardwareCompare, TextFormatsShowOneTablePerBenchmark) {
  const nlohmann::json model = hardware_comparison_model(fleet(), 0);
  const std::string text = format_hardware_comparison(model, CompareFormat::terminal, false);
  EXPECT_NE(text.find("c2c/rtt/threads  (median real_time; (Nx) relative to laptop)"), std::string::npos) << text;
  EXPECT_NE(text.find("x slower)"), std::string::npos) << text;
  EXPECT_NE(text.find("unavailable"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  const std::string md = format_hardware_comparison(model, CompareFormat::markdown, false);
  EXPECT_NE(md.find("#### `c2c/rtt/threads`"), std::string::npos) << md;
  EXPECT_NE(md.find("| placement | laptop | server | vm |"), std::string::npos) << md;
  // The JSON format is the model, strict JSON.
  EXPECT_EQ(nlohmann::json::parse(format_hardware_comparison(model, CompareFormat::json, false)), model);
}

TEST(HardwareCompare, MarkdownOfAFullSuiteFitsAPullRequestComment) {
  nlohmann::json a = test::empty_result_doc(machine("a", 8, "8 PUs")), b = test::empty_result_doc(machine("b", 8, "8 PUs"));
  for (int i = 0; i < 1300; ++i) {
    const std::string name = fmt::format("fam{}/primitive-with-a-long-name-{}/threads/shared-l3/rtt/{}", i % 12, i, 8 << (i % 5));
    add_benchmark(a, name, {1000.0 + i});
    add_benchmark(b, name, {800.0 + i});
  }
  const nlohmann::json model = hardware_comparison_model(std::vector<HardwareInput>{{"a.json", a}, {"b.json", b}}, 0);
  ASSERT_EQ(model["headlines"].size(), 12u);
  const std::string md = format_hardware_comparison(model, CompareFormat::markdown, false);
  EXPECT_LT(md.size(), 65'536u);
  EXPECT_LT(md.find("| family (geomean vs baseline) |"), md.find("<details>")) << "headlines first";
  EXPECT_NE(md.find("more tables are left out to fit a pull-request comment"), std::string::npos);
}

}  // namespace
}  // namespace primbench
