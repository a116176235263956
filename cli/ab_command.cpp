// `primbench ab BASE NEW [--rounds N] [--out DIR] [-- RUN_ARGS]`: did a
// change make the numbers worse, decided on one runner?
//
// Each round runs every chunk of the suite (one family) once with each build,
// back to back, the order alternating by round and chunk (base first, then
// new first, ...), so the two sides of a pair are seconds apart and a machine
// that changes speed for minutes moves both. The verdict is compare's rule
// over the rounds (reports/compare.hpp); a pair whose machine probes moved is
// left out. `--aa` runs one build against itself and writes noise.json, the
// runner's A/A noise per family, which later comparisons take as --noise.
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "harness/bench_registry.hpp"
#include "cli/commands.hpp"
#include "cli/verdict_options.hpp"
#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "harness/supervisor.hpp"
#include "reports/aa_noise.hpp"
#include "reports/compare.hpp"
#include "reports/compare_format.hpp"
#include "reports/result_file.hpp"
#include "reports/result_reader.hpp"
#include "reports/round_merge.hpp"

namespace primbench::cli {
namespace {

std::vector<std::string>& run_arguments() {
  static std::vector<std::string> args;
  return args;
}

namespace fs = std::filesystem;

struct AbArgs {
  std::vector<std::string> executables;
  bool aa = false;
  int rounds = 6;
  std::string out = "results/ab";
  double timeout_s = 1800;
  VerdictArgs verdict;
  std::vector<std::string> run_args;
};

struct Side {
  std::string name;  // "base" or "new"
  std::string exe;
  std::vector<RoundRun> runs;
};

std::string last_line_of(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The families to run as chunks: the run arguments' --family values, or every
// family; the --family arguments are taken out (each chunk passes its own).
std::vector<std::string> take_families(std::vector<std::string>& run_args) {
  std::vector<std::string> families, rest;
  const auto add = [&](const std::string& list) {
    std::stringstream in(list);
    for (std::string f; std::getline(in, f, ',');)
      if (!f.empty()) families.push_back(f);
  };
  for (std::size_t i = 0; i < run_args.size(); ++i) {
    if (run_args[i] == "--family" && i + 1 < run_args.size()) add(run_args[++i]);
    else if (run_args[i].rfind("--family=", 0) == 0) add(run_args[i].substr(9));
    else rest.push_back(run_args[i]);
  }
  run_args = rest;
  if (families.empty()) return family_names();
  validate_family_names(families);
  return families;
}

void check_executable(const std::string& path) {
  if (access(path.c_str(), X_OK) != 0) throw UsageError(fmt::format("'{}' is not an executable primbench", path));
}

// One chunk of one round with one build. A run that could not start its
// benchmarks (exit 2: say, a family the older build lacks) adds nothing and
// returns false.
bool run_chunk(Side& side, long round, const std::string& chunk, const AbArgs& a, const fs::path& dir) {
  fs::create_directories(dir);
  ChildSpec spec;
  spec.argv = {side.exe, "run", "--out", dir.string(), "--force", "--family", chunk};
  spec.argv.insert(spec.argv.end(), a.run_args.begin(), a.run_args.end());
  spec.stdout_path = (dir / "stdout.log").string();
  spec.stderr_path = (dir / "stderr.log").string();
  spec.timeout = std::chrono::milliseconds(static_cast<long>(a.timeout_s * 1000));
  spec.interrupt_grace = std::chrono::seconds(30);
  const ChildOutcome outcome = run_child(spec);
  fmt::print(stderr, "ab: round {}/{}: {} {}: {:.1f} s{}\n", round, a.rounds, chunk, side.name, outcome.seconds,
             outcome.exit_code == 0 ? "" : fmt::format(" ({})", describe_failure(outcome, spec.timeout)));
  if (outcome.interrupted) return false;
  const fs::path results = dir / "results.json";
  if ((outcome.exit_code != 0 && outcome.exit_code != 1) || !fs::exists(results)) {
    fmt::print(stderr, "ab: {} {} round {}: no results: {}\n", side.name, chunk, round, last_line_of(spec.stderr_path));
    return false;
  }
  side.runs.push_back({round, chunk, results.string(), read_result_file(results)});
  return true;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw UsageError(fmt::format("cannot write '{}'", path.string()));
}

int run_ab(AbArgs a) {
  install_supervisor_signals();
  if (a.aa && a.executables.size() == 1) a.executables.push_back(a.executables.front());
  if (a.executables.size() != 2)
    throw UsageError("ab needs BASE and NEW executables (or one with --aa: the same build on both sides)");
  if (a.aa && fs::weakly_canonical(a.executables[0]) != fs::weakly_canonical(a.executables[1]))
    throw UsageError("--aa compares one build with itself: give one executable");
  if (a.rounds < 2) throw UsageError("--rounds must be at least 2");
  for (const auto& exe : a.executables) check_executable(exe);
  const CompareOptions options = resolve_verdict_options(a.verdict);
  const FailOn fail_on = parse_fail_on(a.verdict.fail_on);
  std::vector<std::string> chunks = take_families(a.run_args);
  const fs::path out(a.out);
  fs::create_directories(out);

  Side base{"base", fs::absolute(a.executables[0]).string(), {}}, candidate{"new", fs::absolute(a.executables[1]).string(), {}};
  for (long round = 1; round <= a.rounds && !interrupted(); ++round) {
    std::vector<std::string> productive;
    for (std::size_t i = 0; i < chunks.size() && !interrupted(); ++i) {
      // Base first in odd (round + chunk) positions: each side runs first as
      // often as second, so an order effect cancels over the rounds.
      const bool base_first = (round + static_cast<long>(i)) % 2 == 1;
      bool any = false;
      for (Side* side : base_first ? std::array{&base, &candidate} : std::array{&candidate, &base}) {
        if (interrupted()) break;
        any |= run_chunk(*side, round, chunks[i], a, out / "runs" / fmt::format("round-{}", round) / side->name / chunks[i]);
      }
      if (any || round > 1) productive.push_back(chunks[i]);
      else fmt::print(stderr, "ab: {}: neither build ran anything with these arguments; left out of later rounds\n", chunks[i]);
    }
    if (!interrupted()) chunks = productive;
  }
  if (interrupted()) {
    fmt::print(stderr, "ab: interrupted; the runs so far are under {}\n", (out / "runs").string());
    return 128 + interrupt_signal();
  }
  if (base.runs.empty() || candidate.runs.empty())
    throw UsageError(fmt::format("no results from {}: see the stderr.log files under {}",
                                 base.runs.empty() ? "BASE" : "NEW", (out / "runs").string()));
  const nlohmann::json base_doc = merge_round_runs(base.runs), new_doc = merge_round_runs(candidate.runs);
  write_json_file(out / "base.json", base_doc);
  write_json_file(out / "new.json", new_doc);

  const Comparison comparison = compare_results(base_doc, new_doc, options);
  const CompareSources sources{(out / "base.json").string(), (out / "new.json").string(), machine_facts(base_doc),
                               machine_facts(new_doc)};
  write_text(out / "compare.json", json_text(comparison_json(comparison, sources), 2) + "\n");
  const std::string markdown = format_comparison(comparison, sources, CompareFormat::markdown, false);
  write_text(out / "compare.md", markdown);
  if (a.aa) {
    write_json_file(out / "noise.json", aa_noise_profile(comparison));
    fmt::print(stderr, "ab: A/A noise per family: {} (pass it to later comparisons as --noise)\n",
               (out / "noise.json").string());
  }
  fmt::print("{}", markdown);
  fmt::print(stderr, "ab: {}, {}, {}\n", (out / "compare.md").string(), (out / "compare.json").string(),
             (out / "base.json").string());
  return exit_status(comparison, fail_on);
}

}  // namespace

void set_ab_run_arguments(std::vector<std::string> args) { run_arguments() = std::move(args); }
std::vector<std::string> ab_run_arguments() { return run_arguments(); }

void add_ab_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand(
      "ab", "Run two builds interleaved on this machine, round by round, and decide on regressions (exit 1)");
  auto a = std::make_shared<AbArgs>();
  cmd->add_option("executables", a->executables, "BASE NEW: two primbench executables (one with --aa)")->required();
  cmd->add_flag("--aa", a->aa, "A/A: one build against itself; writes noise.json (the runner's noise per family)");
  cmd->add_option("--rounds", a->rounds, "Rounds: each runs every family once per build")->capture_default_str();
  cmd->add_option("--out,-o", a->out, "Output directory")->capture_default_str();
  cmd->add_option("--timeout", a->timeout_s, "Seconds one family's run may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_verdict_options(*cmd, a->verdict);
  cmd->footer("Arguments after -- go to primbench run (e.g. -- --quick --family pipe). Writes OUT/compare.md (for a pull request), OUT/compare.json, OUT/base.json, OUT/new.json. "
              "Exit 0: no regression; 1: a regression or a benchmark NEW broke; 2: bad input.");
  cmd->callback([a, &exit_status] {
    a->run_args = ab_run_arguments();
    exit_status = run_ab(*a);
  });
}

}  // namespace primbench::cli
