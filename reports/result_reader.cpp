#include "reports/result_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "basics/json_text.hpp"
#include "reports/json_fields.hpp"
#include "reports/result_file.hpp"
#include "reports/unavailable_entries.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// ---- positions --------------------------------------------------------------

struct TextPosition {
  std::size_t line = 1, column = 1;
};

// 1-based line and column of byte `offset` (0-based) of `text`.
TextPosition position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  TextPosition at;
  const auto before = text.substr(0, offset);
  at.line += static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const auto last_newline = before.rfind('\n');
  at.column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return at;
}

[[noreturn]] void fail_at(const std::string& source, std::string_view text, std::size_t offset,
                          const std::string& what) {
  const TextPosition at = position_of(text, offset);
  throw ResultFileError(fmt::format("{}:{}:{}: {}", source, at.line, at.column, what));
}

// nlohmann's parser keeps its own stack, but the document it builds is
// destroyed recursively; a scan of the brackets first refuses a document that
// nests too deep, and names where.
void check_nesting(std::string_view text, const std::string& source) {
  int depth = 0;
  JsonStringScan strings;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (strings.in_string(c)) continue;
    if (c == '{' || c == '[') {
      if (++depth > kMaxResultNestingDepth)
        fail_at(source, text, i, fmt::format("nested deeper than {} levels (the limit for a result file)",
                                             kMaxResultNestingDepth));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

// "[json.exception.parse_error.101] parse error at line 1, column 9: syntax
// error while parsing value - invalid literal; last read: 'N'" -> the part
// after the position, which nlohmann words well; the position we print ours.
std::string parse_error_detail(const json::parse_error& e, std::string_view text) {
  const std::string what = e.what();
  const auto position_end = what.find(": ", what.find("parse error"));
  std::string detail = position_end == std::string::npos ? what : what.substr(position_end + 2);
  // Google Benchmark itself prints NaN/Infinity for a non-finite counter;
  // say why such a file is refused rather than just "invalid literal".
  const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;
  for (std::string_view word : {"NaN", "Infinity", "-Infinity", "-NaN"}) {
    for (std::size_t back = 0; back <= word.size() && back <= at; ++back) {
      if (text.substr(at - back, word.size()) == word)
        return detail + " (NaN and Infinity are not JSON; a result file writes null for a value it does not have)";
    }
  }
  return detail;
}

json parse_json(std::string_view text, const std::string& source) {
  if (text.size() > kMaxResultFileBytes)
    throw ResultFileError(fmt::format("{}: {} bytes is more than a result file may be ({} MiB)", source,
                                      text.size(), kMaxResultFileBytes >> 20));
  check_nesting(text, source);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail_at(source, text, e.byte == 0 ? 0 : e.byte - 1, "invalid JSON: " + parse_error_detail(e, text));
  } catch (const json::out_of_range& e) {
    // A number past a double's range (98e816): valid JSON text, no value a
    // result can hold. nlohmann gives no position for it (found by fuzzing).
    const std::string what = e.what();
    const auto tag_end = what.find("] ");
    throw ResultFileError(fmt::format("{}: invalid JSON: {}", source,
                                      tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
}

// ---- schema -----------------------------------------------------------------

// Walks the document with its JSON path, so every complaint names the value.
class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  void document(const json& doc) {
    require(doc, "", json::value_t::object, "a result file is a JSON object");
    gbench_context(member(doc, "", "context", true));
    const json& entries = member(doc, "", "benchmarks", true);
    require(entries, "/benchmarks", json::value_t::array, "");
    for (std::size_t i = 0; i < entries.size(); ++i) entry(entries[i], fmt::format("/benchmarks/{}", i));
    if (const auto it = doc.find("primbench"); it != doc.end()) primbench(*it);
  }

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ResultFileError(fmt::format("{}: {}: {}", source_, path.empty() ? "/" : path, what));
  }

  void require(const json& j, const std::string& path, json::value_t type, const std::string& why) const {
    const bool ok = type == json::value_t::number_float ? j.is_number()
                    : type == json::value_t::number_integer ? j.is_number_integer()
                                                             : j.type() == type;
    if (ok) return;
    fail(path, fmt::format("expected {}, found {}{}", type_name(type), j.type_name(), why.empty() ? "" : " (" + why + ")"));
  }

  static const char* type_name(json::value_t type) {
    switch (type) {
      case json::value_t::object: return "an object";
      case json::value_t::array: return "an array";
      case json::value_t::string: return "a string";
      case json::value_t::boolean: return "true or false";
      case json::value_t::number_integer: return "an integer";
      default: return "a number";
    }
  }

  const json& member(const json& object, const std::string& path, const char* key, bool required) const {
    static const json absent;
    const auto it = object.find(key);
    if (it != object.end()) return *it;
    if (required) fail(path.empty() ? "/" : path, fmt::format("'{}' is missing", key));
    return absent;
  }

  // Checks `key` of `object` has `type` when present (and is there when required).
  void typed(const json& object, const std::string& path, const char* key, json::value_t type,
             bool required = false) const {
    const json& value = member(object, path, key, required);
    if (!value.is_null() || required) require(value, path + "/" + key, type, "");
  }

  void gbench_context(const json& context) const {
    require(context, "/context", json::value_t::object, "");
    using T = json::value_t;
    for (const char* key : {"date", "host_name", "executable", "library_build_type"}) typed(context, "/context", key, T::string);
    for (const char* key : {"num_cpus", "json_schema_version"}) typed(context, "/context", key, T::number_integer);
    typed(context, "/context", "mhz_per_cpu", T::number_float);
    typed(context, "/context", "cpu_scaling_enabled", T::boolean);
    typed(context, "/context", "caches", T::array);
    typed(context, "/context", "load_avg", T::array);
  }

  void entry(const json& e, const std::string& path) const {
    using T = json::value_t;
    require(e, path, T::object, "a benchmark entry");
    const json& name = member(e, path, "name", true);
    require(name, path + "/name", T::string, "");
    if (name.get_ref<const std::string&>().empty()) fail(path + "/name", "the benchmark name is empty");
    for (const char* key : {"run_name", "aggregate_name", "aggregate_unit", "error_message", "label"}) typed(e, path, key, T::string);
    for (const char* key : {"family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads"})
      typed(e, path, key, T::number_integer);
    for (const char* key : {"iterations", "real_time", "cpu_time"}) typed(e, path, key, T::number_float);
    typed(e, path, "error_occurred", T::boolean);

    const std::string run_type = e.contains("run_type") ? string_of(e, path, "run_type") : "iteration";
    if (run_type == "aggregate") {
      typed(e, path, "aggregate_name", T::string, true);
    } else if (run_type == "iteration") {
      // What every consumer of GB's JSON reads from a measurement (compare.py,
      // github-action-benchmark, Bencher): its time and the unit of it. A
      // failed entry measured nothing: GB writes zeros there, other writers
      // leave them out, and both mean the same.
      const bool failed = e.contains("error_occurred") && e["error_occurred"].is_boolean() && e["error_occurred"].get<bool>();
      typed(e, path, "real_time", T::number_float, !failed);
      typed(e, path, "time_unit", T::string, !failed);
    } else {
      fail(path + "/run_type", fmt::format("'{}' is neither \"iteration\" nor \"aggregate\"", run_type));
    }
    if (e.contains("time_unit")) {
      const std::string unit = string_of(e, path, "time_unit");
      try {
        nanoseconds_per(unit);
      } catch (const std::invalid_argument&) {
        fail(path + "/time_unit", fmt::format("'{}' is not one of ns, us, ms, s", unit));
      }
    }
  }

  std::string string_of(const json& object, const std::string& path, const char* key) const {
    const json& value = member(object, path, key, true);
    require(value, path + "/" + key, json::value_t::string, "");
    return value.get<std::string>();
  }

  void primbench(const json& p) const {
    using T = json::value_t;
    require(p, "/primbench", T::object, "");
    const json& version = member(p, "/primbench", "schema_version", true);
    require(version, "/primbench/schema_version", T::number_integer, "");
    const auto v = version.get<long long>();
    if (v > kResultSchemaVersion)
      fail("/primbench/schema_version", fmt::format("version {} is newer than this primbench reads ({}); "
                                                    "read it with a newer primbench", v, kResultSchemaVersion));
    if (v < 1) fail("/primbench/schema_version", fmt::format("version {} does not exist (versions start at 1)", v));
    for (const char* key : {"run", "machine", "topology", "clock", "pair_plan", "benchmarks", "statistics"})
      typed(p, "/primbench", key, T::object);
    list_of(p, "errors", {"benchmark", "message"});
    list_of(p, "unavailable", {"name", "reason"});
    if (const auto it = p.find("benchmarks"); it != p.end()) {
      for (const auto& [name, record] : it->items()) benchmark_record(record, "/primbench/benchmarks/" + pointer_token(name));
    }
  }

  // primbench.<key>, when present: an array of objects, each with these string members.
  void list_of(const json& p, const char* key, std::initializer_list<const char*> members) const {
    typed(p, "/primbench", key, json::value_t::array);
    const auto it = p.find(key);
    if (it == p.end()) return;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const std::string path = fmt::format("/primbench/{}/{}", key, i);
      require((*it)[i], path, json::value_t::object, "");
      for (const char* member : members) typed((*it)[i], path, member, json::value_t::string, true);
    }
  }

  void benchmark_record(const json& record, const std::string& path) const {
    using T = json::value_t;
    require(record, path, T::object, "");
    for (const char* key : {"family", "mode"}) typed(record, path, key, T::string);
    for (const char* key : {"placement", "latency", "extra", "counters"}) typed(record, path, key, T::object);
    if (const auto placement = record.find("placement"); placement != record.end())
      typed(*placement, path + "/placement", "workers", T::array);
    if (const auto latency = record.find("latency"); latency != record.end()) {
      typed(*latency, path + "/latency", "percentiles", T::object);
      typed(*latency, path + "/latency", "histogram", T::object);
      if (const auto h = latency->find("histogram"); h != latency->end() && h->is_object())
        typed(*h, path + "/latency/histogram", "buckets", T::array);
    }
  }

  // RFC 6901: a benchmark name's '/' must not read as a path separator.
  static std::string pointer_token(const std::string& key) {
    std::string out;
    for (char c : key) out += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return out;
  }

  std::string source_;
};

// Path into `doc` as text, "" when any step is missing.
std::string fact(const json& doc, std::initializer_list<const char*> path) { return value_text(member_at(doc, path)); }

std::string first_fact(const json& doc, std::initializer_list<std::initializer_list<const char*>> paths) {
  for (const auto& path : paths) {
    if (std::string value = fact(doc, path); !value.empty()) return value;
  }
  return "";
}

// Aggregate entries are named "<run_name>_<aggregate_name>"; files from GB
// versions before run_name existed are matched by that suffix.
std::string run_name_of(const json& entry) {
  if (const auto it = entry.find("run_name"); it != entry.end() && it->is_string()) return it->get<std::string>();
  std::string name = entry.at("name").get<std::string>();
  if (entry.value("run_type", "") != "aggregate") return name;
  const std::string aggregate = entry.value("aggregate_name", "");
  const std::size_t stem = name.size() - std::min(name.size(), aggregate.size() + 1);
  if (stem > 0 && name[stem] == '_' && std::string_view(name).substr(stem + 1) == aggregate) name.resize(stem);
  return name;
}

std::optional<double> metric_value(const json& entry, std::string_view metric) {
  const auto it = entry.find(metric);
  if (it == entry.end() || !it->is_number()) return std::nullopt;
  double value = it->get<double>();
  if (metric == "real_time" || metric == "cpu_time") {
    // A percentage aggregate (cv) holds a fraction here, not a time.
    if (entry.value("aggregate_unit", "time") != "time") return std::nullopt;
    const auto unit = entry.find("time_unit");
    if (unit == entry.end() || !unit->is_string()) return std::nullopt;
    value *= nanoseconds_per(unit->get_ref<const std::string&>());
  }
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

nlohmann::json parse_result_text(std::string_view text, const std::string& source) {
  json doc = parse_json(text, source);
  Validator(source).document(doc);
  return doc;
}

nlohmann::json read_result_file(const std::filesystem::path& path) {
  const std::string source = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw ResultFileError(fmt::format("{}: no such result file", source));
  if (!std::filesystem::is_regular_file(status)) throw ResultFileError(fmt::format("{}: not a regular file", source));
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxResultFileBytes)
    throw ResultFileError(fmt::format("{}: {} MiB is more than a result file may be ({} MiB)", source, size >> 20,
                                      kMaxResultFileBytes >> 20));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ResultFileError(fmt::format("{}: cannot open: {}", source, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ResultFileError(fmt::format("{}: cannot read: {}", source, std::strerror(errno)));
  return parse_result_text(text.str(), source);
}

// ---- the view ---------------------------------------------------------------

std::vector<BenchmarkRun> benchmark_runs(const nlohmann::json& doc) {
  std::vector<BenchmarkRun> runs;
  std::map<std::string, std::size_t> index_of;
  for (const json& entry : doc.at("benchmarks")) {
    const std::string name = run_name_of(entry);
    auto [it, added] = index_of.try_emplace(name, runs.size());
    if (added) runs.push_back(BenchmarkRun{name, {}, {}, std::nullopt});
    BenchmarkRun& run = runs[it->second];
    if (entry.value("error_occurred", false)) {
      run.error = entry.value("error_message", std::string("failed (no message)"));
    } else if (entry.value("run_type", "iteration") == "aggregate") {
      run.aggregates.insert_or_assign(entry.at("aggregate_name").get<std::string>(), std::cref(entry));
    } else {
      run.repetitions.push_back(std::cref(entry));
    }
  }
  // What the machine could not run is listed beside benchmarks[] (files
  // before that kept it there, read above): the same error runs either way.
  const auto primbench = doc.find("primbench");
  if (primbench == doc.end() || !primbench->is_object() || !primbench->contains("unavailable")) return runs;
  for (const json& item : primbench->at("unavailable")) {
    const std::string name = item.at("name").get<std::string>();
    auto [it, added] = index_of.try_emplace(name, runs.size());
    if (added) runs.push_back(BenchmarkRun{name, {}, {}, std::nullopt});
    runs[it->second].error = unavailable_message(item);
  }
  return runs;
}

double nanoseconds_per(std::string_view time_unit) {
  if (time_unit == "ns") return 1.0;
  if (time_unit == "us") return 1e3;
  if (time_unit == "ms") return 1e6;
  if (time_unit == "s") return 1e9;
  throw std::invalid_argument(fmt::format("unknown time unit '{}'", time_unit));
}

std::vector<double> repetition_values(const BenchmarkRun& run, std::string_view metric) {
  std::vector<double> values;
  values.reserve(run.repetitions.size());
  for (const json& entry : run.repetitions) {
    if (auto value = metric_value(entry, metric)) values.push_back(*value);
  }
  return values;
}

const nlohmann::json* representative_entry(const BenchmarkRun& run) {
  if (const auto it = run.aggregates.find("median"); it != run.aggregates.end()) return &it->second.get();
  if (run.repetitions.size() == 1) return &run.repetitions.front().get();
  return nullptr;
}

std::optional<double> representative_value(const BenchmarkRun& run, std::string_view metric) {
  if (const json* entry = representative_entry(run)) return metric_value(*entry, metric);
  // Several repetitions but no aggregates (a file merged from separate runs):
  // their median, computed here.
  std::vector<double> values = repetition_values(run, metric);
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "msgs_per_s" -> "msgs", "bytes_per_second" -> "bytes"; nullopt otherwise.
std::optional<std::string_view> rate_of(std::string_view metric) {
  for (std::string_view suffix : {"_per_second", "_per_s"}) {
    if (ends_with(metric, suffix) && metric.size() > suffix.size()) return metric.substr(0, metric.size() - suffix.size());
  }
  return std::nullopt;
}

}  // namespace

std::optional<Better> metric_direction(std::string_view metric) {
  if (metric == "real_time" || metric == "cpu_time") return Better::lower;
  // Counters per operation (ctx_switches_per_op, user_ns_per_op, ...) explain a time; they are no verdict of their own.
  if (ends_with(metric, "_per_op")) return std::nullopt;
  if (rate_of(metric) || metric == "speedup" || metric == "efficiency") return Better::higher;
  for (std::string_view suffix : {"_ns", "_us", "_ms"}) {
    if (ends_with(metric, suffix)) return Better::lower;
  }
  if (metric.find("ns_per_") != std::string_view::npos) return Better::lower;
  return std::nullopt;
}

std::string metric_unit(const nlohmann::json& entry, std::string_view metric) {
  if (metric == "real_time" || metric == "cpu_time") return entry.value("time_unit", "ns");
  if (auto rate = rate_of(metric)) return fmt::format("{}/s", *rate);
  if (metric == "speedup") return "x";
  for (std::string_view unit : {"ns", "us", "ms"}) {
    if (ends_with(metric, fmt::format("_{}", unit)) || metric.find(fmt::format("{}_per_", unit)) != std::string_view::npos)
      return std::string(unit);
  }
  return "";
}

std::vector<std::string> counter_names(const nlohmann::json& entry) {
  static const std::set<std::string, std::less<>> gbench_fields{
      "name",        "run_name",       "run_type",      "family_index", "per_family_instance_index",
      "repetitions", "repetition_index", "threads",     "iterations",   "real_time",
      "cpu_time",    "time_unit",      "aggregate_name", "aggregate_unit", "error_occurred",
      "error_message", "label"};
  std::vector<std::string> names;
  for (const auto& [key, value] : entry.items()) {
    if (value.is_number() && !gbench_fields.contains(key)) names.push_back(key);
  }
  return names;
}

MachineIdentity machine_identity(const nlohmann::json& doc) {
  return {first_fact(doc, {{"context", "host_name"}, {"primbench", "machine", "hostname"}}),
          fact(doc, {"primbench", "machine", "cpu_model"}),
          first_fact(doc, {{"context", "num_cpus"}, {"primbench", "machine", "logical_cpus_online"}}),
          fact(doc, {"primbench", "topology", "summary"})};
}

std::vector<std::string> identity_differences(const MachineIdentity& a, const MachineIdentity& b) {
  std::vector<std::string> out;
  const auto differs = [&](const char* label, const std::string& x, const std::string& y) {
    // A fact one file lacks (a plain Google Benchmark file has no topology)
    // cannot show a difference; only two known, unequal values do.
    if (!x.empty() && !y.empty() && x != y) out.push_back(fmt::format("{} '{}' vs '{}'", label, x, y));
  };
  differs("host", a.host, b.host);
  differs("CPU model", a.cpu_model, b.cpu_model);
  differs("num_cpus", a.num_cpus, b.num_cpus);
  differs("topology", a.topology, b.topology);
  return out;
}

std::vector<std::pair<std::string, std::string>> machine_facts(const nlohmann::json& doc) {
  const auto machine = [&](const char* key) { return fact(doc, {"primbench", "machine", key}); };
  return {{"host", machine_identity(doc).host},
          {"CPU", machine("cpu_model")},
          {"CPUs", first_fact(doc, {{"context", "num_cpus"}, {"primbench", "machine", "logical_cpus_online"}})},
          {"MHz", fact(doc, {"context", "mhz_per_cpu"})},
          {"topology", fact(doc, {"primbench", "topology", "summary"})},
          {"kernel", machine("kernel")},
          {"virtualised", machine("hypervisor")},
          {"governor", machine("frequency_governor")},
          {"boost", machine("boost")},
          {"compiler", machine("compiler")},
          {"build", machine("build_type")},
          {"Google Benchmark", machine("google_benchmark_version")},
          {"primbench", first_fact(doc, {{"primbench", "machine", "git_revision"}, {"primbench", "machine", "primbench_version"}})},
          {"clock", fact(doc, {"primbench", "clock", "source"})},
          {"date", fact(doc, {"context", "date"})}};
}

}  // namespace primbench
