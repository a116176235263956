#include "harness/python_plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include "basics/benchmark_name.hpp"
#include "basics/errors.hpp"
#include "harness/placement.hpp"

namespace primbench {
namespace {

namespace fs = std::filesystem;

// One line of --list-pairs: name, native counterpart (or -), status.
struct Listed {
  std::string name;
  PythonPairing pairing;
};

std::string pu_list(const std::vector<unsigned>& pus) { return fmt::format("{}", fmt::join(pus, ",")); }

std::string with_placement(const std::string& listed, const std::string& placement) {
  std::string out = listed;
  for (std::size_t at; (at = out.find(kPlacementMarker)) != std::string::npos;)
    out.replace(at, std::string_view(kPlacementMarker).size(), placement);
  return out;
}

std::string family_of(const std::string& name) {
  const auto segments = split_benchmark_name(name);
  return segments.size() > 1 ? segments[1] : std::string();
}

// "py/pipe/mp-pipe/threads/{placement}/rtt/8" -> "py/pipe/mp-pipe/threads/{placement}":
// an absent class gets one entry per <what>/<mode>, as the native families register theirs.
std::string up_to_placement(const std::string& listed) {
  const std::size_t at = listed.find(kPlacementMarker);
  return at == std::string::npos ? listed : listed.substr(0, at + std::string_view(kPlacementMarker).size());
}

// The countdown sweeps every worker policy, as benches/countdown.cpp does;
// the other N-worker families (shm, locks, sync, pool) place their workers
// compactly, as their native benches do, so that the names pair.
std::vector<Policy> policies_of(const std::string& listed) {
  if (family_of(listed) == "countdown") return {Policy::compact, Policy::spread, Policy::cores};
  return {Policy::compact};
}

class Lister {
 public:
  Lister(const PythonProgram& program, const PythonSuiteOptions& options, const fs::path& work_dir)
      : program_(program), options_(options), work_dir_(work_dir) {}

  // Names for `pus` (an N-worker name's N is their count), placement marked.
  const std::vector<Listed>& pairs_for(const std::vector<unsigned>& pus) {
    auto [it, added] = by_workers_.try_emplace(pus.size());
    if (added) it->second = parse(call("--list-pairs", pus, {}, true));
    return it->second;
  }

  // The names of CPython groups given to --family; nullopt when the program
  // does not know them (exit 2: a name that is no group).
  std::optional<std::set<std::string>> group_names(const std::vector<std::string>& groups,
                                                   const std::vector<unsigned>& pus) {
    const PythonCall c = call("--list", pus, {"--bench", fmt::format("{}", fmt::join(groups, ","))}, false);
    if (!c.outcome.ok()) return std::nullopt;
    std::set<std::string> names;
    std::istringstream lines(c.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) names.insert(line);
    return names;
  }

 private:
  PythonCall call(const std::string& what, const std::vector<unsigned>& pus, std::vector<std::string> extra,
                  bool must_succeed) {
    std::vector<std::string> args{what, "--pus", pu_list(pus), "--placement", kPlacementMarker};
    if (options_.quick) args.push_back("--smoke");
    args.insert(args.end(), options_.program_args.begin(), options_.program_args.end());
    args.insert(args.end(), extra.begin(), extra.end());
    PythonCall c = call_python(program_, args, work_dir_, fmt::format("py-list-{}", calls_++), options_.bench_timeout);
    if (must_succeed && !c.outcome.ok() && !c.outcome.interrupted)
      throw UsageError(fmt::format("--python '{}' cannot run {} ({}){}{}", program_.requested,
                                   program_.script.string(), describe_failure(c.outcome, options_.bench_timeout),
                                   c.err_tail.empty() ? "" : ": ", c.err_tail));
    return c;
  }

  static std::vector<Listed> parse(const PythonCall& c) {
    std::vector<Listed> out;
    std::istringstream lines(c.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      Listed l;
      std::string native;
      if (!std::getline(fields, l.name, '\t') || !std::getline(fields, native, '\t') ||
          !std::getline(fields, l.pairing.status, '\t'))
        continue;
      if (native != "-") l.pairing.native = native;
      out.push_back(std::move(l));
    }
    return out;
  }

