#include "harness/python_suite.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "harness/supervisor.hpp"

namespace primbench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Below the watchdog, as the program's own default (100 s) is below the
// default --timeout (120 s): the program's cleanup runs before a SIGKILL.
std::string deadline_for(std::chrono::milliseconds bench_timeout) {
  return fmt::format("{:.3f}", std::max(1.0, bench_timeout.count() / 1e3 * 5 / 6));
}

std::vector<std::string> call_args(const PythonInvocation& inv, const PythonSuiteOptions& options) {
  std::vector<std::string> args{"--bench",     fmt::format("{}", fmt::join(inv.names, ",")),
                                "--pus",       fmt::format("{}", fmt::join(inv.pus, ",")),
                                "--placement", inv.placement,
                                "--deadline", deadline_for(options.bench_timeout)};
  if (options.quick) args.push_back("--smoke");
  args.insert(args.end(), options.program_args.begin(), options.program_args.end());
  return args;
}

// What the call left for the names it did not report: its failure, or a
// document that lacks them.
std::string missing_reason(const std::string& name, const PythonCall& call, std::chrono::milliseconds timeout,
                           const std::string& parse_error) {
  std::string why;
  if (!parse_error.empty()) why = "its output is not a result document: " + parse_error;
  else if (call.outcome.exit_code != 0 || call.outcome.signal || call.outcome.timed_out)
    why = describe_failure(call.outcome, timeout);
  else
    why = "its result document has no entry for it";
  return fmt::format("benchmark {}: the CPython program {}{}{}", name, why, call.err_tail.empty() ? "" : ": ",
                     call.err_tail);
}

BenchmarkOutcome outcome_of(const std::string& name, const json& doc, const std::vector<unsigned>& pus) {
  BenchmarkOutcome b;
  b.name = name;
  static const json none;
  const json& entries = doc.contains("benchmarks") && doc["benchmarks"].is_array() ? doc["benchmarks"] : none;
  for (const json& e : entries)
    if (e.is_object() && e.value("run_name", e.value("name", "")) == name) b.entries.push_back(e);
  if (b.entries.empty()) return b;
  const json& primbench = doc.contains("primbench") ? doc["primbench"] : none;
  const json& records = primbench.contains("benchmarks") ? primbench["benchmarks"] : none;
  if (const auto it = records.is_object() ? records.find(name) : records.end(); it != records.end()) {
    json record = *it;
    if (!verify_python_placement(record, pus))
      for (json& e : b.entries)
        if (e.contains("placement_ok")) e["placement_ok"] = 0;
    b.seconds = record.value("elapsed_s", 0.0);
    b.records[name] = std::move(record);
  }
  // As natively: a benchmark that could not run as asked, or failed its
  // check, is an error entry of a run that completed.
  b.ok = true;
  return b;
}

// The interpreter as the program describes itself, with what primbench started.
void note_interpreter(json& python, const json& doc) {
  if (python.contains("version") || !doc.contains("primbench") || !doc["primbench"].contains("python")) return;
  const json& described = doc["primbench"]["python"];
  if (described.is_object())
    for (const auto& [key, value] : described.items()) python[key] = value;
  if (doc.contains("context") && doc["context"].contains("library")) python["library"] = doc["context"]["library"];
}

}  // namespace

bool verify_python_placement(json& record, const std::vector<unsigned>& pus) {
  if (!record.contains("placement") || !record["placement"].is_object()) return true;
  json& placement = record["placement"];
  const bool claimed = placement.value("all_ok", json(true)) == json(true);
  if (!placement.contains("workers") || !placement["workers"].is_array() || placement["workers"].empty()) return claimed;
  // A PU the program could not read back is null: not a PU, so not ok.
  const auto pu_of = [](const json& w, const char* key) {
    const auto it = w.find(key);
    return it != w.end() && it->is_number_integer() && it->get<long long>() >= 0 ? std::optional(it->get<unsigned>())
                                                                                 : std::nullopt;
  };
  bool all_ok = claimed;
  for (json& w : placement["workers"]) {
    const auto requested = pu_of(w, "requested_pu"), observed = pu_of(w, "observed_pu");
    const bool planned = requested && std::find(pus.begin(), pus.end(), *requested) != pus.end();
    const bool ok = w.value("ok", json(false)) == json(true) && planned && observed == requested;
    w["ok"] = ok;
    all_ok = all_ok && ok;
  }
  placement["all_ok"] = all_ok;
  placement["checked_against"] = pus;  // the PUs primbench handed this call
  return all_ok;
}

PythonSuiteResults run_python_suite(const PythonProgram& program, const PythonSuitePlan& plan,
                                    const PythonSuiteOptions& options, const fs::path& work_dir,
                                    const ProgressFn& progress, std::size_t first_index, std::size_t total) {
  PythonSuiteResults results;
  results.run.listed = plan.names;
  json& python = results.python;
  python = {{"requested", program.requested}, {"command", program.interpreter}, {"script", program.script.string()}};
  json pairing = json::object(), calls = to_json(plan);
  for (const auto& [name, p] : plan.pairing)
    pairing[name] = {{"native", p.native ? json(*p.native) : json(nullptr)}, {"status", p.status}};
  std::size_t index = first_index;
  const auto report = [&](BenchmarkOutcome b) {
    results.run.outcomes.push_back(std::move(b));
    if (progress) progress(index++, total, results.run.outcomes.back());
  };

  for (std::size_t i = 0; i < plan.invocations.size() && !interrupted(); ++i) {
    const PythonInvocation& inv = plan.invocations[i];
    const auto timeout = options.bench_timeout * static_cast<long>(inv.names.size());
    const PythonCall call = call_python(program, call_args(inv, options), work_dir, fmt::format("py-{:03}", i), timeout);
    sweep_orphaned_python_blocks();
    calls[i]["seconds"] = call.outcome.seconds;
    calls[i]["exit"] = call.outcome.ok() ? "ok" : describe_failure(call.outcome, timeout);
    if (call.outcome.interrupted) break;
    json doc;
    std::string parse_error;
    try {
      doc = call.out.empty() ? json::object() : json::parse(call.out);
    } catch (const json::exception& e) {
      parse_error = e.what();
    }
    note_interpreter(python, doc);
    for (const std::string& name : inv.names) {
      BenchmarkOutcome b = outcome_of(name, doc, inv.pus);
      if (!b.ok) {
        b.error = missing_reason(name, call, timeout, parse_error);
        b.entries = json::array({error_entry(name, b.error)});
        b.seconds = call.outcome.seconds;
      }
      report(std::move(b));
    }
  }
  if (interrupted()) {
    results.run.interrupted_by = interrupt_signal();
  } else {
    for (const auto& [name, why] : plan.unavailable) {
      BenchmarkOutcome b;
      b.name = name;
      b.ok = true;  // nothing failed: the machine lacks the placement
      b.entries = json::array({error_entry(name, why)});
      report(std::move(b));
    }
  }
  python["pairing"] = std::move(pairing);
  python["calls"] = std::move(calls);
  return results;
}

}  // namespace primbench
