#include "cli/verdict_options.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "basics/errors.hpp"
#include "reports/aa_noise.hpp"

namespace primbench::cli {
namespace {

// "5%", "5 %" or "0.05" -> 0.05.
double parse_threshold(const std::string& text) {
  std::string number = text;
  number.erase(std::remove(number.begin(), number.end(), ' '), number.end());
  const bool percent = !number.empty() && number.back() == '%';
  if (percent) number.pop_back();
  try {
    std::size_t used = 0;
    const double value = std::stod(number, &used);
    if (used == number.size()) return percent ? value / 100.0 : value;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("--threshold '{}' is not a number (e.g. 5% or 0.05)", text));
}

}  // namespace

void add_verdict_options(CLI::App& cmd, VerdictArgs& a) {
  cmd.add_option("--fail-on", a.fail_on, "Exit 1 on: none | regression | any-change")->capture_default_str();
  cmd.add_option("--alpha", a.options.alpha, "False discovery rate of the Benjamini-Hochberg adjusted p-values")
      ->capture_default_str();
  cmd.add_option("--threshold", a.threshold, "Noise threshold of the median change, e.g. 5% or 0.05")
      ->capture_default_str();
  cmd.add_option("--noise", a.noise,
                 "noise.json of an A/A run (primbench ab --aa): each family's threshold is raised to its A/A noise");
  cmd.add_option("--min-repetitions", a.options.min_repetitions, "Fewer repetitions a side are not tested")
      ->capture_default_str();
  cmd.add_option("--min-rounds", a.options.min_rounds, "Fewer paired rounds are not tested")->capture_default_str();
  cmd.add_option("--bootstrap", a.options.bootstrap_resamples, "Bootstrap resamples of the interval")
      ->capture_default_str();
}

CompareOptions resolve_verdict_options(const VerdictArgs& a) {
  CompareOptions options = a.options;
  options.threshold = parse_threshold(a.threshold);
  if (!a.noise.empty()) options.family_thresholds = read_noise_thresholds(a.noise);
  validate(options);
  return options;
}

}  // namespace primbench::cli
