#include "reports/unavailable_entries.hpp"

#include <set>

namespace primbench {

bool is_unavailable_message(std::string_view message) { return message.starts_with(kUnavailablePrefix); }

bool is_unavailable_entry(const nlohmann::json& entry) {
  if (!entry.is_object() || !entry.value("error_occurred", false)) return false;
  const auto message = entry.find("error_message");
  return message != entry.end() && message->is_string() && is_unavailable_message(message->get_ref<const std::string&>());
}

nlohmann::json unavailable_item(const std::string& name, std::string_view message) {
  if (is_unavailable_message(message)) message.remove_prefix(kUnavailablePrefix.size());
  return {{"name", name}, {"reason", message}};
}

nlohmann::json take_unavailable(nlohmann::json& entries) {
  nlohmann::json kept = nlohmann::json::array(), unavailable = nlohmann::json::array();
  std::set<std::string> named;
  for (auto& e : entries) {
    if (!is_unavailable_entry(e)) {
      kept.push_back(std::move(e));
      continue;
    }
    // One item per benchmark: with --benchmark_repetitions GB repeats the entry.
    const std::string name = e.value("run_name", e.value("name", std::string()));
    if (!named.insert(name).second) continue;
    unavailable.push_back(unavailable_item(name, e["error_message"].get_ref<const std::string&>()));
  }
  entries = std::move(kept);
  return unavailable;
}

std::string unavailable_message(const nlohmann::json& item) {
  return std::string(kUnavailablePrefix) + item.value("reason", std::string());
}

}  // namespace primbench
