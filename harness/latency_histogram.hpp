// A fixed-size log-linear latency histogram (nanoseconds), HDR-style.
//
// It is plain data on purpose: a fixed std::array of counters and a few
// scalars, no heap and no pointers, so workers in other processes can record
// straight into one placed in a shared-memory segment, and an all-zero block of
// memory (a fresh mmap) is already a valid empty histogram.
//
// Bucket layout: values 0..127 ns get one bucket per nanosecond; above that,
// each power-of-two range [2^e, 2^(e+1)) is cut into 64 equal buckets. A bucket
// is then at most 1/64 of its lower bound wide, and reporting its midpoint is off
// by at most 1/128 = 0.78 % of any value in it. The top range ends at 2^37 ns
// (~137 s, the first power of two past the required 100 s); larger values are
// counted in the top bucket, while min/max/sum keep their exact values.
// 2048 buckets x 8 bytes = 16 KiB.
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

namespace primbench {

struct Percentiles {
  double p50 = 0.0;
  double p90 = 0.0;
  double p99 = 0.0;
  double p999 = 0.0;
  double p9999 = 0.0;
  double min = 0.0;
  double max = 0.0;
  double mean = 0.0;
  std::uint64_t count = 0;
};

class LatencyHistogram {
 public:
  static constexpr unsigned kSubBucketBits = 6;
  static constexpr std::uint64_t kSubBucketCount = std::uint64_t{1} << kSubBucketBits;
  static constexpr unsigned kRangeBits = 37;
  static constexpr std::uint64_t kMaxTrackableNs = (std::uint64_t{1} << kRangeBits) - 1;
  // One block of kSubBucketCount buckets for the unit-width values below
  // kSubBucketCount, then one per power of two from 2^kSubBucketBits upwards.
  static constexpr std::size_t kBucketCount =
      (kRangeBits - kSubBucketBits + 1) * kSubBucketCount;

  static constexpr std::size_t bucket_index(std::uint64_t ns) noexcept {
    const std::uint64_t value = ns < kMaxTrackableNs ? ns : kMaxTrackableNs;
    // OR-ing in kSubBucketCount makes every value below it behave like the
    // 2^kSubBucketBits range (shift 0, unit buckets), with no branch.
    const unsigned shift =
        static_cast<unsigned>(std::bit_width(value | kSubBucketCount)) - 1 - kSubBucketBits;
    return (std::size_t{shift} << kSubBucketBits) + static_cast<std::size_t>(value >> shift);
  }

  // Inclusive lower and exclusive upper bound of a bucket, in ns.
  static constexpr std::uint64_t bucket_lower(std::size_t index) noexcept {
    const unsigned shift = bucket_shift(index);
    return (index - (std::size_t{shift} << kSubBucketBits)) << shift;
  }
  static constexpr std::uint64_t bucket_upper(std::size_t index) noexcept {
    return bucket_lower(index) + (std::uint64_t{1} << bucket_shift(index));
  }
  // The value reported for anything in the bucket: it halves the worst error.
  static constexpr std::uint64_t bucket_midpoint(std::size_t index) noexcept {
    return bucket_lower(index) + ((std::uint64_t{1} << bucket_shift(index)) >> 1);
  }

  void record(std::uint64_t ns) noexcept {
    ++counts_[bucket_index(ns)];
    ++count_;
    sum_ += ns;
    max_ = ns > max_ ? ns : max_;
    min_complement_ = ~ns > min_complement_ ? ~ns : min_complement_;
  }

  // Deleted so that passing a double (e.g. Clock::to_ns()) to record() does
  // not silently truncate; say record_rounded() instead.
  template <std::floating_point Float>
  void record(Float ns) = delete;

  // Rounds to the nearest ns; NaN and negative values count as 0 ns.
  void record_rounded(double ns) noexcept {
    constexpr double kLargest = static_cast<double>(std::numeric_limits<std::uint64_t>::max());
    if (!(ns > 0.0)) {
      record(0);
    } else if (ns >= kLargest) {
      record(std::numeric_limits<std::uint64_t>::max());
    } else {
      record(static_cast<std::uint64_t>(ns + 0.5));
    }
  }

  // `count` occurrences of the same value.
  void record_n(std::uint64_t ns, std::uint64_t count) noexcept;

  void merge(const LatencyHistogram& other) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : ~min_complement_; }
  std::uint64_t max() const noexcept { return max_; }
  std::uint64_t sum() const noexcept { return sum_; }  // wraps only after ~584 years
  double mean() const noexcept {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
  }
  std::uint64_t bucket_count(std::size_t index) const noexcept { return counts_[index]; }

  // q in [0, 100] (throws std::invalid_argument otherwise). Nearest-rank: the
  // midpoint of the bucket holding the ceil(q% * count)-th smallest value,
  // clamped to [min, max]; q = 0 and q = 100 give min and max exactly.
  // 0 for an empty histogram.
  double percentile(double q) const;
  Percentiles percentiles() const;

  bool operator==(const LatencyHistogram&) const = default;

  friend void from_json(const nlohmann::json& j, LatencyHistogram& histogram);

 private:
  static constexpr unsigned bucket_shift(std::size_t index) noexcept {
    return index < 2 * kSubBucketCount
               ? 0
               : static_cast<unsigned>(index >> kSubBucketBits) - 1;
  }

  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  // min is kept as its bitwise complement so that zeroed memory means "no
  // minimum yet" (~0 = the largest value) and record() needs no branch.
  std::uint64_t min_complement_ = 0;
};

static_assert(std::is_trivially_copyable_v<LatencyHistogram>,
              "LatencyHistogram must stay plain data to live in shared memory");
static_assert(sizeof(LatencyHistogram) <= 32 * 1024);
static_assert(LatencyHistogram::bucket_index(LatencyHistogram::kMaxTrackableNs) ==
              LatencyHistogram::kBucketCount - 1);

// {"count":..,"min":..,"max":..,"sum":..,"buckets":[[lower_ns,upper_ns,count],..]}
// with only non-empty buckets; upper_ns is exclusive. from_json rebuilds an
// equal histogram and throws std::invalid_argument naming the first problem.
void to_json(nlohmann::json& j, const LatencyHistogram& histogram);
void from_json(const nlohmann::json& j, LatencyHistogram& histogram);

void to_json(nlohmann::json& j, const Percentiles& percentiles);

}  // namespace primbench
