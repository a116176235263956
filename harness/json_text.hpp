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

}  // namespace primbench
