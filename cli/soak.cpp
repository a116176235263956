#include "cli/soak.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "basics/errors.hpp"
#include "harness/run_identity.hpp"
#include "harness/supervisor.hpp"
#include "reports/result_file.hpp"
#include "reports/result_reader.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

std::size_t count_entries(const fs::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

std::size_t rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  return 0;
}

// Processes whose parent is this one: as the children's subreaper, the
// supervisor inherits every orphan of a benchmark, so after an iteration
// there must be none, not even a zombie.
std::size_t child_processes() {
  const pid_t self = getpid();
  std::size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string pid = it->path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), [](char c) { return std::isdigit(c); })) continue;
    std::ifstream in(it->path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    long ppid = 0;
    if (rest >> state >> ppid && ppid == self) ++n;
  }
  return n;
}

std::pair<std::size_t, std::size_t> segments(std::string_view run) {
  std::size_t ours = 0, all = 0;
  std::error_code ec;
  for (fs::directory_iterator it("/dev/shm", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("primbench", 0) != 0) continue;
    ++all;
    if (!run.empty() && name.rfind(run, 0) == 0) ++ours;
  }
  return {ours, all};
}

std::string mib(std::size_t kib) { return fmt::format("{:.1f} MiB", kib / 1024.0); }

std::string percent(double change) { return fmt::format("{:+.1f} %", change * 100); }

nlohmann::json to_json(const ResourceSnapshot& s) {
  return {{"open_fds", s.open_fds},
          {"rss_kib", s.rss_kib},
          {"run_segments", s.run_segments},
          {"primbench_segments", s.primbench_segments},
          {"child_processes", s.child_processes}};
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return UsageError(fmt::format("'{}' is not a duration: {} (examples: 30s, 10m, 1h30m, 500ms)", text, why));
  };
  if (text.empty()) throw bad("it is empty");
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_at = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    const std::string number(text.substr(number_at, i - number_at));
    const std::size_t unit_at = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_at, i - unit_at);
    if (number.empty() || std::count(number.begin(), number.end(), '.') > 1 || number == ".")
      throw bad(fmt::format("expected a number at '{}'", text.substr(number_at)));
    double per_unit = 0;
    if (unit == "ms") per_unit = 1;
    else if (unit == "s") per_unit = 1e3;
    else if (unit == "m") per_unit = 60e3;
    else if (unit == "h") per_unit = 3600e3;
    else if (unit.empty()) throw bad(fmt::format("'{}' has no unit (ms, s, m, h)", number));
    else throw bad(fmt::format("unknown unit '{}' (ms, s, m, h)", unit));
    total_ms += std::strtod(number.c_str(), nullptr) * per_unit;
  }
  constexpr double kWeekMs = 7 * 24 * 3600e3;
  if (!(total_ms >= 1)) throw bad("it must be at least 1 ms");
  if (total_ms > kWeekMs) throw bad("more than a week");
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

ResourceSnapshot take_resource_snapshot(std::string_view run) {
  ResourceSnapshot s;
  // The directory iterator holds one descriptor of its own while it counts.
  const std::size_t fds = count_entries("/proc/self/fd");
  s.open_fds = fds > 0 ? fds - 1 : 0;
  s.rss_kib = rss_kib();
  std::tie(s.run_segments, s.primbench_segments) = segments(run);
  s.child_processes = child_processes();
  return s;
}

SoakIteration summarize_iteration(const RunResults& results, const std::map<std::string, std::string>& unavailable) {
  SoakIteration it;
  for (const BenchmarkOutcome& b : results.outcomes) {
    if (unavailable.count(b.name)) continue;
    if (!b.ok) {
      it.errors.push_back({b.name, b.error});
      continue;
    }
    const nlohmann::json entries{{"benchmarks", b.entries}};  // the runs refer into it
    for (const BenchmarkRun& run : benchmark_runs(entries)) {
      if (run.error) {
        // Decided inside the benchmark: "unavailable: ..." is the machine, not a failure.
        if (run.error->rfind("unavailable", 0) != 0) it.errors.push_back({run.name, *run.error});
        continue;
      }
      if (const auto median = representative_value(run, "real_time")) it.median_ns[run.name] = *median;
    }
  }
  return it;
}

