// A measured number as a person reads it, for every report: one formatter, so
// that a latency reads the same in compare, capacity and the HTML report.
#pragma once

#include <string>

namespace primbench {

// "805 ns", "1.47 us", "12.3 ms" for nanoseconds (or us, ms, s); "680k msgs/s",
// "0.93 x" for other units. Three significant digits, and a value that rounds
// up to the next scale takes it ("1 us", not "1e+03 ns").
std::string format_quantity(double value, const std::string& unit);

}  // namespace primbench
