#include "harness/machine_context.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <ctime>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/core.h>
#include <hwloc.h>
#include <nlohmann/json.hpp>
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/build_revision.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace primbench {

std::string_view to_string(Tristate value) noexcept {
  switch (value) {
    case Tristate::yes: return "yes";
    case Tristate::no: return "no";
    case Tristate::unknown: break;
  }
  return "unknown";
}

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Small readers. All of them answer "could not read" with an empty optional
// rather than throwing: a missing file is the normal case on some machines.
// ---------------------------------------------------------------------------

namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// The sources' root joined with an absolute system path such as "/proc/cpuinfo".
fs::path system_path(const MachineContextSources& sources, std::string_view absolute) {
  while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
  return sources.root / fs::path(absolute);
}

std::optional<std::string> read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return std::nullopt;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;  // e.g. EISDIR or EIO from a sysfs read
  return content;
}

// First line without surrounding whitespace; "" for an empty file.
std::optional<std::string> read_first_line(const fs::path& path) {
  std::ifstream in(path);
  if (!in.is_open()) return std::nullopt;
  std::string line;
  if (!std::getline(in, line)) {
    if (in.bad()) return std::nullopt;
    return std::string{};
  }
  return std::string(trim(line));
}

template <typename Integer>
std::optional<Integer> parse_integer(std::string_view text) {
  text = trim(text);
  Integer value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  double value = 0.0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// sysfs frequency files are in kHz.
std::optional<double> read_khz_as_mhz(const fs::path& path) {
  const auto line = read_first_line(path);
  if (!line) return std::nullopt;
  const auto khz = parse_integer<std::uint64_t>(*line);
  if (!khz) return std::nullopt;
  return static_cast<double>(*khz) / 1000.0;
}

// Files like transparent_hugepage/enabled mark the active choice: "always [madvise] never".
std::string selected_choice(std::string_view line) {
  const std::size_t open = line.find('[');
  const std::size_t close = line.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::string(trim(line));
  return std::string(line.substr(open + 1, close - open - 1));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

bool path_exists(const fs::path& path) {
  std::error_code ignored;
  return fs::exists(path, ignored);
}

// ---------------------------------------------------------------------------
// CPU identity and flags
// ---------------------------------------------------------------------------

// Only the first processor's block: it has everything we need and reading
// one block keeps collection cheap on machines with hundreds of CPUs.
std::map<std::string, std::string> read_first_cpuinfo_block(const MachineContextSources& sources) {
  std::map<std::string, std::string> fields;
  std::ifstream in(system_path(sources, "/proc/cpuinfo"));
  std::string line;
  while (std::getline(in, line)) {
    if (trim(line).empty()) {
      if (!fields.empty()) break;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key(trim(std::string_view(line).substr(0, colon)));
    if (!fields.count(key)) fields[key] = std::string(trim(std::string_view(line).substr(colon + 1)));
  }
  return fields;
}

std::optional<std::string> first_present(const std::map<std::string, std::string>& fields,
                                         std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    const auto it = fields.find(key);
    if (it != fields.end() && !it->second.empty()) return it->second;
  }
  return std::nullopt;
}

void read_cpu_identity(const MachineContextSources& sources, MachineContext& context) {
  const auto cpuinfo = read_first_cpuinfo_block(sources);

  // x86 says "model name"; other architectures name the CPU differently.
  if (auto model = first_present(cpuinfo, {"model name", "cpu", "Processor", "uarch", "Hardware"})) {
    context.cpu_model = *model;
  } else if (auto part = first_present(cpuinfo, {"CPU part"})) {
    // arm64 gives only numeric ids; report them rather than guess a name.
    const auto implementer = first_present(cpuinfo, {"CPU implementer"});
    context.cpu_model = fmt::format("CPU implementer {}, CPU part {}", implementer.value_or("unknown"), *part);
  }
  if (auto vendor = first_present(cpuinfo, {"vendor_id", "vendor", "mvendorid", "CPU implementer"}))
    context.cpu_vendor = *vendor;
  if (auto microcode = first_present(cpuinfo, {"microcode"})) context.microcode = *microcode;

  const auto flags_it = cpuinfo.find("flags");
  const auto features_it = cpuinfo.find("Features");
  const auto& flag_source = flags_it != cpuinfo.end() ? flags_it : features_it;
  if (flag_source == cpuinfo.end()) return;

  std::set<std::string> present;
  std::string_view rest = flag_source->second;
  while (!rest.empty()) {
    const std::size_t space = rest.find_first_of(" \t");
    const std::string_view flag = rest.substr(0, space);
    if (!flag.empty()) present.emplace(flag);
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  static constexpr const char* flags_of_interest[] = {"constant_tsc", "nonstop_tsc", "rdtscp", "tsc_known_freq",
                                                      "hypervisor",   "ht",          "avx2",   "avx512f",
                                                      "waitpkg",      "monitor"};
  std::vector<std::string> found;
  for (const char* flag : flags_of_interest)
    if (present.count(flag)) found.emplace_back(flag);

  // Only x86 writes a "flags" line, and only x86 has a TSC to be invariant.
  if (flags_it != cpuinfo.end()) {
    const bool invariant = present.count("constant_tsc") && present.count("nonstop_tsc");
    context.invariant_tsc = tristate(invariant);
    if (invariant) found.emplace_back("invariant_tsc");
  }
  context.cpu_flags_of_interest = std::move(found);
}

bool has_cpu_flag(const MachineContext& context, std::string_view flag) {
  if (!context.cpu_flags_of_interest) return false;
  const auto& flags = *context.cpu_flags_of_interest;
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

void read_cpu_sets(const MachineContextSources& sources, MachineContext& context) {
  if (auto online = read_first_line(system_path(sources, "/sys/devices/system/cpu/online")))
    context.cpus_online = *online;
  if (auto isolated = read_first_line(system_path(sources, "/sys/devices/system/cpu/isolated")))
    context.cpus_isolated = *isolated;
  if (auto clocksource =
          read_first_line(system_path(sources, "/sys/devices/system/clocksource/clocksource0/current_clocksource")))
    context.clocksource = *clocksource;
  if (sources.query_running_system) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0) context.logical_cpus_online = static_cast<unsigned>(online);
  }
}

// ---------------------------------------------------------------------------
// Kernel, host, time
// ---------------------------------------------------------------------------

void read_kernel_and_host(const MachineContextSources& sources, MachineContext& context) {
  if (!sources.query_running_system) return;
  utsname names{};
  if (uname(&names) == 0) {
    context.kernel_sysname = names.sysname;
    context.kernel_release = names.release;
    context.kernel_version = names.version;
    context.machine = names.machine;
    context.kernel = fmt::format("{} {} {} {}", names.sysname, names.release, names.version, names.machine);
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') context.hostname = host;
  const long page = sysconf(_SC_PAGESIZE);
  if (page > 0) context.page_size_bytes = static_cast<std::uint64_t>(page);
}

// ---------------------------------------------------------------------------
// Virtualisation and containers
// ---------------------------------------------------------------------------

struct DmiSignature {
  const char* file;  // under /sys/class/dmi/id/
  const char* text;  // matched case-insensitively as a substring
  const char* hypervisor;
};

// What common hypervisors and clouds write into the guest's DMI tables.
// Only guest-specific strings: sys_vendor "Google" alone is also a Chromebook.
constexpr DmiSignature dmi_signatures[] = {
    {"product_name", "KVM", "KVM"},
    {"sys_vendor", "QEMU", "QEMU"},
    {"sys_vendor", "Amazon EC2", "Amazon EC2"},
    {"product_name", "Google Compute Engine", "Google Compute Engine"},
    {"sys_vendor", "VMware", "VMware"},
    {"sys_vendor", "Xen", "Xen"},
    {"product_name", "HVM domU", "Xen"},
    {"sys_vendor", "innotek", "VirtualBox"},
    {"product_name", "VirtualBox", "VirtualBox"},
    {"sys_vendor", "Parallels", "Parallels"},
    {"sys_vendor", "OpenStack", "OpenStack"},
    {"product_name", "OpenStack", "OpenStack"},
    {"sys_vendor", "Alibaba Cloud", "Alibaba Cloud"},
    {"sys_vendor", "DigitalOcean", "DigitalOcean"},
    {"sys_vendor", "BHYVE", "bhyve"},
    {"sys_vendor", "Bochs", "Bochs"},
};

// Hyper-V guests are only recognisable by the pair of vendor and product.
std::optional<std::string> hypervisor_from_dmi(const std::string& sys_vendor, const std::string& product) {
  if (contains_ignoring_case(sys_vendor, "Microsoft Corporation") && contains_ignoring_case(product, "Virtual Machine"))
    return "Microsoft Hyper-V";
  for (const auto& signature : dmi_signatures) {
    const std::string& value = std::string_view(signature.file) == "sys_vendor" ? sys_vendor : product;
    if (contains_ignoring_case(value, signature.text)) return signature.hypervisor;
  }
  return std::nullopt;
}

// CPUID leaf 0x40000000 carries the hypervisor's own signature; it is only
// meaningful when the CPU reports the "hypervisor" flag.
std::optional<std::string> cpuid_hypervisor_signature() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __cpuid(0x40000000, eax, ebx, ecx, edx);
  char raw[13] = {};
  std::copy_n(reinterpret_cast<const char*>(&ebx), 4, raw);
  std::copy_n(reinterpret_cast<const char*>(&ecx), 4, raw + 4);
  std::copy_n(reinterpret_cast<const char*>(&edx), 4, raw + 8);
  std::string signature(raw);  // stops at the first NUL, e.g. "KVMKVMKVM"
  if (signature.empty() || !std::all_of(signature.begin(), signature.end(),
                                        [](char c) { return std::isprint(static_cast<unsigned char>(c)) != 0; }))
    return std::nullopt;
  return signature;
#else
  return std::nullopt;
#endif
}

std::optional<std::string> hypervisor_from_cpuid_signature(const std::string& signature) {
  static const std::pair<const char*, const char*> known[] = {
      {"KVMKVMKVM", "KVM"},      {"Microsoft Hv", "Microsoft Hyper-V"}, {"VMwareVMware", "VMware"},
      {"XenVMMXenVMM", "Xen"},   {"TCGTCGTCGTCG", "QEMU TCG"},          {"ACRNACRNACRN", "ACRN"},
      {"bhyve bhyve ", "bhyve"}, {" lrpepyh  vr", "Parallels"},         {"VBoxVBoxVBox", "VirtualBox"},
      {"QNXQVMBSQG", "QNX"},
  };
  for (const auto& [text, name] : known)
    if (signature == text) return name;
  return std::nullopt;
}

void detect_virtualisation(const MachineContextSources& sources, MachineContext& context) {
  bool positive = false;
  std::vector<std::string>& evidence = context.virtualisation_evidence;
  std::optional<std::string> dmi_name;
  std::optional<std::string> cpuid_name;

  // invariant_tsc is decided exactly when an x86 "flags" line was read, and
  // only x86 has the "hypervisor" flag whose absence means something.
  const bool x86_flags_read = context.invariant_tsc != Tristate::unknown;
  if (has_cpu_flag(context, "hypervisor")) {
    positive = true;
    evidence.emplace_back("cpu flag 'hypervisor' is present in /proc/cpuinfo");
    if (sources.query_running_system) {
      if (auto signature = cpuid_hypervisor_signature()) {
        evidence.push_back(fmt::format("cpuid leaf 0x40000000 signature is '{}'", *signature));
        cpuid_name = hypervisor_from_cpuid_signature(*signature);
      }
    }
  } else if (x86_flags_read) {
    evidence.emplace_back("cpu flag 'hypervisor' is absent from /proc/cpuinfo");
  }

  const auto sys_vendor = read_first_line(system_path(sources, "/sys/class/dmi/id/sys_vendor"));
  const auto product = read_first_line(system_path(sources, "/sys/class/dmi/id/product_name"));
  if (sys_vendor || product) {
    const std::string vendor_text = sys_vendor.value_or("");
    const std::string product_text = product.value_or("");
    dmi_name = hypervisor_from_dmi(vendor_text, product_text);
    // Cloud bare-metal instances keep the cloud's DMI vendor ("m5.metal").
    const bool bare_metal_instance = contains_ignoring_case(product_text, "metal");
    if (dmi_name && bare_metal_instance) {
      evidence.push_back(fmt::format("DMI '{}' / '{}' is a bare-metal cloud instance", vendor_text, product_text));
      dmi_name.reset();
    } else if (dmi_name) {
      positive = true;
      evidence.push_back(fmt::format("DMI sys_vendor '{}', product_name '{}'", vendor_text, product_text));
    } else {
      evidence.push_back(
          fmt::format("DMI sys_vendor '{}', product_name '{}' name no hypervisor", vendor_text, product_text));
    }
  }

  std::optional<std::string> sys_hypervisor;
  if (auto type = read_first_line(system_path(sources, "/sys/hypervisor/type")); type && !type->empty()) {
    positive = true;
    sys_hypervisor = *type == "xen" ? std::string("Xen") : *type;
    evidence.push_back(fmt::format("/sys/hypervisor/type is '{}'", *type));
  }

  if (positive) {
    context.virtualised = Tristate::yes;
  } else if (!evidence.empty()) {
    context.virtualised = Tristate::no;  // we looked somewhere reliable and found nothing
  }

  // Prefer the DMI name (it says which cloud) and add cpuid's when it differs.
  const std::optional<std::string> primary = dmi_name ? dmi_name : (sys_hypervisor ? sys_hypervisor : cpuid_name);
  if (primary) {
    context.hypervisor = *primary;
    if (cpuid_name && *cpuid_name != *primary) context.hypervisor += " (" + *cpuid_name + ")";
  }
}

void detect_container(const MachineContextSources& sources, MachineContext& context) {
  std::vector<std::string>& evidence = context.container_evidence;
  if (path_exists(system_path(sources, "/.dockerenv"))) evidence.emplace_back("/.dockerenv exists (Docker)");
  if (path_exists(system_path(sources, "/run/.containerenv")))
    evidence.emplace_back("/run/.containerenv exists (Podman)");
  if (auto manager = read_first_line(system_path(sources, "/run/systemd/container")); manager && !manager->empty())
    evidence.push_back(fmt::format("/run/systemd/container says '{}'", *manager));

  static constexpr const char* cgroup_markers[] = {"docker", "kubepods", "containerd", "libpod", "lxc", "buildkit"};
  bool cgroup_readable = false;
  for (const char* file : {"/proc/1/cgroup", "/proc/self/cgroup"}) {
    const auto content = read_whole_file(system_path(sources, file));
    if (!content) continue;
    cgroup_readable = true;
    for (const char* marker : cgroup_markers) {
      if (content->find(marker) != std::string::npos) {
        evidence.push_back(fmt::format("{} mentions '{}'", file, marker));
        break;
      }
    }
  }

  if (!evidence.empty()) {
    context.container = Tristate::yes;
  } else if (cgroup_readable) {
    context.container = Tristate::no;
    evidence.emplace_back("no /.dockerenv, /run/.containerenv, /run/systemd/container or container cgroup names found");
  }
}

// ---------------------------------------------------------------------------
// Frequency scaling and SMT
// ---------------------------------------------------------------------------

bool is_cpu_directory_name(const std::string& name) {
  return name.size() > 3 && name.compare(0, 3, "cpu") == 0 &&
         std::all_of(name.begin() + 3, name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

void read_frequency(const MachineContextSources& sources, MachineContext& context) {
  std::set<std::string> governors;
  std::error_code error;
  for (fs::directory_iterator it(system_path(sources, "/sys/devices/system/cpu"), error), end; !error && it != end;
       it.increment(error)) {
    if (!is_cpu_directory_name(it->path().filename().string())) continue;
    if (auto governor = read_first_line(it->path() / "cpufreq" / "scaling_governor"); governor && !governor->empty())
      governors.insert(*governor);
  }
  context.frequency_governors.assign(governors.begin(), governors.end());
  if (governors.size() == 1) {
    context.frequency_governor = *governors.begin();
  } else if (governors.size() > 1) {
    context.frequency_governor = "mixed: " + join(context.frequency_governors, ", ");
  }

  const fs::path cpu0 = system_path(sources, "/sys/devices/system/cpu/cpu0/cpufreq");
  if (auto driver = read_first_line(cpu0 / "scaling_driver")) context.frequency_driver = *driver;
  context.scaling_min_mhz = read_khz_as_mhz(cpu0 / "scaling_min_freq");
  context.scaling_max_mhz = read_khz_as_mhz(cpu0 / "scaling_max_freq");
  context.scaling_cur_mhz = read_khz_as_mhz(cpu0 / "scaling_cur_freq");

  // intel_pstate has its own switch (inverted: no_turbo=1 means off); other
  // drivers use the cpufreq-wide or per-policy "boost" file.
  struct BoostFile {
    const char* path;
    bool inverted;
  };
  static constexpr BoostFile boost_files[] = {
      {"/sys/devices/system/cpu/intel_pstate/no_turbo", true},
      {"/sys/devices/system/cpu/cpufreq/boost", false},
      {"/sys/devices/system/cpu/cpufreq/policy0/boost", false},
  };
  for (const auto& file : boost_files) {
    const auto line = read_first_line(system_path(sources, file.path));
    if (!line || (*line != "0" && *line != "1")) continue;
    const bool enabled = (*line == "1") != file.inverted;
    context.boost = enabled ? "on" : "off";
    context.boost_source = fmt::format("{} = {}", file.path, *line);
    break;
  }
}

void read_smt(const MachineContextSources& sources, MachineContext& context) {
  if (auto control = read_first_line(system_path(sources, "/sys/devices/system/cpu/smt/control")))
    context.smt_control = *control;
  if (auto active = read_first_line(system_path(sources, "/sys/devices/system/cpu/smt/active"))) {
    if (*active == "1") context.smt_active = Tristate::yes;
    if (*active == "0") context.smt_active = Tristate::no;
  }
}

// ---------------------------------------------------------------------------
// What this process may use: affinity and cgroup CPU quota
// ---------------------------------------------------------------------------

std::optional<std::vector<unsigned>> read_affinity() {
  // The mask must be at least as large as the kernel's, which we cannot
  // know in advance: grow it until the kernel accepts it. No kernel is
  // built for more than the bound, so a failure there is a real error.
  constexpr std::size_t max_cpu_count = std::size_t{1} << 20;
  for (std::size_t cpu_count = 1024; cpu_count <= max_cpu_count; cpu_count *= 2) {
    cpu_set_t* set = CPU_ALLOC(cpu_count);
    if (set == nullptr) return std::nullopt;
    const std::size_t bytes = CPU_ALLOC_SIZE(cpu_count);
    CPU_ZERO_S(bytes, set);
    if (sched_getaffinity(0, bytes, set) == 0) {
      std::vector<unsigned> cpus;
      for (std::size_t cpu = 0; cpu < cpu_count; ++cpu)
        if (CPU_ISSET_S(cpu, bytes, set)) cpus.push_back(static_cast<unsigned>(cpu));
      CPU_FREE(set);
      return cpus;
    }
    const bool too_small = errno == EINVAL;
    CPU_FREE(set);
    if (!too_small) return std::nullopt;
  }
  return std::nullopt;
}

struct CgroupLimit {
  bool any_file_read = false;
  std::optional<double> cpus;  // most restrictive limit found
  std::vector<std::string> sources;
};

// Directories from the process's cgroup up to the hierarchy's top, where
// every level can impose its own quota.
std::vector<fs::path> cgroup_levels(const fs::path& mount, std::string_view cgroup_path) {
  std::string relative(trim(cgroup_path));
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  // Without a cgroup namespace the path names the host's hierarchy, which
  // the container's mount does not show; its top is then our own cgroup.
  // A path outside our namespace reads "/../x" and is not visible either.
  fs::path leaf = mount;
  if (!relative.empty() && relative.find("..") == std::string::npos && path_exists(mount / relative))
    leaf = mount / relative;
  std::vector<fs::path> levels;
  for (fs::path level = leaf;; level = level.parent_path()) {
    levels.push_back(level);
    if (level == mount || level == level.parent_path()) break;
  }
  return levels;
}

void note_limit(CgroupLimit& limit, double cpus) {
  if (!limit.cpus || cpus < *limit.cpus) limit.cpus = cpus;
}

// cgroup v2: "cpu.max" holds "<quota|max> <period>".
void read_cgroup_v2_limit(const fs::path& mount, std::string_view cgroup_path, CgroupLimit& limit) {
  if (!path_exists(mount / "cgroup.controllers")) return;
  limit.any_file_read = true;  // a v2 hierarchy without cpu.max applies no quota
  for (const auto& level : cgroup_levels(mount, cgroup_path)) {
    const auto line = read_first_line(level / "cpu.max");
    if (!line) continue;
    limit.sources.push_back(fmt::format("{}: '{}'", (level / "cpu.max").string(), *line));
    const std::size_t space = line->find(' ');
    if (space == std::string::npos) continue;
    const auto quota = parse_integer<std::int64_t>(std::string_view(*line).substr(0, space));
    const auto period = parse_integer<std::int64_t>(std::string_view(*line).substr(space + 1));
    if (quota && period && *quota > 0 && *period > 0)
      note_limit(limit, static_cast<double>(*quota) / static_cast<double>(*period));
  }
}

// cgroup v1: "cpu.cfs_quota_us" (-1 for none) over "cpu.cfs_period_us".
void read_cgroup_v1_limit(const fs::path& mount, std::string_view cgroup_path, CgroupLimit& limit) {
  for (const auto& level : cgroup_levels(mount, cgroup_path)) {
    const auto quota_line = read_first_line(level / "cpu.cfs_quota_us");
    const auto period_line = read_first_line(level / "cpu.cfs_period_us");
    if (!quota_line || !period_line) continue;
    limit.any_file_read = true;
    limit.sources.push_back(fmt::format("{}: '{}', cpu.cfs_period_us: '{}'", (level / "cpu.cfs_quota_us").string(),
                                        *quota_line, *period_line));
    const auto quota = parse_integer<std::int64_t>(*quota_line);
    const auto period = parse_integer<std::int64_t>(*period_line);
    if (quota && period && *quota > 0 && *period > 0)
      note_limit(limit, static_cast<double>(*quota) / static_cast<double>(*period));
  }
}

void read_cgroup_quota(const MachineContextSources& sources, MachineContext& context) {
  const auto membership = read_whole_file(system_path(sources, "/proc/self/cgroup"));
  if (!membership) return;

  CgroupLimit limit;
  std::string_view rest = *membership;
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::string_view line = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);

    // "<id>:<controllers>:<path>"; v2 is "0::<path>".
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view controllers = line.substr(first + 1, second - first - 1);
    const std::string_view path = line.substr(second + 1);
    if (line.substr(0, first) == "0" && controllers.empty()) {
      read_cgroup_v2_limit(system_path(sources, "/sys/fs/cgroup"), path, limit);
      continue;
    }
    std::string padded = "," + std::string(controllers) + ",";
    if (padded.find(",cpu,") == std::string::npos) continue;
    for (const char* mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuacct,cpu"}) {
      const fs::path mount_path = system_path(sources, mount);
      if (path_exists(mount_path / "cpu.cfs_quota_us")) {
        read_cgroup_v1_limit(mount_path, path, limit);
        break;
      }
    }
  }

  if (!limit.any_file_read) return;
  context.cgroup_cpu_quota_source =
      limit.sources.empty() ? "cgroup v2 hierarchy without cpu.max on this process's path" : join(limit.sources, "; ");
  if (limit.cpus) {
    context.cgroup_cpu_quota_cpus = *limit.cpus;
    context.cgroup_cpu_quota = fmt::format("{:g} CPUs", *limit.cpus);
  } else {
    context.cgroup_cpu_quota = "unlimited";
  }
}

std::optional<std::vector<unsigned>> online_cpu_set(const MachineContext& context) {
  if (context.cpus_online == "unknown") return std::nullopt;
  try {
    return parse_cpu_list(context.cpus_online);
  } catch (const std::exception&) {  // a malformed sysfs file: treat as unread
    return std::nullopt;
  }
}

std::optional<unsigned> online_cpu_count(const MachineContext& context) {
  if (context.logical_cpus_online) return context.logical_cpus_online;
  if (auto online = online_cpu_set(context)) return static_cast<unsigned>(online->size());
  return std::nullopt;
}

void read_process_limits(const MachineContextSources& sources, MachineContext& context) {
  std::optional<std::vector<unsigned>> affinity;
  if (sources.query_running_system) affinity = read_affinity();
  if (affinity) {
    context.affinity = format_cpu_list(*affinity);
    context.affinity_cpu_count = static_cast<unsigned>(affinity->size());
  }
  read_cgroup_quota(sources, context);

  std::vector<std::string> restrictions;
  bool affinity_checked = false;
  const auto online = online_cpu_set(context);
  if (affinity && online) {
    affinity_checked = true;
    if (*affinity != *online)
      restrictions.push_back(
          fmt::format("affinity allows CPUs {} of online {}", context.affinity, context.cpus_online));
  } else if (affinity && context.logical_cpus_online) {
    affinity_checked = true;
    if (affinity->size() < *context.logical_cpus_online)
      restrictions.push_back(
          fmt::format("affinity allows {} of {} online CPUs", affinity->size(), *context.logical_cpus_online));
  }
  const auto online_count = online_cpu_count(context);
  const bool quota_checked = context.cgroup_cpu_quota != "unknown";
  if (context.cgroup_cpu_quota_cpus && (!online_count || *context.cgroup_cpu_quota_cpus < *online_count))
    restrictions.push_back("cgroup CPU quota of " + context.cgroup_cpu_quota);

  if (!restrictions.empty()) {
    context.whole_machine_usable = Tristate::no;
    context.whole_machine_usable_reason = join(restrictions, "; ");
  } else if (affinity_checked && quota_checked) {
    context.whole_machine_usable = Tristate::yes;
    context.whole_machine_usable_reason = "affinity covers every online CPU and no cgroup CPU quota applies";
  } else {
    std::vector<std::string> missing;
    if (!affinity_checked) missing.emplace_back("affinity could not be compared with the online CPUs");
    if (!quota_checked) missing.emplace_back("cgroup CPU quota could not be read");
    context.whole_machine_usable_reason = join(missing, "; ");
  }
}

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------

void read_memory(const MachineContextSources& sources, MachineContext& context) {
  std::ifstream meminfo(system_path(sources, "/proc/meminfo"));
  std::string line;
  while (std::getline(meminfo, line)) {
    constexpr std::string_view key = "MemTotal:";
    if (line.compare(0, key.size(), key) != 0) continue;
    std::string_view value = trim(std::string_view(line).substr(key.size()));
    if (value.size() > 3 && value.substr(value.size() - 3) == " kB") {
      if (auto kib = parse_integer<std::uint64_t>(value.substr(0, value.size() - 3)))
        context.mem_total_bytes = *kib * 1024;
    }
    break;
  }
  const fs::path thp = system_path(sources, "/sys/kernel/mm/transparent_hugepage");
  if (auto enabled = read_first_line(thp / "enabled")) context.transparent_hugepages = selected_choice(*enabled);
  if (auto defrag = read_first_line(thp / "defrag")) context.transparent_hugepages_defrag = selected_choice(*defrag);
}

// ---------------------------------------------------------------------------
// Build and library versions (compile time, plus hwloc's runtime version)
// ---------------------------------------------------------------------------

std::string compiler_description() {
#if defined(__clang__)
  return "clang " + std::string(trim(__clang_version__));
#elif defined(__GNUC__)
  return "gcc " + std::string(__VERSION__);
#elif defined(__VERSION__)
  return __VERSION__;
#else
  return "unknown";
#endif
}

std::string hwloc_version_text(unsigned version) {
  return fmt::format("{}.{}.{}", (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff);
}

void fill_build_info(MachineContext& context) {
  context.compiler = compiler_description();
  context.cplusplus = static_cast<long>(__cplusplus);
  // The build system passes these as string literals; a bare compile
  // (tests, quick experiments) leaves them "unknown".
#ifdef PRIMBENCH_CXX_FLAGS
  context.cxx_flags = std::string(trim(PRIMBENCH_CXX_FLAGS));  // CMake leaves a leading space
#endif
#ifdef PRIMBENCH_BUILD_TYPE
  context.build_type = PRIMBENCH_BUILD_TYPE;
#endif
#ifdef PRIMBENCH_BUILD_SYSTEM
  context.build_system = PRIMBENCH_BUILD_SYSTEM;
#endif
#ifdef PRIMBENCH_VERSION
  context.primbench_version = PRIMBENCH_VERSION;
#endif
  context.git_revision = build_git_revision();
  // Google Benchmark 1.7.1 defines no version macro of its own.
#ifdef PRIMBENCH_GBENCH_VERSION
  context.google_benchmark_version = PRIMBENCH_GBENCH_VERSION;
#endif

  context.hwloc_api_version_runtime = hwloc_version_text(hwloc_get_api_version());
  context.hwloc_api_version_compiled = hwloc_version_text(HWLOC_API_VERSION);
  context.fmt_version = fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
  context.nlohmann_json_version =
      fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR, NLOHMANN_JSON_VERSION_PATCH);
}

}  // namespace

// ---------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------

LoadAverage read_load_average(const MachineContextSources& sources) {
  LoadAverage load;
  const auto line = read_first_line(system_path(sources, "/proc/loadavg"));
  if (!line) return load;
  std::string_view rest = *line;
  std::optional<double> values[3];
  for (auto& value : values) {
    rest = trim(rest);
    const std::size_t space = rest.find(' ');
    value = parse_double(rest.substr(0, space));
    if (!value) return load;
    rest.remove_prefix(space == std::string_view::npos ? rest.size() : space);
  }
  load.known = true;
  load.one_minute = *values[0];
  load.five_minutes = *values[1];
  load.fifteen_minutes = *values[2];
  return load;
}

MachineContext collect_machine_context(const MachineContextSources& sources) {
  MachineContext context;
  context.collected_at_utc = utc_now_iso8601();
  read_cpu_identity(sources, context);
  read_cpu_sets(sources, context);
  read_kernel_and_host(sources, context);
  detect_virtualisation(sources, context);
  detect_container(sources, context);
  read_frequency(sources, context);
  read_smt(sources, context);
  read_process_limits(sources, context);
  context.load_average = read_load_average(sources);
  read_memory(sources, context);
  fill_build_info(context);
  return context;
}

std::vector<std::string> MachineContext::warnings() const {
  std::vector<std::string> out;
  const auto online = online_cpu_count(*this);

  if (virtualised == Tristate::yes)
    out.push_back(
        fmt::format("The machine is virtualised (hypervisor: {}); the host can deschedule vCPUs and emulate timers, so "
                    "results include hypervisor noise and may not match bare metal.",
                    hypervisor));

  if (frequency_governors.size() > 1)
    out.push_back(
        fmt::format("CPUs use different frequency governors ({}); results depend on which CPUs the "
                    "benchmark threads land on.",
                    join(frequency_governors, ", ")));
  else if (frequency_governor != "unknown" && frequency_governor != "performance")
    out.push_back(
        fmt::format("The CPU frequency governor is '{}', not 'performance'; clock speed can change "
                    "during a run and slow short measurements.",
                    frequency_governor));

  if (boost == "on")
    out.push_back(
        fmt::format("Turbo/boost is on ({}); the clock depends on temperature and on how many cores "
                    "are busy, so results vary between runs and between thread counts.",
                    boost_source));

  if (load_average.known && online && load_average.one_minute > 0.5 * *online)
    out.push_back(
        fmt::format("The 1-minute load average was {:.2f} on {} online CPUs at collection; other "
                    "work competing for the CPUs will perturb results.",
                    load_average.one_minute, *online));

  if (whole_machine_usable == Tristate::no)
    out.push_back(fmt::format("The benchmark cannot use the whole machine: {}.", whole_machine_usable_reason));

  if (online && *online < 4)
    out.push_back(fmt::format("Only {} CPUs are online; placement classes needing more PUs will be absent.", *online));

  if (smt_active == Tristate::yes)
    out.push_back(
        "SMT is active; threads on sibling hardware threads share one core's execution resources, "
        "so results depend on placement.");
  else if (virtualised == Tristate::yes)
    out.push_back(
        fmt::format("SMT as seen inside the virtual machine is '{}'; the vCPUs may still be sibling "
                    "hardware threads on the host, which this guest cannot see.",
                    smt_control));

  if (invariant_tsc == Tristate::no)
    out.push_back(
        "The CPU does not report an invariant TSC (constant_tsc and nonstop_tsc); cycle counts may not "
        "track wall time.");

  if (clocksource == "hpet" || clocksource == "acpi_pm" || clocksource == "jiffies")
    out.push_back(
        fmt::format("The kernel clocksource is '{}', so every clock read is a slow system call and "
                    "timing overhead is inflated.",
                    clocksource));

  if (!cpus_isolated.empty() && cpus_isolated != "unknown")
    out.push_back(
        fmt::format("Isolated CPUs {} (isolcpus) are not load-balanced by the scheduler; threads run "
                    "there only when pinned.",
                    cpus_isolated));
  return out;
}

namespace {

template <typename T>
nlohmann::json value_or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void to_json(nlohmann::json& out, const LoadAverage& load) {
  if (!load.known) {
    out = nullptr;
    return;
  }
  out = nlohmann::json{
      {"one_minute", load.one_minute}, {"five_minutes", load.five_minutes}, {"fifteen_minutes", load.fifteen_minutes}};
}

void to_json(nlohmann::json& out, const MachineContext& c) {
  out = nlohmann::json{
      {"cpu_model", c.cpu_model},
      {"cpu_vendor", c.cpu_vendor},
      {"microcode", c.microcode},
      {"logical_cpus_online", value_or_null(c.logical_cpus_online)},
      {"cpus_online", c.cpus_online},
      {"cpus_isolated", c.cpus_isolated},
      {"cpu_flags_of_interest", value_or_null(c.cpu_flags_of_interest)},
      {"invariant_tsc", std::string(to_string(c.invariant_tsc))},
      {"clocksource", c.clocksource},
      {"kernel", c.kernel},
      {"kernel_sysname", c.kernel_sysname},
      {"kernel_release", c.kernel_release},
      {"kernel_version", c.kernel_version},
      {"machine", c.machine},
      {"virtualised", std::string(to_string(c.virtualised))},
      {"hypervisor", c.hypervisor},
      {"virtualisation_evidence", c.virtualisation_evidence},
      {"container", std::string(to_string(c.container))},
      {"container_evidence", c.container_evidence},
      {"frequency_governor", c.frequency_governor},
      {"frequency_governors", c.frequency_governors},
      {"frequency_driver", c.frequency_driver},
      {"boost", c.boost},
      {"boost_source", c.boost_source},
      {"smt_control", c.smt_control},
      {"smt_active", std::string(to_string(c.smt_active))},
      {"scaling_min_mhz", value_or_null(c.scaling_min_mhz)},
      {"scaling_max_mhz", value_or_null(c.scaling_max_mhz)},
      {"scaling_cur_mhz", value_or_null(c.scaling_cur_mhz)},
      {"affinity", c.affinity},
      {"affinity_cpu_count", value_or_null(c.affinity_cpu_count)},
      {"cgroup_cpu_quota", c.cgroup_cpu_quota},
      {"cgroup_cpu_quota_cpus", value_or_null(c.cgroup_cpu_quota_cpus)},
      {"cgroup_cpu_quota_source", c.cgroup_cpu_quota_source},
      {"whole_machine_usable", std::string(to_string(c.whole_machine_usable))},
      {"whole_machine_usable_reason", c.whole_machine_usable_reason},
      {"load_average", c.load_average},
      {"mem_total_bytes", value_or_null(c.mem_total_bytes)},
      {"page_size_bytes", value_or_null(c.page_size_bytes)},
      {"transparent_hugepages", c.transparent_hugepages},
      {"transparent_hugepages_defrag", c.transparent_hugepages_defrag},
      {"compiler", c.compiler},
      {"cplusplus", c.cplusplus},
      {"cxx_flags", c.cxx_flags},
      {"build_type", c.build_type},
      {"build_system", c.build_system},
      {"primbench_version", c.primbench_version},
      {"git_revision", c.git_revision},
      {"hwloc_api_version_runtime", c.hwloc_api_version_runtime},
      {"hwloc_api_version_compiled", c.hwloc_api_version_compiled},
      {"fmt_version", c.fmt_version},
      {"google_benchmark_version", c.google_benchmark_version},
      {"nlohmann_json_version", c.nlohmann_json_version},
      {"hostname", c.hostname},
      {"collected_at_utc", c.collected_at_utc},
      {"warnings", c.warnings()},
  };
}

nlohmann::json to_json(const MachineContext& context) {
  nlohmann::json out;
  to_json(out, context);
  return out;
}

std::string utc_now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  if (gmtime_r(&now, &utc) == nullptr) return "unknown";
  char text[32] = {};
  if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) return "unknown";
  return text;
}

}  // namespace primbench
