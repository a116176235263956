#include "harness/op_counter_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "basics/benchmark_name.hpp"

namespace primbench {
namespace {

// Metrics Google Benchmark shows, as <metric>_per_op; the rest stay in the record.
constexpr const char* kFlatMetrics[] = {"ctx_switches", "cpu_migrations", "page_faults",  "syscalls",
                                        "user_ns",      "sys_ns",         "offcpu_ns",    "cycles",
                                        "instructions", "cache_misses",   "llc_misses"};

std::map<std::string, nlohmann::json>& kept_records() {
  static std::map<std::string, nlohmann::json> records;
  return records;
}

std::string failure_reason(const EventSpec& event, std::int32_t failure) {
  if (failure == CounterReading::kNoSpec) return event.reason;
  if (failure == CounterReading::kNeverCounted)
    return "opened, but the PMU never counted it (more events than counters?)";
  return open_failure_reason(event, failure);
}

MetricValue event_value(const CounterReading& r, const std::vector<EventSpec>& events, std::string_view name) {
  for (std::size_t i = 0; i < r.events && i < events.size(); ++i)
    if (events[i].name == name)
      return r.failure[i] == 0 ? MetricValue{r.values[i], ""} : MetricValue{std::nullopt, failure_reason(events[i], r.failure[i])};
  if (name == "syscalls")
    return {std::nullopt, "not asked for: `--counters syscalls` counts them (the raw_syscalls:sys_enter tracepoint, "
                          "which costs every system call and every switch of the counted threads)"};
  return {std::nullopt, fmt::format("{} was not counted", name)};
}

MetricValue count(std::int64_t v) { return {static_cast<double>(v), ""}; }

}  // namespace

std::vector<std::pair<std::string, MetricValue>> metrics_of(const CounterReading& r, const std::vector<EventSpec>& events) {
  std::vector<std::pair<std::string, MetricValue>> out{
      {"ctx_switches", count(r.voluntary_switches + r.involuntary_switches)},
      {"voluntary_ctx_switches", count(r.voluntary_switches)},
      {"involuntary_ctx_switches", count(r.involuntary_switches)},
      {"cpu_migrations", r.migrations_known ? count(r.migrations)
                                            : MetricValue{std::nullopt, "/proc/thread-self/sched shows no se.nr_migrations "
                                                                        "(a kernel built without CONFIG_SCHED_DEBUG)"}},
      {"page_faults", count(r.minor_faults + r.major_faults)},
      {"syscalls", event_value(r, events, "syscalls")},
      {"user_ns", count(r.user_ns)},
      {"sys_ns", count(r.sys_ns)},
      {"task_clock_ns", count(r.on_cpu_ns)},
      {"wall_ns", count(r.wall_ns)},
      // Off-CPU: the part of the region the thread was not running (blocked, or preempted).
      {"offcpu_ns", count(std::max<std::int64_t>(r.wall_ns - r.on_cpu_ns, 0))}};
  for (const char* hw : {"cycles", "instructions", "cache_references", "cache_misses", "llc_misses", "branch_misses"})
    out.emplace_back(hw, event_value(r, events, hw));
  for (const EventSpec& e : events)
    if (e.named) out.emplace_back(e.name, event_value(r, events, e.name));
  return out;
}

nlohmann::json counters_json(const std::vector<WorkerCounters>& workers, const std::vector<EventSpec>& events,
                             double iterations) {
  // Totals over the workers: a metric one worker lacks has no total.
  std::vector<std::pair<std::string, MetricValue>> totals;
  nlohmann::json per_worker = nlohmann::json::array();
  for (const WorkerCounters& w : workers) {
    const auto metrics = metrics_of(w.reading, events);
    nlohmann::json t = nlohmann::json::object();
    for (const auto& [name, m] : metrics) t[name] = m.value ? nlohmann::json(*m.value) : nlohmann::json(nullptr);
    nlohmann::json scaled = nlohmann::json::array();
    for (std::size_t i = 0; i < w.reading.events && i < events.size(); ++i)
      if (w.reading.scaled[i]) scaled.push_back(events[i].name);
    per_worker.push_back({{"role", w.role}, {"worker", w.index}, {"mode", w.mode},
                          {"pu", w.pu >= 0 ? nlohmann::json(w.pu) : nlohmann::json(nullptr)}, {"totals", t},
                          {"multiplexed", scaled}});
    if (totals.empty()) {
      totals = metrics;
      continue;
    }
    for (std::size_t i = 0; i < totals.size() && i < metrics.size(); ++i) {
      MetricValue& sum = totals[i].second;
      if (!metrics[i].second.value) sum = metrics[i].second;
      if (sum.value) *sum.value += *metrics[i].second.value;
    }
  }
  nlohmann::json per_op = nlohmann::json::object(), unavailable = nlohmann::json::object();
  std::optional<double> cycles, instructions;
  for (const auto& [name, m] : totals) {
    per_op[name] = m.value && iterations > 0 ? nlohmann::json(*m.value / iterations) : nlohmann::json(nullptr);
    if (!m.value) unavailable[name] = m.reason;
    if (name == "cycles") cycles = m.value;
    if (name == "instructions") instructions = m.value;
  }
  nlohmann::json ipc = cycles && instructions && *cycles > 0 ? nlohmann::json(*instructions / *cycles) : nlohmann::json(nullptr);
  if (ipc.is_null()) unavailable["ipc"] = "needs cycles and instructions";
  return {{"enabled", true},
          {"iterations", iterations},
          {"per_op", per_op},
          {"ipc", ipc},
          {"unavailable", unavailable},
          {"workers", per_worker},
          {"region", "the benchmark thread over Google Benchmark's timed loop (not while it waits for its workers); "
                     "each worker over its body, start gate to return (a serving side B also serves one untimed "
                     "warm-up and one final exchange); per_op = sum over them / iterations"}};
}

std::vector<std::string> unavailable_counter_notes(const CounterConfig& config) {
  const std::vector<EventSpec> events = events_for(config);
  CounterGroup probe(events);
  probe.start();
  probe.stop();
  const CounterReading r = probe.reading();
  std::vector<std::pair<std::string, std::string>> by_reason;  // reason, event names; in event order
  for (std::size_t i = 0; i < r.events; ++i) {
    if (r.failure[i] == 0) continue;
    const std::string reason = failure_reason(events[i], r.failure[i]);
    auto it = std::find_if(by_reason.begin(), by_reason.end(), [&](const auto& p) { return p.first == reason; });
    if (it == by_reason.end())
      by_reason.emplace_back(reason, events[i].name);
    else
      it->second += ", " + events[i].name;
  }
  std::vector<std::string> notes;
  for (const auto& [reason, names] : by_reason) notes.push_back(fmt::format("counters {} will be null: {}", names, reason));
  return notes;
}

void finish_counted_call(benchmark::State& state, const std::string& name) {
  const std::vector<WorkerCounters> workers = end_counted_call();
  if (!counter_config().enabled) {
    kept_records()[name] = {{"enabled", false}, {"reason", "--counters none"}};
    return;
  }
  if (state.error_occurred() || workers.empty()) return;
  const double iterations = static_cast<double>(state.iterations());
  nlohmann::json counters = counters_json(workers, counter_events(), iterations);
  const std::vector<std::string> flat(std::begin(kFlatMetrics), std::end(kFlatMetrics));
  for (const auto& [metric, value] : counters["per_op"].items()) {
    const bool named = std::any_of(counter_events().begin(), counter_events().end(),
                                   [&](const EventSpec& e) { return e.named && e.name == metric; });
    if (value.is_null() || (!named && std::find(flat.begin(), flat.end(), metric) == flat.end())) continue;
    // GB divides by its iteration count itself (kAvgIterations): the total goes in.
    state.counters[metric + "_per_op"] = benchmark::Counter(value.get<double>() * iterations, benchmark::Counter::kAvgIterations);
  }
  kept_records()[name] = std::move(counters);
}

void attach_counter_records(nlohmann::json& records) {
  for (auto& [name, counters] : kept_records()) {
    std::string key = name;
    if (!records.contains(name))
      for (const auto& [k, record] : records.items())
        if (registered_name(k) == name) key = k;
    records[key]["counters"] = counters;
  }
}

}  // namespace primbench
