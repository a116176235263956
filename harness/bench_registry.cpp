#include "harness/bench_registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "basics/errors.hpp"
#include "harness/op_counter_report.hpp"

namespace primbench {
namespace {

std::map<std::string, FamilyRegistrar>& registry() {
  static std::map<std::string, FamilyRegistrar> families;
  return families;
}

BenchEnvironment& environment() {
  static BenchEnvironment env;
  return env;
}

std::map<std::string, std::string>& unavailable() {
  static std::map<std::string, std::string> entries;
  return entries;
}

}  // namespace

FamilyRegistration::FamilyRegistration(const char* family, FamilyRegistrar fn) { registry()[family] = fn; }

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : registry()) names.push_back(name);
  return names;
}

void validate_family_names(const std::vector<std::string>& names) {
  for (const std::string& wanted : names)
    if (!registry().count(wanted)) {
      std::string valid;
      for (const auto& name : family_names()) valid += (valid.empty() ? "" : ", ") + name;
      throw UsageError(fmt::format("unknown benchmark family '{}' (valid: {})", wanted, valid));
    }
}

void register_families(const BenchEnvironment& env) {
  environment() = env;
  validate_family_names(env.config.families);
  for (const auto& [name, fn] : registry()) {
    const auto& only = env.config.families;
    if (only.empty() || std::find(only.begin(), only.end(), name) != only.end()) fn(environment());
  }
}

const BenchEnvironment& bench_environment() { return environment(); }

benchmark::internal::Benchmark* register_bench(const std::string& name,
                                               std::function<void(benchmark::State&, const std::string&)> body,
                                               TimeBase time_base) {
  auto* bench = benchmark::RegisterBenchmark(name.c_str(), [name, body](benchmark::State& state) {
    begin_counted_call();
    body(state, name);
    finish_counted_call(state, name);
  });
  return time_base == TimeBase::manual ? bench->UseManualTime() : bench->UseRealTime();
}

const std::map<std::string, std::string>& unavailable_benchmarks() { return unavailable(); }

void register_unavailable(const std::string& name, const std::string& reason) {
  unavailable()[name] = fmt::format("unavailable: {}", reason);
  // Registered bare: its listed name must be the name it stands for (the
  // supervisor records it from the listing without running it).
  benchmark::RegisterBenchmark(name.c_str(), [reason](benchmark::State& state) {
    state.SkipWithError(fmt::format("unavailable: {}", reason).c_str());
    for (auto _ : state) {  // SkipWithError ends the loop before its first pass
    }
  });
}

std::string bench_name(std::string_view family, std::string_view what, ExecMode mode, PairClass cls) {
  return fmt::format("{}/{}/{}/{}", family, what, to_string(mode), to_string(cls));
}

void register_pair_benches(const BenchEnvironment& env, std::string_view family, std::string_view what,
                           const std::vector<ExecMode>& modes,
                           std::function<void(benchmark::State&, const std::string&, ExecMode, PairClass, PuPair)> body) {
  for (ExecMode mode : modes)
    for (const PairClassPlan& plan : env.pairs.classes) {
      const std::string name = bench_name(family, what, mode, plan.cls);
      if (!plan.present) {
        register_unavailable(name, fmt::format("placement class {} is absent: {}", to_string(plan.cls), plan.reason));
        continue;
      }
      const PuPair pair = plan.pairs.front();
      const PairClass cls = plan.cls;
      register_bench(name, [body, mode, cls, pair](benchmark::State& state, const std::string& n) {
        body(state, n, mode, cls, pair);
      });
    }
}

}  // namespace primbench
