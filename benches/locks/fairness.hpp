// How evenly a contended primitive shared itself among its workers: from the
// number of acquisitions each worker made in one run.
//
// The workers are the whole population (not a sample of some larger one), so
// the standard deviation divides by n. cv = stddev / mean is 0 for a perfectly
// fair lock; the shares say what fraction of all acquisitions the least and
// the most favoured worker got (1/n each when fair).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

namespace primbench::locks {

struct Fairness {
  std::uint64_t total = 0;
  double mean = 0.0;
  double stddev = 0.0;
  double cv = 0.0;
  double min_share = 0.0;
  double max_share = 0.0;
};

inline Fairness fairness_of(std::span<const std::uint64_t> per_worker) {
  Fairness f;
  if (per_worker.empty()) return f;
  std::uint64_t least = per_worker.front();
  std::uint64_t most = per_worker.front();
  for (std::uint64_t n : per_worker) {
    f.total += n;
    least = std::min(least, n);
    most = std::max(most, n);
  }
  const double count = static_cast<double>(per_worker.size());
  f.mean = static_cast<double>(f.total) / count;
  double squares = 0.0;
  for (std::uint64_t n : per_worker) squares += (static_cast<double>(n) - f.mean) * (static_cast<double>(n) - f.mean);
  f.stddev = std::sqrt(squares / count);
  if (f.total > 0) {
    f.cv = f.stddev / f.mean;
    f.min_share = static_cast<double>(least) / static_cast<double>(f.total);
    f.max_share = static_cast<double>(most) / static_cast<double>(f.total);
  }
  return f;
}

inline nlohmann::json to_json(const Fairness& f) {
  return {{"total", f.total}, {"mean", f.mean},           {"stddev", f.stddev},
          {"cv", f.cv},       {"min_share", f.min_share}, {"max_share", f.max_share}};
}

}  // namespace primbench::locks
