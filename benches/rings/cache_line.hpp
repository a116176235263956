// The cache-line size the rings lay themselves out by.
#pragma once

#include <cstddef>

namespace primbench::rings {

// 64 bytes on x86-64 and most AArch64 cores. On a CPU with longer lines the
// rings stay correct; only blocks they mean to keep apart may share a line.
inline constexpr std::size_t kCacheLine = 64;

}  // namespace primbench::rings
