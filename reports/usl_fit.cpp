// Fitting the Universal Scalability Law (see usl_fit.hpp for the model).
//
// Method: bounded non-linear least squares on throughput, minimising
//   SSE(λ, σ, κ) = Σ (X_i − λN_i / (1 + σ(N_i − 1) + κN_i(N_i − 1)))²
// subject to λ > 0, σ ≥ 0, κ ≥ 0.
//
//  1. Scale: throughputs are divided by their maximum, so λ is of order 1 and
//     the tolerances mean the same for ops/s and for speedups.
//  2. Start: the model is linear after a change of variables,
//       N/X = a + b(N − 1) + cN(N − 1)   with λ = 1/a, σ = b/a, κ = c/a,
//     so a linear least-squares fit (b, c ≥ 0 by trying each active set) gives
//     a start close to the answer. That fit weights points badly (1/X blows up
//     where throughput is low), which is why it is only a start. A second
//     start, "linear scaling from the smallest N", guards against a useless
//     linear fit; the better of the two results is kept.
//  3. Iterate: Levenberg–Marquardt. Each step solves
//       (JᵀJ + μ·diag(JᵀJ)) δ = Jᵀr
//     over the free parameters, then projects the new point onto the bounds.
//     A parameter sitting on its bound whose gradient points out of the
//     feasible set is held there for that step (the active set), so the
//     projection does not keep throwing the step away. A step that lowers the
//     SSE is taken and μ shrinks (towards Gauss–Newton); otherwise μ grows
//     (towards a short gradient step) and the step is retried.
//  4. Stop (converged) when an accepted, nearly undamped (μ ≤ 1) step lowers
//     the SSE by less than relative_tolerance of it, or changes no parameter
//     by more than relative_tolerance of its size, or the SSE is exactly 0, or the
//     projected gradient is 0, or no step however short lowers the SSE any
//     more (μ beyond 1e16: a stationary point to floating-point precision).
//     Not converged when max_iterations accepted-or-rejected steps ran out.
#include "reports/usl_fit.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace primbench {
namespace {

constexpr std::size_t kParams = 3;  // λ, σ, κ in this order
using Vec = std::array<double, kParams>;
using Mat = std::array<Vec, kParams>;

// Lower bounds of the scaled parameters: λ must stay positive for the model
// to mean anything; σ and κ may reach 0 exactly.
constexpr Vec kLowerBound{1e-12, 0.0, 0.0};
constexpr double kMaxDamping = 1e16;
constexpr double kMinDamping = 1e-15;

double denominator(const Vec& p, double n) { return 1.0 + p[1] * (n - 1.0) + p[2] * n * (n - 1.0); }

double model(const Vec& p, double n) { return p[0] * n / denominator(p, n); }

// ∂model/∂(λ, σ, κ) at n.
Vec gradient_of_model(const Vec& p, double n) {
  const double d = denominator(p, n);
  const double lambda_term = -p[0] * n / (d * d);
  return {n / d, lambda_term * (n - 1.0), lambda_term * n * (n - 1.0)};
}

double sum_of_squares(const Vec& p, std::span<const UslPoint> pts) {
  double sse = 0.0;
  for (const UslPoint& pt : pts) {
    const double r = pt.throughput - model(p, pt.workers);
    sse += r * r;
  }
  return sse;
}

// Solves A x = b for the rows/columns in `use` (others: x = 0) by Cholesky;
// false when that part of A is not positive definite.
bool solve_positive_definite(Mat a, Vec b, const std::array<bool, kParams>& use, Vec& x) {
  std::array<std::size_t, kParams> idx{};
  std::size_t m = 0;
  for (std::size_t i = 0; i < kParams; ++i)
    if (use[i]) idx[m++] = i;
  Mat l{};
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[idx[i]][idx[j]];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (!(s > 0.0)) return false;
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  Vec y{};
  for (std::size_t i = 0; i < m; ++i) {
    double s = b[idx[i]];
    for (std::size_t k = 0; k < i; ++k) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  x = {};
  for (std::size_t i = m; i-- > 0;) {
    double s = y[i];
    for (std::size_t k = i + 1; k < m; ++k) s -= l[k][i] * x[idx[k]];
    x[idx[i]] = s / l[i][i];
  }
  return true;
}

// The linearised fit N/X = a + b(N − 1) + cN(N − 1) with b, c ≥ 0: every
// active set is tried (there are four) and the feasible one with the smallest
// residual wins. Returns nullopt when none gives a > 0.
std::optional<Vec> linearised_start(std::span<const UslPoint> pts) {
  std::optional<Vec> best;
  double best_residual = std::numeric_limits<double>::infinity();
  for (const std::array<bool, kParams> use : {std::array{true, true, true}, std::array{true, true, false},
                                             std::array{true, false, true}, std::array{true, false, false}}) {
    Mat ata{};
    Vec atz{};
    for (const UslPoint& pt : pts) {
      const double n = pt.workers;
      const Vec row{1.0, n - 1.0, n * (n - 1.0)};
      const double z = n / pt.throughput;
      for (std::size_t i = 0; i < kParams; ++i) {
        atz[i] += row[i] * z;
        for (std::size_t j = 0; j < kParams; ++j) ata[i][j] += row[i] * row[j];
      }
    }
    Vec abc{};
    if (!solve_positive_definite(ata, atz, use, abc)) continue;
    if (!(abc[0] > 0.0) || abc[1] < 0.0 || abc[2] < 0.0) continue;
    double residual = 0.0;
    for (const UslPoint& pt : pts) {
      const double n = pt.workers;
      const double e = n / pt.throughput - (abc[0] + abc[1] * (n - 1.0) + abc[2] * n * (n - 1.0));
      residual += e * e;
    }
    if (residual < best_residual) {
      best_residual = residual;
      best = Vec{1.0 / abc[0], abc[1] / abc[0], abc[2] / abc[0]};
    }
  }
  return best;
}

struct Search {
  Vec p{};
  double sse = 0.0;
  int iterations = 0;
  bool converged = false;
  std::string stop_reason;
};

void project(Vec& p) {
  for (std::size_t j = 0; j < kParams; ++j) p[j] = std::max(p[j], kLowerBound[j]);
}

// JᵀJ and Jᵀr at p.
void normal_equations(const Vec& p, std::span<const UslPoint> pts, Mat& jtj, Vec& jtr) {
  jtj = {};
  jtr = {};
  for (const UslPoint& pt : pts) {
    const Vec g = gradient_of_model(p, pt.workers);
    const double r = pt.throughput - model(p, pt.workers);
    for (std::size_t i = 0; i < kParams; ++i) {
      jtr[i] += g[i] * r;
      for (std::size_t j = 0; j < kParams; ++j) jtj[i][j] += g[i] * g[j];
    }
  }
}

Search levenberg_marquardt(Vec start, std::span<const UslPoint> pts, const UslFitOptions& options) {
  Search s;
  project(start);
  s.p = start;
  s.sse = sum_of_squares(s.p, pts);
  double damping = 1e-3;
  while (s.iterations < options.max_iterations) {
    if (s.sse == 0.0) {
      s.converged = true;
      s.stop_reason = "exact fit (sum of squares is 0)";
      return s;
    }
    Mat jtj;
    Vec jtr;
    normal_equations(s.p, pts, jtj, jtr);
    // Jᵀr is minus half the gradient of the SSE: a parameter on its bound is
    // held when lowering the SSE would need it to go below the bound.
    std::array<bool, kParams> free{};
    bool any_free = false;
    for (std::size_t j = 0; j < kParams; ++j) {
      free[j] = !(s.p[j] <= kLowerBound[j] && jtr[j] <= 0.0) && jtj[j][j] > 0.0;
      any_free = any_free || (free[j] && jtr[j] != 0.0);
    }
    if (!any_free) {
      s.converged = true;
      s.stop_reason = "projected gradient is 0";
      return s;
    }
    ++s.iterations;
    Mat damped = jtj;
    for (std::size_t j = 0; j < kParams; ++j) damped[j][j] += damping * jtj[j][j];
    Vec step{};
    Vec trial = s.p;
    if (solve_positive_definite(damped, jtr, free, step)) {
      for (std::size_t j = 0; j < kParams; ++j) trial[j] += step[j];
      project(trial);
    }
    const double trial_sse = sum_of_squares(trial, pts);
    if (std::isfinite(trial_sse) && trial_sse < s.sse) {
      double largest_move = 0.0;
      for (std::size_t j = 0; j < kParams; ++j)
        largest_move = std::max(largest_move, std::abs(trial[j] - s.p[j]) / (std::abs(s.p[j]) + options.relative_tolerance));
      const double reduction = (s.sse - trial_sse) / s.sse;
      // A tiny step under heavy damping says only that the step was short:
      // the small-change tests count once the step is nearly Gauss–Newton.
      const bool undamped = damping <= 1.0;
      s.p = trial;
      s.sse = trial_sse;
      damping = std::max(damping / 3.0, kMinDamping);
      if (undamped && reduction < options.relative_tolerance) {
        s.converged = true;
        s.stop_reason = fmt::format("sum of squares fell by less than {:g} of itself", options.relative_tolerance);
        return s;
      }
      if (undamped && largest_move < options.relative_tolerance) {
        s.converged = true;
        s.stop_reason = fmt::format("no parameter moved by more than {:g} of its size", options.relative_tolerance);
        return s;
      }
    } else {
      damping *= 4.0;
      if (damping > kMaxDamping) {
        s.converged = true;
        s.stop_reason = "no step lowers the sum of squares (stationary to floating-point precision)";
        return s;
      }
    }
  }
  s.stop_reason = fmt::format("stopped after {} iterations without meeting a convergence criterion", s.iterations);
  return s;
}

std::string format_workers(const std::set<double>& workers) {
  std::string out;
  for (double n : workers) out += fmt::format("{}{:g}", out.empty() ? "" : ", ", n);
  return out;
}

void check_points(std::span<const UslPoint> points) {
  std::set<double> distinct;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const UslPoint& pt = points[i];
    if (!std::isfinite(pt.workers) || pt.workers < 1.0)
      throw UslFitRefused(fmt::format("point {}: worker count {:g} is not a number >= 1", i, pt.workers));
    if (!std::isfinite(pt.throughput) || !(pt.throughput > 0.0))
      throw UslFitRefused(
          fmt::format("point {} (N = {:g}): throughput {:g} is not a positive number", i, pt.workers, pt.throughput));
    distinct.insert(pt.workers);
  }
  if (distinct.size() < kUslMinimumDistinctWorkers)
    throw UslFitRefused(fmt::format(
        "only {} distinct worker count{}{}; the USL has 3 parameters (lambda, sigma, kappa) and needs at least {} "
        "distinct N to leave a degree of freedom for judging the fit",
        distinct.size(), distinct.size() == 1 ? "" : "s",
        distinct.empty() ? "" : fmt::format(" ({})", format_workers(distinct)), kUslMinimumDistinctWorkers));
}

// Standard errors of the free parameters, in scaled units.
std::array<std::optional<double>, kParams> standard_errors(const Vec& p, double sse,
                                                           std::span<const UslPoint> pts) {
  std::array<std::optional<double>, kParams> out;
  Mat jtj;
  Vec jtr;
  normal_equations(p, pts, jtj, jtr);
  std::array<bool, kParams> free{};
  for (std::size_t j = 0; j < kParams; ++j) free[j] = p[j] > kLowerBound[j];
  const double s2 = sse / static_cast<double>(pts.size() - kParams);
  for (std::size_t j = 0; j < kParams; ++j) {
    if (!free[j]) continue;
    Vec unit{};
    unit[j] = 1.0;
    Vec column{};
    if (!solve_positive_definite(jtj, unit, free, column) || !(column[j] >= 0.0)) continue;
    const double se = std::sqrt(s2 * column[j]);
    if (std::isfinite(se)) out[j] = se;
  }
  return out;
}

ScalingLimit classify(const UslParameters& p, double n_max) {
  const double contention = p.sigma * (n_max - 1.0);
  const double coherency = p.kappa * n_max * (n_max - 1.0);
  if (contention + coherency < kNearLinearPenalty) return ScalingLimit::near_linear;
  return coherency > contention ? ScalingLimit::coherency : ScalingLimit::contention;
}

}  // namespace

