#include "harness/latency_histogram.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace primbench {

void LatencyHistogram::record_n(std::uint64_t ns, std::uint64_t count) noexcept {
  if (count == 0) return;  // would otherwise move min/max for a value never seen
  counts_[bucket_index(ns)] += count;
  count_ += count;
  sum_ += ns * count;
  max_ = ns > max_ ? ns : max_;
  min_complement_ = ~ns > min_complement_ ? ~ns : min_complement_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = other.max_ > max_ ? other.max_ : max_;
  min_complement_ =
      other.min_complement_ > min_complement_ ? other.min_complement_ : min_complement_;
}

void LatencyHistogram::reset() noexcept {
  counts_.fill(0);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
  min_complement_ = 0;
}

double LatencyHistogram::percentile(double q) const {
  if (!(q >= 0.0 && q <= 100.0)) {
    throw std::invalid_argument("LatencyHistogram::percentile: q = " + nlohmann::json(q).dump() +
                                " is outside [0, 100]");
  }
  if (count_ == 0) return 0.0;
  if (q == 0.0) return static_cast<double>(min());
  if (q == 100.0) return static_cast<double>(max());

  // The tiny shrink absorbs representation error (99.9 is not exactly
  // representable), so that e.g. p99.9 of 1000 values is rank 999, not 1000.
  const double exact_rank = q / 100.0 * static_cast<double>(count_);
  auto rank = static_cast<std::uint64_t>(std::ceil(exact_rank * (1.0 - 1e-12)));
  rank = rank < 1 ? 1 : (rank > count_ ? count_ : rank);

  std::uint64_t seen = 0;
  std::size_t index = 0;
  for (; index < kBucketCount; ++index) {
    seen += counts_[index];
    if (seen >= rank) break;
  }
  std::uint64_t value = bucket_midpoint(index);
  value = value < min() ? min() : (value > max() ? max() : value);
  return static_cast<double>(value);
}

Percentiles LatencyHistogram::percentiles() const {
  return {percentile(50.0),  percentile(90.0),
          percentile(99.0),  percentile(99.9),
          percentile(99.99), static_cast<double>(min()),
          static_cast<double>(max()), mean(),
          count_};
}

void to_json(nlohmann::json& j, const LatencyHistogram& histogram) {
  nlohmann::json buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
    if (histogram.bucket_count(i) == 0) continue;
    buckets.push_back({LatencyHistogram::bucket_lower(i), LatencyHistogram::bucket_upper(i),
                       histogram.bucket_count(i)});
  }
  j = nlohmann::json{
      {"count", histogram.count()},
      {"min", histogram.min()},
      {"max", histogram.max()},
      {"sum", histogram.sum()},
      {"buckets", std::move(buckets)},
  };
}

namespace {

[[noreturn]] void reject(const std::string& what) {
  throw std::invalid_argument("LatencyHistogram JSON: " + what);
}

std::string excerpt(const nlohmann::json& j) {
  constexpr std::size_t kMaxLength = 80;
  std::string text = j.dump();
  if (text.size() > kMaxLength) text = text.substr(0, kMaxLength) + "...";
  return text;
}

std::uint64_t unsigned_field(const nlohmann::json& j, std::string_view key) {
  // Built by appending: GCC 12 at -O3 raises a false -Wrestrict on
  // `"literal" + std::string`.
  std::string quoted_key = "\"";
  quoted_key.append(key).append("\"");
  const auto it = j.find(key);
  if (it == j.end()) reject("missing " + quoted_key);
  if (!it->is_number_unsigned()) {
    reject(quoted_key + " must be a non-negative integer, got " + excerpt(*it));
  }
  return it->get<std::uint64_t>();
}

}  // namespace

void from_json(const nlohmann::json& j, LatencyHistogram& histogram) {
  using H = LatencyHistogram;
  if (!j.is_object()) reject("expected an object, got " + excerpt(j));
  const std::uint64_t count = unsigned_field(j, "count");
  const std::uint64_t min = unsigned_field(j, "min");
  const std::uint64_t max = unsigned_field(j, "max");
  const std::uint64_t sum = unsigned_field(j, "sum");
  const auto buckets = j.find("buckets");
  if (buckets == j.end()) reject("missing \"buckets\"");
  if (!buckets->is_array()) reject("\"buckets\" must be an array, got " + excerpt(*buckets));

  H rebuilt;
  std::uint64_t bucket_total = 0;
  for (const nlohmann::json& bucket : *buckets) {
    const bool well_formed = bucket.is_array() && bucket.size() == 3 &&
                             bucket[0].is_number_unsigned() && bucket[1].is_number_unsigned() &&
                             bucket[2].is_number_unsigned();
    if (!well_formed) {
      reject("bucket " + excerpt(bucket) + " is not [lower_ns, upper_ns, count]");
    }
    const auto lower = bucket[0].get<std::uint64_t>();
    const auto upper = bucket[1].get<std::uint64_t>();
    const auto bucket_count = bucket[2].get<std::uint64_t>();
    const std::size_t index = H::bucket_index(lower);
    if (H::bucket_lower(index) != lower || H::bucket_upper(index) != upper) {
      reject("bucket " + excerpt(bucket) + " does not match this build's layout (expected [" +
             std::to_string(H::bucket_lower(index)) + ", " +
             std::to_string(H::bucket_upper(index)) + ", ...])");
    }
    if (rebuilt.counts_[index] != 0) reject("bucket " + excerpt(bucket) + " appears twice");
    if (bucket_total + bucket_count < bucket_total) reject("bucket counts overflow");
    rebuilt.counts_[index] = bucket_count;
    bucket_total += bucket_count;
  }
  if (bucket_total != count) {
    reject("bucket counts add up to " + std::to_string(bucket_total) + " but \"count\" is " +
           std::to_string(count));
  }

  if (count == 0) {
    if (min != 0 || max != 0 || sum != 0) reject("empty histogram with non-zero min/max/sum");
    histogram = rebuilt;
    return;
  }
  if (min > max) {
    reject("\"min\" " + std::to_string(min) + " exceeds \"max\" " + std::to_string(max));
  }
  // min and max must fall in the lowest and highest non-empty buckets.
  for (std::size_t i = 0; i < H::kBucketCount; ++i) {
    if (rebuilt.counts_[i] == 0) continue;
    if (i != H::bucket_index(min)) {
      reject("\"min\" " + std::to_string(min) + " is not in the lowest non-empty bucket");
    }
    break;
  }
  for (std::size_t i = H::kBucketCount; i-- > 0;) {
    if (rebuilt.counts_[i] == 0) continue;
    if (i != H::bucket_index(max)) {
      reject("\"max\" " + std::to_string(max) + " is not in the highest non-empty bucket");
    }
    break;
  }
  rebuilt.count_ = count;
  rebuilt.sum_ = sum;
  rebuilt.max_ = max;
  rebuilt.min_complement_ = ~min;
  histogram = rebuilt;
}

void to_json(nlohmann::json& j, const Percentiles& percentiles) {
  j = nlohmann::json{
      {"p50", percentiles.p50},   {"p90", percentiles.p90},     {"p99", percentiles.p99},
      {"p999", percentiles.p999}, {"p9999", percentiles.p9999}, {"min", percentiles.min},
      {"max", percentiles.max},   {"mean", percentiles.mean},   {"count", percentiles.count},
  };
}

}  // namespace primbench
