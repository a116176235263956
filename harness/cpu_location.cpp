#include "harness/cpu_location.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "harness/cpu_list.hpp"
#include "basics/errors.hpp"
#include "harness/program_output.hpp"

namespace primbench {
namespace {

bool is_plain_cpu_list(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789,-") == std::string_view::npos;
}

// hwloc-calc takes one location per argument ("pu:2 pu:5"); a comma before a
// type name also separates two ("pu:2,pu:5"), while one before a digit belongs
// to the location (a mask's next word: 0xff,0xffffffff).
std::vector<std::string> location_arguments(std::string_view location, const std::string& named) {
  std::vector<std::string> out;
  std::string current;
  auto finish = [&] {
    if (!current.empty()) out.push_back(std::move(current));
    current.clear();
  };
  for (std::size_t i = 0; i < location.size(); ++i) {
    const char c = location[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      finish();
    } else if (c == ',' && (i + 1 == location.size() || !std::isdigit(static_cast<unsigned char>(location[i + 1])))) {
      finish();
    } else {
      current += c;
    }
  }
  finish();
  for (const std::string& arg : out)
    if (arg.front() == '-')  // hwloc-calc would take it for one of its options
      throw UsageError(fmt::format("{}: '{}' is not a location (e.g. core:0-3, numa:1, 0x3, 0-3)", named, arg));
  return out;
}

std::string first_line(const std::string& text) {
  const std::size_t start = text.find_first_not_of("\n");
  if (start == std::string::npos) return "";
  return text.substr(start, text.find('\n', start) - start);
}

// hwloc's library has no public location parser; hwloc-calc (Debian package
// hwloc, a primbench dependency) is hwloc's own, given the very topology primbench read.
std::vector<unsigned> resolve_with_hwloc_calc(const Topology& topo, std::string_view location,
                                              const std::string& named) {
  // --disallowed: logical indexes count every PU, as primbench's own topology does.
  std::vector<std::string> argv{"hwloc-calc", "--disallowed", "--if", "xml", "--input", "/dev/stdin"};
  const std::size_t options = argv.size();
  for (std::string& arg : location_arguments(location, named)) argv.push_back(std::move(arg));
  if (argv.size() == options) throw UsageError(fmt::format("{} is empty", named));
  const auto result = run_program(argv, topo.xml());
  if (!result)
    throw UsageError(fmt::format("{} needs hwloc-calc (install Debian package hwloc), or give OS indexes such as 0,2-3",
                                 named));
  if (!result->stopped.empty())
    throw UsageError(fmt::format("{}: hwloc-calc {} resolving it (an index range far beyond this machine?)", named,
                                 result->stopped));
  // hwloc-calc warns and goes on past an object that does not exist or an
  // argument it cannot parse: for a benchmark's placement that is an error.
  if (const std::string complaint = first_line(result->err); result->exit_status != 0 || !complaint.empty())
    throw UsageError(fmt::format("{} is not a location hwloc can resolve on this topology: {}", named,
                                 complaint.empty() ? "hwloc-calc failed" : "hwloc-calc: " + complaint));
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  const bool finite = hwloc_bitmap_sscanf(set, first_line(result->out).c_str()) == 0 && hwloc_bitmap_weight(set) >= 0;
  std::vector<unsigned> pus;
  for (int i = finite ? hwloc_bitmap_first(set) : -1; i != -1; i = hwloc_bitmap_next(set, i))
    pus.push_back(static_cast<unsigned>(i));
  hwloc_bitmap_free(set);
  if (!finite)
    throw UsageError(fmt::format("{}: hwloc-calc printed '{}', not a finite cpuset", named,
                                 first_line(result->out)));
  return pus;
}

std::vector<unsigned> in_logical_order(const Topology& topo, const std::vector<unsigned>& chosen) {
  std::vector<unsigned> out;
  for (const PuInfo& pu : topo.pus())
    if (std::find(chosen.begin(), chosen.end(), pu.os_index) != chosen.end()) out.push_back(pu.os_index);
  return out;
}

}  // namespace

std::vector<unsigned> resolve_cpu_location(const Topology& topo, std::string_view location, std::string_view option) {
  const std::string named = fmt::format("{} '{}'", option, location);
  // `all` means what the user may use; hwloc-calc's would include PUs the binding leaves out.
  if (location == "all") return topo.allowed_pus();
  // OS indexes, in the order given: an explicit worker list keeps its order (and repeats).
  const bool plain = is_plain_cpu_list(location);
  const std::vector<unsigned> pus = plain ? parse_cpu_list(location) : resolve_with_hwloc_calc(topo, location, named);
  std::vector<unsigned> missing;
  for (unsigned pu : pus)
    if (!topo.has_pu(pu)) missing.push_back(pu);
  if (!missing.empty())
    throw UsageError(fmt::format("{} names PU {}, which topology '{}' does not have", named, format_cpu_list(missing),
                                 topo.source()));
  if (pus.empty()) throw UsageError(fmt::format("{} names no PU", named));
  return plain ? pus : in_logical_order(topo, pus);
}

std::vector<unsigned> restrict_to_location(Topology& topo, std::string_view option, std::string_view location) {
  const std::vector<unsigned> pus = resolve_cpu_location(topo, location, option);
  std::vector<unsigned> outside;
  for (unsigned pu : pus)
    if (!topo.pu_by_os(pu).allowed) outside.push_back(pu);
  if (!outside.empty()) {
    const std::string reason = topo.allowed_reason();
    throw UsageError(fmt::format("{} '{}' includes PU {}, outside the allowed PUs {}{}", option, location,
                                 format_cpu_list(outside), format_cpu_list(topo.allowed_pus()),
                                 reason.empty() ? "" : " (" + reason + ")"));
  }
  topo.restrict_allowed(pus, fmt::format("{} {}", option, location));
  return pus;
}

}  // namespace primbench
