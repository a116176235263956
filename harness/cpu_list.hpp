// CPU lists in the kernel's notation ("0-3,8,10-11"), as taskset and /sys use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace primbench {

// {0,1,2,5} -> "0-2,5". Input need not be sorted; duplicates are ignored.
std::string format_cpu_list(std::vector<unsigned> cpus);

// "0-2,5" -> {0,1,2,5}. Throws UsageError naming the bad part ("3-1", "a").
std::vector<unsigned> parse_cpu_list(std::string_view text);

}  // namespace primbench
