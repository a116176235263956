#include "reports/compare_format.hpp"

#include <fmt/color.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "basics/errors.hpp"
#include "basics/json_text.hpp"
#include "reports/quantity_text.hpp"

namespace primbench {
namespace {

using nlohmann::json;

// ---- cells ------------------------------------------------------------------

std::string percent(double fraction) { return fmt::format("{:+.1f} %", fraction * 100.0); }

std::string interval(const MetricComparison& row) {
  if (!row.change_low || !row.change_high) return "";
  return fmt::format("[{:+.1f}, {:+.1f}] %", *row.change_low * 100.0, *row.change_high * 100.0);
}

// The adjusted p-value the verdict used. The normal approximation is marked:
// with ties or many values the p-value is an approximation, not the exact tail.
std::string p_value_text(const MetricComparison& row) {
  if (!row.test) return "";
  const char* mark = row.test->method == RankTestMethod::normal_approximation ? "~" : "";
  const double p = row.p_adjusted.value_or(row.test->p_value);
  return p < 1e-4 ? fmt::format("{}<0.0001", mark) : fmt::format("{}{:.4f}", mark, p);
}

std::string median_text(const std::optional<double>& value, const std::string& unit) {
  return value ? format_quantity(*value, unit) : "";
}

std::string repetitions_text(const MetricComparison& row) {
  if (row.rounds || row.rounds_left_out) return fmt::format("{} rounds", row.rounds);
  if (row.base_repetitions == 0 && row.new_repetitions == 0) return "";
  return fmt::format("{}/{}", row.base_repetitions, row.new_repetitions);
}

std::vector<std::string> row_cells(const MetricComparison& row) {
  return {row.benchmark,
          row.metric,
          median_text(row.base_median, row.unit),
          median_text(row.new_median, row.unit),
          row.change ? percent(*row.change) : "",
          interval(row),
          p_value_text(row),
          repetitions_text(row),
          std::string(verdict_name(row.verdict)),
          row.why.empty() ? row.note : fmt::format("{}{}why: {}", row.note, row.note.empty() ? "" : "; ", row.why)};
}

std::string summary_line(const Comparison& c) {
  const auto counts = c.counts();
  const auto count = [&](Verdict v) {
    const auto it = counts.find(v);
    return it == counts.end() ? std::size_t{0} : it->second;
  };
  std::vector<std::string> parts;
  for (Verdict v : kAllVerdicts) {
    if (const std::size_t n = count(v); n || v == Verdict::regression || v == Verdict::improvement)
      parts.push_back(fmt::format("{} {}", n, verdict_name(v)));
  }
  return fmt::format("{}; {} of {} rows tested{}", fmt::join(parts, ", "), c.tested(), c.rows.size(),
                     c.paired_rounds ? fmt::format(" over {} rounds", c.rounds) : " over repetitions");
}

std::string rule_line(const Comparison& c) {
  const std::string unit =
      c.paired_rounds
          ? fmt::format("the candidate / base ratio of each round (rounds of primbench ab; a round whose machine probes "
                        "moved more than {:g}x (CPU loop) or {:g}x (round trips) is left out): two-sided paired "
                        "t-test on the log ratios, bootstrap interval of the median ratio; fewer than {} rounds are "
                        "not tested",
                        kCpuLoopMoveFactor, kRoundTripMoveFactor, c.options.min_rounds)
          : fmt::format("repetitions of two separate runs: two-sided Mann-Whitney U test, bootstrap interval of the "
                        "median change; fewer than {} repetitions a side are not tested; repetitions in one process "
                        "share the machine's state: for a CI verdict use primbench ab",
                        c.options.min_repetitions);
  return fmt::format(
      "{}. regression / improvement: Benjamini-Hochberg adjusted p < {:g} and the whole {:g} % interval beyond the "
      "threshold (+/-{:g} %{}); within noise: the whole interval inside it; undecidable: neither; ~p: normal "
      "approximation",
      unit, c.options.alpha, c.confidence * 100.0, c.options.threshold * 100.0,
      c.options.family_thresholds.empty() ? "" : ", raised per family to its A/A noise");
}

// "machine changed: c2c_rtt/cross-l3 moved from 79 ns to 474 ns; ..." or "".
std::string machine_line(const Comparison& c) {
  if (c.machine_moves.empty()) return "";
  std::vector<std::string> moves;
  for (const auto& m : c.machine_moves) moves.push_back(describe(m));
  return fmt::format("machine changed between the runs: {}; changes in that direction are withheld",
                     fmt::join(moves, "; "));
}

std::string fact_of(const std::vector<std::pair<std::string, std::string>>& facts, const std::string& label) {
  for (const auto& [name, value] : facts) {
    if (name == label) return value;
  }
  return "";
}

// (fact, base value, new value) for the facts that differ, date left out.
std::vector<std::array<std::string, 3>> differing_facts(const CompareSources& s) {
  std::vector<std::array<std::string, 3>> out;
  for (const auto& [label, value] : s.base_facts) {
    if (label == "date") continue;
    const std::string other = fact_of(s.new_facts, label);
    if (value != other) out.push_back({label, value, other});
  }
  return out;
}

std::string source_line(const std::string& file, const std::vector<std::pair<std::string, std::string>>& facts) {
  std::vector<std::string> about;
  for (const char* label : {"host", "CPU", "date"}) {
    if (std::string value = fact_of(facts, label); !value.empty()) about.push_back(value);
  }
  return about.empty() ? file : fmt::format("{} ({})", file, fmt::join(about, ", "));
}

// ---- terminal ---------------------------------------------------------------

enum class Tone { plain, bad, good, warn };

std::string paint(const std::string& text, Tone tone, bool colour) {
  if (!colour || tone == Tone::plain) return text;
  const auto c = tone == Tone::bad ? fmt::terminal_color::red
                 : tone == Tone::good ? fmt::terminal_color::green
                                      : fmt::terminal_color::yellow;
  return fmt::format(fmt::fg(c), "{}", text);
}

Tone tone_of(Verdict v) {
  switch (v) {
    case Verdict::regression:
    case Verdict::failed: return Tone::bad;
    case Verdict::improvement: return Tone::good;
    case Verdict::too_few_repetitions:
    case Verdict::machine_changed:
    case Verdict::undecidable: return Tone::warn;
    default: return Tone::plain;
  }
}

// Columns padded to their widest cell, aligned by `alignment` ('l' or 'r'
// per column). A cell's tone colours it after padding, so escape codes never
// count as width.
struct TextTable {
  std::vector<std::string> header;
  std::string alignment;
  std::vector<std::vector<std::string>> rows = {};
  std::vector<std::vector<Tone>> tones = {};  // per row and column; empty: all plain

