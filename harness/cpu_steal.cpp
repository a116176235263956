#include "harness/cpu_steal.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace primbench {
namespace {

constexpr int kStealColumn = 8;  // cpuN user nice system idle iowait irq softirq steal ...

double ms_per_tick() {
  const long hz = sysconf(_SC_CLK_TCK);
  return hz > 0 ? 1000.0 / static_cast<double>(hz) : 10.0;
}

}  // namespace

StealTicks read_steal_ticks(const std::filesystem::path& proc_stat) {
  StealTicks ticks;
  std::ifstream in(proc_stat);
  for (std::string line; std::getline(in, line);) {
    // Per-CPU lines only ("cpu0 ..."): the aggregate "cpu " line has no number.
    if (line.size() < 4 || line.compare(0, 3, "cpu") != 0 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line.substr(3));
    unsigned pu = 0;
    fields >> pu;
    std::uint64_t value = 0;
    int column = 0;
    while (column < kStealColumn && fields >> value) ++column;
    if (column == kStealColumn) ticks.by_pu[pu] = value;  // older kernels lack the column
  }
  return ticks;
}

nlohmann::json steal_during(const StealTicks& before, const StealTicks& after, const std::set<unsigned>& pus,
                            double window_s) {
  if (before.by_pu.empty() || after.by_pu.empty() || pus.empty() || window_s <= 0) return nullptr;
  const double tick_ms = ms_per_tick();
  nlohmann::json by_pu = nlohmann::json::object();
  double worst_ms = 0;
  for (unsigned pu : pus) {
    const auto b = before.by_pu.find(pu), a = after.by_pu.find(pu);
    if (b == before.by_pu.end() || a == after.by_pu.end()) continue;
    const double ms = a->second >= b->second ? static_cast<double>(a->second - b->second) * tick_ms : 0.0;
    by_pu[std::to_string(pu)] = ms;
    worst_ms = std::max(worst_ms, ms);
  }
  if (by_pu.empty()) return nullptr;
  const double share = worst_ms / (window_s * 1000.0);
  return {{"window_s", window_s},
          {"steal_ms", by_pu},
          {"steal_share", share},
          {"noisy", share > kNoisyStealShare && worst_ms >= kNoisyStealTicks * tick_ms},
          {"source", "/proc/stat steal column, before and after the benchmark process, in USER_HZ ticks"}};
}

std::set<unsigned> record_pus(const nlohmann::json& record) {
  std::set<unsigned> pus;
  const auto placement = record.find("placement");
  if (placement == record.end() || !placement->is_object()) return pus;
  const auto workers = placement->find("workers");
  if (workers == placement->end() || !workers->is_array()) return pus;
  for (const auto& w : *workers) {
    const auto pu = w.find("requested_pu");
    if (pu != w.end() && pu->is_number_integer() && pu->get<int>() >= 0) pus.insert(pu->get<unsigned>());
  }
  return pus;
}

}  // namespace primbench
