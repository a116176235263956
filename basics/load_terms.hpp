// Words the open-loop benches and `primbench capacity` must mean alike.
#pragma once

namespace primbench {

// An open-loop step counts as sustained when it achieved this share of its offered rate.
inline constexpr double kSustainedShare = 0.95;

}  // namespace primbench
