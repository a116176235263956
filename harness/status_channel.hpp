// How a benchmark child tells the supervisor what went wrong when it cannot
// write a result itself (a hung thread, a fatal error): one line appended to
// the file named by PRIMBENCH_STATUS_FILE, plus a distinctive exit status.
#pragma once

#include <string_view>

namespace primbench {

inline constexpr const char* kStatusFileEnv = "PRIMBENCH_STATUS_FILE";
inline constexpr int kExitWorkerHung = 86;

// Appends `line` to the status file (if any) and to stderr. Uses only
// open/write/close so it is safe on the way out of a damaged process.
void report_status(std::string_view line) noexcept;

}  // namespace primbench
