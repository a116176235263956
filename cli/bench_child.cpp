#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "cli/commands.hpp"
#include "harness/clock.hpp"
#include "harness/cpu_list.hpp"
#include "basics/errors.hpp"
#include "harness/op_counters.hpp"

namespace primbench::cli {
namespace {

std::size_t parse_size(std::string_view text) {
  std::size_t value = 0;
  std::size_t used = 0;
  try {
    value = std::stoull(std::string(text), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value == 0)
    throw UsageError(fmt::format("bad message size '{}' (a positive number of bytes)", text));
  return value;
}

}  // namespace

int bench_child_main(int argc, char** argv) {
  BenchConfig config;
  std::string affinity_by = "the CPU affinity";
  std::string_view counters = "default";
  std::vector<char*> gbench_args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick")
      config.quick = true;
    else if (arg.rfind("--family=", 0) == 0)
      config.families.emplace_back(arg.substr(9));
    else if (arg.rfind("--cpuset=", 0) == 0)  // the run bound itself there; this process inherited it
      affinity_by = fmt::format("--cpuset {}", arg.substr(9));
    else if (arg.rfind("--counters=", 0) == 0)
      counters = arg.substr(11);
    else if (arg.rfind("--size=", 0) == 0)
      config.sizes.push_back(parse_size(arg.substr(7)));
    else
      gbench_args.push_back(argv[i]);
  }
  set_counter_config(parse_counters_option(counters));
  clock_init();  // from PRIMBENCH_CLOCK when the supervisor passed it
  const Topology topo = Topology::load("live", affinity_by);
  BenchEnvironment env{&topo, plan_pairs(topo), config};
  register_families(env);

  const bool listing = std::any_of(gbench_args.begin(), gbench_args.end(), [](const char* a) {
    return std::string_view(a) == "--benchmark_list_tests=true";
  });
  int gbench_argc = static_cast<int>(gbench_args.size());
  benchmark::Initialize(&gbench_argc, gbench_args.data());
  if (benchmark::ReportUnrecognizedArguments(gbench_argc, gbench_args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (listing)
    write_listing_extras(unavailable_benchmarks());
  else
    write_bench_records();
  return 0;
}

}  // namespace primbench::cli
