// The hardware comparison (reports/hardware_compare.hpp) as one self-contained
// HTML page: the machines side by side, what else differs between them, an
// overview chart of every benchmark relative to the baseline machine, and one
// table per benchmark group with a column per machine.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace primbench {

// The page's document model (reports/html_page.hpp) for a hardware_comparison_model().
nlohmann::json hardware_html_document(const nlohmann::json& model);

// Writes the page; throws std::runtime_error when the file cannot be written.
void write_hardware_html(const nlohmann::json& model, const std::filesystem::path& out_html);

}  // namespace primbench