  void add(std::vector<std::string> cells, std::vector<Tone> cell_tones = {}) {
    rows.push_back(std::move(cells));
    tones.push_back(std::move(cell_tones));
  }

  std::string render(bool colour) const {
    std::vector<std::size_t> width(header.size(), 0);
    const auto measure = [&](const std::vector<std::string>& cells) {
      for (std::size_t i = 0; i < cells.size(); ++i) width[i] = std::max(width[i], cells[i].size());
    };
    measure(header);
    for (const auto& r : rows) measure(r);
    const auto line = [&](const std::vector<std::string>& cells, const std::vector<Tone>& cell_tones) {
      std::string out;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const bool right = i < alignment.size() && alignment[i] == 'r';
        std::string cell = right ? fmt::format("{:>{}}", cells[i], width[i]) : fmt::format("{:<{}}", cells[i], width[i]);
        if (i < cell_tones.size()) cell = paint(cell, cell_tones[i], colour);
        out += (i ? "  " : "") + cell;
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      return out + "\n";
    };
    std::string out = line(header, {});
    for (std::size_t r = 0; r < rows.size(); ++r) out += line(rows[r], tones[r]);
    return out;
  }
};

std::vector<std::vector<Tone>> plain_tones(const std::vector<std::vector<std::string>>& rows) {
  return std::vector<std::vector<Tone>>(rows.size());
}

std::string terminal_comparison(const Comparison& c, const CompareSources& s, bool colour) {
  std::string out = fmt::format("BASE  {}\nNEW   {}\n", source_line(s.base_file, s.base_facts),
                                source_line(s.new_file, s.new_facts));
  const auto diff = differing_facts(s);
  if (!diff.empty()) {
    TextTable facts{{"differs", "BASE", "NEW"}, "lll"};
    for (const auto& [label, a, b] : diff) facts.add({label, a, b});
    out += fmt::format("\n{}", facts.render(false));
  }
  TextTable table{{"benchmark", "metric", "base", "new", "change", fmt::format("{:g} % interval", c.confidence * 100),
                   "p", "reps", "verdict", "note"},
                  "llrrrlrrll"};
  for (const auto& row : c.rows) {
    std::vector<Tone> tones(10, Tone::plain);
    tones[8] = tone_of(row.verdict);  // the verdict
    table.add(row_cells(row), tones);
  }
  out += fmt::format("\n{}\n{}\n{}\n", table.render(colour), summary_line(c), rule_line(c));
  if (const std::string machine = machine_line(c); !machine.empty()) out += paint(machine, Tone::warn, colour) + "\n";
  return out;
}

// ---- markdown ---------------------------------------------------------------

std::string md_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|' || ch == '\\' || ch == '*' || ch == '_' || ch == '`' || ch == '<' || ch == '>') out += '\\';
    out += ch == '\n' ? ' ' : ch;
  }
  return out;
}

std::string md_code(const std::string& text) {
  std::string out = text;
  for (auto& ch : out) ch = ch == '`' ? '\'' : ch == '|' ? '/' : ch;
  return fmt::format("`{}`", out);
}

std::string md_line(const std::vector<std::string>& cells) { return fmt::format("| {} |\n", fmt::join(cells, " | ")); }

std::string md_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                     const std::string& alignment) {
  std::string out = md_line(header) + "|";
  for (char a : alignment) out += a == 'r' ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& r : rows) out += md_line(r);
  return out;
}

