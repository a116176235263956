// Message framing that lets a receiver prove delivery: every message carries
// its producer, a sequence number and a checksum, and the receiver reports the
// first lost, duplicated, reordered or corrupted message precisely.
//
// Layout of one message of `size` bytes (size >= 8), host byte order:
//   [0, 4)          tag = producer << 24 | (sequence mod 2^24)
//   [4, 8)          check: 32-bit checksum of tag, size, payload and trailer
//   [8, size - 8)   payload: a fixed pseudo-random pattern (per writer)
//   [size - 8, size) trailer, only when size >= 16: tag and ~tag again, so a
//                   message whose end was lost or left over from an earlier
//                   message (a short read) fails even if its header is right.
// Only the header and trailer change per message, so stamping is O(1); the
// receiver hashes every byte, which is the cost of checking and is part of
// what the benchmarks measure (about 16 bytes per cycle).
//
// Sequence numbers are compared modulo 2^24 (the 8-byte minimum message has no
// room for more); the final count check catches what that could hide.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace primbench::msg {

inline constexpr std::size_t kMinMessageBytes = 8;
inline constexpr unsigned kSeqBits = 24;
inline constexpr std::uint32_t kSeqMask = (1u << kSeqBits) - 1;
inline constexpr unsigned kMaxProducers = 1u << (32 - kSeqBits);

namespace detail {

inline std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Fletcher-style sums over 8-byte words in four independent lanes (so the
// loop is not one long dependency chain): order-sensitive, every byte counts.
inline std::uint64_t hash_bytes(const std::byte* p, std::size_t n) noexcept {
  std::uint64_t sum[4] = {1, 2, 3, 4}, weighted[4] = {};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int lane = 0; lane < 4; ++lane) {
      std::uint64_t word;
      std::memcpy(&word, p + i + 8 * lane, 8);
      sum[lane] += word;
      weighted[lane] += sum[lane];
    }
  std::uint64_t tail = n;
  for (; i < n; ++i) tail = tail * 131 + static_cast<std::uint8_t>(p[i]);
  std::uint64_t h = mix64(tail);
  for (int lane = 0; lane < 4; ++lane) h = mix64(h ^ sum[lane]) + weighted[lane];
  return h;
}

inline std::uint32_t load32(const std::byte* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void store32(std::byte* p, std::uint32_t v) noexcept { std::memcpy(p, &v, 4); }

inline bool has_trailer(std::size_t size) noexcept { return size >= 16; }
inline std::size_t payload_end(std::size_t size) noexcept { return has_trailer(size) ? size - 8 : size; }

// Never 0 nor all ones, so an 8-byte message read as one integer is never 0
// or ~0 (what an eventfd cannot carry).
inline std::uint32_t checksum(std::uint32_t tag, std::size_t size, std::uint64_t payload_hash) noexcept {
  const std::uint64_t h = mix64(payload_hash ^ mix64((std::uint64_t{tag} << 32) ^ size));
  std::uint32_t c = static_cast<std::uint32_t>(h ^ (h >> 32));
  if (c == 0) c = 1;
  if (c == 0xffffffffu) c = 0xfffffffeu;
  return c;
}

}  // namespace detail

inline std::uint32_t make_tag(unsigned producer, std::uint64_t seq) noexcept {
  return static_cast<std::uint32_t>(producer) << kSeqBits | static_cast<std::uint32_t>(seq & kSeqMask);
}

inline void require_message_size(std::size_t size) {
  if (size < kMinMessageBytes)
    throw std::invalid_argument(fmt::format("message size {} is below the {}-byte minimum (sequence + checksum)",
                                            size, kMinMessageBytes));
}

// Writes messages of one size for one producer.
class MessageWriter {
 public:
  explicit MessageWriter(std::size_t size, unsigned producer = 0) : size_(size), producer_(producer) {
    require_message_size(size);
    if (producer >= kMaxProducers)
      throw std::invalid_argument(fmt::format("producer {} out of range (at most {})", producer, kMaxProducers));
    pattern_.resize(size);
    std::uint64_t x = 0x9e3779b97f4a7c15ULL * (producer + 1) + size;
    for (std::size_t i = 8; i < size; i += 8) {
      x = detail::mix64(x + i);
      std::memcpy(pattern_.data() + i, &x, std::min<std::size_t>(8, size - i));
    }
    payload_hash_ = detail::hash_bytes(pattern_.data() + 8, detail::payload_end(size) - 8);
  }

  std::size_t size() const noexcept { return size_; }

  // Writes the constant payload into a buffer (once per buffer).
  void prepare(std::span<std::byte> buffer) const noexcept { std::memcpy(buffer.data(), pattern_.data(), size_); }

  // Turns a prepared buffer into message number `seq`.
  void stamp(std::span<std::byte> buffer, std::uint64_t seq) const noexcept {
    const std::uint32_t tag = make_tag(producer_, seq);
    detail::store32(buffer.data(), tag);
    detail::store32(buffer.data() + 4, detail::checksum(tag, size_, payload_hash_));
    // The span's own size (== size_) places the trailer: the compiler can
    // then see that an 8-byte buffer has none.
    if (detail::has_trailer(buffer.size())) {
      detail::store32(buffer.data() + buffer.size() - 8, tag);
      detail::store32(buffer.data() + buffer.size() - 4, ~tag);
    }
  }

