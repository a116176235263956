// Fuzz targets: each takes arbitrary bytes and must either accept them or
// reject them with primbench's own error types (UsageError and its kin,
// which the CLI turns into one line and exit 2). Anything else escaping, a
// crash, or a sanitizer report is a bug.
//
// The same functions serve libFuzzer (fuzz/libfuzzer_main.cpp, built by
// scripts/fuzz.sh with clang) and the replay test (tests/test_fuzz_replay.cpp),
// which runs every committed corpus and crash input in both ordinary builds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace primbench::fuzz {

using Bytes = std::span<const std::uint8_t>;

// A result file (primbench's or plain Google Benchmark JSON) through the
// reader, then, when valid, through every report that consumes it.
void result_file(Bytes data);

// Two result files separated by a NUL byte through compare and its formats.
void compare_inputs(Bytes data);

// `--topology synthetic:<data>` through the loader and every planner.
void synthetic_topology(Bytes data);

// NUL-separated arguments to the `topo` and `plan` commands.
void cli_arguments(Bytes data);

struct Target {
  std::string_view name;  // also its corpus directory: fuzz/corpus/<name>
  void (*run)(Bytes);
};

inline constexpr Target kTargets[] = {
    {"result_file", result_file},
    {"compare_inputs", compare_inputs},
    {"synthetic_topology", synthetic_topology},
    {"cli_arguments", cli_arguments},
};

}  // namespace primbench::fuzz