std::string md_verdict(Verdict v) {
  switch (v) {
    case Verdict::regression: return "🔴 **regression**";
    case Verdict::improvement: return "🟢 **improvement**";
    case Verdict::failed: return "❌ **failed**";
    case Verdict::too_few_repetitions: return "⚠️ too few repetitions";
    case Verdict::machine_changed: return "⚠️ machine changed";
    default: return std::string(verdict_name(v));
  }
}

std::vector<std::string> md_row(const MetricComparison& row) {
  std::vector<std::string> cells = row_cells(row);
  cells[0] = md_code(cells[0]);
  cells[1] = md_code(cells[1]);
  cells[8] = md_verdict(row.verdict);
  cells[9] = md_escape(cells[9]);
  return cells;
}

// A pull-request comment holds 65,536 characters: the verdicts, the counts
// and the largest changes come first; what does not fit is left to the JSON.
constexpr std::size_t kMarkdownBudget = 60'000;
constexpr std::size_t kMarkdownTopRows = 40;

bool notable(Verdict v) {
  return v == Verdict::regression || v == Verdict::improvement || v == Verdict::failed || v == Verdict::machine_changed;
}

// Rows in order of how much they matter: notable verdicts first, then by the
// size of the change.
std::vector<const MetricComparison*> by_importance(const Comparison& c) {
  std::vector<const MetricComparison*> rows;
  for (const auto& row : c.rows) rows.push_back(&row);
  std::stable_sort(rows.begin(), rows.end(), [](const MetricComparison* a, const MetricComparison* b) {
    if (notable(a->verdict) != notable(b->verdict)) return notable(a->verdict);
    return std::fabs(a->change.value_or(0.0)) > std::fabs(b->change.value_or(0.0));
  });
  return rows;
}

// Adds rows to a table while the text stays within `budget`; returns the
// rows left out.
std::size_t md_rows_within(std::string& out, const std::vector<std::string>& header, const std::string& alignment,
                           const std::vector<const MetricComparison*>& rows, std::size_t budget) {
  std::string table = md_table(header, {}, alignment);
  std::size_t added = 0;
  for (const auto* row : rows) {
    const std::string line = md_line(md_row(*row));
    if (out.size() + table.size() + line.size() > budget) break;
    table += line;
    ++added;
  }
  if (added) out += table + "\n";
  return rows.size() - added;
}

