// Copying a value that sits on cache lines another core wrote last (the
// consumer's copy out of a slot) or read last (the producer's copy into it).
//
// A plain assignment of a large trivially copyable value compiles (GCC -O2/3,
// baseline x86-64) to `rep movsq`, which waited on one remote line after
// another: the line transfers did not overlap. Two ways round it, each used
// where it measured faster (spsc_ring.hpp says where):
// - prefetch_for_write / prefetch_for_read ask for every line of the value
//   at once before the copy, so the transfers overlap;
// - copy_bytes_as_string copies with `rep movsb`, the form of the string
//   copy that CPUs with ERMS/FSRM optimise (docs/MEASUREMENTS.md).
// Under a sanitizer the copy is a plain memcpy, so the sanitizer sees every
// byte read and written (it does not look inside inline assembly).
#pragma once

#include <cstddef>
#include <cstring>

#include "benches/rings/cache_line.hpp"

namespace primbench::rings {

// Hints only: they change no memory and no ordering.
inline void prefetch_for_write(const void* start, std::size_t bytes) noexcept {
  const char* p = static_cast<const char*>(start);
  for (std::size_t off = 0; off < bytes; off += kCacheLine) {
#if defined(__x86_64__)
    // prefetchw, not prefetcht0: the line arrives owned, so the stores that
    // follow need no second transfer. (GCC and Clang emit prefetcht0 for
    // __builtin_prefetch(p, 1) unless built with -mprfchw.) The memory
    // operand keeps it before the stores it prepares.
    asm volatile("prefetchw %0" ::"m"(p[off]));
#else
    __builtin_prefetch(p + off, 1, 3);
#endif
  }
}

inline void prefetch_for_read(const void* start, std::size_t bytes) noexcept {
  const char* p = static_cast<const char*>(start);
  for (std::size_t off = 0; off < bytes; off += kCacheLine) __builtin_prefetch(p + off, 0, 3);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(__SANITIZE_HWADDRESS__)
#define PRIMBENCH_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(hwaddress_sanitizer)
#define PRIMBENCH_SANITIZED_BUILD 1
#endif
#endif

inline void copy_bytes_as_string(void* dst, const void* src, std::size_t bytes) noexcept {
#if defined(__x86_64__) && !defined(PRIMBENCH_SANITIZED_BUILD)
  asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(bytes) : : "memory");
#else
  std::memcpy(dst, src, bytes);
#endif
}

}  // namespace primbench::rings
