// Writing a whole file so that a reader, or an interruption, never sees half
// of it: the text goes to a temporary file beside it, then rename() puts it
// in place.
#pragma once

#include <filesystem>
#include <string_view>

namespace primbench {

// Throws std::runtime_error naming the path and the system's reason.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace primbench
