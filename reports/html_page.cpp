#include "reports/html_page.hpp"

#include "basics/file_write.hpp"
#include "basics/json_text.hpp"
#include "reports/web_assets.hpp"

namespace primbench {

std::string json_for_script_element(const nlohmann::json& data) {
  const std::string dumped = json_text(data);
  std::string out;
  out.reserve(dumped.size() + dumped.size() / 16);
  for (std::size_t i = 0; i < dumped.size(); ++i) {
    const char c = dumped[i];
    // '<', '>' and '&' only occur inside JSON strings, where \uXXXX means the
    // same character to JSON.parse but nothing to the HTML parser.
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < dumped.size() && dumped[i + 1] == '\x80' &&
               (dumped[i + 2] == '\xA8' || dumped[i + 2] == '\xA9')) {
      // U+2028 / U+2029: line terminators to older JavaScript parsers.
      out += dumped[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Whether any block, at any depth, is of `kind`.
bool has_block_kind(const nlohmann::json& node, std::string_view kind) {
  if (node.is_object() && node.contains("kind") && node["kind"] == kind) return true;
  if (node.is_structured())
    for (const auto& child : node)
      if (has_block_kind(child, kind)) return true;
  return false;
}

}  // namespace

std::string render_html_page(const nlohmann::json& document) {
  const auto title = document.contains("title") && document["title"].is_string()
                         ? document["title"].get<std::string>()
                         : std::string("primbench");
  const std::string data = json_for_script_element(document);
  std::string page;
  page.reserve(web::echarts_js().size() + web::page_js().size() + web::page_css().size() + data.size() + 2048);
  // The policy is the "no network" promise made checkable: a page that tried
  // to load anything would get a console error, which the browser test fails on.
  page +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  page += html_escape(title);
  page += "</title>\n<style>\n";
  page += web::page_css();
  page +=
      "</style>\n</head>\n<body>\n"
      "<noscript><p>This page draws its tables and charts with JavaScript: allow scripts to read it. It loads "
      "nothing from the network.</p></noscript>\n"
      "<main id=\"page\"></main>\n"
      "<script type=\"application/json\" id=\"primbench-document\">";
  page += data;
  page += "</script>\n<script>\n";
  page += web::echarts_js();
  if (has_block_kind(document, "flamegraph")) {
    page += "\n</script>\n<script>\n";
    page += web::d3_js();
    page += "\n</script>\n<script>\n";
    page += web::flamegraph_js();
  }
  page += "\n</script>\n<script>\n";
  page += web::page_js();
  page += "\n</script>\n</body>\n</html>\n";
  return page;
}

void write_html_page(const std::filesystem::path& out_html, const nlohmann::json& document) {
  write_file_atomically(out_html, render_html_page(document));
}

}  // namespace primbench