std::vector<Drift> compute_drift(const std::vector<SoakIteration>& iterations) {
  std::map<std::string, Drift> by_name;
  for (const SoakIteration& it : iterations) {
    if (!it.complete) continue;
    for (const auto& [name, ns] : it.median_ns) {
      auto [entry, first] = by_name.try_emplace(name);
      Drift& d = entry->second;
      if (first) {
        d.benchmark = name;
        d.first_ns = d.last_ns = ns;
        continue;
      }
      d.last_ns = ns;
      const double change = d.first_ns > 0 ? ns / d.first_ns - 1 : 0;
      d.changes.push_back(change);
      if (std::abs(change) > std::abs(d.largest_change) || d.largest_at == 0) {
        d.largest_change = change;
        d.largest_at = it.index;
      }
    }
  }
  std::vector<Drift> out;
  for (auto& [name, d] : by_name) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(),
                   [](const Drift& a, const Drift& b) {
                     return std::abs(a.largest_change) > std::abs(b.largest_change);
                   });
  return out;
}

std::vector<LeakCheck> check_leaks(const ResourceSnapshot& start, const ResourceSnapshot& first,
                                   const ResourceSnapshot& end, std::size_t iterations) {
  std::vector<LeakCheck> checks;
  checks.push_back({"open file descriptors", double(start.open_fds), double(end.open_fds),
                    end.open_fds > start.open_fds,
                    "leak if more are open at the end than before the first iteration"});
  // With one iteration there is no warmed-up baseline to compare against.
  const ResourceSnapshot& rss_base = iterations > 1 ? first : start;
  checks.push_back({"resident memory (KiB)", double(rss_base.rss_kib), double(end.rss_kib),
                    iterations > 1 && end.rss_kib > rss_base.rss_kib + kRssGrowthLimitKiB,
                    iterations > 1
                        ? fmt::format("leak if it grew more than {} after the first iteration", mib(kRssGrowthLimitKiB))
                                   : "not judged: one iteration has no warmed-up baseline"});
  checks.push_back({"shared-memory segments of this run", double(start.run_segments), double(end.run_segments),
                    end.run_segments > 0, "leak if any is left in /dev/shm after the last iteration"});
  checks.push_back({"child processes", double(start.child_processes), double(end.child_processes),
                    end.child_processes > 0, "leak if any is left, running or unreaped, after the last iteration"});
  return checks;
}

nlohmann::json soak_document(const SoakRequest& request, const std::vector<SoakIteration>& iterations,
                             const std::vector<Drift>& drift, const std::vector<LeakCheck>& leaks,
                             const ResourceSnapshot& start, double elapsed_s, int interrupted_by) {
  nlohmann::json its = nlohmann::json::array(), errors = nlohmann::json::array(), drifts = nlohmann::json::array(),
                 checks = nlohmann::json::array();
  bool leaked = false;
  for (const SoakIteration& it : iterations) {
    nlohmann::json errs = nlohmann::json::array();
    for (const SoakError& e : it.errors) {
      errs.push_back({{"benchmark", e.benchmark}, {"message", e.message}});
      errors.push_back({{"iteration", it.index}, {"benchmark", e.benchmark}, {"message", e.message}});
    }
    its.push_back({{"index", it.index},
                   {"seconds", it.seconds},
                   {"complete", it.complete},
                   {"benchmarks", it.median_ns.size() + it.errors.size()},
                   {"median_ns", it.median_ns},
                   {"errors", errs},
                   {"resources_after", to_json(it.after)}});
  }
  for (const Drift& d : drift)
    drifts.push_back({{"benchmark", d.benchmark},
                      {"first_ns", d.first_ns},
                      {"last_ns", d.last_ns},
                      {"changes", d.changes},
                      {"largest_change", d.largest_change},
                      {"largest_at_iteration", d.largest_at}});
  for (const LeakCheck& c : leaks) {
    leaked = leaked || c.leaked;
    checks.push_back({{"resource", c.resource}, {"before", c.before}, {"after", c.after}, {"leaked", c.leaked},
                      {"rule", c.rule}});
  }
  nlohmann::json soak{{"duration", request.duration_text},
                      {"duration_s", request.duration.count() / 1e3},
                      {"elapsed_s", elapsed_s},
                      {"iterations", iterations.size()},
                      {"run_id", run_id()},
                      {"interrupted", interrupted_by != 0}};
  if (interrupted_by) soak["interrupted_by"] = strsignal(interrupted_by);
  return {{"soak", soak},
          {"ok", errors.empty() && !leaked},
          {"errors", errors},
          {"leaks", checks},
          {"resources_before", to_json(start)},
          {"drift", {{"reference", "the first complete iteration with a median for the benchmark"},
                     {"metric", "median real time per operation (ns)"},
                     {"benchmarks", drifts}}},
          {"iterations", its}};
}

