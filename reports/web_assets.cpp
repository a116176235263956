// Embeds the files named by the generated web_assets_manifest.hpp
// (scripts/web_assets_manifest.py) with the assembler's .incbin: no code
// generator turning a megabyte of JavaScript into a C++ array, and the bytes
// land in .rodata unchanged. Each blob gets a start and an end symbol.
#include "reports/web_assets.hpp"

// Generated in the build folder. It carries a digest of the assets, so it
// changes whenever one does and this object is rebuilt: compilers do not
// record .incbin inputs as dependencies.
#include "web_assets_manifest.hpp"

#define PRIMBENCH_EMBED(symbol, path)            \
  asm(".pushsection .rodata,\"a\",@progbits\n"   \
      ".balign 16\n"                             \
      ".globl " #symbol "_start\n"               \
      ".hidden " #symbol "_start\n"              \
      #symbol "_start:\n"                        \
      ".incbin \"" path "\"\n"                   \
      ".globl " #symbol "_end\n"                 \
      ".hidden " #symbol "_end\n"                \
      #symbol "_end:\n"                          \
      ".popsection\n");                          \
  extern "C" const char symbol##_start[];        \
  extern "C" const char symbol##_end[]

PRIMBENCH_EMBED(primbench_web_echarts_js, PRIMBENCH_WEB_ECHARTS_JS);
PRIMBENCH_EMBED(primbench_web_page_js, PRIMBENCH_WEB_PAGE_JS);
PRIMBENCH_EMBED(primbench_web_page_css, PRIMBENCH_WEB_PAGE_CSS);
PRIMBENCH_EMBED(primbench_web_d3_js, PRIMBENCH_WEB_D3_JS);
PRIMBENCH_EMBED(primbench_web_flamegraph_js, PRIMBENCH_WEB_FLAMEGRAPH_JS);

namespace primbench::web {
namespace {

std::string_view blob(const char* start, const char* end) noexcept {
  return {start, static_cast<std::size_t>(end - start)};
}

}  // namespace

std::string_view echarts_js() noexcept { return blob(primbench_web_echarts_js_start, primbench_web_echarts_js_end); }
std::string_view echarts_version() noexcept { return PRIMBENCH_WEB_ECHARTS_VERSION; }
std::string_view page_js() noexcept { return blob(primbench_web_page_js_start, primbench_web_page_js_end); }
std::string_view page_css() noexcept { return blob(primbench_web_page_css_start, primbench_web_page_css_end); }
std::string_view d3_js() noexcept { return blob(primbench_web_d3_js_start, primbench_web_d3_js_end); }
std::string_view flamegraph_js() noexcept { return blob(primbench_web_flamegraph_js_start, primbench_web_flamegraph_js_end); }
std::string_view flamegraph_version() noexcept { return PRIMBENCH_WEB_FLAMEGRAPH_VERSION; }

}  // namespace primbench::web
