// JSON text of a document whose strings may hold bytes that are not UTF-8: a
// host name, a --topology argument, an OS error message, a string read from a
// hostile result file. Those bytes become U+FFFD instead of nlohmann's
// type_error.316 exception (found by fuzzing the CLI and the topology parser).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace primbench {

inline std::string json_text(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Reads JSON text one character at a time and says which characters belong to
// a string (its quotes included, escapes understood): for the scans that look
// at the text's structure before nlohmann parses it.
class JsonStringScan {
 public:
  bool in_string(char c) noexcept {
    if (!inside_) {
      inside_ = c == '"';
      return inside_;
    }
    if (escaped_) escaped_ = false;
    else if (c == '\\') escaped_ = true;
    else if (c == '"') inside_ = false;
    return true;
  }

 private:
  bool inside_ = false, escaped_ = false;
};

}  // namespace primbench