int run_soak(const RunOptions& options, const BenchmarkList& list, const SoakRequest& request) {
  const auto began = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(); };
  const double duration_s = request.duration.count() / 1e3;
  const ResourceSnapshot start = take_resource_snapshot(run_id());
  std::vector<SoakIteration> iterations;
  int interrupted_by = 0;
  // Failures are printed as they happen; an iteration's good benchmarks only in its summary line.
  const ProgressFn progress = [&iterations](std::size_t, std::size_t, const BenchmarkOutcome& b) {
    if (!b.ok) fmt::print(stderr, "primbench: soak: iteration {}: FAILED: {}\n", iterations.size() + 1, b.error);
  };
  do {
    const auto it_began = std::chrono::steady_clock::now();
    const RunResults results = run_benchmarks(options, list, progress);
    SoakIteration it = summarize_iteration(results, list.unavailable);
    it.index = static_cast<unsigned>(iterations.size() + 1);
    it.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it_began).count();
    it.complete = results.interrupted_by == 0;
    it.after = take_resource_snapshot(run_id());
    fmt::print(stderr,
               "primbench: soak: iteration {} in {:.1f} s (elapsed {:.1f} of {:.0f} s): {} benchmarks, {} errors; "
               "fds {}, RSS {}, segments {}, child processes {}{}\n",
               it.index, it.seconds, elapsed(), duration_s, it.median_ns.size() + it.errors.size(), it.errors.size(),
               it.after.open_fds, mib(it.after.rss_kib), it.after.run_segments, it.after.child_processes,
               it.complete ? "" : " (interrupted)");
    iterations.push_back(std::move(it));
    interrupted_by = results.interrupted_by;
  } while (!interrupted_by && !interrupted() && elapsed() < duration_s);
  if (!interrupted_by && interrupted()) interrupted_by = interrupt_signal();

  const std::vector<Drift> drift = compute_drift(iterations);
  const std::vector<LeakCheck> leaks =
      check_leaks(start, iterations.front().after, iterations.back().after, iterations.size());
  const nlohmann::json doc = soak_document(request, iterations, drift, leaks, start, elapsed(), interrupted_by);
  const fs::path path = request.out_dir / "soak.json";
  write_json_file(path, doc);

  const std::size_t errors = doc["errors"].size();
  fmt::print(stderr, "primbench: soak: {} iterations in {:.1f} s, {} errors{}\n", iterations.size(), elapsed(), errors,
             interrupted_by ? fmt::format(", interrupted by {}", strsignal(interrupted_by)) : "");
  constexpr std::size_t kDriftsShown = 5;
  for (std::size_t i = 0; i < std::min(kDriftsShown, drift.size()); ++i) {
    const Drift& d = drift[i];
    if (d.largest_at == 0) break;  // one complete iteration: nothing to compare
    fmt::print(stderr, "primbench: soak: drift {} {} at iteration {} ({:.4g} -> {:.4g} ns)\n", d.benchmark,
               percent(d.largest_change), d.largest_at, d.first_ns, d.last_ns);
  }
  bool leaked = false;
  for (const LeakCheck& c : leaks) {
    leaked = leaked || c.leaked;
    fmt::print(stderr, "primbench: soak: {}: {:.0f} -> {:.0f}: {} ({})\n", c.resource, c.before, c.after,
               c.leaked ? "LEAKED" : "ok", c.rule);
  }
  fmt::print("{}\n", path.string());
  if (interrupted_by) return 128 + interrupted_by;
  return errors || leaked ? 1 : 0;
}

}  // namespace primbench