std::string markdown_comparison(const Comparison& c, const CompareSources& s) {
  const auto counts = c.counts();
  const auto count = [&](Verdict v) { return counts.contains(v) ? counts.at(v) : std::size_t{0}; };
  const auto plural = [](std::size_t n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); };
  std::string out = fmt::format("### primbench compare: {}, {}{}{} ({} of {} tested{})\n\n",
                                plural(count(Verdict::regression), "regression"),
                                plural(count(Verdict::improvement), "improvement"),
                                count(Verdict::failed) ? fmt::format(", {} failed", count(Verdict::failed)) : "",
                                count(Verdict::machine_changed)
                                    ? fmt::format(", {} withheld (machine changed)", count(Verdict::machine_changed))
                                    : "",
                                c.tested(), c.rows.size(),
                                c.paired_rounds ? fmt::format(" over {} rounds", c.rounds) : ", repetitions");
  out += md_escape(summary_line(c)) + "\n\n";
  if (const std::string machine = machine_line(c); !machine.empty()) out += "⚠️ " + md_escape(machine) + "\n\n";
  out += fmt::format("**BASE** {}  \n**NEW** {}\n\n", md_escape(source_line(s.base_file, s.base_facts)),
                     md_escape(source_line(s.new_file, s.new_facts)));
  if (const auto diff = differing_facts(s); !diff.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [label, a, b] : diff) rows.push_back({md_escape(label), md_escape(a), md_escape(b)});
    out += md_table({"differs", "BASE", "NEW"}, rows, "lll") + "\n";
  }
  const std::vector<std::string> header{"benchmark", "metric", "base", "new", "change",
                                        fmt::format("{:g} % interval", c.confidence * 100),
                                        "p (adj.)", "n", "verdict", "note"};
  const std::string alignment = "llrrrlrrll";
  const auto ordered = by_importance(c);
  std::vector<const MetricComparison*> top, rest;
  for (const auto* row : ordered) (notable(row->verdict) && top.size() < kMarkdownTopRows ? top : rest).push_back(row);
  std::size_t left_out = 0;
  if (top.empty()) out += "No regression, improvement or failure.\n\n";
  else left_out += md_rows_within(out, header, alignment, top, kMarkdownBudget);
  if (!rest.empty()) {
    // Collapsed, so a PR comment shows what changed and keeps the rest a click away.
    std::string folded = fmt::format("<details><summary>{} more rows, largest changes first</summary>\n\n", rest.size());
    const std::string closing = "\n</details>\n\n";
    const std::string rule = md_escape(rule_line(c)) + "\n";
    const std::size_t budget = kMarkdownBudget - std::min(kMarkdownBudget, out.size() + closing.size() + rule.size() + 200);
    left_out += md_rows_within(folded, header, alignment, rest, budget);
    out += folded + closing;
  }
  if (left_out) out += fmt::format("{} rows did not fit a pull-request comment: every row is in the JSON (--format json).\n\n", left_out);
  out += md_escape(rule_line(c)) + "\n";
  return out;
}

// ---- json -------------------------------------------------------------------

json optional_number(const std::optional<double>& value) {
  return value && std::isfinite(*value) ? json(*value) : json(nullptr);
}

// ---- hardware ---------------------------------------------------------------

std::pair<std::string, Tone> hardware_cell(const json& cell, bool is_baseline) {
  const std::string status = cell.at("status");
  if (status == "missing") return {"-", Tone::plain};
  if (status != "ok") return {status, Tone::plain};
  if (!cell.at("value").is_number()) return {"no value", Tone::plain};
  std::string text = format_quantity(cell.at("value").get<double>(), "ns");
  if (is_baseline || !cell.at("relative").is_number()) return {text, Tone::plain};
  std::string verdict;
  Tone tone = Tone::plain;
  if (const json& v = cell.at("versus_baseline"); v.is_object()) {
    verdict = v.at("verdict");
    tone = verdict == "slower" ? Tone::bad : verdict == "faster" ? Tone::good : Tone::plain;
    verdict = verdict == "within noise" ? "" : fmt::format(" {}", verdict);
  }
  const std::string why = cell.contains("why") ? fmt::format("; {}", cell.at("why").get<std::string>()) : "";
  return {fmt::format("{} ({:.2f}x{}{})", text, cell.at("relative").get<double>(), verdict, why), tone};
}

