#include "harness/op_counters.hpp"

#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "basics/errors.hpp"

namespace primbench {
namespace {

struct State {
  CounterConfig config;
  std::vector<EventSpec> events;
  std::mutex mutex;
  std::vector<WorkerCounters> workers;
};

State& state() {
  static State s;
  return s;
}

// The benchmark thread's group for the current call; thread_local because
// GB's timer hooks run on whichever thread runs the body.
thread_local std::unique_ptr<CounterGroup> benchmark_thread_group;

bool same_worker(const WorkerCounters& a, const WorkerCounters& b) {
  return a.role == b.role && a.index == b.index && a.pu == b.pu && a.mode == b.mode;
}

}  // namespace

CounterConfig parse_counters_option(std::string_view text) {
  if (text == "none") return {false, false, {}};
  CounterConfig config{true, false, {}};
  if (text.empty() || text == "default") return config;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    if (name.empty() || name == "none" || name == "default")
      throw UsageError(fmt::format("--counters '{}': expected default, none, or items separated by commas "
                                   "(syscalls, libpfm4 event names)", text));
    if (name == "syscalls")
      config.syscalls = true;
    else
      config.named.emplace_back(name);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  const std::size_t fixed = hardware_events().size() + 1;
  if (fixed + config.named.size() > kMaxCounterEvents)
    throw UsageError(fmt::format("--counters '{}': at most {} named events", text, kMaxCounterEvents - fixed));
  return config;
}

std::vector<EventSpec> events_for(const CounterConfig& config) {
  if (!config.enabled) return {};
  std::vector<EventSpec> events;
  if (config.syscalls) events.push_back(syscalls_event());
  for (EventSpec& e : hardware_events()) events.push_back(std::move(e));
  for (const std::string& name : config.named) events.push_back(named_event(name));
  return events;
}

void set_counter_config(CounterConfig config) {
  State& s = state();
  s.config = std::move(config);
  s.events = events_for(s.config);
}

const CounterConfig& counter_config() { return state().config; }
const std::vector<EventSpec>& counter_events() { return state().events; }

void begin_counted_call() {
  State& s = state();
  {
    const std::lock_guard lock(s.mutex);
    s.workers.clear();
  }
  benchmark_thread_group.reset();
  if (s.config.enabled) benchmark_thread_group = std::make_unique<CounterGroup>(s.events);
}

void add_worker_counters(WorkerCounters counters) {
  if (!counters.reading.valid) return;
  State& s = state();
  const std::lock_guard lock(s.mutex);
  for (WorkerCounters& known : s.workers)
    if (same_worker(known, counters)) {
      known.reading.add(counters.reading);
      return;
    }
  s.workers.push_back(std::move(counters));
}

std::vector<WorkerCounters> end_counted_call() {
  std::vector<WorkerCounters> out;
  if (benchmark_thread_group) {
    benchmark_thread_group->stop();
    CounterReading r = benchmark_thread_group->reading();
    benchmark_thread_group.reset();
    if (r.valid) out.push_back({"benchmark_thread", 0, "threads", -1, r});
  }
  State& s = state();
  const std::lock_guard lock(s.mutex);
  for (WorkerCounters& w : s.workers) out.push_back(std::move(w));
  s.workers.clear();
  return out;
}

void benchmark_thread_resume() {
  if (benchmark_thread_group) benchmark_thread_group->start();
}

void benchmark_thread_pause() {
  if (benchmark_thread_group) benchmark_thread_group->stop();
}

CoordinatorWait::CoordinatorWait() {
  if (benchmark_thread_group && benchmark_thread_group->running()) {
    benchmark_thread_group->stop();
    paused_ = true;
  }
}

CoordinatorWait::~CoordinatorWait() {
  if (paused_) benchmark_thread_group->start();
}

}  // namespace primbench
