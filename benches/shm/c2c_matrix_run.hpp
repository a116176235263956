// Measuring a core-to-core latency matrix (the cells come from
// c2c_matrix_plan.hpp): one pinned worker per matrix PU plus a "twin" per PU
// for the diagonal, all started once, as threads or as processes. The calling
// thread coordinates and measures nothing itself: for each cell it posts "ping"
// to the row's worker and "pong" to the column's (or to the row's twin on the
// diagonal), sleeps on a futex until both are done, and reads the result.
// Workers not in the current cell sleep on a futex too, so nothing else runs on
// the PUs being measured (a spinning SMT sibling would slow the pair down).
//
// Each row's line lives on a page of its own, first touched by the row's
// worker, so its NUMA home is the row PU's node; every cell of the row (and
// its diagonal) bounces that line.
#pragma once

#include <fmt/format.h>
#include <linux/mempolicy.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "benches/shm/c2c_matrix_plan.hpp"
#include "benches/shm/handoff.hpp"
#include "harness/clock.hpp"
#include "harness/futex.hpp"
#include "harness/latency_histogram.hpp"
#include "harness/workers.hpp"

namespace primbench::shm {

inline constexpr std::uint64_t kMatrixBatch = 16;  // round trips per timed sample (as family c2c)
inline constexpr std::uint64_t kMinBatchesPerCell = 8;  // a median even if the PU was preempted all along

// Time per cell: the whole matrix takes ~2.4 s by default and ~0.3 s quick,
// spread over its cells, within [0.25 ms, 200 ms] (quick: 40 ms) per cell.
inline std::chrono::nanoseconds matrix_cell_budget(std::size_t cells, bool quick) {
  using namespace std::chrono_literals;
  const std::chrono::nanoseconds total = quick ? 300ms : 2400ms;
  const std::chrono::nanoseconds most = quick ? 40ms : 200ms;
  return std::clamp<std::chrono::nanoseconds>(total / std::max<std::size_t>(cells, 1), 250us, most);
}

// The NUMA node holding the page at `addr`; -1 when the kernel will not say.
inline int numa_node_of(const void* addr) {
  int node = -1;
  if (syscall(SYS_get_mempolicy, &node, nullptr, 0UL, const_cast<void*>(addr), MPOL_F_NODE | MPOL_F_ADDR) != 0)
    return -1;
  return node;
}

struct MatrixMeasurement {
  std::vector<double> cell_ns;           // median round trip per cell
  std::vector<std::uint64_t> cell_batches;
  std::vector<int> home_numa;            // per row
  LatencyHistogram latency;              // every batch of every off-diagonal cell
  std::vector<ObservedPlacement> placements;  // rows' workers, then twins
};

namespace detail {

enum class CellRole : std::uint32_t { quit, ping, pong };

// One per worker; the coordinator writes a command then bumps `posted` (the
// futex word, release); the worker writes its results then bumps the board's
// `finished` (release).
struct alignas(64) Mailbox {
  std::atomic<std::uint32_t> posted{0};
  CellRole role = CellRole::quit;
  std::uint32_t line = 0;   // which row's line
  std::uint32_t spins = 0;  // spin_budget of the pair
  std::uint32_t keep_latency = 0;
  std::uint64_t warmup_ticks = 0, timed_ticks = 0;
  double median_ns = 0;     // ping side's answer
  std::uint64_t batches = 0;
  std::int32_t home_numa = -1;  // row workers, on quit
};
static_assert(sizeof(Mailbox) == 64, "one mailbox per cache line");

class Board {
 public:
  static constexpr std::size_t kPage = 4096;
  static std::size_t bytes(unsigned rows) { return 64 + sizeof(Mailbox) * 2 * rows + kPage * (rows + 1); }

  Board(void* shared, unsigned rows) : base_(static_cast<char*>(shared)), rows_(rows) {
    const auto lines_from = reinterpret_cast<std::uintptr_t>(base_ + 64 + sizeof(Mailbox) * 2 * rows);
    lines_ = reinterpret_cast<char*>((lines_from + kPage - 1) / kPage * kPage);
  }
  std::atomic<std::uint32_t>& finished() { return *reinterpret_cast<std::atomic<std::uint32_t>*>(base_); }
  Mailbox& mailbox(unsigned worker) { return reinterpret_cast<Mailbox*>(base_ + 64)[worker]; }
  HandoffLine& line(unsigned row) { return *reinterpret_cast<HandoffLine*>(lines_ + kPage * row); }
  unsigned rows() const { return rows_; }

