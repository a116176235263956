// What it costs to create a thread or a process and wait for its end.
//
//   spawn/std_thread/threads/same-pu              std::thread create + join (inherits the creator's binding)
//   spawn/pthread_pinned/threads/<class>          pthread_create with pthread_attr_setaffinity_np to the
//                                                 pair's other PU + join
//   spawn/fork_wait/processes/same-pu/rss<M>MiB   fork + _exit + waitpid from a parent holding M MiB of
//                                                 touched, resident 4 KiB pages (fork copies their page tables)
//   spawn/vfork_exec/processes/same-pu/bin_true   vfork + execve /bin/true + waitpid
//   spawn/posix_spawn/processes/same-pu/bin_true  posix_spawn /bin/true + waitpid
//   spawn/fork_exec/processes/same-pu/primbench_version
//                                                 fork + execve of this primbench binary in its cheapest real
//                                                 mode (`primbench version`): Python's `spawn` start method
//   spawn/forkserver/processes/<class>            a server process forked before the measurement forks each
//                                                 child on request over a socketpair, reaps it and reports its
//                                                 pid and exit (Python's `forkserver`); the server runs on the
//                                                 pair's other PU
//
// Each sample is one creation run to its end: started, finished, joined or
// reaped. The creator is pinned; children that run our code check that they
// run where they were placed (exit status), exec'd programs inherit the
// creator's binding. Every child must exit 0, and after the loop the process
// must have no child and no extra thread left: anything else is an error entry.
#include <sys/mman.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "benches/pools/creation.hpp"
#include "benches/pools/fork_server.hpp"
#include "harness/bench_record.hpp"
#include "harness/bench_registry.hpp"
#include "harness/clock.hpp"
#include "harness/peer_session.hpp"

namespace primbench {
namespace {

namespace cr = creation;

constexpr const char* kFamily = "spawn";
constexpr std::size_t kMiB = std::size_t{1} << 20;

// Parent resident sizes for fork: its cost grows with the page tables it copies.
std::vector<std::size_t> ballast_mib(bool quick) {
  if (quick) return {1, 64};
  return {1, 16, 256, 1024};
}

// Anonymous memory, written page by page so that every page is really
// resident (not the shared zero page), and kept in 4 KiB pages: a parent's
// heap is mostly small pages, and transparent huge pages would hide the
// per-page cost of fork.
class ResidentBallast {
 public:
  explicit ResidentBallast(std::size_t bytes) : bytes_(bytes) {
    data_ = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data_ == MAP_FAILED) throw cr::os_error(fmt::format("mmap of {} MiB", bytes_ / kMiB));
    madvise(data_, bytes_, MADV_NOHUGEPAGE);
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    auto* bytes_at = static_cast<volatile unsigned char*>(data_);
    for (std::size_t off = 0; off < bytes_; off += page) bytes_at[off] = static_cast<unsigned char>(off / page | 1);
  }
  ~ResidentBallast() { munmap(data_, bytes_); }
  ResidentBallast(const ResidentBallast&) = delete;
  ResidentBallast& operator=(const ResidentBallast&) = delete;

  // Pages of the ballast resident right now (mincore), in bytes.
  std::size_t resident_bytes() const {
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> in_core((bytes_ + page - 1) / page);
    if (mincore(data_, bytes_, in_core.data()) != 0) throw cr::os_error("mincore");
    std::size_t pages = 0;
    for (unsigned char c : in_core) pages += c & 1;
    return pages * page;
  }

