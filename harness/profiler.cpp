#include "harness/profiler.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "harness/program_output.hpp"

namespace primbench {
namespace {

constexpr const char* kEvent = "cpu-clock";

std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return text.substr(0, end);
}

// "ffffffff817057a2 pipe_write" -> "pipe_write"; "0 [unknown]" -> "" (no frame).
std::string frame_of(std::string_view line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {};
  const std::string_view address = line.substr(0, space);
  std::string symbol(line.substr(space + 1));
  if (address == "0") return {};
  // A flame graph's separator cannot be part of a name.
  std::replace(symbol.begin(), symbol.end(), ';', ':');
  return symbol;
}

// The absolute path of `program` on PATH: the supervisor starts children without a PATH search.
std::string on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return std::filesystem::absolute(candidate).string();
  }
  return {};
}

}  // namespace

std::variant<Profiler, std::string> find_profiler() {
  Profiler profiler;
  profiler.perf = on_path("perf");
  if (profiler.perf.empty()) return std::string("perf is not installed (Debian: apt-get install linux-perf)");
  // A short trial recording says more than reading perf_event_paranoid: it
  // also catches a missing binary, a seccomp filter or a container without the syscall.
  const auto trial = run_program({profiler.perf, "record", "-q", "-e", kEvent, "-g", "-o", "/dev/null", "--", "true"}, "");
  if (!trial) return std::string("perf is not installed (Debian: apt-get install linux-perf)");
  if (trial->exit_status != 0) {
    const std::string why = first_line(trial->err.empty() ? trial->out : trial->err);
    return fmt::format("perf record cannot sample here ({}); as a user, lower /proc/sys/kernel/perf_event_paranoid "
                       "to 1 or run as root",
                       why.empty() ? fmt::format("exit status {}", trial->exit_status) : why);
  }
  return profiler;
}

std::vector<std::string> profiled_argv(const Profiler& profiler, const std::filesystem::path& data,
                                       const std::vector<std::string>& argv) {
  std::vector<std::string> out{profiler.perf, "record", "-q", "-e", kEvent, "-F", std::to_string(profiler.frequency_hz),
                               "-g", "-o", data.string(), "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::map<std::string, std::uint64_t> fold_perf_script(std::string_view script) {
  std::map<std::string, std::uint64_t> folded;
  std::istringstream lines{std::string(script)};
  std::string comm;
  std::vector<std::string> frames;  // leaf first, as perf prints them
  auto flush = [&] {
    if (comm.empty()) return;
    std::string stack = comm;
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) stack += ";" + *it;
    ++folded[stack];
    comm.clear();
    frames.clear();
  };
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) {
      flush();
    } else if (line[0] == '\t' || line[0] == ' ') {
      // Without frame pointers perf walks garbage: a run of unknown frames says no more than one.
      if (std::string frame = frame_of(line); !frame.empty() && !(frame == "[unknown]" && !frames.empty() &&
                                                                   frames.back() == "[unknown]"))
        frames.push_back(std::move(frame));
    } else {
      flush();
      // "comm tid": the name may hold spaces, the thread id is the last word.
      const auto last_space = line.find_last_of(' ', line.find_last_not_of(' '));
      comm = line.substr(0, last_space == std::string::npos ? line.size() : last_space);
      comm.erase(comm.find_last_not_of(' ') + 1);
      std::replace(comm.begin(), comm.end(), ';', ':');
      if (comm.empty()) comm = "[unnamed]";
    }
  }
  flush();
  return folded;
}

std::map<std::string, std::uint64_t> fold_perf_data(const Profiler& profiler, const std::filesystem::path& data) {
  ProgramLimits limits;
  limits.timeout = std::chrono::seconds(120);
  limits.max_output_bytes = std::size_t{256} << 20;
  const auto script = run_program({profiler.perf, "script", "-F", "comm,tid,ip,sym", "-i", data.string()}, "", limits);
  if (!script) throw std::runtime_error("perf is not installed");
  if (!script->stopped.empty()) throw std::runtime_error("perf script " + script->stopped);
  if (script->exit_status != 0)
    throw std::runtime_error(fmt::format("perf script failed: {}", first_line(script->err)));
  return fold_perf_script(script->out);
}

nlohmann::json profile_json(const std::map<std::string, std::uint64_t>& folded, const Profiler& profiler,
                            std::size_t max_stacks) {
  std::vector<std::pair<std::string, std::uint64_t>> stacks(folded.begin(), folded.end());
  std::stable_sort(stacks.begin(), stacks.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::uint64_t samples = 0, other = 0;
  nlohmann::json kept = nlohmann::json::array();
  for (std::size_t i = 0; i < stacks.size(); ++i) {
    samples += stacks[i].second;
    if (i < max_stacks)
      kept.push_back({stacks[i].first, stacks[i].second});
    else
      other += stacks[i].second;
  }
  if (other > 0) kept.push_back({"[other stacks]", other});
  return {{"tool", "perf"},
          {"event", kEvent},
          {"frequency_hz", profiler.frequency_hz},
          {"samples", samples},
          {"stacks", std::move(kept)}};
}

}  // namespace primbench