 private:
  char* base_;
  char* lines_;
  unsigned rows_;
};

template <typename Handoff>
void ping_cell(Board& board, Mailbox& box, LatencyHistogram& keep) {
  HandoffLine& line = board.line(box.line);
  const double overhead_ns = clock_info().read_overhead_ns;
  std::uint64_t ball = 0;
  const std::uint64_t warm_until = Clock::now() + box.warmup_ticks;
  while (Clock::now() < warm_until) ball = serve_rounds<Handoff>(line, ball, kMatrixBatch, box.spins);
  LatencyHistogram hist;
  const std::uint64_t until = Clock::now() + box.timed_ticks;
  for (;;) {
    const std::uint64_t t0 = Clock::now();
    ball = serve_rounds<Handoff>(line, ball, kMatrixBatch, box.spins);
    const std::uint64_t t1 = Clock::now();
    hist.record_rounded((Clock::to_ns(t1 - t0) - overhead_ns) / static_cast<double>(kMatrixBatch));
    if (t1 >= until && hist.count() >= kMinBatchesPerCell) break;
    if (line.stop.load(std::memory_order_relaxed)) break;  // the coordinator gave up on this cell
  }
  line.stop.store(1, std::memory_order_release);
  box.median_ns = hist.percentile(50);
  box.batches = hist.count();
  if (box.keep_latency) keep.merge(hist);
}

template <typename Handoff>
void matrix_worker(WorkerContext& ctx, unsigned rows) {
  Board board(ctx.shared, rows);
  Mailbox& box = board.mailbox(ctx.index);
  const bool owns_line = ctx.index < rows;
  if (owns_line) board.line(ctx.index).ball.store(0, std::memory_order_relaxed);  // first touch: homes the page here
  for (std::uint32_t seen = 0;;) {
    constexpr timespec kRecheck{0, 100'000'000};
    while (box.posted.load(std::memory_order_acquire) == seen) futex_wait(&box.posted, seen, &kRecheck);
    seen = box.posted.load(std::memory_order_acquire);
    if (box.role == CellRole::quit) {
      if (owns_line) box.home_numa = numa_node_of(&board.line(ctx.index));
      return;
    }
    if (box.role == CellRole::ping)
      ping_cell<Handoff>(board, box, ctx.slot->latency);
    else
      answer_until_stopped<Handoff>(board.line(box.line), box.spins);
    board.finished().fetch_add(1, std::memory_order_release);
    futex_wake(&board.finished(), 1);
  }
}

inline void post(Mailbox& box, CellRole role) {
  box.role = role;
  box.posted.fetch_add(1, std::memory_order_release);
  futex_wake(&box.posted, 1);
}

// However the coordinator leaves, every worker is told to quit and every line
// is stopped, so that no thread is left spinning or sleeping.
struct QuitAll {
  Board& board;
  bool done = false;
  void now() {
    if (done) return;
    done = true;
    for (unsigned r = 0; r < board.rows(); ++r) board.line(r).stop.store(1, std::memory_order_release);
    for (unsigned w = 0; w < 2 * board.rows(); ++w) post(board.mailbox(w), CellRole::quit);
  }
  ~QuitAll() { now(); }
};

}  // namespace detail

template <typename Handoff>
MatrixMeasurement measure_c2c_matrix(const Topology& topo, ExecMode mode, const MatrixLayout& layout,
                                     std::chrono::nanoseconds per_cell, const std::string& label) {
  using namespace detail;
  clock_init();
  const auto rows = static_cast<unsigned>(layout.pus.size());
  std::vector<unsigned> pus = layout.pus;
  pus.insert(pus.end(), layout.pus.begin(), layout.pus.end());  // twins, for the diagonal
  WorkerGroup group(topo, {mode, pus, Board::bytes(rows), label, default_worker_deadline()});
  group.launch([rows](WorkerContext& ctx) { matrix_worker<Handoff>(ctx, rows); });
  Board board(group.shared(), rows);
  QuitAll quit{board};
  // A worker that failed (it could not pin, say) still counts as arrived at
  // the gate; join() then names it with its error.
  const auto join_if_any_failed = [&] {
    for (const WorkerSlot& slot : group.slots())
      if (slot.state.load(std::memory_order_acquire) == WorkerState::failed) {
        quit.now();
        group.join();  // throws WorkerFailure
      }
  };
  group.wait_ready();
  group.release();
  join_if_any_failed();

  const double ticks_per_ns = Clock::ticks_per_ns();
  const auto ticks = [&](std::chrono::nanoseconds d) {
    return static_cast<std::uint64_t>(static_cast<double>(d.count()) * ticks_per_ns);
  };
  // A cell that overruns its budget by this much has a side that stopped answering.
  const auto cell_deadline = per_cell + std::chrono::seconds(5);
  MatrixMeasurement m;
  for (const MatrixCell& cell : layout.cells) {
    const bool diagonal = cell.row == cell.col;
    Mailbox& a = board.mailbox(cell.row);
    Mailbox& b = board.mailbox(diagonal ? rows + cell.row : cell.col);
    board.line(cell.row).ball.store(0, std::memory_order_relaxed);
    board.line(cell.row).stop.store(0, std::memory_order_relaxed);
    board.finished().store(0, std::memory_order_relaxed);
    for (Mailbox* box : {&a, &b}) {
      box->line = cell.row;
      box->spins = spin_budget(diagonal);
    }
    a.warmup_ticks = ticks(per_cell / 10);
    a.timed_ticks = ticks(per_cell - per_cell / 10);
    a.keep_latency = diagonal ? 0 : 1;
    post(b, CellRole::pong);
    post(a, CellRole::ping);
    const auto give_up = std::chrono::steady_clock::now() + cell_deadline;
    for (std::uint32_t done; (done = board.finished().load(std::memory_order_acquire)) < 2;) {
      if (std::chrono::steady_clock::now() > give_up)
        throw WorkerFailure(fmt::format("{}: cell PU {} - PU {} did not finish within {} ms", label,
                                        layout.pus[cell.row], layout.pus[cell.col],
                                        std::chrono::duration_cast<std::chrono::milliseconds>(cell_deadline).count()));
      constexpr timespec kRecheck{0, 50'000'000};
      futex_wait(&board.finished(), done, &kRecheck);
      join_if_any_failed();
    }
    m.cell_ns.push_back(a.median_ns);
    m.cell_batches.push_back(a.batches);
  }
  quit.now();
  group.join();
  for (unsigned r = 0; r < rows; ++r) m.home_numa.push_back(board.mailbox(r).home_numa);
  m.latency = group.merged_latency();
  m.placements = group.placements();
  return m;
}

}  // namespace primbench::shm
