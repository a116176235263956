// One worker's counters: perf events opened for the calling thread (it may be
// a forked process's only thread), enabled around the measured region and
// read at its end, never per operation; plus the kernel's own accounting of
// the thread, read at both ends: getrusage(RUSAGE_THREAD) (switches, faults,
// user and kernel time), its CPU clock, and its migrations
// (/proc/thread-self/sched). Those need no permission and cost nothing while
// the thread runs.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "harness/perf_events.hpp"

namespace primbench {

inline constexpr std::size_t kMaxCounterEvents = 24;

// What one worker counted over its measured region(s). Plain data: it travels
// in a WorkerSlot, in shared memory, from a forked worker. Event i is the
// i-th EventSpec of the list the group was opened with.
struct CounterReading {
  bool valid = false;
  std::uint32_t events = 0;
  std::array<double, kMaxCounterEvents> values{};
  std::array<std::int32_t, kMaxCounterEvents> failure{};  // errno of perf_event_open; kNeverCounted; 0 = counted
  std::array<std::uint8_t, kMaxCounterEvents> scaled{};   // multiplexed: extrapolated from part of the region
  std::int64_t wall_ns = 0, on_cpu_ns = 0, user_ns = 0, sys_ns = 0;
  std::int64_t voluntary_switches = 0, involuntary_switches = 0, minor_faults = 0, major_faults = 0;
  std::int64_t migrations = 0;
  bool migrations_known = true;  // /proc/thread-self/sched has se.nr_migrations (CONFIG_SCHED_DEBUG)

  static constexpr std::int32_t kNeverCounted = -1;  // opened, but the PMU never scheduled it
  static constexpr std::int32_t kNoSpec = -2;         // the spec itself was unavailable (its reason says why)
  void add(const CounterReading& other);
};

class CounterGroup {
 public:
  // Opens `events` (at most kMaxCounterEvents) for the calling thread, disabled.
  explicit CounterGroup(const std::vector<EventSpec>& events);
  ~CounterGroup();
  CounterGroup(const CounterGroup&) = delete;
  CounterGroup& operator=(const CounterGroup&) = delete;

  // Both on the counted thread; start/stop pairs accumulate (PauseTiming).
  void start();
  void stop();
  bool running() const { return running_; }
  // Totals over every start/stop pair so far.
  CounterReading reading();

 private:
  struct Snapshot {
    std::int64_t wall_ns, on_cpu_ns, user_ns, sys_ns, voluntary, involuntary, minor, major, migrations;  // -1: unknown
  };
  static Snapshot snapshot();
  void set_enabled(bool on);

  std::vector<int> fds_;      // -1 where not opened
  std::vector<int> switched_;  // what start/stop switch: group leaders and events counting alone
  CounterReading reading_;
  Snapshot at_start_{};
  bool running_ = false;
};

}  // namespace primbench
