#include "harness/perf_events.hpp"

#include <fmt/format.h>
#include <perfmon/pfmlib_perf_event.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

namespace primbench {
namespace {

perf_event_attr base_attr(std::uint32_t type, std::uint64_t config) {
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.disabled = 1;  // enabled around the measured region only
  // Kernel work is kept on purpose: that is where a pipe or a futex costs.
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  return attr;
}

EventSpec available(std::string name, EventKind kind, perf_event_attr attr) {
  return {std::move(name), kind, attr, "", false};
}

constexpr std::uint64_t kLlcReadMiss = PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                                       (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);

std::string pfm_init_error() {
  static std::once_flag once;
  static int status = PFM_SUCCESS;
  std::call_once(once, [] { status = pfm_initialize(); });
  return status == PFM_SUCCESS ? "" : pfm_strerror(status);
}

}  // namespace

EventSpec syscalls_event() {
  static constexpr const char* kPaths[] = {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                                           "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"};
  for (const char* path : kPaths) {
    std::uint64_t id = 0;
    if (std::ifstream in(path); in >> id) return available("syscalls", EventKind::software, base_attr(PERF_TYPE_TRACEPOINT, id));
  }
  return {"syscalls", EventKind::software, std::nullopt,
          fmt::format("the raw_syscalls:sys_enter tracepoint id is not readable ({} or {}): tracefs not mounted, or "
                      "not readable by this user (mount -t tracefs nodev /sys/kernel/tracing, as root)",
                      kPaths[0], kPaths[1]),
          false};
}

std::vector<EventSpec> hardware_events() {
  return {available("cycles", EventKind::hardware, base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES)),
          available("instructions", EventKind::hardware, base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS)),
          available("cache_references", EventKind::hardware,
                    base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES)),
          available("cache_misses", EventKind::hardware, base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES)),
          available("llc_misses", EventKind::hardware, base_attr(PERF_TYPE_HW_CACHE, kLlcReadMiss)),
          available("branch_misses", EventKind::hardware, base_attr(PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES))};
}

EventSpec named_event(const std::string& name) {
  if (const std::string err = pfm_init_error(); !err.empty())
    return {name, EventKind::hardware, std::nullopt, fmt::format("libpfm4 did not initialise: {}", err), true};
  perf_event_attr attr{};
  pfm_perf_encode_arg_t arg{};
  arg.attr = &attr;
  arg.size = sizeof arg;
  const int ret = pfm_get_os_event_encoding(name.c_str(), PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
  if (ret != PFM_SUCCESS)
    return {name, EventKind::hardware, std::nullopt, fmt::format("libpfm4 cannot encode '{}': {}", name, pfm_strerror(ret)), true};
  perf_event_attr out = base_attr(attr.type, attr.config);
  out.config1 = attr.config1;
  out.config2 = attr.config2;
  // libpfm4's software events (perf::...) never compete for the PMU.
  const EventKind kind = attr.type == PERF_TYPE_SOFTWARE || attr.type == PERF_TYPE_TRACEPOINT ? EventKind::software
                                                                                              : EventKind::hardware;
  EventSpec spec = available(name, kind, out);
  spec.named = true;
  return spec;
}

std::string open_failure_reason(const EventSpec& event, int err) {
  // The event's name is left out: readers key the reason by it, and notes group events by reason.
  const std::string call = fmt::format("perf_event_open failed: {}", std::strerror(err));
  if (err == EACCES || err == EPERM) {
    int paranoid = -9;
    std::ifstream("/proc/sys/kernel/perf_event_paranoid") >> paranoid;
    return fmt::format("{} (kernel.perf_event_paranoid is {}; counting kernel work needs <= 1 or CAP_PERFMON, "
                       "tracepoints -1 or CAP_PERFMON)", call, paranoid);
  }
  if (event.kind == EventKind::hardware && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV))
    return fmt::format("{}: the CPU's performance monitoring unit is not exposed here (a VM without a virtual PMU?)", call);
  return call;
}

}  // namespace primbench