 private:
  std::size_t bytes_;
  void* data_;
};

// The process's resident set (VmRSS), in KiB.
long resident_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// Empty when the loop left nothing behind; otherwise what it left.
std::string leftovers() {
  if (!cr::no_children_left()) return "a child process was left unreaped";
  std::error_code ec;
  const auto tasks = std::distance(std::filesystem::directory_iterator("/proc/self/task", ec),
                                   std::filesystem::directory_iterator());
  if (!ec && tasks > 1) return fmt::format("{} threads still exist after the loop (expected 1)", tasks);
  return {};
}

// Where a probe child (thread or forked process) ran: one untimed creation
// before the measured ones, reading back its binding and last CPU.
ObservedPlacement probe_forked_child(const Topology& topo, unsigned pu) {
  void* page = mmap(nullptr, sizeof(ObservedPlacement), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) throw cr::os_error("mmap");
  auto* seen = new (page) ObservedPlacement{};
  cr::fork_and_reap([&] {
    *seen = observe_current(topo, pu, PinScope::process);
    return 0;
  });
  const ObservedPlacement copy = *seen;
  munmap(page, sizeof(ObservedPlacement));
  return copy;
}

// What one benchmark creates and how, for the record.
struct CreationEntry {
  ExecMode mode;
  std::string placement;  // pair class of creator and created
  std::string created;    // what one creation starts, in words
  nlohmann::json extra = nlohmann::json::object();
};

// The measuring loop, written once: each iteration is one creation run to
// its end (`create_once` throws if the child did not end cleanly).
LatencyHistogram time_creations(benchmark::State& state, const std::function<void()>& create_once) {
  LatencyHistogram hist;
  for (auto _ : state) {
    const std::uint64_t t0 = Clock::now();
    create_once();
    hist.record_rounded(Clock::to_ns(Clock::now() - t0));
  }
  return hist;
}

// A second distribution kept beside the main one (part of each creation).
struct SideLatency {
  const char* what = nullptr;
  LatencyHistogram hist;
};

// Checks that nothing was left behind, then publishes the entry's counters and record.
void record_creations(benchmark::State& state, const std::string& name, CreationEntry entry,
                      std::vector<ObservedPlacement> placements, const LatencyHistogram& hist,
                      const SideLatency* side = nullptr) {
  if (const std::string left = leftovers(); !left.empty()) throw std::runtime_error(left);
  state.SetItemsProcessed(state.iterations());
  publish_latency_counters(state, hist);
  publish_placement_counter(state, placements);
  entry.extra["created"] = entry.created;
  entry.extra["checks"] = "every child exited 0 (children running our code exit 0 only on their planned PU); "
                          "no child process or extra thread left after the loop";
  if (side && side->hist.count() > 0) {
    const Percentiles p = side->hist.percentiles();
    entry.extra[side->what] = {{"p50_ns", p.p50}, {"p90_ns", p.p90}, {"p99_ns", p.p99}, {"max_ns", p.max}, {"count", p.count}};
  }
  record_bench(name, BenchRecord{kFamily, std::string(to_string(entry.mode)), entry.placement, std::move(placements),
                                 false, hist, "one creation, run to its end and joined or reaped",
                                 std::move(entry.extra)});
}

// time_creations + record_creations, for creations whose placements are known before the loop.
void measure_creations(benchmark::State& state, const std::string& name, CreationEntry entry,
                       std::vector<ObservedPlacement> placements, const std::function<void()>& create_once,
                       const SideLatency* side = nullptr) {
  const LatencyHistogram hist = time_creations(state, create_once);
  record_creations(state, name, std::move(entry), std::move(placements), hist, side);
}

// Runs a benchmark body, turning any exception into an error entry.
template <typename Body>
void or_error_entry(benchmark::State& state, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

unsigned creator_pu(const Topology& topo) { return topo.allowed_pus().front(); }

void bm_std_thread(benchmark::State& state, const std::string& name) {
  or_error_entry(state, [&] {
    const Topology& topo = *bench_environment().topo;
    const unsigned pu = creator_pu(topo);
    ScopedThreadPin pin(topo, pu);
    ObservedPlacement child;
    std::thread([&] { child = observe_current(topo, pu, PinScope::thread); }).join();
    int wrong_pu = 0;
    measure_creations(state, name, {ExecMode::threads, "same-pu", "a std::thread (inherits the creator's binding)", {{"pu", pu}}},
                      {pin.observe(), child}, [&] {
                        std::thread([&] { wrong_pu += sched_getcpu() != static_cast<int>(pu); }).join();
                        if (wrong_pu) throw std::runtime_error(fmt::format("a new thread ran off PU {}", pu));
                      });
  });
}

void bm_pthread_pinned(benchmark::State& state, const std::string& name, ExecMode, PairClass cls, PuPair pair) {
  or_error_entry(state, [&] {
    const Topology& topo = *bench_environment().topo;
    ScopedThreadPin pin(topo, pair.a);
    const cr::PinnedThreadAttr attr(pair.b);
    ObservedPlacement child;
    auto probe = [&] { child = observe_current(topo, pair.b, PinScope::thread); };
    attr.run_and_join(probe);
    int wrong_pu = 0;
    auto body = [&] { wrong_pu += sched_getcpu() != static_cast<int>(pair.b); };
    measure_creations(state, name,
                      {ExecMode::threads, std::string(to_string(cls)), "a pthread bound by its creation attribute",
                       {{"pair", {pair.a, pair.b}}}},
                      {pin.observe(), child}, [&] {
                        attr.run_and_join(body);
                        if (wrong_pu) throw std::runtime_error(fmt::format("a new thread ran off PU {}", pair.b));
                      });
  });
}

void bm_fork_wait(benchmark::State& state, const std::string& name, std::size_t mib) {
  or_error_entry(state, [&] {
    const Topology& topo = *bench_environment().topo;
    const unsigned pu = creator_pu(topo);
    ScopedThreadPin pin(topo, pu);
    require_single_threaded(name.c_str());
    const long rss_before_kib = resident_kib();
    const ResidentBallast ballast(mib * kMiB);
    const std::size_t resident = ballast.resident_bytes();
    if (resident < mib * kMiB)
      throw std::runtime_error(fmt::format("only {} of {} ballast bytes are resident", resident, mib * kMiB));
    const long rss_kib = resident_kib();
    const ObservedPlacement child = probe_forked_child(topo, pu);
    SideLatency fork_call{"fork_call_in_parent", {}};  // the parent's side alone: fork() until it returns in the parent
    measure_creations(
        state, name,
        {ExecMode::processes, "same-pu", "a forked child that checks its PU and _exits",
         {{"pu", pu}, {"ballast_mib", mib}, {"ballast_resident_bytes", resident}, {"ballast_pages", "4 KiB (MADV_NOHUGEPAGE)"},
          {"rss_kib_before_ballast", rss_before_kib}, {"rss_kib_at_fork", rss_kib}}},
        {pin.observe(), child},
        [&] {
          const std::uint64_t t0 = Clock::now();
          const pid_t pid = cr::fork_child([pu] { return cr::exit_ok_on(pu); });
          fork_call.hist.record_rounded(Clock::to_ns(Clock::now() - t0));
          cr::expect_clean_exit(cr::reap(pid), "forked child");
        },
        &fork_call);
    state.counters["rss_mib"] = static_cast<double>(rss_kib) / 1024.0;
  });
}

// One benchmark per exec-based creation: `Creator::run_and_reap(program)`
// starts the program once and returns its wait status.
template <typename Creator>
void bm_exec(benchmark::State& state, const std::string& name, const char* created, const cr::ExecArgs& program) {
  or_error_entry(state, [&] {
    const Topology& topo = *bench_environment().topo;
    const unsigned pu = creator_pu(topo);
    ScopedThreadPin pin(topo, pu);
    require_single_threaded(name.c_str());
    const Creator creator;
    cr::expect_clean_exit(creator.run_and_reap(program), program.describe());  // warm the page cache, check it runs
    measure_creations(state, name,
                      {ExecMode::processes, "same-pu", created,
                       {{"pu", pu}, {"program", program.describe()},
                        {"placement_note", "the exec'd program inherits the creator's binding; only the creator is read back"}}},
                      {pin.observe()}, [&] { cr::expect_clean_exit(creator.run_and_reap(program), program.describe()); });
  });
}

const cr::ExecArgs kBinTrue{"/bin/true", {"true"}};
// The primbench binary itself: /proc/self/exe is resolved by the child after
// fork, where it still names this executable.
const cr::ExecArgs kPrimbenchVersion{"/proc/self/exe", {"primbench", "version"}};

void bm_vfork_exec(benchmark::State& state, const std::string& name) {
  bm_exec<cr::VforkExecer>(state, name, "vfork + execve of /bin/true (dynamically linked)", kBinTrue);
}

void bm_posix_spawn(benchmark::State& state, const std::string& name) {
  bm_exec<cr::Spawner>(state, name, "posix_spawn of /bin/true (dynamically linked)", kBinTrue);
}

void bm_fork_exec_self(benchmark::State& state, const std::string& name) {
  bm_exec<cr::ForkExecer>(state, name,
                          "fork + execve of the primbench binary running `primbench version` (stdout to /dev/null)",
                          kPrimbenchVersion);
}

void bm_forkserver(benchmark::State& state, const std::string& name, ExecMode mode, PairClass cls, PuPair pair) {
  or_error_entry(state, [&] {
    const BenchEnvironment& env = bench_environment();
    cr::ForkServerLink link;
    // On an error the session's destructor kills and reaps the server.
    PeerSession session(*env.topo, mode, pair, 64, name, [&link](WorkerContext& ctx) {
      link.close_client_end();
      cr::serve_forks(link.server_fd(), ctx.pu);
    });
    link.close_server_end();
    cr::ForkServerClient client(link.client_fd());
    SideLatency to_pid{"request_to_pid", {}};  // request until the server reports the child's pid
    const LatencyHistogram hist = time_creations(state, [&] {
      const std::uint64_t t0 = Clock::now();
      const pid_t pid = client.request_child();
      to_pid.hist.record_rounded(Clock::to_ns(Clock::now() - t0));
      cr::expect_clean_exit(client.wait_exit(pid), fmt::format("fork-server child {}", pid));
    });
    client.quit();
    std::vector<ObservedPlacement> placements = session.finish();
    record_creations(state, name,
                     {mode, std::string(to_string(cls)), "a child forked by a pre-forked server on request, reaped by the server",
                      {{"pair", {pair.a, pair.b}}, {"server_pu", pair.b}, {"channel", "AF_UNIX SOCK_SEQPACKET socketpair"}}},
                     std::move(placements), hist, &to_pid);
  });
}

void register_spawn(const BenchEnvironment& env) {
  const bool quick = env.config.quick;
  register_bench("spawn/std_thread/threads/same-pu", bm_std_thread);
  register_pair_benches(env, kFamily, "pthread_pinned", {ExecMode::threads}, bm_pthread_pinned);
  for (std::size_t mib : ballast_mib(quick))
    register_bench(fmt::format("spawn/fork_wait/processes/same-pu/rss{}MiB", mib),
                   [mib](benchmark::State& s, const std::string& n) { bm_fork_wait(s, n, mib); });
  register_bench("spawn/vfork_exec/processes/same-pu/bin_true", bm_vfork_exec);
  register_bench("spawn/posix_spawn/processes/same-pu/bin_true", bm_posix_spawn);
  register_bench("spawn/fork_exec/processes/same-pu/primbench_version", bm_fork_exec_self);
  register_pair_benches(env, kFamily, "forkserver", {ExecMode::processes}, bm_forkserver);
}

}  // namespace
}  // namespace primbench

PRIMBENCH_FAMILY("spawn", primbench::register_spawn);