 private:
  std::size_t size_;
  unsigned producer_;
  std::vector<std::byte> pattern_;
  std::uint64_t payload_hash_ = 0;
};

// What the primitive promises about order, and so what the receiver checks.
enum class Order {
  contiguous,  // one consumer of a FIFO: each producer's messages arrive 0, 1, 2, ... exactly
  increasing,  // one of several consumers of a FIFO: each producer's sequence only increases
  any,         // no order promised: checksums per message, exactly-once by totals
};

// Checks messages of one size from `producers` producers, as one receiver.
// Records the first violation (and counts all of them); keeps checking after
// one so that a benchmark can finish its protocol and then report.
class MessageChecker {
 public:
  explicit MessageChecker(std::size_t size, unsigned producers = 1, Order order = Order::contiguous)
      : size_(size), order_(order), next_(producers, 0) {
    require_message_size(size);
  }

  // True when the message is intact and in the order promised.
  bool check(std::span<const std::byte> message) {
    const std::uint32_t tag = detail::load32(message.data());
    const std::uint32_t stored = detail::load32(message.data() + 4);
    const std::uint64_t payload = detail::hash_bytes(message.data() + 8, detail::payload_end(message.size()) - 8);
    ++received_;
    const unsigned producer = tag >> kSeqBits;
    if (stored != detail::checksum(tag, size_, payload) ||
        (detail::has_trailer(message.size()) && (detail::load32(message.data() + message.size() - 8) != tag ||
                                                 detail::load32(message.data() + message.size() - 4) != ~tag)))
      return fail(fmt::format("corrupted message (message {} received, of {} bytes): checksum or trailer mismatch",
                              received_ - 1, size_));
    if (producer >= next_.size())
      return fail(fmt::format("corrupted message: producer {} out of range (expected fewer than {})", producer,
                              next_.size()));
    digest_ += detail::mix64(tag);
    return check_order(producer, tag & kSeqMask);
  }

  bool ok() const noexcept { return violations_ == 0; }
  const std::string& first_error() const noexcept { return first_error_; }
  std::uint64_t violations() const noexcept { return violations_; }
  std::uint64_t received() const noexcept { return received_; }
  // Order-independent fingerprint of every intact message's tag: summed over
  // all receivers it equals expected_digest() exactly when each message
  // arrived once (up to a 64-bit hash collision).
  std::uint64_t digest() const noexcept { return digest_; }

  // Throws std::runtime_error with the first violation, if any.
  void throw_if_failed() const {
    if (!ok()) throw std::runtime_error(first_error_ + more_suffix());
  }

 private:
  bool fail(std::string what) {
    if (violations_++ == 0) first_error_ = std::move(what);
    return false;
  }
  std::string more_suffix() const {
    return violations_ > 1 ? fmt::format(" (and {} more violations)", violations_ - 1) : std::string();
  }

  bool check_order(unsigned producer, std::uint32_t seq) {
    if (order_ == Order::any) return true;
    std::uint64_t& next = next_[producer];
    const std::uint32_t expected = static_cast<std::uint32_t>(next & kSeqMask);
    // Distance from the expected sequence, modulo 2^24: small and positive
    // means messages were skipped; "negative" (upper half) means seen before.
    const std::uint32_t ahead = (seq - expected) & kSeqMask;
    if (ahead == 0) {
      ++next;
      return true;
    }
    if (ahead >= (1u << (kSeqBits - 1))) {
      const std::uint64_t got = next - ((expected - seq) & kSeqMask);
      return fail(fmt::format("duplicated or reordered message {}{}: expected seq {}, got {}", got,
                              from_producer(producer), next, got));
    }
    const std::uint64_t lost = next;
    next += ahead + 1;
    if (order_ == Order::increasing) return true;  // another consumer took the ones between
    return fail(fmt::format("lost message {}{}: expected seq {}, got {}", lost, from_producer(producer), lost,
                            lost + ahead));
  }
  std::string from_producer(unsigned producer) const {
    return next_.size() > 1 ? fmt::format(" from producer {}", producer) : std::string();
  }

  std::size_t size_;
  Order order_;
  std::vector<std::uint64_t> next_;  // per producer: the sequence expected next
  std::uint64_t received_ = 0;
  std::uint64_t violations_ = 0;
  std::uint64_t digest_ = 0;
  std::string first_error_;
};

// The digest all receivers together must report when producer p sent
// sent[p] messages, numbered from 0.
inline std::uint64_t expected_digest(std::span<const std::uint64_t> sent) {
  std::uint64_t digest = 0;
  for (unsigned p = 0; p < sent.size(); ++p)
    for (std::uint64_t i = 0; i < sent[p]; ++i) digest += detail::mix64(make_tag(p, i));
  return digest;
}

// The totals check shared by all receivers: empty when exactly-once holds.
inline std::string check_totals(std::uint64_t received, std::uint64_t digest, std::span<const std::uint64_t> sent) {
  std::uint64_t total = 0;
  for (std::uint64_t n : sent) total += n;
  if (received < total) return fmt::format("lost messages: {} sent, {} received", total, received);
  if (received > total) return fmt::format("duplicated messages: {} sent, {} received", total, received);
  if (digest != expected_digest(sent))
    return fmt::format("messages received {} times in all but not each exactly once (digest mismatch)", received);
  return {};
}

}  // namespace primbench::msg