std::string hardware_text(const json& model, CompareFormat format, bool colour) {
  const bool md = format == CompareFormat::markdown;
  const json& machines = model.at("machines");
  const std::size_t baseline = model.at("baseline");
  std::vector<std::string> labels;
  for (const auto& m : machines) labels.push_back(m.at("label"));

  std::string out = md ? "### primbench hardware comparison\n\n" : "";
  {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t i = 0; i < machines.size(); ++i) {
      const json& m = machines[i];
      rows.push_back({fmt::format("{}{}", labels[i], i == baseline ? " (baseline)" : ""),
                      fmt::format("{}", fmt::join(m.at("files").get<std::vector<std::string>>(), ", ")),
                      m.at("facts").value("CPU", ""), m.at("facts").value("topology", "")});
    }
    out += md ? md_table({"machine", "files", "CPU", "topology"}, rows, "llll") + "\n"
              : TextTable{{"machine", "files", "CPU", "topology"}, "llll", rows, plain_tones(rows)}.render(false) + "\n";
  }
  for (const auto& warning : model.value("run_differences", json::array()))
    out += fmt::format("{}warning: {}\n", md ? "> " : "", warning.get<std::string>());
  if (const json& headlines = model.value("headlines", json::array()); !headlines.empty()) {
    // One number per family and machine first: the geometric mean of its ratios to the baseline.
    std::vector<std::string> header{"family (geomean vs baseline)"};
    header.insert(header.end(), labels.begin(), labels.end());
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : headlines) {
      std::vector<std::string> row{h.at("family")};
      for (std::size_t m = 0; m < labels.size(); ++m) {
        const json& g = h.at("geomean_relative")[m];
        row.push_back(!g.is_number() ? "-"
                      : m == baseline ? "1x"
                                      : fmt::format("{:.3g}x ({} benchmarks)", g.get<double>(),
                                                    h.at("benchmarks")[m].get<std::size_t>()));
      }
      rows.push_back(row);
    }
    const std::string alignment = fmt::format("l{}", std::string(labels.size(), 'r'));
    out += "\n" + (md ? md_table(header, rows, alignment) + "\n"
                      : TextTable{header, alignment, rows, plain_tones(rows)}.render(false) + "\n");
  }
  if (const json& diff = model.at("context_diff"); !diff.empty()) {
    std::vector<std::string> header{"differs"};
    header.insert(header.end(), labels.begin(), labels.end());
    std::vector<std::vector<std::string>> rows;
    for (const auto& d : diff) {
      std::vector<std::string> row{d.at("fact")};
      for (const auto& v : d.at("values")) row.push_back(md ? md_escape(v.get<std::string>()) : v.get<std::string>());
      rows.push_back(row);
    }
    const std::string alignment(header.size(), 'l');
    out += md ? md_table(header, rows, alignment) + "\n"
              : TextTable{header, alignment, rows, plain_tones(rows)}.render(false) + "\n";
  }
  // Markdown folds each family's tables and stops within a pull-request comment's size.
  std::string family;
  std::size_t tables_left_out = 0;
  for (const auto& table : model.at("tables")) {
    const std::string title = table.at("title");
    if (md && out.size() > kMarkdownBudget) {
      ++tables_left_out;
      continue;
    }
    if (md && table.value("family", "") != family) {
      if (!family.empty()) out += "</details>\n\n";
      family = table.value("family", "");
      out += fmt::format("<details><summary>{}</summary>\n\n", md_escape(family));
    }
    out += md ? fmt::format("#### {}\n\n", md_code(title))
              : fmt::format("{}  (median real_time; (Nx) relative to {})\n", title, labels[baseline]);
    std::vector<std::string> header{"placement"};
    header.insert(header.end(), labels.begin(), labels.end());
    const std::string alignment = fmt::format("l{}", std::string(labels.size(), 'r'));
    TextTable text{header, alignment};
    for (const auto& row : table.at("rows")) {
      const std::string placement = row.at("placement");
      std::vector<std::string> cells{placement.empty() ? "-" : placement};
      std::vector<Tone> tones{Tone::plain};
      for (std::size_t m = 0; m < row.at("cells").size(); ++m) {
        auto [cell, tone] = hardware_cell(row.at("cells")[m], m == baseline);
        cells.push_back(md ? md_escape(cell) : cell);
        tones.push_back(tone);
      }
      text.add(cells, tones);
    }
    out += (md ? md_table(header, text.rows, alignment) : text.render(colour)) + "\n";
  }
  if (!family.empty()) out += "</details>\n\n";
  if (tables_left_out > 0)
    out += fmt::format("{} more tables are left out to fit a pull-request comment; `--format json` has them all.\n\n",
                       tables_left_out);
  const json& rule = model.at("rule");
  out += fmt::format(
      "slower / faster: two-sided Mann-Whitney U p < {:g} and the whole {:g} % interval of the median change beyond "
      "+/-{:g} % (with >= {} repetitions on both machines)\n",
      rule.at("alpha").get<double>(), (1.0 - rule.at("alpha").get<double>()) * 100.0,
      rule.at("threshold").get<double>() * 100.0, rule.at("min_repetitions").get<std::size_t>());
  return out;
}

}  // namespace

