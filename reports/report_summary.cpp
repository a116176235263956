#include "reports/report_summary.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <utility>

#include "harness/cpu_steal.hpp"
#include "reports/json_fields.hpp"
#include "reports/machine_change.hpp"
#include "reports/result_reader.hpp"

namespace primbench {
namespace {

using nlohmann::json;

void add_row(json& rows, const std::string& label, const std::string& value) {
  if (!value.empty()) rows.push_back({label, value});
}

std::string load_text(const json& load) {
  if (!load.is_object()) return {};
  return fmt::format("{} / {} / {} (1, 5, 15 min)", value_text(member_or_null(load, "one_minute")),
                     value_text(member_or_null(load, "five_minutes")), value_text(member_or_null(load, "fifteen_minutes")));
}

// "a, b, c and 4 more"
std::string name_list(const std::vector<std::string>& names, std::size_t shown = 5) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (names.size() > shown) out += fmt::format(" and {} more", names.size() - shown);
  return out;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "tsc, TSC 2.5 GHz, read overhead 16 ns, resolution 14.4 ns"
std::string clock_text(const json& clock) {
  std::string c = value_text(member_or_null(clock, "source"));
  if (const auto hz = member_or_null(clock, "tsc_hz"); hz.is_number() && hz.get<double>() > 0)
    c += fmt::format(", TSC {:.4g} GHz", hz.get<double>() / 1e9);
  else if (member_or_null(clock, "invariant_tsc") == false)
    c += ", TSC not used (this CPU reports no invariant TSC)";
  else
    c += ", TSC not used";
  if (const auto o = member_or_null(clock, "read_overhead_ns"); o.is_number())
    c += fmt::format(", read overhead {:.3g} ns", o.get<double>());
  if (const auto r = member_or_null(clock, "resolution_ns"); r.is_number())
    c += fmt::format(", resolution {:.3g} ns", r.get<double>());
  return c;
}

// "shm/c2c_matrix/threads/cas (2 pairs, e.g. PU 4 ↔ PU 9 14 ns, shared-l3 median 171 ns)"
std::string unexplained_example(const std::string& name, const json& cells) {
  const json& c = cells.front();
  const json& pus = member_or_null(c, "pus");
  if (!pus.is_array() || pus.size() != 2 || !member_or_null(c, "rtt_ns").is_number() || !member_or_null(c, "class_median_ns").is_number())
    return fmt::format("{} ({})", name, plural(cells.size(), "pair", "pairs"));
  return fmt::format("{} ({}, e.g. PU {} ↔ PU {} {:.0f} ns, {} median {:.0f} ns)", name,
                     plural(cells.size(), "pair", "pairs"), value_text(pus[0]), value_text(pus[1]), c["rtt_ns"].get<double>(),
                     value_text(member_or_null(c, "class")), c["class_median_ns"].get<double>());
}

}  // namespace

json machine_facts_block(const json& results) {
  json rows = json::array();
  const json& clock = member_at(results, {"primbench", "clock"});
  for (const auto& [label, value] : machine_facts(results))
    add_row(rows, label, label == "clock" && clock.is_object() ? clock_text(clock) : value);
  const json& machine = member_at(results, {"primbench", "machine"});
  add_row(rows, "container", value_text(member_or_null(machine, "container")));
  add_row(rows, "CPU affinity", value_text(member_or_null(machine, "affinity")));
  add_row(rows, "load at start", load_text(member_or_null(machine, "load_average_start")));
  add_row(rows, "load at end", load_text(member_or_null(machine, "load_average_end")));
  if (machine.is_null()) add_row(rows, "load", value_text(member_at(results, {"context", "load_avg"})));
  return {{"kind", "facts"}, {"rows", std::move(rows)}};
}

json run_facts_block(const json& results) {
  json rows = json::array();
  const json& run = member_at(results, {"primbench", "run"});
  const json& started = member_or_null(run, "started_at");
  add_row(rows, "started", value_text(started.is_null() ? member_at(results, {"context", "date"}) : started));
  add_row(rows, "finished", value_text(member_or_null(run, "finished_at")));
  const json& config = member_or_null(run, "config");
  if (config.is_object()) {
    add_row(rows, "suite", config.value("quick", false) ? "quick (--quick)" : "default");
    add_row(rows, "families", config.contains("families") && !config["families"].empty() ? value_text(config["families"]) : "all");
    add_row(rows, "filter", value_text(member_or_null(config, "filter")));
    add_row(rows, "message sizes", value_text(member_or_null(config, "sizes")));
    add_row(rows, "Google Benchmark flags", value_text(member_or_null(config, "gbench_flags")));
  }
  if (run.is_object())
    add_row(rows, "benchmarks",
            fmt::format("{} listed, {} run, {} succeeded", value_text(run.value("benchmarks_listed", json(0))),
                        value_text(run.value("benchmarks_run", json(0))), value_text(run.value("benchmarks_ok", json(0)))));
  if (member_or_null(run, "interrupted") == true)
    add_row(rows, "interrupted", member_or_null(run, "interrupted_by").is_string() ? value_text(member_or_null(run, "interrupted_by")) : "yes");
  return {{"kind", "facts"}, {"rows", std::move(rows)}};
}

std::vector<NoiseWarning> noise_warnings(const json& results, const std::vector<BenchmarkView>& views) {
  std::vector<NoiseWarning> out;
  const auto say = [&out](NoiseSource source, std::string text) { out.push_back({source, std::move(text)}); };
  const json& machine = member_at(results, {"primbench", "machine"});
  if (!results.contains("primbench"))
    say(NoiseSource::file_format, "This is a plain Google Benchmark file: it carries no machine context, placements or latency "
                  "histograms, so noise can only be judged from repetitions.");
  if (machine.contains("warnings") && machine["warnings"].is_array())
    for (const json& w : machine["warnings"])
      if (w.is_string()) say(NoiseSource::machine, w.get<std::string>());
  if (!machine.is_object() && member_at(results, {"context", "cpu_scaling_enabled"}) == true)
    say(NoiseSource::frequency_scaling, "CPU frequency scaling was enabled (Google Benchmark's check): clock speed can change during a run.");

  const json& load_end = member_or_null(machine, "load_average_end");
  const json& cpus = member_or_null(machine, "logical_cpus_online");
  if (load_end.is_object() && member_or_null(load_end, "one_minute").is_number() && cpus.is_number() &&
      load_end["one_minute"].get<double>() > 0.5 * cpus.get<double>())
    say(NoiseSource::load, fmt::format("The 1-minute load average was {:.2f} on {} online CPUs at the end of the run: other "
                              "work competed with the benchmarks.",
                              load_end["one_minute"].get<double>(), value_text(cpus)));
  const std::string build = value_text(member_or_null(machine, "build_type"));
  if (!build.empty() && build != "Release" && build != "release" && build != "RelWithDebInfo")
    say(NoiseSource::build, fmt::format("primbench was built as '{}', not Release: the harness itself may be slower.", build));
  // Debian builds libbenchmark without NDEBUG, and it says so in every file.
  if (member_at(results, {"context", "library_build_type"}) == "debug")
    say(NoiseSource::build, "Google Benchmark's library was built without NDEBUG (library_build_type 'debug', as Debian "
                  "packages it): its assertions run, so its own real_time and cpu_time may carry a little more "
                  "per-batch overhead. primbench's latency percentiles and message rates come from its own clock reads in "
                  "its optimised code.");
  if (member_at(results, {"primbench", "run", "interrupted"}) == true)
    say(NoiseSource::interrupted, "The run was interrupted: the report shows the benchmarks that finished.");
  if (const std::vector<json> probes = run_probe_sets(results); probes.size() == 2) {
    std::vector<std::string> moves;
    for (const ProbeMove& m : moved_probes({probes[0]}, {probes[1]})) moves.push_back(describe(m));
    if (!moves.empty())
      say(NoiseSource::machine_changed, fmt::format("The machine changed speed during the run ({}, from the probes before the first "
                                "and after the last benchmark): results of that kind measured early and late are "
                                "not comparable with each other.",
                                fmt::join(moves, "; ")));
  }

  std::vector<std::string> oversubscribed, misplaced, noisy, stolen, disturbed, failed, unexplained;
  bool floor_pairs_unexplained = false;
  std::vector<std::pair<double, std::string>> stolen_by_share;
  bool any_repeated = false;
  for (const BenchmarkView& v : views) {
    if (v.oversubscribed) oversubscribed.push_back(v.base);
    if (!v.placement_ok && v.error.empty()) misplaced.push_back(v.base);
    if (!v.error.empty() && !v.unavailable) failed.push_back(v.base);
    if (v.repetitions > 1 || v.cv) any_repeated = true;
    if (v.cv && *v.cv > kHighCv) noisy.push_back(fmt::format("{} ({:.1f} %)", v.base, *v.cv * 100));
    if (!v.noise_note.empty()) disturbed.push_back(v.base);
    if (v.steal_noisy && v.steal_share) stolen_by_share.emplace_back(*v.steal_share, v.base);
    if (const json& cells = member_or_null(v.extra, "unexplained_cells"); cells.is_array() && !cells.empty()) {
      unexplained.push_back(unexplained_example(v.base, cells));
      for (const json& c : cells) floor_pairs_unexplained |= member_or_null(c, "floor_pair") == true;
    }
  }
  // The worst first: on a busy host this list is long, and name_list shows five.
  std::sort(stolen_by_share.begin(), stolen_by_share.end(), std::greater<>());
  for (const auto& [share, name] : stolen_by_share) stolen.push_back(fmt::format("{} ({:.0f} %)", name, share * 100));
  const json& run_steal = member_at(results, {"primbench", "run", "steal"});
  // Said for the run as a whole from half a per cent on, well below the
  // per-benchmark flag: a reader comparing machines wants to know it at all.
  constexpr double kRunStealWorthSaying = 0.005;
  if (const json& share = member_or_null(run_steal, "steal_share"); share.is_number() && share.get<double>() > kRunStealWorthSaying)
    say(NoiseSource::steal, fmt::format("The hypervisor took up to {:.1f} % of a PU's time over the run (steal time): on a "
                              "virtual machine the host's other guests compete for these cores.",
                              share.get<double>() * 100));
  if (!oversubscribed.empty())
    say(NoiseSource::oversubscribed, fmt::format("{} ran more workers than PUs (oversubscribed), so the timings include time-sharing: {}.",
                              plural(oversubscribed.size(), "benchmark", "benchmarks"), name_list(oversubscribed)));
  if (!misplaced.empty())
    say(NoiseSource::misplaced, fmt::format("{} did not run exactly where requested (the placement check failed): {}.",
                              plural(misplaced.size(), "benchmark", "benchmarks"), name_list(misplaced)));
  if (!noisy.empty())
    say(NoiseSource::repetitions_vary, fmt::format("High variation between repetitions (coefficient of variation above {:.0f} %) in {}: {}.",
                              kHighCv * 100, plural(noisy.size(), "benchmark", "benchmarks"), name_list(noisy)));
  if (!stolen.empty())
    say(NoiseSource::steal, fmt::format("{} lost more than {:.0f} % of a worker PU's time to the hypervisor while measuring (steal "
                              "time, /proc/stat), so their numbers are slower than the hardware: {}.",
                              plural(stolen.size(), "benchmark", "benchmarks"), kNoisyStealShare * 100,
                              name_list(stolen)));
  if (!disturbed.empty())
    say(NoiseSource::disturbed, fmt::format("{} saw the machine's speed change while measuring (their notes in the tables say how): {}.",
                              plural(disturbed.size(), "benchmark", "benchmarks"), name_list(disturbed)));
  if (!unexplained.empty())
    say(NoiseSource::unexplained_pairs, fmt::format("The core-to-core matrix measured pairs of PUs more than 3x from the median of their "
                              "placement class: the topology the OS reports does not explain them (on a VM: vCPUs "
                              "the host ran on SMT siblings of one core), so results labelled with a placement class "
                              "may have run on such a pair{}: {}.",
                              floor_pairs_unexplained ? " (one of them is a class's floor pair, which that class's "
                                                        "benchmarks use: see the heatmap's note)"
                                                      : "",
                              name_list(unexplained)));
  if (!any_repeated && !views.empty())
    say(NoiseSource::single_repetition, "Each benchmark ran once: no spread between repetitions can be shown. Run with "
                  "--benchmark_repetitions=5 to measure it.");
  if (!failed.empty())
    say(NoiseSource::failed, fmt::format("{} failed (see Errors): {}.", plural(failed.size(), "benchmark", "benchmarks"),
                              name_list(failed)));
  return out;
}

std::optional<json> placement_classes_block(const json& results) {
  const json& classes = member_at(results, {"primbench", "pair_plan", "pair_classes"});
  if (!classes.is_array() || classes.empty()) return std::nullopt;
  json rows = json::array();
  for (const json& c : classes) {
    if (!c.is_object()) continue;
    std::string pairs;
    if (c.contains("pairs") && c["pairs"].is_array())
      for (const json& p : c["pairs"])
        if (p.is_array() && p.size() == 2) {
          if (!pairs.empty()) pairs += ", ";
          pairs += fmt::format("PU {} ↔ PU {}", value_text(p[0]), value_text(p[1]));
        }
    const bool present = member_or_null(c, "present") == true;
    const std::string note = value_text(member_or_null(c, present ? "caveat" : "reason"));
    rows.push_back({value_text(member_or_null(c, "class")), present ? "yes" : "no", pairs, note});
  }
  return json{{"kind", "table"},
              {"caption", "Placement classes: where the two sides of a pair benchmark run"},
              {"columns", {{{"label", "class"}}, {{"label", "present"}}, {{"label", "pairs"}}, {{"label", "note"}}}},
              {"rows", std::move(rows)}};
}

}  // namespace primbench