double usl_throughput(const UslParameters& p, double n) noexcept {
  return p.lambda * n / (1.0 + p.sigma * (n - 1.0) + p.kappa * n * (n - 1.0));
}

std::string_view scaling_limit_name(ScalingLimit limit) noexcept {
  switch (limit) {
    case ScalingLimit::near_linear: return "near-linear";
    case ScalingLimit::contention: return "contention";
    case ScalingLimit::coherency: return "coherency";
  }
  return "?";
}

UslFit fit_usl(std::span<const UslPoint> points, const UslFitOptions& options) {
  check_points(points);
  double scale = 0.0;
  for (const UslPoint& pt : points) scale = std::max(scale, pt.throughput);
  std::vector<UslPoint> scaled(points.begin(), points.end());
  for (UslPoint& pt : scaled) pt.throughput /= scale;

  const auto smallest = std::min_element(scaled.begin(), scaled.end(),
                                         [](const UslPoint& a, const UslPoint& b) { return a.workers < b.workers; });
  std::vector<Vec> starts{Vec{smallest->throughput / smallest->workers, 0.0, 0.0}};
  if (const auto linear = linearised_start(scaled)) starts.insert(starts.begin(), *linear);
  Search best;
  bool have_best = false;
  for (const Vec& start : starts) {
    Search s = levenberg_marquardt(start, scaled, options);
    if (!have_best || s.sse < best.sse) {
      best = std::move(s);
      have_best = true;
    }
  }

  UslFit fit;
  fit.parameters = {best.p[0] * scale, best.p[1], best.p[2]};
  const auto se = standard_errors(best.p, best.sse, scaled);
  if (se[0]) fit.lambda_stderr = *se[0] * scale;
  fit.sigma_stderr = se[1];
  fit.kappa_stderr = se[2];
  fit.iterations = best.iterations;
  fit.converged = best.converged;
  fit.stop_reason = best.stop_reason;

  std::set<double> distinct;
  double mean = 0.0;
  for (const UslPoint& pt : points) {
    distinct.insert(pt.workers);
    mean += pt.throughput;
  }
  mean /= static_cast<double>(points.size());
  double sse = 0.0, sst = 0.0;
  for (const UslPoint& pt : points) {
    const double x = usl_throughput(fit.parameters, pt.workers);
    fit.residuals.push_back({pt.workers, pt.throughput, x, pt.throughput - x});
    sse += (pt.throughput - x) * (pt.throughput - x);
    sst += (pt.throughput - mean) * (pt.throughput - mean);
  }
  fit.r_squared = sst > 0.0 ? 1.0 - sse / sst : (sse == 0.0 ? 1.0 : 0.0);
  fit.rmse = std::sqrt(sse / static_cast<double>(points.size()));
  fit.distinct_workers = distinct.size();
  fit.max_measured_workers = *distinct.rbegin();

  const UslParameters& p = fit.parameters;
  // A κ or σ so small that the quotient overflows means "no peak" / "no
  // ceiling" in practice: those stay nullopt rather than infinite.
  if (p.sigma >= 1.0) {
    fit.peak_workers = 1.0;
  } else if (p.kappa > 0.0) {
    if (const double peak = std::sqrt((1.0 - p.sigma) / p.kappa); std::isfinite(peak)) fit.peak_workers = std::max(1.0, peak);
  }
  if (fit.peak_workers) {
    fit.peak_throughput = usl_throughput(p, *fit.peak_workers);
    fit.peak_beyond_measured = *fit.peak_workers > fit.max_measured_workers;
  }
  if (p.sigma > 0.0 && std::isfinite(p.lambda / p.sigma)) fit.contention_ceiling = p.lambda / p.sigma;
  fit.limit = classify(p, fit.max_measured_workers);
  return fit;
}

