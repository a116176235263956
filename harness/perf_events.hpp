// The events a worker's counter group counts, as perf_event_open attributes:
// the fixed set (the raw_syscalls:sys_enter tracepoint, the generic hardware
// events) and named events resolved by libpfm4. An event the machine cannot
// give carries the reason instead of an attribute, so a result can say `null`
// and why, never 0. Context switches, faults, migrations and CPU time come
// from the kernel's own accounting instead (counter_group.hpp): a perf event
// on a thread costs every switch of that thread (about 0.2 us here).
#pragma once

#include <linux/perf_event.h>

#include <optional>
#include <string>
#include <vector>

namespace primbench {

// Which group an event joins: software events (and tracepoints) always
// schedule; hardware events share the PMU and may be multiplexed, so they form
// a group of their own that cannot keep the software one from counting.
enum class EventKind { software, hardware };

struct EventSpec {
  std::string name;  // "ctx_switches", "cycles", or the libpfm4 name given
  EventKind kind = EventKind::software;
  std::optional<perf_event_attr> attr;  // absent: `reason` says why
  std::string reason;
  bool named = false;  // given by name (--counters EVENT): published under that name
};

// The generic hardware events: cycles, instructions, cache_references,
// cache_misses, llc_misses, branch_misses.
std::vector<EventSpec> hardware_events();

// "syscalls": the raw_syscalls:sys_enter tracepoint, its id read from tracefs.
EventSpec syscalls_event();

// One libpfm4 event ("perf::PERF_COUNT_SW_CPU_CLOCK", "MEM_LOAD_L3_HIT_RETIRED:XSNP_HITM");
// the spec's reason says why libpfm4 could not encode it.
EventSpec named_event(const std::string& name);

// Why perf_event_open failed for `event`, in words a user can act on.
std::string open_failure_reason(const EventSpec& event, int err);

}  // namespace primbench
