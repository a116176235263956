#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <regex>
#include <variant>

#include "basics/benchmark_name.hpp"
#include "harness/bench_registry.hpp"
#include "cli/commands.hpp"
#include "harness/clock.hpp"
#include "harness/cpu_location.hpp"
#include "basics/errors.hpp"
#include "harness/gbench_caches.hpp"
#include "harness/machine_context.hpp"
#include "harness/machine_probes.hpp"
#include "harness/op_counter_report.hpp"
#include "harness/pinning.hpp"
#include "harness/placement.hpp"
#include "harness/python_suite.hpp"
#include "harness/run_identity.hpp"
#include "harness/run_loop.hpp"
#include "harness/shm_segment.hpp"
#include "cli/soak.hpp"
#include "harness/supervisor.hpp"
#include "harness/topology.hpp"
#include "harness/topology_format.hpp"
#include "reports/html_report.hpp"
#include "reports/machine_change.hpp"
#include "reports/result_file.hpp"
#include "reports/topology_picture.hpp"

namespace primbench::cli {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string out;
  std::string topology = "live";
  std::string cpuset;  // --cpuset LOCATION: the PUs the run may use (harness/cpu_location.hpp)
  bool quick = false;
  bool force = false;
  std::vector<std::string> families;
  std::vector<std::string> sizes;
  std::string filter;
  double timeout_s = 120;
  std::string suite = "native";  // native, python (scripts/python), all
  std::string python = "python3";
  std::string soak;  // --soak DURATION: loop the quick suite, report drift and leaks (cli/soak.hpp)
  bool profile = false;  // --profile: sample call stacks of every benchmark process (harness/profiler.hpp)
  std::string counters = "default";  // --counters: default, none, or libpfm4 events (harness/op_counters.hpp)
};

