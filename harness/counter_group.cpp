#include "harness/counter_group.hpp"

#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <string>

namespace primbench {
namespace {

std::int64_t clock_ns(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t timeval_ns(const timeval& tv) {
  return static_cast<std::int64_t>(tv.tv_sec) * 1'000'000'000 + static_cast<std::int64_t>(tv.tv_usec) * 1000;
}

// se.nr_migrations of the calling thread, -1 where the kernel does not show it.
std::int64_t thread_migrations() {
  std::ifstream in("/proc/thread-self/sched");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("se.nr_migrations", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? -1 : std::stoll(line.substr(colon + 1));
    }
  return -1;
}

int open_event(perf_event_attr attr, int group_fd) {
  if (group_fd >= 0) attr.disabled = 0;  // members follow their leader
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0 /* this thread */, -1 /* any CPU */, group_fd,
                                  PERF_FLAG_FD_CLOEXEC));
}

}  // namespace

void CounterReading::add(const CounterReading& other) {
  if (!other.valid) return;
  if (!valid) {
    *this = other;
    return;
  }
  for (std::size_t i = 0; i < events; ++i) {
    values[i] += other.values[i];
    if (failure[i] == 0) failure[i] = other.failure[i];
    scaled[i] = scaled[i] | other.scaled[i];
  }
  wall_ns += other.wall_ns;
  on_cpu_ns += other.on_cpu_ns;
  user_ns += other.user_ns;
  sys_ns += other.sys_ns;
  voluntary_switches += other.voluntary_switches;
  involuntary_switches += other.involuntary_switches;
  minor_faults += other.minor_faults;
  major_faults += other.major_faults;
  migrations += other.migrations;
  migrations_known = migrations_known && other.migrations_known;
}

CounterGroup::CounterGroup(const std::vector<EventSpec>& events) {
  reading_.events = static_cast<std::uint32_t>(std::min(events.size(), kMaxCounterEvents));
  int leader[2] = {-1, -1};  // software, hardware
  for (std::size_t i = 0; i < reading_.events; ++i) {
    const EventSpec& e = events[i];
    int fd = -1;
    if (!e.attr) {
      reading_.failure[i] = CounterReading::kNoSpec;
    } else {
      int& lead = leader[e.kind == EventKind::software ? 0 : 1];
      fd = open_event(*e.attr, lead);
      const bool member = fd >= 0 && lead >= 0;
      if (fd < 0 && lead >= 0) fd = open_event(*e.attr, -1);  // a group may refuse a member that counts alone
      if (fd < 0)
        reading_.failure[i] = errno;
      else if (!member)
        switched_.push_back(fd);  // a leader (it switches its members) or an event counting alone
      if (fd >= 0 && lead < 0) lead = fd;
    }
    fds_.push_back(fd);
  }
}

CounterGroup::~CounterGroup() {
  for (int fd : fds_)
    if (fd >= 0) close(fd);
}

CounterGroup::Snapshot CounterGroup::snapshot() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return {clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_THREAD_CPUTIME_ID), timeval_ns(ru.ru_utime), timeval_ns(ru.ru_stime),
          ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_minflt, ru.ru_majflt, thread_migrations()};
}

void CounterGroup::set_enabled(bool on) {
  for (int fd : switched_) ioctl(fd, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

void CounterGroup::start() {
  if (running_) return;
  running_ = true;
  at_start_ = snapshot();  // before enabling: its own system calls are not the benchmark's
  set_enabled(true);
}

void CounterGroup::stop() {
  if (!running_) return;
  set_enabled(false);
  const Snapshot end = snapshot();
  running_ = false;
  reading_.valid = true;
  reading_.wall_ns += end.wall_ns - at_start_.wall_ns;
  reading_.on_cpu_ns += end.on_cpu_ns - at_start_.on_cpu_ns;
  reading_.user_ns += end.user_ns - at_start_.user_ns;
  reading_.sys_ns += end.sys_ns - at_start_.sys_ns;
  reading_.voluntary_switches += end.voluntary - at_start_.voluntary;
  reading_.involuntary_switches += end.involuntary - at_start_.involuntary;
  reading_.minor_faults += end.minor - at_start_.minor;
  reading_.major_faults += end.major - at_start_.major;
  reading_.migrations += end.migrations - at_start_.migrations;
  reading_.migrations_known = reading_.migrations_known && end.migrations >= 0 && at_start_.migrations >= 0;
}

CounterReading CounterGroup::reading() {
  for (std::size_t i = 0; i < fds_.size(); ++i) {
    if (fds_[i] < 0) continue;
    std::uint64_t v[3] = {};  // value, time enabled, time running (read_format)
    if (read(fds_[i], v, sizeof v) != static_cast<ssize_t>(sizeof v)) {
      reading_.failure[i] = errno ? errno : EIO;
      continue;
    }
    if (v[1] > 0 && v[2] == 0) {
      reading_.failure[i] = CounterReading::kNeverCounted;
      continue;
    }
    // The kernel's totals already span every enabled period.
    reading_.values[i] = v[2] < v[1] ? static_cast<double>(v[0]) * static_cast<double>(v[1]) / static_cast<double>(v[2])
                                     : static_cast<double>(v[0]);
    reading_.scaled[i] = v[2] < v[1] ? 1 : 0;
  }
  return reading_;
}

}  // namespace primbench