std::string scaling_limit_reason(const UslFit& fit) {
  const UslParameters& p = fit.parameters;
  const double n = fit.max_measured_workers;
  const double contention = p.sigma * (n - 1.0);
  const double coherency = p.kappa * n * (n - 1.0);
  const std::string terms = fmt::format("at N = {:g} the contention term sigma(N-1) = {:.3g} and the coherency term "
                                        "kappa*N(N-1) = {:.3g}",
                                        n, contention, coherency);
  switch (fit.limit) {
    case ScalingLimit::near_linear:
      return fmt::format("near-linear: {}; together they cost less than {:.0f} % against linear scaling", terms,
                         kNearLinearPenalty * 100);
    case ScalingLimit::coherency:
      return fmt::format("coherency-bound: {}; {}, so more workers eventually lower throughput", terms,
                         p.sigma > 0 ? fmt::format("crosstalk between workers outweighs queueing beyond N = "
                                                   "sigma/kappa = {:.3g}",
                                                   p.sigma / p.kappa)
                                     : std::string("there is no contention term, crosstalk alone bends the curve"));
    case ScalingLimit::contention:
      return fmt::format("contention-bound: {}; the serialised part causes most of the loss{}", terms,
                         fit.contention_ceiling
                             ? fmt::format(" and caps throughput below lambda/sigma = {:.4g}", *fit.contention_ceiling)
                             : "");
  }
  return {};
}

