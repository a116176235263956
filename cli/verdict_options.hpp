// The options `compare` and `ab` share: how a change becomes a verdict
// (threshold, alpha, the A/A noise file, minimum rounds or repetitions) and
// what fails the command.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "reports/compare.hpp"

namespace primbench::cli {

struct VerdictArgs {
  std::string fail_on = "regression";
  std::string threshold = "5%";
  std::string noise;  // noise.json of an A/A run
  CompareOptions options;
};

void add_verdict_options(CLI::App& cmd, VerdictArgs& args);

// The options with --threshold and --noise resolved; throws UsageError.
CompareOptions resolve_verdict_options(const VerdictArgs& args);

}  // namespace primbench::cli
