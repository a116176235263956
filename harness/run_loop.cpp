#include "harness/run_loop.hpp"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "harness/bench_record.hpp"
#include "basics/benchmark_name.hpp"
#include "harness/clock.hpp"
#include "harness/cpu_steal.hpp"
#include "basics/errors.hpp"
#include "harness/gbench_output.hpp"
#include "harness/shm_segment.hpp"
#include "harness/run_identity.hpp"
#include "harness/status_channel.hpp"
#include "harness/supervisor.hpp"

namespace primbench {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string last_lines(const std::string& text, std::size_t max_lines) {
  std::size_t pos = text.size();
  while (pos > 0 && text[pos - 1] == '\n') --pos;
  std::size_t start = pos;
  for (std::size_t n = 0; start > 0 && n < max_lines; ++n) {
    start = text.rfind('\n', start - 1);
    if (start == std::string::npos) { start = 0; break; }
  }
  std::string tail = text.substr(start, pos - start);
  while (!tail.empty() && tail.front() == '\n') tail.erase(0, 1);
  for (char& c : tail) if (c == '\n') c = ' ';
  return tail;
}

// A child that died without a word leaves Google Benchmark's banner (the
// machine description it prints first) as its stderr's last lines: not a
// reason, so not part of the error message.
std::string without_gbench_banner(const std::string& text) {
  static const std::regex banner(
      R"(^(\d{4}-\d\d-\d\dT.*|Running .*|Run on .*|CPU Caches:|  L\d .*|Load Average: .*|\*\*\*WARNING\*\*\*.*|-+|Benchmark +Time +CPU +Iterations.*)$)");
  std::istringstream lines(text);
  std::string kept;
  for (std::string line; std::getline(lines, line);)
    if (!std::regex_match(line, banner)) kept += line + '\n';
  return kept;
}

// One of the files a child wrote, parsed; a failure names the file and its
// size, so that a truncated file (a child that stopped writing early) shows
// as one and not only as JSON that ends too soon.
template <typename Parse>
nlohmann::json parse_child_file(const std::string& text, const std::filesystem::path& path, std::string_view what,
                                Parse parse) {
  try {
    return parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{} {} ({} bytes): {}", what, path.filename().string(), text.size(), e.what()));
  }
}

// Google Benchmark takes a regex filter: quote a name so it matches itself only.
std::string exact_filter(const std::string& name) {
  std::string out = "^";
  for (char c : name) {
    if (std::string_view(".[]()*+?{}|^$\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out + "$";
}

// Google Benchmark's warm-up (--benchmark_min_warmup_time) ignores a fixed
// iteration count ("/iterations:N" in the name): it repeats such a benchmark's
// iteration, a whole experiment (a core-to-core matrix, an open-loop run),
// until the manual time those report, per operation, adds up to the warm-up
// time: far past the watchdog. Such a benchmark is passed the other flags only.
std::vector<std::string> gbench_flags_for(const std::string& name, const std::vector<std::string>& flags) {
  const bool fixed = has_fixed_iterations(name);
  std::vector<std::string> out;
  for (const std::string& flag : flags)
    if (!fixed || !flag.starts_with("--benchmark_min_warmup_time")) out.push_back(flag);
  return out;
}

std::vector<std::string> child_argv(const RunOptions& o) {
  std::vector<std::string> argv{self_executable(), "__bench"};
  if (o.quick) argv.push_back("--quick");
  for (const auto& f : o.families) argv.push_back("--family=" + f);
  for (const auto& s : o.sizes) argv.push_back("--size=" + s);
  if (!o.cpuset.empty()) argv.push_back("--cpuset=" + o.cpuset);  // names their inherited binding
  argv.push_back("--counters=" + o.counters);
  return argv;
}

std::vector<std::string> child_env(const RunOptions& o, const std::string& stem) {
  return {fmt::format("{}={}", kRunIdEnv, run_id()), fmt::format("PRIMBENCH_CLOCK={}", clock_export()),
          fmt::format("{}={}", kExtrasFileEnv, (o.work_dir / (stem + ".extras.json")).string()),
          fmt::format("{}={}", kStatusFileEnv, (o.work_dir / (stem + ".status")).string())};
}

// The perf data of a profiled benchmark process.
std::filesystem::path perf_data(const RunOptions& o, const std::string& stem) { return o.work_dir / (stem + ".perf.data"); }

ChildOutcome run_in_child(const RunOptions& o, const std::string& stem, std::vector<std::string> extra_args,
                          bool profiled = false) {
  ChildSpec spec;
  spec.argv = child_argv(o);
  spec.argv.insert(spec.argv.end(), extra_args.begin(), extra_args.end());
  if (profiled && o.profiler) spec.argv = profiled_argv(*o.profiler, perf_data(o, stem), spec.argv);
  spec.env_add = child_env(o, stem);
  spec.stdout_path = (o.work_dir / (stem + ".stdout")).string();
  spec.stderr_path = (o.work_dir / (stem + ".stderr")).string();
  spec.timeout = o.bench_timeout;
  return run_child(spec);
}

}  // namespace

nlohmann::json error_entry(const std::string& name, const std::string& message) {
  return {{"name", name},          {"family_index", -1}, {"per_family_instance_index", 0},
          {"run_name", name},      {"run_type", "iteration"}, {"repetitions", 1},
          {"repetition_index", 0}, {"threads", 1},        {"iterations", 0},
          {"real_time", 0},        {"cpu_time", 0},       {"time_unit", "ns"},
          {"error_occurred", true}, {"error_message", message}};
}

BenchmarkList list_benchmarks(const RunOptions& o) {
  // The filter is applied here, not by Google Benchmark: it is searched in the
  // name the bench registered as well as in the full name GB prints, so that
  // "n2$" selects ".../n2/manual_time" as a user reading the report expects.
  std::regex filter;
  try {
    filter = std::regex(o.filter.empty() ? std::string(".") : o.filter);
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("--filter '{}' is not a valid regular expression: {}", o.filter, e.what()));
  }
  // The user's Google Benchmark flags go to the listing too: GB refuses one it
  // does not know (or a value it cannot read) here, once, instead of in every
  // benchmark's process.
  std::vector<std::string> args{"--benchmark_list_tests=true"};
  args.insert(args.end(), o.gbench_flags.begin(), o.gbench_flags.end());
  const ChildOutcome outcome = run_in_child(o, "list", args);
  const std::string err = last_lines(read_file(o.work_dir / "list.stderr"), 3);
  if (outcome.interrupted) return {};
  if (!outcome.ok())
    throw UsageError(fmt::format("listing benchmarks failed ({}): {}", describe_failure(outcome, o.bench_timeout), err));
  BenchmarkList list;
  std::istringstream lines(read_file(o.work_dir / "list.stdout"));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && (std::regex_search(line, filter) || std::regex_search(registered_name(line), filter)))
      list.names.push_back(line);
  if (list.names.empty()) throw UsageError(fmt::format("no benchmark matches filter '{}'", o.filter));
  const std::string extras = read_file(o.work_dir / "list.extras.json");
  if (!extras.empty())
    list.unavailable = nlohmann::json::parse(extras).at("unavailable").get<std::map<std::string, std::string>>();
  return list;
}

namespace {

// Files the hypervisor's steal on each record's workers' PUs (cpu_steal.hpp).
void add_steal(nlohmann::json& records, const StealTicks& before, const StealTicks& after, double window_s) {
  if (!records.is_object()) return;
  for (auto& [name, record] : records.items()) {
    const nlohmann::json steal = steal_during(before, after, record_pus(record), window_s);
    if (!steal.is_null()) record["steal"] = steal;
  }
}

// A body files its record under its registered name; Google Benchmark
// reports the entry under that name plus its suffixes ("/real_time"). The
// result file keys each record by its entry's run_name, so that a reader
// finds it without knowing GB's suffix rules.
nlohmann::json keyed_by_run_name(nlohmann::json records, const nlohmann::json& entries) {
  if (!records.is_object()) return records;
  for (const auto& e : entries) {
    const std::string run = e.value("run_name", e.value("name", std::string()));
    const std::string registered = registered_name(run);
    if (run == registered || records.contains(run) || !records.contains(registered)) continue;
    records[run] = std::move(records[registered]);
    records.erase(registered);
  }
  return records;
}

// Folds a profiled benchmark's samples into its records and profile_dir;
// a profile that cannot be read is said in the record, the measurement stays.
void add_profile(const RunOptions& o, const std::string& stem, BenchmarkOutcome& b) {
  const auto data = perf_data(o, stem);
  nlohmann::json profile;
  try {
    const auto folded = fold_perf_data(*o.profiler, data);
    profile = profile_json(folded, *o.profiler);
    std::filesystem::create_directories(o.profile_dir);
    std::ofstream out(o.profile_dir / (stem + ".folded"));
    out << "# " << b.name << "\n";
    for (const auto& [stack, count] : folded) out << stack << ' ' << count << '\n';
    profile["folded_file"] = (o.profile_dir / (stem + ".folded")).filename().string();
  } catch (const std::exception& e) {
    profile = {{"tool", "perf"}, {"error", e.what()}};
  }
  std::filesystem::remove(data);
  if (b.records.empty()) b.records[b.name] = nlohmann::json::object();
  for (auto& [name, record] : b.records.items()) record["profile"] = profile;
}

std::set<unsigned> all_pus(const StealTicks& ticks) {
  std::set<unsigned> pus;
  for (const auto& [pu, count] : ticks.by_pu) pus.insert(pu);
  return pus;
}

}  // namespace

RunResults run_benchmarks(const RunOptions& o, const BenchmarkList& list, const ProgressFn& progress) {
  RunResults results;
  const StealTicks run_start = read_steal_ticks();
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::string>& names = list.names;
  results.listed = names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (const auto it = list.unavailable.find(names[i]); it != list.unavailable.end()) {
      BenchmarkOutcome b;
      b.name = names[i];
      b.ok = true;  // nothing failed: the machine lacks what this benchmark needs
      b.entries = nlohmann::json::array({error_entry(b.name, it->second)});
      results.outcomes.push_back(std::move(b));
      if (progress) progress(i, names.size(), results.outcomes.back());
      continue;
    }
    const std::string stem = fmt::format("bench-{:04}", i);
    const auto out_json = o.work_dir / (stem + ".json");
    std::vector<std::string> args{"--benchmark_filter=" + exact_filter(names[i]), "--benchmark_out=" + out_json.string(),
                                  "--benchmark_out_format=json"};
    // A user's --benchmark_min_time comes later on the command line and wins.
    args.push_back(o.quick ? "--benchmark_min_time=0.02" : "--benchmark_min_time=0.1");
    const std::vector<std::string> flags = gbench_flags_for(names[i], o.gbench_flags);
    args.insert(args.end(), flags.begin(), flags.end());

    const StealTicks steal_before = read_steal_ticks();
    const ChildOutcome outcome = run_in_child(o, stem, args, /*profiled=*/true);
    const StealTicks steal_after = read_steal_ticks();
    sweep_segments(run_id());  // whatever the child left behind, crash or not

    BenchmarkOutcome b;
    b.name = names[i];
    b.seconds = outcome.seconds;
    if (outcome.interrupted) {
      results.interrupted_by = interrupt_signal();
      break;
    }
    const std::string status = last_lines(read_file(o.work_dir / (stem + ".status")), 3);
    if (outcome.ok()) {
      try {
        const auto doc = parse_child_file(read_file(out_json), out_json, "Google Benchmark output", parse_gbench_output);
        b.gbench_context = doc.at("context");
        b.entries = doc.at("benchmarks");
        const auto extras_path = o.work_dir / (stem + ".extras.json");
        const std::string extras = read_file(extras_path);
        const auto parse_json = [](const std::string& text) { return nlohmann::json::parse(text); };
        if (!extras.empty())
          b.records = keyed_by_run_name(parse_child_file(extras, extras_path, "records", parse_json), b.entries);
        add_steal(b.records, steal_before, steal_after, outcome.seconds);
        if (o.profiler) add_profile(o, stem, b);
        b.ok = true;
      } catch (const std::exception& e) {
        b.error = fmt::format("benchmark {}: its output could not be read: {}", registered_name(b.name), e.what());
      }
    } else {
      const std::string detail =
          !status.empty() ? status : last_lines(without_gbench_banner(read_file(o.work_dir / (stem + ".stderr"))), 3);
      b.error = fmt::format("benchmark {} {}{}{}", registered_name(b.name), describe_failure(outcome, o.bench_timeout),
                            detail.empty() ? "" : ": ", detail);
    }
    if (!b.ok) b.entries = nlohmann::json::array({error_entry(b.name, b.error)});
    results.outcomes.push_back(std::move(b));
    if (progress) progress(i, names.size(), results.outcomes.back());
  }
  if (interrupted()) results.interrupted_by = interrupt_signal();
  const StealTicks run_end = read_steal_ticks();
  results.steal = steal_during(run_start, run_end, all_pus(run_end),
                               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return results;
}

}  // namespace primbench
