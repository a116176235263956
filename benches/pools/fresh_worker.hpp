// The pool's baselines: no pool at all, a fresh worker for every task.
//
//   FreshThread   a new pthread, bound to the worker PU by its creation
//                 attribute, computes the item and is joined
//   ForkPerTask   a forked child binds itself to the worker PU, computes the
//                 item, leaves the value in a shared page and exits; the
//                 parent reaps it (the `fork` start method, one task per process)
//   SpawnPerTask  posix_spawn of /bin/sh computing a value from the item in
//                 shell arithmetic and returning it as its exit status: a new
//                 program per task, which cannot run our work function, so it
//                 stands for empty tasks only
//
// Each returns the value and the moment the task started, for the same
// checks and latencies as the pool's results.
#pragma once

#include <sched.h>
#include <sys/mman.h>

#include <fmt/format.h>

#include <cstdint>
#include <new>
#include <type_traits>

#include "benches/pools/creation.hpp"
#include "benches/pools/task_work.hpp"
#include "harness/clock.hpp"
#include "harness/pinning.hpp"

namespace primbench::pools {

struct FreshOutcome {
  std::uint64_t value = 0;
  std::uint64_t started = 0;  // Clock ticks, when the task's code began
  std::int32_t cpu = -1;      // where it ran (sched_getcpu)
};

class FreshThread {
 public:
  explicit FreshThread(unsigned pu) : attr_(pu) {}
  FreshOutcome run(std::uint64_t item, std::uint64_t steps) const {
    FreshOutcome out;
    auto task = [&] {
      out.started = Clock::now();
      out.value = work_steps(ExpectedValues::input_of(item), steps);
      out.cpu = sched_getcpu();
    };
    attr_.run_and_join(task);
    return out;
  }
  // One untimed thread reading back its binding and CPU (hwloc).
  ObservedPlacement probe(const Topology& topo, unsigned pu) const {
    ObservedPlacement seen;
    auto task = [&] { seen = observe_current(topo, pu, PinScope::thread); };
    attr_.run_and_join(task);
    return seen;
  }

 private:
  creation::PinnedThreadAttr attr_;
};

class ForkPerTask {
 public:
  explicit ForkPerTask(unsigned pu) : pu_(pu) {
    page_ = mmap(nullptr, sizeof(FreshOutcome), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page_ == MAP_FAILED) throw creation::os_error("mmap");
    new (page_) FreshOutcome{};
  }
  ~ForkPerTask() { munmap(page_, sizeof(FreshOutcome)); }
  ForkPerTask(const ForkPerTask&) = delete;
  ForkPerTask& operator=(const ForkPerTask&) = delete;

  FreshOutcome run(std::uint64_t item, std::uint64_t steps) const {
    auto* out = static_cast<FreshOutcome*>(page_);
    *out = FreshOutcome{};
    creation::fork_and_reap([this, out, item, steps] {
      if (!bind_self()) return 2;
      out->started = Clock::now();
      out->value = work_steps(ExpectedValues::input_of(item), steps);
      out->cpu = sched_getcpu();
      return 0;
    });
    return *out;
  }
  // One untimed child reading back its binding and CPU (hwloc).
  ObservedPlacement probe(const Topology& topo) const {
    auto* seen = static_cast<ObservedPlacement*>(page_);
    static_assert(sizeof(ObservedPlacement) <= sizeof(FreshOutcome) && std::is_trivially_copyable_v<ObservedPlacement>);
    creation::fork_and_reap([&] {
      if (!bind_self()) return 2;
      *seen = observe_current(topo, pu_, PinScope::process);
      return 0;
    });
    return *seen;
  }

 private:
  // A forked child inherits the parent's binding; a worker elsewhere must move.
  bool bind_self() const {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pu_, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0;
  }

  unsigned pu_;
  void* page_ = nullptr;
};

class SpawnPerTask {
 public:
  // The value the shell computes for `item` (an exit status: 0..250).
  static std::uint64_t expected(std::uint64_t item) { return (item % 100'000 * 7 + 3) % 251; }

  FreshOutcome run(std::uint64_t item) const {
    const creation::ExecArgs program{"/bin/sh", {"sh", "-c", fmt::format("exit $(( ({} * 7 + 3) % 251 ))", item % 100'000)}};
    const int status = spawner_.run_and_reap(program);
    if (!WIFEXITED(status)) throw std::runtime_error(fmt::format("{}: {}", program.describe(), creation::describe_status(status)));
    return {static_cast<std::uint64_t>(WEXITSTATUS(status)), 0, -1};
  }

 private:
  creation::Spawner spawner_;
};

}  // namespace primbench::pools