namespace {

nlohmann::json optional_number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json();
}

std::string peak_note(const UslFit& fit) {
  const UslParameters& p = fit.parameters;
  if (!fit.peak_workers) return "no peak within the model (kappa = 0): throughput keeps rising towards lambda/sigma";
  if (p.sigma >= 1.0) return "sigma >= 1: the model never beats one worker, the peak is N = 1";
  if (fit.peak_beyond_measured)
    return fmt::format("peak N* = {:.3g} lies beyond the largest measured N = {:g} (an extrapolation)",
                       *fit.peak_workers, fit.max_measured_workers);
  return fmt::format("peak N* = sqrt((1 - sigma)/kappa) = {:.3g} within the measured range", *fit.peak_workers);
}

// Points for drawing the fitted curve: up to the largest measured N, or on to
// a little past the peak when the peak is near enough to be worth showing.
nlohmann::json curve(const UslFit& fit) {
  constexpr int kSamples = 64;
  constexpr double kShowPeakUpTo = 4.0;  // × the largest measured N
  double upper = fit.max_measured_workers;
  if (fit.peak_workers && *fit.peak_workers <= kShowPeakUpTo * upper) upper = std::max(upper, 1.25 * *fit.peak_workers);
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i <= kSamples; ++i) {
    const double n = 1.0 + (upper - 1.0) * i / kSamples;
    out.push_back({n, usl_throughput(fit.parameters, n)});
  }
  return out;
}

}  // namespace

