// Reading members of a result file that may lack them or hold another type (a
// plain Google Benchmark file has no "primbench" object; an older primbench
// wrote fewer members; a hostile file anything): every reader in reports/ asks
// through these, so that absent and mistyped read alike, as absent.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace primbench {

// The member `key` of `object` as a finite number; nullopt when `object` is no
// object, lacks it, or it is no number, NaN or infinite.
std::optional<double> finite_number(const nlohmann::json& object, std::string_view key);

// The member `key` of `object`, or null when `object` is no object or lacks it
// (json::value() throws on a non-object).
const nlohmann::json& member_or_null(const nlohmann::json& object, std::string_view key);

// The value at a path of member names, or null when any step is missing.
const nlohmann::json& member_at(const nlohmann::json& doc, std::initializer_list<const char*> path);

// A value as a report shows it: null as "", a string as it is, a boolean as
// yes/no, an array's items joined by ", ", a fraction to four digits,
// anything else as JSON text.
std::string value_text(const nlohmann::json& value);

}  // namespace primbench