std::string utc_now(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

fs::path prepare_out_dir(const RunArgs& a) {
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  const fs::path dir = a.out.empty() ? fs::path("results") / (utc_now("%Y%m%d-%H%M%S-") + host) : fs::path(a.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UsageError(fmt::format("cannot create output directory '{}': {}", dir.string(), ec.message()));
  // Checked now, not when the results are written at the end of the run.
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(fmt::format("cannot write into output directory '{}': {}", dir.string(), std::strerror(errno)));
  const fs::path written = dir / (a.soak.empty() ? "results.json" : "soak.json");
  if (fs::exists(written) && !a.force)
    throw UsageError(fmt::format("'{}' already exists; pass --force to overwrite it", written.string()));
  return dir;
}

// The entry a progress line shows: the first repetition, or GB's median where
// --benchmark_report_aggregates_only=true left only the aggregates.
const nlohmann::json* shown_entry(const nlohmann::json& entries) {
  for (const auto& e : entries)
    if (e.value("run_type", "") == "iteration") return &e;
  for (const auto& e : entries)
    if (e.value("aggregate_name", "") == "median") return &e;
  return nullptr;
}

std::string headline(const BenchmarkOutcome& b) {
  if (!b.ok) return "FAILED: " + b.error;
  for (const auto& e : b.entries)
    if (e.value("error_occurred", false)) return e.value("error_message", "error");
  const nlohmann::json* shown = shown_entry(b.entries);
  if (!shown) return "no entries";
  const nlohmann::json& e = *shown;
  std::string line = fmt::format("{:.4g} {}/op", e.value("real_time", 0.0), e.value("time_unit", "ns"));
  if (e.contains("p99_ns")) line += fmt::format(", p50 {:.4g} ns, p99 {:.4g} ns", e.value("p50_ns", 0.0), e.value("p99_ns", 0.0));
  // A core-to-core matrix whose cells the topology does not explain (a VM's vCPUs): say so now, not only in the report.
  if (const double n = e.value("unexplained_cells", 0.0); n > 0)
    line += fmt::format("; {} pair(s) more than 3x from their placement class's median (see the report)", n);
  return line;
}

// A benchmark failed when its process did, or when it reported an error of its
// own (a killed or hung worker, a lost message); "unavailable: ..." entries
// (a placement class this machine lacks) are no failure.
bool failed_benchmark(const BenchmarkOutcome& b) {
  if (!b.ok) return true;
  return std::any_of(b.entries.begin(), b.entries.end(), [](const nlohmann::json& e) {
    return e.value("error_occurred", false) && e.value("error_message", std::string()).rfind("unavailable", 0) != 0;
  });
}

// The --family values the native benches know (the rest may be CPython groups).
std::vector<std::string> native_families_of(const std::vector<std::string>& families) {
  const std::vector<std::string> known = family_names();
  std::vector<std::string> out;
  for (const auto& f : families)
    if (std::find(known.begin(), known.end(), f) != known.end()) out.push_back(f);
  return out;
}

PythonSuiteOptions python_options(const RunArgs& a, const RunOptions& native, const std::vector<std::string>& gbench_flags) {
  return {.quick = a.quick,
          .families = a.families,
          .native_families = family_names(),
          .filter = a.filter,
          .program_args = python_program_args(a.sizes, gbench_flags),
          .bench_timeout = native.bench_timeout};
}

// --suite all: a --family or --filter that selects only CPython benchmarks
// leaves the native side with nothing to run, which is no error here.
BenchmarkList list_native(const RunOptions& options, bool with_python, bool families_elsewhere) {
  if (!with_python) return list_benchmarks(options);
  if (families_elsewhere) return {};
  try {
    return list_benchmarks(options);
  } catch (const UsageError& e) {
    fmt::print(stderr, "primbench: note: native suite: {}\n", e.what());
    return {};
  }
}

int run(const RunArgs& a, const std::vector<std::string>& gbench_flags) {
  // First: a SIGINT/SIGTERM from here on is a recorded interruption, never a kill.
  install_supervisor_signals();
  const bool native = a.suite != "python", python = a.suite != "native";
  if (!a.soak.empty() && python) throw UsageError("--soak loops the native suite only: leave out --suite python|all");
  if (!python) validate_family_names(a.families);
  const std::optional<PythonProgram> program = python ? std::optional(find_python_program(a.python)) : std::nullopt;
  Topology topo = Topology::load(a.topology);
  if (!topo.binding_supported())
    throw UsageError(fmt::format("run measures this machine, but topology '{}' is not this machine "
                                 "(XML and synthetic topologies are for topo and plan)", topo.source()));
  if (!a.cpuset.empty()) {
    restrict_to_location(topo, "--cpuset", a.cpuset);
    // Every benchmark process, native or CPython, inherits the binding and so plans on the same PUs.
    bind_process_to_allowed(topo);
  }
  check_shared_memory_usable();
  const CounterConfig counters = parse_counters_option(a.counters);  // a bad --counters is exit 2 before anything runs
  const fs::path out_dir = prepare_out_dir(a);
  start_new_run_id();
  const ClockInfo clock = clock_init();

  RunOptions options;
  options.work_dir = out_dir / fmt::format(".work-{}", getpid());
  fs::create_directories(options.work_dir);
  options.quick = a.quick || !a.soak.empty();
  options.families = python ? native_families_of(a.families) : a.families;
  options.sizes = a.sizes;
  options.filter = a.filter;
  options.gbench_flags = gbench_flags;
  options.cpuset = a.cpuset;
  options.counters = a.counters;
  options.bench_timeout = std::chrono::milliseconds(static_cast<long>(a.timeout_s * 1000));
  if (a.profile) {
    auto profiler = find_profiler();
    if (auto* why = std::get_if<std::string>(&profiler))
      fmt::print(stderr, "primbench: --profile: {}; the run goes on unprofiled\n", *why);
    else
      options.profiler = std::get<Profiler>(profiler);
    options.profile_dir = out_dir / "profiles";
  }

  RunContext context;
  context.started_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
  MachineContext machine = collect_machine_context();
  const LoadAverage load_start = read_load_average();
  context.topology = topology_summary_json(topo);
  context.hwloc_caches = gbench_cache_list(topo);
  context.clock = clock;
  context.pair_plan = to_json(plan_pairs(topo));
  context.config = {{"quick", a.quick}, {"families", a.families}, {"filter", a.filter}, {"sizes", a.sizes},
                    {"gbench_flags", gbench_flags}, {"bench_timeout_s", a.timeout_s}, {"suite", a.suite},
                    {"cpuset", a.cpuset}, {"profile", options.profiler.has_value()}, {"counters", a.counters}};
  if (python) context.config["python"] = a.python;
  // Drawn before measuring: lstopo must not compete with a benchmark.
  if (!record_topology_svg(out_dir)) fmt::print(stderr, "primbench: note: lstopo not available: no topology picture\n");
  fmt::print(stderr, "primbench: {}\n", topology_summary(topo));
  for (const auto& w : machine.warnings()) fmt::print(stderr, "primbench: note: {}\n", w);
  for (const std::string& note : unavailable_counter_notes(counters))
    fmt::print(stderr, "primbench: note: {}\n", note);

  RunResults results;
  const PythonSuiteOptions py_options = python_options(a, options, gbench_flags);
  const PythonSuitePlan py_plan =
      python ? plan_python_suite(*program, topo, py_options, options.work_dir) : PythonSuitePlan{};
  const BenchmarkList list = native ? list_native(options, python, !a.families.empty() && options.families.empty())
                                    : BenchmarkList{};
  if (python && py_plan.names.empty() && !interrupted()) {
    if (!native) throw UsageError(no_match_message(py_options));
    fmt::print(stderr, "primbench: note: {}\n", no_match_message(py_options));
  }
  const std::size_t total = list.names.size() + py_plan.names.size();
  if (total == 0 && !interrupted())  // interrupted while listing: nothing was listed
    throw UsageError("no benchmark, native or CPython, matches the --family/--filter given");
  if (!a.soak.empty()) {
    const int status = run_soak(options, list, {parse_duration(a.soak), a.soak, out_dir});
    fs::remove_all(options.work_dir);
    sweep_segments(run_id());
    return status;
  }
  // Probes bracket the benchmarks, so a comparison can see the machine change.
  const ProbeSet probes_start = measure_machine_probes(topo);
  const bool warmup = std::any_of(gbench_flags.begin(), gbench_flags.end(), [](const std::string& f) {
    return f.starts_with("--benchmark_min_warmup_time");
  });
  if (warmup && std::any_of(list.names.begin(), list.names.end(), [](const auto& n) { return has_fixed_iterations(n); }))
    fmt::print(stderr, "primbench: note: --benchmark_min_warmup_time is not passed to benchmarks with a fixed "
                       "iteration count: one iteration is a whole experiment, which GB's warm-up would repeat far "
                       "past the warm-up time\n");
  const ProgressFn progress = [total](std::size_t i, std::size_t, const BenchmarkOutcome& b) {
    fmt::print(stderr, "[{:>3}/{}] {}: {} ({:.1f} s)\n", i + 1, total, registered_name(b.name), headline(b), b.seconds);
  };
  if (!interrupted() && !list.names.empty()) results = run_benchmarks(options, list, progress);
  if (python && !interrupted()) {
    PythonSuiteResults py = run_python_suite(*program, py_plan, py_options, options.work_dir, progress,
                                             list.names.size(), total);
    results.outcomes.insert(results.outcomes.end(), py.run.outcomes.begin(), py.run.outcomes.end());
    context.python = std::move(py.python);
  }
  results.listed = list.names;
  results.listed.insert(results.listed.end(), py_plan.names.begin(), py_plan.names.end());
  if (interrupted()) results.interrupted_by = interrupt_signal();

  context.finished_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
  context.machine = machine;
  context.machine["load_average_start"] = load_start;
  context.machine["load_average_end"] = read_load_average();
  const ProbeSet probes_end = measure_machine_probes(topo);
  context.machine["probes"] = {{"start", to_json(probes_start)}, {"end", to_json(probes_end)}};
  for (const ProbeMove& m : moved_probes({to_json(probes_start)["values"]}, {to_json(probes_end)["values"]}))
    fmt::print(stderr, "primbench: warning: the machine changed speed during the run: {}\n", describe(m));
  const fs::path result_path = out_dir / "results.json";
  const nlohmann::json doc = build_result_document(results, context);
  write_json_file(result_path, doc);
  fs::remove_all(options.work_dir);
  try {  // the measurements are safe on disk; a report failure must not lose them
    write_html_report(doc, out_dir / "report.html");
    fmt::print(stderr, "primbench: report: {}\n", (out_dir / "report.html").string());
  } catch (const std::exception& e) {
    fmt::print(stderr, "primbench: warning: report.html not written: {}\n", e.what());
  }
  sweep_segments(run_id());

  std::size_t failed = 0;
  for (const auto& b : results.outcomes) failed += failed_benchmark(b) ? 1 : 0;
  fmt::print(stderr, "primbench: {} of {} benchmarks run, {} failed{}\n", results.outcomes.size(), total, failed,
             results.interrupted_by ? fmt::format(", interrupted by {}", strsignal(results.interrupted_by)) : "");
  fmt::print("{}\n", result_path.string());
  if (results.interrupted_by) return 128 + results.interrupted_by;
  return failed ? 1 : 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("run", "Run the benchmark suite and write results (JSON) into --out");
  auto a = std::make_shared<RunArgs>();
  cmd->add_option("--out,-o", a->out, "Output directory (default: results/<UTC time>-<host>)");
  cmd->add_option("--topology", a->topology, "Must be live: run measures this machine");
  cmd->add_option("--cpuset", a->cpuset, "Run on these PUs only, in hwloc-calc's words (core:0-3, numa:1, "
                  "package:0.core:0-7, pu:2,pu:5, 0x3, all) or as OS indexes (0,2-3); they must lie inside "
                  "the CPU affinity and cgroup primbench was started in");
  cmd->add_option("--counters", a->counters, "Counters per operation in every benchmark: default (context switches, "
                  "migrations, page faults, user/kernel/off-CPU time, hardware events where the PMU is exposed), "
                  "none (off), or ITEM,... (the default set plus these: syscalls (a tracepoint that slows system "
                  "calls and switches), libpfm4 event names)");
  cmd->add_flag("--quick", a->quick, "Short smoke suite (fewer sizes, short minimum time)");
  cmd->add_flag("--force", a->force, "Overwrite an existing results.json in --out");
  cmd->add_flag("--profile", a->profile, "Sample every benchmark process's call stacks with Linux perf (kernel "
                "frames included): folded stacks in --out/profiles and the result file, a flame graph per "
                "benchmark in the report. Sampling perturbs the numbers a little; without perf or its permission "
                "the run goes on unprofiled");
  cmd->add_option("--family", a->families, "Only these benchmark families (repeatable, or comma-separated)")->delimiter(',');
  cmd->add_option("--filter", a->filter, "Only benchmarks whose name (with or without Google Benchmark's /manual_time-style suffixes) contains a match of this ECMAScript regex")
      ->check(CLI::Validator(
          [](std::string& text) {
            try {
              std::regex{text};
              return std::string();
            } catch (const std::regex_error& e) {
              return fmt::format("'{}' is not a valid regular expression: {}", text, e.what());
            }
          },
          "REGEX"));
  cmd->add_option("--size", a->sizes, "Message sizes in bytes (repeatable, or comma-separated), overriding the defaults")->delimiter(',');
  cmd->add_option("--timeout", a->timeout_s, "Watchdog: seconds one benchmark may take")->check(CLI::PositiveNumber);
  cmd->add_option("--suite,--lang", a->suite, "native (C++, default), python (scripts/python: CPython's "
                  "multiprocessing and threading on the same placements) or all (both, side by side)")
      ->check(CLI::IsMember({"native", "python", "all"}));
  cmd->add_option("--python", a->python, "The interpreter for --suite python|all (default: python3 on PATH)");
  cmd->add_option("--soak", a->soak, "Loop the quick suite (or what --family/--filter select) for DURATION (30s, 10m, "
                  "1h30m); write soak.json: drift per benchmark, errors, leaked fds/memory/segments/processes")
      ->check(CLI::Validator(
          [](std::string& text) {
            try {
              parse_duration(text);
              return std::string();
            } catch (const UsageError& e) {
              return std::string(e.what());
            }
          },
          "DURATION"));
  cmd->allow_extras();
  cmd->footer("Google Benchmark flags (--benchmark_repetitions=5, --benchmark_min_time=1, ...) are passed on.");
  cmd->callback([a, cmd, &exit_status] {
    std::vector<std::string> gbench_flags;
    for (const std::string& extra : cmd->remaining()) {
      if (extra.rfind("--benchmark_", 0) != 0)
        throw UsageError(fmt::format("unknown option or argument '{}' for run (see primbench run --help)", extra));
      if (extra.rfind("--benchmark_out", 0) == 0 || extra.rfind("--benchmark_filter", 0) == 0)
        throw UsageError(fmt::format("'{}' is managed by primbench: use --out / --filter", extra));
      if (extra.rfind("--benchmark_list_tests", 0) == 0)
        throw UsageError(fmt::format("'{}' is managed by primbench: `primbench plan` and --filter say what runs", extra));
      gbench_flags.push_back(extra);
    }
    exit_status = run(*a, gbench_flags);
  });
}

}  // namespace primbench::cli
