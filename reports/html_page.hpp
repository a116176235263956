// One self-contained HTML page: the charting library, primbench's page script
// and style, and the page's document model (JSON) inlined, so the file opens
// offline and a Content-Security-Policy forbids every network request.
//
// The document model is data, never markup: page.js turns it into elements
// with textContent, and charts draw text on a canvas. Shape (reports/web/page.js):
//   {"title": str, "subtitle": str, "generator": str,
//    "sections": [{"id": str, "heading": str, "blocks": [block...]}]}
//   block: {"kind":"text","text"} | {"kind":"warnings","heading","items":[str]}
//        | {"kind":"facts","rows":[[label, value]]}
//        | {"kind":"table","caption","columns":[{"label","numeric"}],"rows":[[str|null]],"row_notes":[str|null]}
//        | {"kind":"chart", ... reports/report_charts.hpp}
//        | {"kind":"svg_image","svg","alt","note"}   (shown through <img>: an SVG image runs no script)
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace primbench {

// `data` as JSON that is safe inside <script type="application/json">: every
// '<', '>' and '&' is written \u003c, \u003e, \u0026 (so no "</script" or
// "<!--" can occur), and U+2028/U+2029 as \u2028/\u2029. Invalid UTF-8 in a
// string becomes U+FFFD instead of failing the page.
std::string json_for_script_element(const nlohmann::json& data);

// Text for an HTML text node or a quoted attribute value.
std::string html_escape(std::string_view text);

// The whole page for a document model (shape above).
std::string render_html_page(const nlohmann::json& document);

// Writes render_html_page(document) via a temporary file and rename(); throws
// std::runtime_error naming the path.
void write_html_page(const std::filesystem::path& out_html, const nlohmann::json& document);

}  // namespace primbench
