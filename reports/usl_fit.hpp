// The Universal Scalability Law (Gunther): how throughput X grows with the
// number of workers N when they share something.
//
//   X(N) = λN / (1 + σ(N − 1) + κN(N − 1))
//
//   λ  throughput of one worker (the slope of ideal linear scaling),
//   σ  contention: the fraction of the work that is serialised (queueing for a
//      lock, a single cache line, one pipe); alone it makes X level off at λ/σ,
//   κ  coherency: the cost of keeping N workers' views consistent, paid per
//      pair of workers (cache-line transfers, crosstalk); any κ > 0 makes X
//      rise, peak at N* = √((1 − σ)/κ) and then fall (retrograde scaling).
//
// fit_usl() finds λ, σ, κ ≥ 0 by bounded non-linear least squares on X
// itself (not on a linearised form, so a noisy single-worker point does not
// dominate): a projected Levenberg–Marquardt, started from the linearised fit.
// The method and its stopping rules are described in usl_fit.cpp.
//
// Example:
//   std::vector<UslPoint> points{{1, 9.8e6}, {2, 17.1e6}, {4, 25.0e6}, {8, 27.9e6}};
//   const UslFit fit = fit_usl(points);   // throws UslFitRefused with < 4 distinct N
//   fit.parameters.kappa, fit.peak_workers, scaling_limit_name(fit.limit)
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace primbench {

// One measurement: throughput (any unit, e.g. operations per second) with N
// workers. Several points may share an N (repetitions); all are fitted.
struct UslPoint {
  double workers = 0.0;
  double throughput = 0.0;
};

struct UslParameters {
  double lambda = 0.0;  // throughput of one worker, in the points' unit
  double sigma = 0.0;   // contention, >= 0
  double kappa = 0.0;   // coherency, >= 0
};

// The model's throughput at n workers.
double usl_throughput(const UslParameters& parameters, double n) noexcept;

// What limits scaling over the measured range, decided at the largest measured
// N (N_max) by the two terms the model adds to the denominator:
//   near_linear  σ(N_max − 1) + κN_max(N_max − 1) < 0.10 — within about 10 % of
//                linear scaling, neither term matters yet;
//   coherency    κN_max(N_max − 1) > σ(N_max − 1), i.e. κN_max > σ — crosstalk
//                costs more than queueing (N_max lies beyond the crossover
//                N = σ/κ); adding workers eventually lowers throughput;
//   contention   otherwise — a serial part dominates; throughput levels off
//                towards λ/σ instead of falling.
enum class ScalingLimit { near_linear, contention, coherency };
std::string_view scaling_limit_name(ScalingLimit limit) noexcept;  // "near-linear", ...
inline constexpr double kNearLinearPenalty = 0.10;

struct UslFitOptions {
  int max_iterations = 500;
  // Converged when an accepted step lowers the sum of squares by less than
  // this fraction of it, or moves no parameter by more than this fraction of
  // its (scaled) size, or the projected gradient vanishes.
  double relative_tolerance = 1e-12;
};

struct UslFit {
  UslParameters parameters;
  // Standard errors from the curvature at the optimum (√diag((JᵀJ)⁻¹)·s with
  // s² = SSE/(n − 3)); nullopt for a parameter held at its bound of 0, or
  // when the problem is singular there.
  std::optional<double> lambda_stderr, sigma_stderr, kappa_stderr;

  double r_squared = 0.0;  // 1 − SSE/SST on throughput; 1 when SST = SSE = 0
  double rmse = 0.0;       // √(SSE/n), in the points' unit
  // The points in input order with the model's value and measured − model.
  struct Residual {
    double workers, measured, model, residual;
  };
  std::vector<Residual> residuals;

  // N* = √((1 − σ)/κ), the N of maximum throughput, and X(N*). When σ ≥ 1 or
  // N* < 1 the model never beats one worker: N* = 1. nullopt when κ = 0 and
  // σ < 1: throughput rises for ever towards λ/σ — "no peak within the model".
  std::optional<double> peak_workers;
  std::optional<double> peak_throughput;
  // λ/σ (κ = 0 asymptote, also an upper bound with κ > 0); nullopt when σ = 0.
  std::optional<double> contention_ceiling;
  bool peak_beyond_measured = false;  // N* exists but exceeds the largest measured N

  ScalingLimit limit = ScalingLimit::near_linear;
  double max_measured_workers = 0.0;
  std::size_t distinct_workers = 0;

  int iterations = 0;
  bool converged = false;
  std::string stop_reason;  // which convergence criterion ended the search
};

// Thrown when the data cannot support a three-parameter fit; what() says why
// (e.g. "only 3 distinct worker counts (1, 2, 4); the USL has 3 parameters and
// needs at least 4 to leave one degree of freedom"). Also for points with a
// non-finite or non-positive N or throughput.
struct UslFitRefused : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

inline constexpr std::size_t kUslMinimumDistinctWorkers = 4;

// Never returns negative σ or κ, nor a NaN. Throws UslFitRefused.
UslFit fit_usl(std::span<const UslPoint> points, const UslFitOptions& options = {});

// {"lambda","sigma","kappa","lambda_stderr"|null,..., "r_squared","rmse",
//  "peak_workers"|null, "peak_throughput"|null, "peak_note", "contention_ceiling"|null,
//  "peak_beyond_measured", "limit", "limit_reason", "iterations","converged","stop_reason",
//  "residuals":[{"workers","measured","model","residual"}],
//  "curve":[[N, X(N)]...] sampled densely from 1 to max(N_max, N*) for a chart}
void to_json(nlohmann::json& j, const UslFit& fit);

// One sentence explaining `fit.limit` with the numbers behind it.
std::string scaling_limit_reason(const UslFit& fit);

}  // namespace primbench