  const PythonProgram& program_;
  const PythonSuiteOptions& options_;
  fs::path work_dir_;
  std::map<std::size_t, std::vector<Listed>> by_workers_;
  int calls_ = 0;
};

// Which listed names --family selects: a CPython family (py/<family>/...), a
// group id (shm-copy, manager), or a native-only family (selects none here).
class FamilySelection {
 public:
  FamilySelection(const PythonSuiteOptions& options, const std::vector<Listed>& listed, Lister& lister,
                  const std::vector<unsigned>& pus) {
    all_ = options.families.empty();
    std::set<std::string> python_families;
    for (const auto& l : listed) python_families.insert(family_of(l.name));
    std::vector<std::string> groups;
    for (const auto& f : options.families) {
      if (python_families.count(f)) families_.insert(f);
      else if (std::find(options.native_families.begin(), options.native_families.end(), f) == options.native_families.end())
        groups.push_back(f);
    }
    if (groups.empty()) return;
    auto names = lister.group_names(groups, pus);
    if (!names && interrupted()) return;  // the run stops; no selection is wrong
    if (!names)
      throw UsageError(fmt::format("--family {}: not a benchmark family (native: {}; CPython: {}) nor a CPython "
                                   "group (primbench_py.py --list-groups)",
                                   fmt::join(groups, ", "), fmt::join(options.native_families, ", "),
                                   fmt::join(python_families, ", ")));
    group_names_ = std::move(*names);
  }

  bool selects(const std::string& listed) const {
    return all_ || families_.count(family_of(listed)) || group_names_.count(listed);
  }

 private:
  bool all_ = false;
  std::set<std::string> families_;
  std::set<std::string> group_names_;
};

std::regex filter_regex(const std::string& filter) {
  try {
    return std::regex(filter.empty() ? std::string(".") : filter);
  } catch (const std::regex_error& e) {
    throw UsageError(fmt::format("--filter '{}' is not a valid regular expression: {}", filter, e.what()));
  }
}

// The pair classes that run: every one present; in --quick only the nearest
// cross-PU class (same-pu when there is none), as the native quick suite does.
std::vector<const PairClassPlan*> classes_to_run(const PairPlan& plan, bool quick) {
  std::vector<const PairClassPlan*> out;
  for (const auto& c : plan.classes)
    if (c.present && !c.pairs.empty()) out.push_back(&c);
  if (!quick || out.empty()) return out;
  const auto cross = std::find_if(out.begin(), out.end(), [](auto* c) { return c->cls != PairClass::same_pu; });
  return {cross != out.end() ? *cross : out.front()};
}

class PlanBuilder {
 public:
  PlanBuilder(const FamilySelection& families, const std::regex& filter) : families_(families), filter_(filter) {}

  // Adds a call for the listed names `take` accepts, under `placement`.
  template <typename Take>
  void add(const std::vector<Listed>& listed, const std::string& placement, std::vector<unsigned> pus, Take take) {
    PythonInvocation inv{placement, std::move(pus), {}};
    for (const Listed& l : listed) {
      if (!families_.selects(l.name) || !take(l.name)) continue;
      const std::string name = with_placement(l.name, placement);
      if (!std::regex_search(name, filter_) || plan_.pairing.count(name)) continue;
      PythonPairing pairing = l.pairing;
      if (pairing.native) pairing.native = with_placement(*pairing.native, placement);
      plan_.pairing[name] = pairing;
      inv.names.push_back(name);
    }
    if (!inv.names.empty()) plan_.invocations.push_back(std::move(inv));
  }

  void add_absent(const std::vector<Listed>& listed, const PairClassPlan& absent) {
    const std::string cls(to_string(absent.cls));
    for (const Listed& l : listed) {
      if (!families_.selects(l.name) || is_worker_benchmark(l.name) || l.name.find(kPlacementMarker) == std::string::npos)
        continue;
      if (!std::regex_search(with_placement(l.name, cls), filter_)) continue;
      plan_.unavailable[with_placement(up_to_placement(l.name), cls)] =
          fmt::format("unavailable: placement class {} is absent: {}", cls, absent.reason);
    }
  }

  PythonSuitePlan finish() && {
    for (const auto& inv : plan_.invocations) plan_.names.insert(plan_.names.end(), inv.names.begin(), inv.names.end());
    for (const auto& [name, why] : plan_.unavailable) plan_.names.push_back(name);
    return std::move(plan_);
  }

