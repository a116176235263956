#include "harness/machine_context.hpp"

#include "harness/build_revision.hpp"

#include "tests/test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace primbench {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Fake /proc and /sys trees
// ---------------------------------------------------------------------------

// A fresh directory per test.
class FakeRoot : public ::testing::Test {
 protected:
  void SetUp() override { root_ = test::scratch_dir("mc"); }

  void write(const std::string& absolute, const std::string& content) {
    const fs::path path = root_ / absolute.substr(1);
    fs::create_directories(path.parent_path());
    std::ofstream(path) << content;
  }

  // Only the tree: no uname, sysconf, affinity or cpuid of the test process.
  MachineContext collect() const { return collect_machine_context({root_, false}); }

  static bool has_warning_containing(const MachineContext& context, const std::string& text) {
    const auto warnings = context.warnings();
    return std::any_of(warnings.begin(), warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
  }

  void write_x86_cpuinfo(const std::string& flags) {
    write("/proc/cpuinfo",
          "processor\t: 0\n"
          "vendor_id\t: GenuineIntel\n"
          "model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n"
          "microcode\t: 0x5003604\n"
          "flags\t\t: " +
              flags +
              "\n"
              "\n"
              "processor\t: 1\n"
              "vendor_id\t: SomethingElse\n"
              "model name\t: must not be read\n\n");
  }

  fs::path root_;
};

TEST_F(FakeRoot, KvmGuestWithPowersaveGovernorBoostAndQuota) {
  write_x86_cpuinfo("fpu tsc rdtscp constant_tsc nonstop_tsc tsc_known_freq hypervisor ht avx2 monitor");
  write("/sys/class/dmi/id/sys_vendor", "Red Hat\n");
  write("/sys/class/dmi/id/product_name", "KVM\n");
  write("/sys/devices/system/cpu/online", "0-3\n");
  write("/sys/devices/system/cpu/isolated", "\n");
  for (const char* cpu : {"cpu0", "cpu1", "cpu2", "cpu3"})
    write(std::string("/sys/devices/system/cpu/") + cpu + "/cpufreq/scaling_governor", "powersave\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver", "acpi-cpufreq\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_min_freq", "800000\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq", "3500000\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq", "2100000\n");
  write("/sys/devices/system/cpu/cpufreq/boost", "1\n");
  write("/sys/devices/system/cpu/smt/control", "on\n");
  write("/sys/devices/system/cpu/smt/active", "1\n");
  write("/sys/devices/system/clocksource/clocksource0/current_clocksource", "kvm-clock\n");
  write("/proc/loadavg", "3.50 2.00 1.00 1/100 42\n");
  write("/proc/meminfo", "MemTotal:       16384 kB\nMemFree:        1 kB\n");
  write("/sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n");
  write("/sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n");
  write("/proc/self/cgroup", "0::/bench.slice/run.scope\n");
  write("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  write("/sys/fs/cgroup/bench.slice/cpu.max", "150000 100000\n");
  write("/sys/fs/cgroup/bench.slice/run.scope/cpu.max", "max 100000\n");

  const MachineContext c = collect();

  EXPECT_EQ(c.cpu_model, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  EXPECT_EQ(c.cpu_vendor, "GenuineIntel");
  EXPECT_EQ(c.microcode, "0x5003604");
  ASSERT_TRUE(c.cpu_flags_of_interest.has_value());
  EXPECT_EQ(*c.cpu_flags_of_interest,
            (std::vector<std::string>{"constant_tsc", "nonstop_tsc", "rdtscp", "tsc_known_freq", "hypervisor", "ht",
                                      "avx2", "monitor", "invariant_tsc"}));
  EXPECT_EQ(c.invariant_tsc, Tristate::yes);
  EXPECT_EQ(c.clocksource, "kvm-clock");
  EXPECT_EQ(c.cpus_online, "0-3");
  EXPECT_EQ(c.cpus_isolated, "");

  EXPECT_EQ(c.virtualised, Tristate::yes);
  EXPECT_EQ(c.hypervisor, "KVM");
  EXPECT_EQ(c.virtualisation_evidence.size(), 2u);

  EXPECT_EQ(c.frequency_governor, "powersave");
  EXPECT_EQ(c.frequency_governors, (std::vector<std::string>{"powersave"}));
  EXPECT_EQ(c.frequency_driver, "acpi-cpufreq");
  ASSERT_TRUE(c.scaling_min_mhz && c.scaling_max_mhz && c.scaling_cur_mhz);
  EXPECT_DOUBLE_EQ(*c.scaling_min_mhz, 800.0);
  EXPECT_DOUBLE_EQ(*c.scaling_max_mhz, 3500.0);
  EXPECT_DOUBLE_EQ(*c.scaling_cur_mhz, 2100.0);
  EXPECT_EQ(c.boost, "on");
  EXPECT_NE(c.boost_source.find("/sys/devices/system/cpu/cpufreq/boost"), std::string::npos);
  EXPECT_EQ(c.smt_control, "on");
  EXPECT_EQ(c.smt_active, Tristate::yes);

  EXPECT_EQ(c.cgroup_cpu_quota, "1.5 CPUs");
  ASSERT_TRUE(c.cgroup_cpu_quota_cpus);
  EXPECT_DOUBLE_EQ(*c.cgroup_cpu_quota_cpus, 1.5);
  EXPECT_EQ(c.whole_machine_usable, Tristate::no);
  EXPECT_NE(c.whole_machine_usable_reason.find("1.5 CPUs"), std::string::npos);

  ASSERT_TRUE(c.load_average.known);
  EXPECT_DOUBLE_EQ(c.load_average.one_minute, 3.5);
  EXPECT_DOUBLE_EQ(c.load_average.fifteen_minutes, 1.0);
  ASSERT_TRUE(c.mem_total_bytes);
  EXPECT_EQ(*c.mem_total_bytes, 16384u * 1024u);
  EXPECT_EQ(c.transparent_hugepages, "madvise");
  EXPECT_EQ(c.transparent_hugepages_defrag, "madvise");

  // Nothing from the running system was asked for.
  EXPECT_EQ(c.kernel, "unknown");
  EXPECT_EQ(c.hostname, "unknown");
  EXPECT_EQ(c.affinity, "unknown");
  EXPECT_FALSE(c.logical_cpus_online);

  EXPECT_TRUE(has_warning_containing(c, "virtualised (hypervisor: KVM)"));
  EXPECT_TRUE(has_warning_containing(c, "'powersave', not 'performance'"));
  EXPECT_TRUE(has_warning_containing(c, "Turbo/boost is on"));
  EXPECT_TRUE(has_warning_containing(c, "load average was 3.50 on 4 online CPUs"));
  EXPECT_TRUE(has_warning_containing(c, "cannot use the whole machine"));
  EXPECT_TRUE(has_warning_containing(c, "SMT is active"));
  EXPECT_FALSE(has_warning_containing(c, "Only 4 CPUs")) << "4 online CPUs is enough";
  EXPECT_FALSE(has_warning_containing(c, "Isolated"));
  for (const auto& warning : c.warnings()) EXPECT_EQ(warning.back(), '.') << warning;
}

TEST_F(FakeRoot, MixedGovernorsAreListed) {
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "performance\n");
  write("/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor", "powersave\n");
  write("/sys/devices/system/cpu/cpu10/cpufreq/scaling_governor", "performance\n");
  write("/sys/devices/system/cpu/cpufreq/policy0/scaling_governor", "schedutil\n");  // not a cpuN directory

  const MachineContext c = collect();
  EXPECT_EQ(c.frequency_governor, "mixed: performance, powersave");
  EXPECT_TRUE(has_warning_containing(c, "different frequency governors (performance, powersave)"));
}

TEST_F(FakeRoot, QemuGuestNamedByDmiVendor) {
  write_x86_cpuinfo("tsc hypervisor");
  write("/sys/class/dmi/id/sys_vendor", "QEMU\n");
  write("/sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
  const MachineContext c = collect();
  EXPECT_EQ(c.virtualised, Tristate::yes);
  EXPECT_EQ(c.hypervisor, "QEMU");
  EXPECT_EQ(c.invariant_tsc, Tristate::no);
  EXPECT_TRUE(has_warning_containing(c, "invariant TSC"));
}

TEST_F(FakeRoot, HyperVNeedsVendorAndProduct) {
  write("/sys/class/dmi/id/sys_vendor", "Microsoft Corporation\n");
  write("/sys/class/dmi/id/product_name", "Virtual Machine\n");
  EXPECT_EQ(collect().hypervisor, "Microsoft Hyper-V");

  write("/sys/class/dmi/id/product_name", "Surface Laptop 5\n");
  const MachineContext laptop = collect();
  EXPECT_EQ(laptop.virtualised, Tristate::no);
  EXPECT_EQ(laptop.hypervisor, "unknown");
}

TEST_F(FakeRoot, CloudBareMetalIsNotVirtualised) {
  write_x86_cpuinfo("tsc constant_tsc nonstop_tsc");
  write("/sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
  write("/sys/class/dmi/id/product_name", "m5.metal\n");
  const MachineContext c = collect();
  EXPECT_EQ(c.virtualised, Tristate::no);
  EXPECT_EQ(c.hypervisor, "unknown");
}

TEST_F(FakeRoot, GoogleVendorAloneIsNotACloudGuest) {
  write("/sys/class/dmi/id/sys_vendor", "Google\n");
  write("/sys/class/dmi/id/product_name", "Eve\n");  // a Chromebook
  EXPECT_EQ(collect().virtualised, Tristate::no);

  write("/sys/class/dmi/id/product_name", "Google Compute Engine\n");
  const MachineContext c = collect();
  EXPECT_EQ(c.virtualised, Tristate::yes);
  EXPECT_EQ(c.hypervisor, "Google Compute Engine");
}

TEST_F(FakeRoot, XenFromSysHypervisor) {
  write("/sys/hypervisor/type", "xen\n");
  const MachineContext c = collect();
  EXPECT_EQ(c.virtualised, Tristate::yes);
  EXPECT_EQ(c.hypervisor, "Xen");
}

TEST_F(FakeRoot, BareMetalCgroupV1WithoutQuotaAndIntelTurboOff) {
  write_x86_cpuinfo("tsc constant_tsc nonstop_tsc avx512f waitpkg");
  write("/sys/devices/system/cpu/online", "0-15\n");
  write("/sys/devices/system/cpu/intel_pstate/no_turbo", "1\n");
  write("/sys/devices/system/cpu/cpufreq/boost", "1\n");  // intel_pstate's switch wins
  write("/sys/devices/system/cpu/smt/control", "off\n");
  write("/sys/devices/system/cpu/smt/active", "0\n");
  write("/proc/self/cgroup", "5:cpu,cpuacct:/\n4:memory:/user.slice\n");
  write("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
  write("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  write("/proc/loadavg", "0.10 0.20 0.30 1/300 999\n");

  const MachineContext c = collect();
  EXPECT_EQ(c.virtualised, Tristate::no);
  EXPECT_EQ(c.container, Tristate::no);
  EXPECT_EQ(c.boost, "off");
  EXPECT_NE(c.boost_source.find("intel_pstate/no_turbo = 1"), std::string::npos);
  EXPECT_EQ(c.smt_active, Tristate::no);
  EXPECT_EQ(c.cgroup_cpu_quota, "unlimited");
  EXPECT_FALSE(c.cgroup_cpu_quota_cpus);
  // Affinity is not known without querying the process, so this stays open.
  EXPECT_EQ(c.whole_machine_usable, Tristate::unknown);
  EXPECT_TRUE(c.warnings().empty()) << nlohmann::json(c.warnings()).dump(1);
}

TEST_F(FakeRoot, CgroupV1QuotaInNestedGroupAndContainerMarkers) {
  write("/proc/self/cgroup", "3:cpuacct,cpu:/docker/abc\n");
  write("/proc/1/cgroup", "3:cpuacct,cpu:/docker/abc\n");
  write("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
  write("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
  write("/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us", "200000\n");
  write("/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us", "100000\n");
  write("/run/.containerenv", "");

  const MachineContext c = collect();
  EXPECT_EQ(c.cgroup_cpu_quota, "2 CPUs");
  EXPECT_EQ(c.whole_machine_usable, Tristate::no);
  EXPECT_EQ(c.container, Tristate::yes);
  EXPECT_EQ(c.container_evidence.size(), 3u);
}

TEST_F(FakeRoot, FewOnlineCpusAndIsolatedCpusWarn) {
  write("/sys/devices/system/cpu/online", "0-1\n");
  write("/sys/devices/system/cpu/isolated", "1\n");
  write("/sys/devices/system/clocksource/clocksource0/current_clocksource", "hpet\n");
  const MachineContext c = collect();
  EXPECT_TRUE(has_warning_containing(c, "Only 2 CPUs are online; placement classes needing more PUs will be absent."));
  EXPECT_TRUE(has_warning_containing(c, "Isolated CPUs 1 (isolcpus)"));
  EXPECT_TRUE(has_warning_containing(c, "clocksource is 'hpet'"));
}

TEST_F(FakeRoot, Arm64CpuinfoUsesWhatIsThere) {
  write("/proc/cpuinfo",
        "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes\n"
        "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd0c\n\n");
  const MachineContext c = collect();
  EXPECT_EQ(c.cpu_model, "CPU implementer 0x41, CPU part 0xd0c");
  EXPECT_EQ(c.cpu_vendor, "0x41");
  EXPECT_EQ(c.microcode, "unknown");
  EXPECT_EQ(c.invariant_tsc, Tristate::unknown);
  ASSERT_TRUE(c.cpu_flags_of_interest);
  EXPECT_TRUE(c.cpu_flags_of_interest->empty());
  EXPECT_EQ(c.virtualised, Tristate::unknown) << "no hypervisor flag exists on arm64, so its absence proves nothing";
}

TEST_F(FakeRoot, MissingTreeGivesUnknownWithoutThrowing) {
  const MachineContextSources sources{root_ / "does-not-exist", false};
  MachineContext c;
  ASSERT_NO_THROW(c = collect_machine_context(sources));
  for (const std::string* field : {&c.cpu_model,
                                   &c.cpu_vendor,
                                   &c.microcode,
                                   &c.cpus_online,
                                   &c.clocksource,
                                   &c.kernel,
                                   &c.hypervisor,
                                   &c.frequency_governor,
                                   &c.frequency_driver,
                                   &c.boost,
                                   &c.boost_source,
                                   &c.smt_control,
                                   &c.affinity,
                                   &c.cgroup_cpu_quota,
                                   &c.transparent_hugepages,
                                   &c.hostname})
    EXPECT_EQ(*field, "unknown");
  for (const Tristate* fact : {&c.invariant_tsc, &c.virtualised, &c.container, &c.smt_active, &c.whole_machine_usable})
    EXPECT_EQ(*fact, Tristate::unknown);
  EXPECT_FALSE(c.cpu_flags_of_interest);
  EXPECT_FALSE(c.logical_cpus_online);
  EXPECT_FALSE(c.scaling_max_mhz);
  EXPECT_FALSE(c.mem_total_bytes);
  EXPECT_FALSE(c.load_average.known);
  EXPECT_FALSE(read_load_average(sources).known);
  EXPECT_TRUE(c.warnings().empty());

  const nlohmann::json j = to_json(c);
  EXPECT_TRUE(j.at("logical_cpus_online").is_null());
  EXPECT_TRUE(j.at("cpu_flags_of_interest").is_null());
  EXPECT_TRUE(j.at("load_average").is_null());
  EXPECT_EQ(j.at("cpu_model"), "unknown");
  EXPECT_NE(j.at("collected_at_utc"), "unknown") << "the time is always known";
}

TEST_F(FakeRoot, MalformedFilesAreUnknownNotErrors) {
  write("/proc/loadavg", "garbage\n");
  write("/sys/devices/system/cpu/online", "0-a\n");
  write("/sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq", "fast\n");
  write("/sys/devices/system/cpu/cpufreq/boost", "maybe\n");
  write("/proc/meminfo", "MemTotal: lots\n");
  write("/proc/self/cgroup", "0::/\n");
  write("/sys/fs/cgroup/cgroup.controllers", "\n");
  write("/sys/fs/cgroup/cpu.max", "nonsense\n");
  MachineContext c;
  ASSERT_NO_THROW(c = collect());
  EXPECT_FALSE(c.load_average.known);
  EXPECT_FALSE(c.scaling_max_mhz);
  EXPECT_EQ(c.boost, "unknown");
  EXPECT_FALSE(c.mem_total_bytes);
  EXPECT_EQ(c.cgroup_cpu_quota, "unlimited");
  EXPECT_NO_THROW(c.warnings());
}

// ---------------------------------------------------------------------------
// The running machine
// ---------------------------------------------------------------------------

// No bound on how long it takes: a test asserts no absolute timing (a cold
// fresh CI machine is not this one); it reads files only.
TEST(LiveMachineContext, CollectsTheBasics) {
  const MachineContext c = collect_machine_context();

  EXPECT_FALSE(c.kernel.empty());
  EXPECT_NE(c.kernel, "unknown");
  ASSERT_TRUE(c.logical_cpus_online);
  EXPECT_GE(*c.logical_cpus_online, 1u);
  EXPECT_NE(c.affinity, "unknown");
  EXPECT_NO_THROW(parse_cpu_list(c.affinity));
  EXPECT_NE(c.compiler, "unknown");
  EXPECT_GE(c.cplusplus, 202002L);
  EXPECT_EQ(c.collected_at_utc.size(), std::string("2024-01-01T00:00:00Z").size());
  EXPECT_EQ(c.collected_at_utc.back(), 'Z');
  EXPECT_TRUE(read_load_average().known);
}

TEST(LiveMachineContext, JsonHasTheExpectedKeys) {
  const nlohmann::json j = to_json(collect_machine_context());
  for (const char* key : {"cpu_model",
                          "cpu_vendor",
                          "microcode",
                          "logical_cpus_online",
                          "cpu_flags_of_interest",
                          "invariant_tsc",
                          "kernel",
                          "virtualised",
                          "hypervisor",
                          "virtualisation_evidence",
                          "container",
                          "container_evidence",
                          "frequency_governor",
                          "boost",
                          "boost_source",
                          "smt_control",
                          "smt_active",
                          "scaling_min_mhz",
                          "scaling_max_mhz",
                          "scaling_cur_mhz",
                          "affinity",
                          "cgroup_cpu_quota",
                          "whole_machine_usable",
                          "load_average",
                          "mem_total_bytes",
                          "page_size_bytes",
                          "transparent_hugepages",
                          "compiler",
                          "cplusplus",
                          "cxx_flags",
                          "build_type",
                          "primbench_version",
                          "git_revision",
                          "hwloc_api_version_runtime",
                          "hwloc_api_version_compiled",
                          "fmt_version",
                          "google_benchmark_version",
                          "nlohmann_json_version",
                          "hostname",
                          "collected_at_utc",
                          "warnings"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_TRUE(j.at("warnings").is_array());
  EXPECT_TRUE(j.at("kernel").is_string());

  // Assigning a context to a json uses the ADL to_json and gives the same keys.
  nlohmann::json via_adl = collect_machine_context();
  EXPECT_EQ(via_adl.size(), j.size());
}

// The revision is read at build time, not when the build directory was made:
// a build directory configured at one commit and rebuilt at a later one must
// name the later commit. (The "-dirty" mark is left out of the comparison: an
// edit made after the build, before the tests, changes only that.)
TEST(BuildRevision, NamesTheCommitTheSourcesAreAt) {
  const std::string dir = test::source_dir().string();
  const test::CommandResult git =
      test::run_command({"git", "-C", dir, "describe", "--always", "--abbrev=12"});  // as the builds ask, less --dirty
  if (git.exit_code != 0) GTEST_SKIP() << "the sources are not a git checkout (or git is missing)";
  // A commit made after this binary was built (build, commit, run the tests)
  // leaves a binary that rightly names the older revision: nothing to check.
  const test::CommandResult committed = test::run_command({"git", "-C", dir, "log", "-1", "--format=%ct"});
  struct stat self {};
  if (committed.exit_code == 0 && ::stat("/proc/self/exe", &self) == 0 &&
      std::stoll(committed.out) > static_cast<long long>(self.st_mtime))
    GTEST_SKIP() << "HEAD was committed after this test binary was built: rebuild to check the revision";
  const std::string now = git.out.substr(0, git.out.find('\n'));
  std::string built = build_git_revision();
  if (built.ends_with("-dirty")) built.resize(built.size() - 6);
  EXPECT_EQ(built, now) << "the binary says it was built from " << build_git_revision()
                        << " (a stale revision: rebuild, or the build reads it at configure time again)";
}

}  // namespace
}  // namespace primbench
