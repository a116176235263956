#include "harness/gbench_output.hpp"

#include <array>

#include "basics/json_text.hpp"

namespace primbench {

std::string with_non_finite_as_null(std::string_view text) {
  // Longest first: "-NaN" must not be read as "-" followed by "NaN".
  static constexpr std::array<std::string_view, 4> kNonFinite{"-Infinity", "Infinity", "-NaN", "NaN"};
  std::string out;
  out.reserve(text.size());
  JsonStringScan strings;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (strings.in_string(c)) {
      out += c;
      continue;
    }
    // Outside a string a value starting with N, I or -N, -I is no JSON
    // literal or number, so only GB's non-finite words can match here.
    bool replaced = false;
    for (std::string_view word : kNonFinite) {
      if (text.substr(i, word.size()) == word) {
        out += "null";
        i += word.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

nlohmann::json parse_gbench_output(std::string_view text) { return nlohmann::json::parse(with_non_finite_as_null(text)); }

}  // namespace primbench
