#include "harness/workers.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>
#include <new>
#include <optional>

#include "basics/errors.hpp"
#include "harness/op_counters.hpp"
#include "harness/status_channel.hpp"

namespace primbench {
namespace {

constexpr auto kPollInterval = std::chrono::microseconds(200);

std::int64_t cpu_time_ns(PinScope scope) {
  timespec ts{};
  clock_gettime(scope == PinScope::thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

}  // namespace

std::string_view to_string(ExecMode m) { return m == ExecMode::threads ? "threads" : "processes"; }

ExecMode parse_exec_mode(std::string_view name) {
  if (name == "threads") return ExecMode::threads;
  if (name == "processes") return ExecMode::processes;
  throw UsageError(fmt::format("unknown execution mode '{}' (valid: threads, processes)", name));
}

std::chrono::milliseconds default_worker_deadline() {
  if (const char* env = std::getenv("PRIMBENCH_WORKER_DEADLINE_MS"); env && *env) {
    char* end = nullptr;
    const long ms = std::strtol(env, &end, 10);
    if (end && *end == '\0' && ms > 0) return std::chrono::milliseconds(ms);
  }
  return std::chrono::seconds(30);
}

void abandon_hung_threads(const std::string& message) {
  report_status(message);
  std::_Exit(kExitWorkerHung);
}

void require_single_threaded(const char* why) {
  // A joined thread can still be listed for a moment: join() returns when the
  // kernel clears the thread's tid word, early in its exit, and the task
  // leaves /proc/self/task only when the exit completes. So a count above one
  // is looked at again for a short while before it is believed.
  const auto count_tasks = [] {
    std::error_code ec;
    const auto n = std::distance(std::filesystem::directory_iterator("/proc/self/task", ec),
                                 std::filesystem::directory_iterator());
    return ec ? 1 : n;
  };
  auto tasks = count_tasks();
  for (int retry = 0; tasks > 1 && retry < 200; ++retry) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    tasks = count_tasks();
  }
  if (tasks > 1)
    throw std::logic_error(fmt::format("{}: fork needs a single-threaded parent, but this process has {} threads",
                                       why, tasks));
}

WorkerGroup::WorkerGroup(const Topology& topo, Options options) : topo_(topo), options_(std::move(options)) {
  if (options_.pus.empty()) throw UsageError(fmt::format("{}: a worker group needs at least one worker", options_.label));
  // Layout: [gate][slot 0..n-1][shared region], each part cache-line aligned.
  const std::size_t slots_at = align_up(sizeof(StartBarrier), 64);
  const std::size_t shared_at = align_up(slots_at + sizeof(WorkerSlot) * size(), 64);
  segment_ = SharedSegment::create("workers", shared_at + std::max<std::size_t>(options_.shared_bytes, 64));
  // Forked workers inherit the mapping, so the name is not needed past here.
  segment_.unlink();
  auto* base = static_cast<char*>(segment_.data());
  barrier_ = new (base) StartBarrier{};
  slots_ = reinterpret_cast<WorkerSlot*>(base + slots_at);
  for (std::size_t i = 0; i < size(); ++i) new (&slots_[i]) WorkerSlot{};
  shared_ = base + shared_at;
}

WorkerGroup::~WorkerGroup() {
  kill_processes();
  std::vector<std::string> ignored;
  reap_processes(std::chrono::steady_clock::now() + std::chrono::seconds(5), ignored);
  if (!threads_.empty()) {
    barrier_->open_gate();  // workers still at the gate must not wait forever
    join_threads(std::chrono::steady_clock::now() + options_.deadline, ignored);
  }
}

std::string WorkerGroup::describe(unsigned index) const {
  return fmt::format("worker {} ({} on PU {})", index, options_.mode == ExecMode::threads ? "thread" : "process",
                     options_.pus[index]);
}

void WorkerGroup::run_worker(unsigned index, const std::function<void(WorkerContext&)>& body) {
  const PinScope scope = options_.mode == ExecMode::threads ? PinScope::thread : PinScope::process;
  WorkerSlot& slot = slots_[index];
  WorkerContext ctx{index, static_cast<unsigned>(size()), options_.pus[index], options_.mode, &slot, shared_,
                    options_.shared_bytes};
  bool arrived = false;
  try {
    pin_current(topo_, ctx.pu, scope);
    // Opened before the gate: opening is setup, not the measured region.
    std::optional<CounterGroup> counters;
    if (counter_config().enabled) counters.emplace(counter_events());
    arrived = true;
    barrier_->arrive_and_wait();
    slot.state.store(WorkerState::running, std::memory_order_release);
    const std::int64_t cpu0 = cpu_time_ns(scope);
    if (counters) counters->start();
    body(ctx);
    if (counters) {
      counters->stop();
      slot.op_counters = counters->reading();
    }
    slot.cpu_time_ns = cpu_time_ns(scope) - cpu0;
    slot.finished_at_ns = steady_ns();
    slot.placement = observe_current(topo_, ctx.pu, scope);
    slot.state.store(WorkerState::done, std::memory_order_release);
  } catch (const std::exception& e) {
    std::snprintf(slot.error, sizeof slot.error, "%s", e.what());
    slot.state.store(WorkerState::failed, std::memory_order_release);
    if (!arrived) barrier_->arrived.fetch_add(1);  // let the coordinator see the failure instead of waiting
  }
}

void WorkerGroup::launch(std::function<void(WorkerContext&)> body) {
  launched_at_ = std::chrono::steady_clock::now();
  if (options_.mode == ExecMode::threads) {
    for (unsigned i = 0; i < size(); ++i) threads_.emplace_back([this, i, body] { run_worker(i, body); });
    return;
  }
  require_single_threaded(options_.label.c_str());
  const pid_t parent = getpid();
  for (unsigned i = 0; i < size(); ++i) {
    const pid_t pid = fork();
    if (pid < 0) {
      kill_processes();
      throw WorkerFailure(fmt::format("{}: fork of {} failed: {}", options_.label, describe(i), std::strerror(errno)));
    }
    if (pid == 0) {
      // A worker must not outlive its benchmark process, whatever kills it.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);
      run_worker(i, body);
      _exit(slots_[i].state.load() == WorkerState::done ? 0 : 1);  // no atexit, no stdio flush
    }
    pids_.push_back(pid);
  }
}

void WorkerGroup::wait_ready() {
  const CoordinatorWait waiting;
  const auto deadline = launched_at_ + options_.deadline;
  if (!barrier_->wait_for_arrivals(static_cast<std::uint32_t>(size()), deadline)) {
    release();
    join();  // names the workers that never reached the gate
    throw WorkerFailure(fmt::format("{}: workers did not reach the start gate in time", options_.label));
  }
}

void WorkerGroup::kill_processes() noexcept {
  for (pid_t pid : pids_)
    if (pid > 0) kill(pid, SIGKILL);
}

void WorkerGroup::reap_processes(std::chrono::steady_clock::time_point deadline, std::vector<std::string>& problems) {
  for (;;) {
    bool pending = false;
    for (unsigned i = 0; i < pids_.size(); ++i) {
      if (pids_[i] <= 0) continue;
      int status = 0;
      const pid_t r = waitpid(pids_[i], &status, WNOHANG);
      if (r == 0) {
        pending = true;
        continue;
      }
      pids_[i] = -1;
      if (r < 0) continue;
      if (WIFSIGNALED(status))
        problems.push_back(fmt::format("{} was killed by signal {} ({})", describe(i), WTERMSIG(status),
                                       strsignal(WTERMSIG(status))));
    }
    if (!pending) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      for (unsigned i = 0; i < pids_.size(); ++i) {
        if (pids_[i] <= 0) continue;
        kill(pids_[i], SIGKILL);
        waitpid(pids_[i], nullptr, 0);
        pids_[i] = -1;
        problems.push_back(fmt::format("{} did not finish within {} ms (killed)", describe(i), options_.deadline.count()));
      }
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void WorkerGroup::join_threads(std::chrono::steady_clock::time_point deadline, std::vector<std::string>& problems) {
  auto finished = [&](unsigned i) {
    const WorkerState s = slots_[i].state.load(std::memory_order_acquire);
    return s == WorkerState::done || s == WorkerState::failed;
  };
  for (unsigned i = 0; i < threads_.size(); ++i) {
    while (!finished(i)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        problems.push_back(fmt::format("{} did not finish within {} ms", describe(i), options_.deadline.count()));
        abandon_hung_threads(fmt::format("error: {}: {}", options_.label, problems.back()));
      }
      std::this_thread::sleep_for(kPollInterval);
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void WorkerGroup::join() {
  const CoordinatorWait waiting;
  const auto deadline = launched_at_ + options_.deadline;
  std::vector<std::string> problems;
  if (options_.mode == ExecMode::threads)
    join_threads(deadline, problems);
  else
    reap_processes(deadline, problems);
  for (unsigned i = 0; i < size(); ++i)
    if (slots_[i].state.load() == WorkerState::failed)
      problems.push_back(fmt::format("{} failed: {}", describe(i), slots_[i].error));
  if (problems.empty()) {
    for (unsigned i = 0; i < size(); ++i)
      add_worker_counters({"worker", i, std::string(to_string(options_.mode)), static_cast<int>(options_.pus[i]),
                           slots_[i].op_counters});
    return;
  }
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  throw WorkerFailure(fmt::format("{}: {}", options_.label, text));
}

std::chrono::nanoseconds WorkerGroup::run(std::function<void(WorkerContext&)> body) {
  launch(std::move(body));
  wait_ready();
  const std::int64_t opened = steady_ns();
  release();
  join();
  std::int64_t last = opened;
  for (const WorkerSlot& s : slots()) last = std::max(last, s.finished_at_ns);
  return std::chrono::nanoseconds(last - opened);
}

std::vector<ObservedPlacement> WorkerGroup::placements() const {
  std::vector<ObservedPlacement> out;
  for (std::size_t i = 0; i < size(); ++i) out.push_back(slots_[i].placement);
  return out;
}

LatencyHistogram WorkerGroup::merged_latency() const {
  LatencyHistogram merged;
  for (std::size_t i = 0; i < size(); ++i) merged.merge(slots_[i].latency);
  return merged;
}

}  // namespace primbench
