// The machine context that every primbench result carries, so that a number
// can be interpreted later (was it a VM? was turbo on? was the box loaded?)
// and a run can be reproduced. Everything is read from /proc, /sys and a few
// system calls; nothing is guessed. A string field that could not be read is
// "unknown"; a numeric field that could not be read is empty (null in JSON).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

// format_cpu_list / parse_cpu_list live in cpu_list.hpp; included here so
// that code printing a context (affinity, online CPUs) has them at hand.
#include "harness/cpu_list.hpp"

namespace primbench {

// A fact that is true, false, or could not be read; written "yes" / "no" /
// "unknown" in the result file.
enum class Tristate { unknown, no, yes };
std::string_view to_string(Tristate value) noexcept;
inline Tristate tristate(bool value) noexcept { return value ? Tristate::yes : Tristate::no; }

// Where the context is read from. Tests point `root` at a fake tree; the
// live-system queries (uname, sysconf, sched_getaffinity, gethostname, cpuid)
// describe this process rather than a tree, so tests switch them off to make
// the result depend on the tree alone.
struct MachineContextSources {
  std::filesystem::path root = "/";
  bool query_running_system = true;
};

struct LoadAverage {
  bool known = false;  // false when /proc/loadavg could not be read or parsed
  double one_minute = 0.0;
  double five_minutes = 0.0;
  double fifteen_minutes = 0.0;
};

// Reads /proc/loadavg; cheap enough to call at the start and at the end of a
// run so that the caller can record both.
LoadAverage read_load_average(const MachineContextSources& sources = {});

struct MachineContext {
  // --- CPU -------------------------------------------------------------
  std::string cpu_model = "unknown";
  std::string cpu_vendor = "unknown";
  std::string microcode = "unknown";
  std::optional<unsigned> logical_cpus_online;  // sysconf(_SC_NPROCESSORS_ONLN)
  std::string cpus_online = "unknown";          // kernel CPU list, e.g. "0-7"
  std::string cpus_isolated = "unknown";        // isolcpus= list; "" when none
  // Which of the flags primbench cares about are present, in a fixed order;
  // "invariant_tsc" is added when constant_tsc and nonstop_tsc both are.
  // Empty optional when /proc/cpuinfo has no flags line to look in.
  std::optional<std::vector<std::string>> cpu_flags_of_interest;
  // "yes"/"no" on x86 (derived from the flags), "unknown" elsewhere.
  Tristate invariant_tsc = Tristate::unknown;
  std::string clocksource = "unknown";

  // --- kernel (uname) --------------------------------------------------
  std::string kernel = "unknown";  // sysname release version machine
  std::string kernel_sysname = "unknown";
  std::string kernel_release = "unknown";
  std::string kernel_version = "unknown";
  std::string machine = "unknown";

  // --- virtualisation and containers -----------------------------------
  Tristate virtualised = Tristate::unknown;
  std::string hypervisor = "unknown";   // vendor, when some evidence names it
  std::vector<std::string> virtualisation_evidence;
  Tristate container = Tristate::unknown;
  std::vector<std::string> container_evidence;

  // --- frequency and SMT -----------------------------------------------
  // The governor when all CPUs agree; "mixed: a, b" when they differ.
  std::string frequency_governor = "unknown";
  std::vector<std::string> frequency_governors;  // distinct values, sorted
  std::string frequency_driver = "unknown";      // cpu0 scaling_driver
  std::string boost = "unknown";                 // "on" / "off" / "unknown"
  std::string boost_source = "unknown";          // the file the state came from
  std::string smt_control = "unknown";           // as the kernel writes it
  Tristate smt_active = Tristate::unknown;
  std::optional<double> scaling_min_mhz;         // cpu0
  std::optional<double> scaling_max_mhz;
  std::optional<double> scaling_cur_mhz;

  // --- what this process may use ---------------------------------------
  std::string affinity = "unknown";  // CPU list of sched_getaffinity
  std::optional<unsigned> affinity_cpu_count;
  std::string cgroup_cpu_quota = "unknown";  // "unlimited", "1.5 CPUs", "unknown"
  std::optional<double> cgroup_cpu_quota_cpus;
  std::string cgroup_cpu_quota_source = "unknown";  // file(s) and raw content
  Tristate whole_machine_usable = Tristate::unknown;
  std::string whole_machine_usable_reason = "unknown";

  LoadAverage load_average;  // at collection

  // --- memory ----------------------------------------------------------
  std::optional<std::uint64_t> mem_total_bytes;
  std::optional<std::uint64_t> page_size_bytes;
  std::string transparent_hugepages = "unknown";         // selected mode
  std::string transparent_hugepages_defrag = "unknown";  // selected mode

  // --- build -----------------------------------------------------------
  std::string compiler = "unknown";
  long cplusplus = 0;  // __cplusplus of the translation unit that collected this
  std::string cxx_flags = "unknown";
  std::string build_type = "unknown";
  std::string build_system = "unknown";
  std::string primbench_version = "unknown";
  std::string git_revision = "unknown";

  // --- libraries -------------------------------------------------------
  // hwloc reports its API version, which can lag the release (2.9 -> 2.8.0).
  std::string hwloc_api_version_runtime = "unknown";
  std::string hwloc_api_version_compiled = "unknown";
  std::string fmt_version = "unknown";
  std::string google_benchmark_version = "unknown";
  std::string nlohmann_json_version = "unknown";

  // --- when and where --------------------------------------------------
  std::string hostname = "unknown";
  std::string collected_at_utc = "unknown";  // ISO-8601, e.g. 2024-05-01T12:00:00Z

  // Complete sentences on what in this context makes results noisy or the
  // machine only partly usable; empty when nothing was found.
  std::vector<std::string> warnings() const;
};

// Collects the context; reads a few dozen small files and takes well under
// 50 ms. Never throws for missing or unreadable files.
MachineContext collect_machine_context(const MachineContextSources& sources = {});

// snake_case keys matching the field names; unknown numbers are null; the
// warnings are included as the "warnings" array.
nlohmann::json to_json(const MachineContext& context);
void to_json(nlohmann::json& out, const MachineContext& context);
void to_json(nlohmann::json& out, const LoadAverage& load);

// The time now, UTC, as 2024-05-01T12:00:00Z ("unknown" if the clock cannot be read).
std::string utc_now_iso8601();

}  // namespace primbench