 private:
  const FamilySelection& families_;
  const std::regex& filter_;
  PythonSuitePlan plan_;
};

}  // namespace

bool is_worker_benchmark(const std::string& listed_name) {
  static const std::regex worker_count("[nw][0-9]+");
  const auto segments = split_benchmark_name(listed_name);
  const auto marker = std::find(segments.begin(), segments.end(), kPlacementMarker);
  return marker != segments.end() &&
         std::any_of(marker + 1, segments.end(), [](const std::string& s) { return std::regex_match(s, worker_count); });
}

PythonSuitePlan plan_python_suite(const PythonProgram& program, const Topology& topo,
                                  const PythonSuiteOptions& options, const fs::path& work_dir) {
  Lister lister(program, options, work_dir);
  const WorkerPlan compact = plan_workers(topo, {0, Policy::compact, {}, false});
  const std::vector<Listed>& listed = lister.pairs_for(compact.pus);
  const FamilySelection families(options, listed, lister, compact.pus);
  const std::regex filter = filter_regex(options.filter);
  PlanBuilder builder(families, filter);

  const PairPlan pairs = plan_pairs(topo);
  for (const PairClassPlan* c : classes_to_run(pairs, options.quick))
    builder.add(listed, std::string(to_string(c->cls)), {c->pairs.front().a, c->pairs.front().b},
                [](const std::string& n) { return n.find(kPlacementMarker) != std::string::npos && !is_worker_benchmark(n); });
  for (const PairClassPlan& c : pairs.classes)
    if (!c.present) builder.add_absent(listed, c);
  for (const Policy policy : {Policy::compact, Policy::spread, Policy::cores}) {
    const WorkerPlan plan = plan_workers(topo, {0, policy, {}, false});
    const auto in_policy = [policy](const std::string& n) {
      const auto ps = policies_of(n);
      return std::find(ps.begin(), ps.end(), policy) != ps.end();
    };
    // Only the names this policy runs decide whether its worker count needs a listing of its own.
    const bool wanted = std::any_of(listed.begin(), listed.end(), [&](const Listed& l) {
      return families.selects(l.name) && is_worker_benchmark(l.name) && in_policy(l.name);
    });
    if (policy != Policy::compact && !wanted) continue;
    // Names without a placement (uncontended: one worker) run once, on the compact plan's first PU.
    builder.add(lister.pairs_for(plan.pus), std::string(to_string(policy)), plan.pus, [&](const std::string& n) {
      if (n.find(kPlacementMarker) == std::string::npos) return policy == Policy::compact;
      return is_worker_benchmark(n) && in_policy(n);
    });
  }
  return std::move(builder).finish();
}

std::string no_match_message(const PythonSuiteOptions& options) {
  return fmt::format("no CPython benchmark matches{}{}",
                     options.families.empty() ? "" : fmt::format(" --family {}", fmt::join(options.families, ",")),
                     options.filter.empty() ? "" : fmt::format(" --filter '{}'", options.filter));
}

std::vector<std::string> python_program_args(const std::vector<std::string>& sizes,
                                             const std::vector<std::string>& gbench_flags) {
  std::vector<std::string> args;
  if (sizes.size() == 1) args.insert(args.end(), {"--size", sizes.front()});
  for (const std::string& flag : gbench_flags) {
    const std::size_t eq = flag.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = flag.substr(0, eq);
    std::string value = flag.substr(eq + 1);
    if (key == "--benchmark_repetitions") {
      args.insert(args.end(), {"--repetitions", value});
    } else if (key == "--benchmark_min_time" && !value.ends_with('x')) {  // "10x" counts iterations: no equivalent
      if (value.ends_with('s')) value.pop_back();
      args.insert(args.end(), {"--min-time", value});
    }
  }
  return args;
}

nlohmann::json to_json(const PythonSuitePlan& plan) {
  nlohmann::json calls = nlohmann::json::array();
  for (const auto& inv : plan.invocations)
    calls.push_back({{"placement", inv.placement}, {"pus", inv.pus}, {"benchmarks", inv.names.size()}});
  return calls;
}

}  // namespace primbench
