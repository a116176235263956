// The web assets compiled into primbench (reports/web/): the charting library
// and the page's own script and style. The HTML report and the hardware
// comparison page inline them, so a page opens offline, and the executable
// needs no file beside it to write one.
#pragma once

#include <string_view>

namespace primbench::web {

// Apache ECharts (dist/echarts.min.js), the version pinned in
// reports/web/package-lock.json.
std::string_view echarts_js() noexcept;
std::string_view echarts_version() noexcept;

// reports/web/page.js: draws the page from its embedded document model.
std::string_view page_js() noexcept;

// reports/web/page.css.
std::string_view page_css() noexcept;

// d3 (dist/d3.min.js) and d3-flame-graph (its UMD build, which finds d3 as a
// global): inlined only into pages that draw a flame graph.
std::string_view d3_js() noexcept;
std::string_view flamegraph_js() noexcept;
std::string_view flamegraph_version() noexcept;

}  // namespace primbench::web