CompareFormat parse_compare_format(std::string_view text) {
  if (text == "terminal" || text == "text") return CompareFormat::terminal;
  if (text == "markdown" || text == "md") return CompareFormat::markdown;
  if (text == "json") return CompareFormat::json;
  throw UsageError(fmt::format("--format '{}' is not one of terminal, markdown, json", text));
}

nlohmann::json comparison_json(const Comparison& c, const CompareSources& s) {
  json out;
  const auto side = [](const std::string& file, const std::vector<std::pair<std::string, std::string>>& facts) {
    json f = json::object();
    for (const auto& [label, value] : facts) f[label] = value;
    return json{{"file", file}, {"facts", f}};
  };
  out["base"] = side(s.base_file, s.base_facts);
  out["new"] = side(s.new_file, s.new_facts);
  json family_thresholds = json::object();
  for (const auto& [family, t] : c.options.family_thresholds) family_thresholds[family] = t;
  out["options"] = {{"alpha", c.options.alpha},
                    {"threshold", c.options.threshold},
                    {"family_thresholds", family_thresholds},
                    {"min_rounds", c.options.min_rounds},
                    {"confidence", c.confidence},
                    {"min_repetitions", c.options.min_repetitions},
                    {"bootstrap_resamples", c.options.bootstrap_resamples},
                    {"counters", c.options.counters}};
  json summary = json::object();
  for (Verdict v : kAllVerdicts) summary[std::string(verdict_name(v))] = 0;
  for (const auto& [verdict, n] : c.counts()) summary[std::string(verdict_name(verdict))] = n;
  summary["tested"] = c.tested();
  summary["rows"] = c.rows.size();
  out["summary"] = summary;
  out["unit_of_replication"] = c.paired_rounds ? "rounds" : "repetitions";
  if (c.paired_rounds) out["rounds"] = c.rounds;
  json moves = json::array();
  for (const auto& m : c.machine_moves)
    moves.push_back({{"probe", m.probe}, {"from_ns", m.from_ns}, {"to_ns", m.to_ns}, {"text", describe(m)}});
  out["machine_changed"] = moves;
  out["machine_change_handling"] = c.paired_rounds ? "rounds whose probes moved are left out of the verdict"
                                   : moves.empty() ? "none needed"
                                                   : "changes in the probes' direction withheld";
  json rows = json::array();
  for (const auto& r : c.rows) {
    rows.push_back({{"benchmark", r.benchmark},
                    {"metric", r.metric},
                    {"unit", r.unit},
                    {"better", r.better == Better::lower ? "lower" : "higher"},
                    {"base", {{"median", optional_number(r.base_median)}, {"repetitions", r.base_repetitions}}},
                    {"new", {{"median", optional_number(r.new_median)}, {"repetitions", r.new_repetitions}}},
                    {"change", optional_number(r.change)},
                    {"change_low", optional_number(r.change_low)},
                    {"change_high", optional_number(r.change_high)},
                    {"rounds", r.rounds},
                    {"rounds_left_out", r.rounds_left_out},
                    {"round_noise", optional_number(r.noise)},
                    {"threshold", r.threshold},
                    {"statistic", r.test ? json(r.test->u) : json(nullptr)},
                    {"test", r.test ? json(c.paired_rounds ? "paired t-test on log ratios" : "Mann-Whitney U") : json(nullptr)},
                    {"p_value", r.test ? json(r.test->p_value) : json(nullptr)},
                    {"p_adjusted", optional_number(r.p_adjusted)},
                    {"method", r.test ? json(r.test->method == RankTestMethod::exact ? "exact" : "normal approximation")
                                      : json(nullptr)},
                    {"verdict", verdict_name(r.verdict)},
                    {"note", r.note},
                    {"why", r.why}});
  }
  out["results"] = rows;
  return out;
}

std::string format_comparison(const Comparison& comparison, const CompareSources& sources, CompareFormat format,
                              bool colour) {
  switch (format) {
    case CompareFormat::markdown: return markdown_comparison(comparison, sources);
    case CompareFormat::json: return json_text(comparison_json(comparison, sources), 2) + "\n";
    case CompareFormat::terminal: break;
  }
  return terminal_comparison(comparison, sources, colour);
}

std::string format_hardware_comparison(const nlohmann::json& model, CompareFormat format, bool colour) {
  if (format == CompareFormat::json) return json_text(model, 2) + "\n";
  return hardware_text(model, format, colour);
}

}  // namespace primbench