void to_json(nlohmann::json& j, const UslFit& fit) {
  nlohmann::json residuals = nlohmann::json::array();
  for (const UslFit::Residual& r : fit.residuals)
    residuals.push_back({{"workers", r.workers}, {"measured", r.measured}, {"model", r.model}, {"residual", r.residual}});
  j = {{"lambda", fit.parameters.lambda},
       {"sigma", fit.parameters.sigma},
       {"kappa", fit.parameters.kappa},
       {"lambda_stderr", optional_number(fit.lambda_stderr)},
       {"sigma_stderr", optional_number(fit.sigma_stderr)},
       {"kappa_stderr", optional_number(fit.kappa_stderr)},
       {"r_squared", fit.r_squared},
       {"rmse", fit.rmse},
       {"peak_workers", optional_number(fit.peak_workers)},
       {"peak_throughput", optional_number(fit.peak_throughput)},
       {"peak_note", peak_note(fit)},
       {"peak_beyond_measured", fit.peak_beyond_measured},
       {"contention_ceiling", optional_number(fit.contention_ceiling)},
       {"limit", scaling_limit_name(fit.limit)},
       {"limit_reason", scaling_limit_reason(fit)},
       {"distinct_workers", fit.distinct_workers},
       {"max_measured_workers", fit.max_measured_workers},
       {"iterations", fit.iterations},
       {"converged", fit.converged},
       {"stop_reason", fit.stop_reason},
       {"residuals", std::move(residuals)},
       {"curve", curve(fit)}};
}

}  // namespace primbench
