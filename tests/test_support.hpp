// Shared by the tests: where the fixtures are, and running primbench itself.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace primbench::test {

// The build compiles in PRIMBENCH_TEST_SOURCE_DIR and PRIMBENCH_TEST_EXE; the
// environment variables PRIMBENCH_SOURCE_DIR / PRIMBENCH_EXE override them.

// The project's source root.
std::filesystem::path source_dir();

// ../shared/topologies beside the project root, when this checkout has it (CI
// and development machines do; a user's fresh clone does not).
std::optional<std::filesystem::path> shared_topologies();

#define PRIMBENCH_REQUIRE_SHARED_TOPOLOGIES(dir)                                              \
  const auto dir##_opt = ::primbench::test::shared_topologies();                              \
  if (!dir##_opt) GTEST_SKIP() << "../shared/topologies not present (fresh clone): skipped"; \
  const std::filesystem::path dir = *dir##_opt

// The primbench executable under test.
std::string primbench_exe();

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
  double seconds = 0;
};

// Runs argv (argv[0] is the program) with stdin from /dev/null, capturing
// output; `interrupt_after_s` > 0 sends SIGINT after that many seconds.
CommandResult run_command(const std::vector<std::string>& argv, double interrupt_after_s = 0,
                          double kill_after_s = 120);

CommandResult run_primbench(std::vector<std::string> args, double interrupt_after_s = 0);

// Lines of `text` that are not empty.
std::vector<std::string> nonempty_lines(const std::string& text);

// How the CLI answers bad input: exit 2 and exactly one line on stderr,
// "primbench: error: ...", containing `fragment`. Returns that line for
// further checks ("" when there was not exactly one).
std::string expect_one_line_error(const CommandResult& r, const std::string& fragment = "");

// A new, empty, owner-only directory /tmp/primbench-<what>-XXXXXX, removed
// with its contents when the test program exits (the tests leave nothing in
// /tmp; a failed test's files are there while it runs, for a person to see).
std::filesystem::path scratch_dir(const std::string& what);

// A result document's Google Benchmark entries by the name they were
// registered under, without GB's suffixes ("/real_time", ...).
std::map<std::string, nlohmann::json> entries_by_registered_name(const nlohmann::json& doc);

// Names in /dev/shm that start with "primbench".
std::vector<std::string> primbench_segments();

}  // namespace primbench::test
