// A family's results as one compact, sortable and filterable table: a row per
// primitive and variant, a column per mode and placement, one message size at
// a time (the page offers the sizes). reports/web/page.js draws it.
//
//   {"kind":"pivot", "caption", "row_label", "rows":[str], "columns":[str],
//    "sizes":[str], "cells":[[row, column, size, text, value, href]...]}
// size indexes "sizes" (null: the benchmark has no size and shows at every
// one); a family without sizes has the one size "—".
#pragma once

#include <nlohmann/json.hpp>

#include <optional>

#include "reports/report_charts.hpp"

namespace primbench {

// nullopt when no benchmark has a cost.
std::optional<nlohmann::json> pivot_block(const BenchmarkViews& measured);

}  // namespace primbench
