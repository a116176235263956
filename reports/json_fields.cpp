#include "reports/json_fields.hpp"

#include <fmt/format.h>

#include <cmath>

#include "basics/json_text.hpp"

namespace primbench {

using nlohmann::json;

std::optional<double> finite_number(const json& object, std::string_view key) {
  const json& value = member_or_null(object, key);
  if (!value.is_number()) return std::nullopt;
  const double v = value.get<double>();
  return std::isfinite(v) ? std::optional(v) : std::nullopt;
}

const json& member_or_null(const json& object, std::string_view key) {
  static const json null;
  if (!object.is_object()) return null;
  const auto it = object.find(key);
  return it == object.end() ? null : *it;
}

const json& member_at(const json& doc, std::initializer_list<const char*> path) {
  const json* at = &doc;
  for (const char* key : path) at = &member_or_null(*at, key);
  return *at;
}

std::string value_text(const json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_array()) {
    std::string out;
    for (const json& item : value) {
      if (!out.empty()) out += ", ";
      out += value_text(item);
    }
    return out;
  }
  if (value.is_number_float()) return fmt::format("{:.4g}", value.get<double>());
  return json_text(value);
}

}  // namespace primbench
