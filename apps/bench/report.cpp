// apps/bench/report.cpp - rows, the aligned table, the targets and the JSON lines.
// See report.hpp; the charts are in plot.cpp.
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace bench {

namespace {

enum class unit { ns, bytes, count, seconds, kilobytes, rate };

struct column {
  std::string_view header;
  std::string_view key;
  unit kind;
};

struct workload_info {
  std::string_view name;
  std::string_view title;
  std::string_view parameter_key; // shown in the title when the rows have it
  std::string_view parameter_text;
  column metric; // the main figure: the spread and the ratios are taken on it
  std::vector<column> extras;
};

const std::vector<workload_info>& workloads() {
  static const std::vector<workload_info> all = {
      {"spawn-join",
       "N tasks each return i; all awaited and summed. cold: the first run in the process; "
       "warm: the same run again; steady: in batches of 64, each joined before the next",
       {},
       {},
       {"ns/task", "per_op_ns", unit::ns},
       {{"allocs/task", "allocs_per_op", unit::count},
        {"heap B/task", "bytes_per_op", unit::bytes},
        {"wall s", "wall_s", unit::seconds}}},
      {"idle",
       "N tasks sleep at once. B/task = (peak RSS - peak RSS with N = 0) / N; "
       "ns/task = (wall - sleep) / N",
       "sleep_s",
       "sleep {} s",
       {"B/task", "bytes_per_task", unit::bytes},
       {{"most asleep", "peak_asleep", unit::rate},
        {"ns/task", "per_op_ns", unit::ns},
        {"RSS at N=0", "baseline_rss_kb", unit::kilobytes}}},
      {"ping-pong",
       "two tasks pass a number back and forth N times through two queues of capacity 1 "
       "(corio: corio::queue; corio-channel: corio::channel, -loops-2: the tasks on 2 loops)",
       {},
       {},
       {"ns/trip", "per_op_ns", unit::ns},
       {{"wall s", "wall_s", unit::seconds}}},
      {"fan-out",
       "N GETs to corio-flags-server on loopback, one connection each",
       "delay_s",
       "server --delay {}",
       {"wall s", "wall_s", unit::seconds},
       {{"req/s", "requests_per_s", unit::rate},
        {"errors", "errors", unit::rate},
        {"cpu s", "cpu_s", unit::seconds},
        {"server loops", "server_loops", unit::rate},
        {"server cpu s", "server_cpu_s", unit::seconds}}},
      {"cancel",
       "cancel() of a task waiting in the variant's wait, to the waiter's resumption",
       {},
       {},
       {"p50 ns", "per_op_ns", unit::ns},
       {{"p99 ns", "p99_ns", unit::ns}}},
      {"timer-lateness",
       "N sleeps of random length at once; lateness = resumption - deadline",
       "max_sleep_s",
       "uniform in [s/2, s), s = {} s",
       {"p50 ns", "per_op_ns", unit::ns},
       {{"p99 ns", "p99_ns", unit::ns}}},
      {"debug-mode",
       "one task resumes N times (corio: yield_now; raw Asio: post); corio-debug: debug = true",
       {},
       {},
       {"ns/resume", "per_op_ns", unit::ns},
       {{"wall s", "wall_s", unit::seconds}}},
      {"parallel",
       "N tasks of ~50 us of CPU (hash, yield_now, hash) spread over the loops with "
       "spawn(next_loop())",
       {},
       {},
       {"ns/task", "per_op_ns", unit::ns},
       {{"tasks/s", "tasks_per_s", unit::rate},
        {"loops", "loops", unit::rate},
        {"cpu s", "cpu_s", unit::seconds},
        {"wall s", "wall_s", unit::seconds}}},
      {"spawn-remote",
       "spawn a task returning i and await it, N times in a row: corio on the same loop, "
       "corio-loops-2 on loop 1",
       {},
       {},
       {"ns/spawn", "per_op_ns", unit::ns},
       {{"loops", "loops", unit::rate}, {"wall s", "wall_s", unit::seconds}}},
      {"async-generator",
       "pull N numbers one at a time: corio: async_generator::next(); corio-queue: a producer "
       "task and a corio::queue(1); generator: a synchronous corio::generator",
       {},
       {},
       {"ns/item", "per_op_ns", unit::ns},
       {{"wall s", "wall_s", unit::seconds}}},
  };
  return all;
}

const workload_info& info_of(std::string_view name) {
  for (const auto& info : workloads())
    if (info.name == name)
      return info;
  static const workload_info unknown{
      "", "", {}, {}, {"per op ns", "per_op_ns", unit::ns}, {{"wall s", "wall_s", unit::seconds}}};
  return unknown;
}

std::string format_value(double value, unit kind) {
  switch (kind) {
  case unit::count:
    return fmt::format("{:.1f}", value);
  case unit::seconds:
    return fmt::format("{:.3f}", value);
  case unit::kilobytes:
    return fmt::format("{:.1f} MB", value / 1024);
  case unit::rate:
    return fmt::format("{:.0f}", value);
  case unit::ns:
  case unit::bytes:
    break;
  }
  // Three significant digits, or more for large values.
  const double size = std::abs(value);
  const int decimals = size >= 100 ? 0 : size >= 10 ? 1 : 2;
  return fmt::format("{:.{}f}", value, decimals);
}

std::string format_ratio(double ratio) {
  return format_value(ratio, unit::ns) + "x";
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

bool same_key(const row& r, std::string_view workload, std::string_view variant,
              std::string_view impl, std::size_t n) {
  return r.workload == workload && r.variant == variant && r.impl == impl && r.n == n;
}

// The main figure of the measured row (workload, variant, impl), at `n` when there is
// one at n, else at any n (spawn-join and idle run threads at a smaller n).
std::optional<double> main_figure(std::span<const row> rows, std::string_view workload,
                                  std::string_view variant, std::string_view impl, std::size_t n) {
  const std::string_view key = info_of(workload).metric.key;
  const row* any = nullptr;
  for (const row& r : rows) {
    if (r.workload != workload || r.variant != variant || r.impl != impl || r.n == 0 ||
        !r.summary.has(key))
      continue;
    if (r.n == n)
      return r.summary.number(key);
    any = any != nullptr ? any : &r;
  }
  // The fan-out compares like with like only: the same number of requests.
  if (any == nullptr || workload == "fan-out")
    return std::nullopt;
  return any->summary.number(key);
}

std::string ratio_cell(std::optional<double> top, std::optional<double> bottom) {
  return top && bottom && *bottom > 0 ? format_ratio(*top / *bottom) : "";
}

void print_section(std::FILE* out, std::span<const row> rows, std::span<const row> all) {
  const row& first = rows.front();
  const workload_info& info = info_of(first.workload);
  std::string title = first.variant.empty() ? first.workload
                                            : fmt::format("{} ({})", first.workload, first.variant);
  fmt::print(out, "\n{}: {}", title, info.title);
  if (!info.parameter_key.empty() && first.summary.has(info.parameter_key))
    fmt::print(
        out, "; {}",
        fmt::format(fmt::runtime(info.parameter_text), first.summary.number(info.parameter_key)));
  fmt::print(out, "\n");

  std::vector<column> columns = info.extras;
  columns.push_back({"peak RSS", "rss_kb", unit::kilobytes});
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"impl", "n", std::string(info.metric.header), "spread"};
  for (const column& c : columns)
    header.emplace_back(c.header);
  header.insert(header.end(), {"corio/raw", "vs corio"});
  cells.push_back(header);
  std::vector<std::pair<std::string, std::vector<std::string>>> failures; // why, which rows

  for (const row& r : rows) {
    std::vector<std::string> line = {r.impl, fmt::format("{}", r.n)};
    const record& s = r.summary;
    const std::string key(info.metric.key);
    if (r.samples.empty() || !s.has(key)) {
      line.push_back(r.failure.empty() ? "-" : "failed");
    } else {
      line.push_back(format_value(s.number(key), info.metric.kind));
      line.push_back(r.samples.size() < 2
                         ? "-"
                         : fmt::format("{}..{}",
                                       format_value(s.number(key + "_min"), info.metric.kind),
                                       format_value(s.number(key + "_max"), info.metric.kind)));
      for (const column& c : columns)
        line.push_back(s.has(c.key) ? format_value(s.number(c.key), c.kind) : "");
      const auto mine = main_figure(all, r.workload, r.variant, r.impl, r.n);
      const auto corio = main_figure(all, r.workload, r.variant, "corio", r.n);
      line.push_back(r.impl == "corio" ? ratio_cell(mine, main_figure(all, r.workload, r.variant,
                                                                      "raw-asio", r.n))
                                       : "");
      line.push_back(r.impl == "corio" ? "" : ratio_cell(mine, corio));
    }
    line.resize(header.size());
    cells.push_back(line);
    if (!r.failure.empty()) {
      auto same = std::find_if(failures.begin(), failures.end(),
                               [&r](const auto& failure) { return failure.first == r.failure; });
      if (same == failures.end())
        same = failures.insert(failures.end(), {r.failure, {}});
      same->second.push_back(fmt::format("{} n={}", r.impl, r.n));
    }
  }

  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i)
      widths[i] = std::max(widths[i], line[i].size());
  for (const auto& line : cells) {
    std::string text = fmt::format("  {:<{}}", line[0], widths[0]);
    for (std::size_t i = 1; i < line.size(); ++i)
      text += fmt::format("  {:>{}}", line[i], widths[i]);
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    fmt::print(out, "{}\n", text);
  }
  for (const auto& [why, which] : failures) {
    constexpr std::size_t named = 3;
    fmt::print(out, "  failed: {}{}: {}\n",
               fmt::join(which.begin(), which.begin() + std::min(named, which.size()), ", "),
               which.size() > named ? fmt::format(" and {} more", which.size() - named) : "", why);
  }
}

// ------------------------------------------------------------------ targets
struct target_printer {
  std::FILE* out;
  std::span<const row> rows;

  std::optional<double> figure(std::string_view workload, std::string_view variant,
                               std::string_view impl, std::size_t n = 0) const {
    return main_figure(rows, workload, variant, impl, n);
  }

  void line(std::string_view what, std::optional<double> value, std::string_view shown_unit,
            std::string goal, std::optional<std::string> miss) const {
    const std::string measured =
        value ? fmt::format("{}{}", format_value(*value, unit::ns), shown_unit) : "-";
    const std::string status = !value ? "not measured" : miss ? "MISSED by " + *miss : "met";
    fmt::print(out, "  {:<62} {:>10}  {:<10} {}\n", what, measured, goal, status);
  }

  // value <= limit
  void at_most(std::string_view what, std::optional<double> value, double limit) const {
    line(what, value, "x", fmt::format("<= {:.2f}x", limit),
         value && *value > limit ? std::optional(fmt::format("{:.0f}%", (*value / limit - 1) * 100))
                                 : std::nullopt);
  }
  // value <= limit, both in `shown_unit` (" B", " allocations"): misses by the difference
  void at_most_absolute(std::string_view what, std::optional<double> value, double limit,
                        std::string_view shown_unit) const {
    line(what, value, shown_unit, fmt::format("<= {}{}", limit, shown_unit),
         value && *value > limit
             ? std::optional(fmt::format("{:.1f}{}", *value - limit, shown_unit))
             : std::nullopt);
  }
  // A summary figure other than the workload's main one (p99_ns, allocs_per_op).
  std::optional<double> other(std::string_view workload, std::string_view variant,
                              std::string_view impl, std::string_view key) const {
    for (const row& r : rows)
      if (r.workload == workload && r.variant == variant && r.impl == impl && r.n > 0 &&
          r.summary.has(key))
        return r.summary.number(key);
    return std::nullopt;
  }
  // value >= limit
  void at_least(std::string_view what, std::optional<double> value, double limit) const {
    line(what, value, "x", fmt::format(">= {:.2f}x", limit),
         value && *value < limit ? std::optional(fmt::format("{:.0f}%", (1 - *value / limit) * 100))
                                 : std::nullopt);
  }
  // value > limit
  void over(std::string_view what, std::optional<double> value, double limit) const {
    line(what, value, "x", fmt::format("> {:.0f}x", limit),
         value && *value <= limit
             ? std::optional(fmt::format("{:.0f}%", (1 - *value / limit) * 100))
             : std::nullopt);
  }
};

std::optional<double> divided(std::optional<double> top, std::optional<double> bottom) {
  if (!top || !bottom || *bottom <= 0)
    return std::nullopt;
  return *top / *bottom;
}

std::optional<double> rss_at(std::span<const row> rows, std::string_view impl, std::size_t n) {
  for (const row& r : rows)
    if (same_key(r, "fan-out", "", impl, n) && r.summary.has("rss_kb"))
      return r.summary.number("rss_kb");
  return std::nullopt;
}

// Issue 18: a corio task costs no more than a raw Asio coroutine.
void print_light_task_targets(const target_printer& t) {
  fmt::print(t.out, "\ntargets (issue 18, light tasks; ratios of medians)\n");
  t.at_most_absolute("idle: corio, bytes per waiting task", t.figure("idle", "", "corio"), 1000,
                     " B");
  const auto ratio = [&t](std::string_view workload, std::string_view variant) {
    return divided(t.figure(workload, variant, "corio"), t.figure(workload, variant, "raw-asio"));
  };
  t.at_most("spawn-join cold: corio / raw-asio, ns per task", ratio("spawn-join", "cold"), 0.80);
  t.at_most("spawn-join warm: corio / raw-asio, ns per task", ratio("spawn-join", "warm"), 1.00);
  // In the steady state of spawning and finishing tasks (batches of 64), not with every
  // task alive at once (cold, warm), where no allocator can reuse anything.
  t.at_most_absolute("spawn-join steady: corio, heap allocations per task",
                     t.other("spawn-join", "steady", "corio", "allocs_per_op"), 2, "");
  t.at_most_absolute("spawn-join steady: corio, heap bytes per task",
                     t.other("spawn-join", "steady", "corio", "bytes_per_op"), 400, " B");
  for (const std::string_view variant : {"sleep", "queue-get"})
    t.at_most(fmt::format("cancel {}: corio / raw-asio, p50 cancel -> resume", variant),
              ratio("cancel", variant), 1.10);
  t.at_most("timer-lateness: corio / raw-asio, p99",
            divided(t.other("timer-lateness", "", "corio", "p99_ns"),
                    t.other("timer-lateness", "", "raw-asio", "p99_ns")),
            1.20);
  t.at_most("ping-pong: corio / raw-asio, ns per round trip", ratio("ping-pong", ""), 0.90);
  t.at_most("debug-mode off: corio / raw-asio, ns per resumption", ratio("debug-mode", ""), 1.10);
}

} // namespace

row& row_for(std::vector<row>& rows, const record& sample) {
  const auto n = static_cast<std::size_t>(sample.number("n"));
  for (row& r : rows)
    if (same_key(r, sample.text("workload"), sample.text("variant"), sample.text("impl"), n))
      return r;
  return rows.emplace_back(
      row{sample.text("workload"), sample.text("variant"), sample.text("impl"), n, {}, {}, {}});
}

void derive_idle_memory(std::vector<row>& rows) {
  for (row& r : rows) {
    if (r.workload != "idle" || r.n == 0)
      continue;
    const auto baseline = std::find_if(rows.begin(), rows.end(), [&r](const row& b) {
      return same_key(b, "idle", r.variant, r.impl, 0) && !b.samples.empty();
    });
    if (baseline == rows.end())
      continue;
    std::vector<double> base_rss;
    for (const record& sample : baseline->samples)
      base_rss.push_back(sample.number("rss_kb"));
    const double base = median(base_rss);
    for (record& sample : r.samples) {
      sample.set("baseline_rss_kb", base);
      sample.set("bytes_per_task",
                 (sample.number("rss_kb") - base) * 1024 / static_cast<double>(r.n));
    }
  }
}

void summarize(std::vector<row>& rows) {
  for (row& r : rows) {
    record s;
    s.set("workload", r.workload).set("variant", r.variant).set("impl", r.impl);
    s.set("n", static_cast<double>(r.n));
    s.set("reps", static_cast<double>(r.samples.size()));
    if (!r.samples.empty()) {
      for (const std::string& key : r.samples.front().number_keys()) {
        if (key == "n")
          continue;
        std::vector<double> values;
        for (const record& sample : r.samples)
          if (sample.has(key))
            values.push_back(sample.number(key));
        s.set(key, median(values));
        if (key == info_of(r.workload).metric.key) {
          s.set(key + "_min", *std::min_element(values.begin(), values.end()));
          s.set(key + "_max", *std::max_element(values.begin(), values.end()));
        }
      }
    }
    r.summary = std::move(s);
  }
}

void print_table(std::FILE* out, std::span<const row> rows) {
  std::vector<std::pair<std::string, std::string>> sections;
  for (const row& r : rows)
    if (r.n > 0 && std::find(sections.begin(), sections.end(), std::pair(r.workload, r.variant)) ==
                       sections.end())
      sections.emplace_back(r.workload, r.variant);
  for (const auto& [workload, variant] : sections) {
    std::vector<row> section;
    for (const row& r : rows)
      if (r.n > 0 && r.workload == workload && r.variant == variant)
        section.push_back(r);
    print_section(out, section, rows);
  }
}

void print_targets(std::FILE* out, std::span<const row> rows) {
  const target_printer t{out, rows};
  fmt::print(out, "\ntargets (issue 5; ratios of medians)\n");
  for (const std::string_view variant : {"cold", "warm"})
    t.at_most(fmt::format("spawn-join {}: corio / raw-asio, ns per task", variant),
              divided(t.figure("spawn-join", variant, "corio"),
                      t.figure("spawn-join", variant, "raw-asio")),
              1.10);
  const auto idle_corio = t.figure("idle", "", "corio");
  const auto idle_raw = t.figure("idle", "", "raw-asio");
  const std::optional<double> extra =
      idle_corio && idle_raw ? std::optional(*idle_corio - *idle_raw) : std::nullopt;
  t.line("idle: corio - raw-asio, bytes per waiting task", extra, " B", "<= 128 B",
         extra && *extra > 128 ? std::optional(fmt::format("{:.0f} B", *extra - 128))
                               : std::nullopt);
  t.over("idle: threads / corio, bytes per waiting task",
         divided(t.figure("idle", "", "threads"), idle_corio), 8);
  t.at_most("ping-pong: corio / raw-asio, ns per round trip",
            divided(t.figure("ping-pong", "", "corio"), t.figure("ping-pong", "", "raw-asio")),
            1.00);
  t.over("ping-pong: threads / corio, ns per round trip",
         divided(t.figure("ping-pong", "", "threads"), t.figure("ping-pong", "", "corio")), 40);
  constexpr std::size_t n = 5000;
  const auto fan_corio = t.figure("fan-out", "", "corio", n);
  const bool at_n = std::any_of(rows.begin(), rows.end(), [](const row& r) {
    return r.workload == "fan-out" && r.n == n && !r.samples.empty();
  });
  t.at_most("fan-out N=5000: corio / raw-asio, wall time",
            at_n ? divided(fan_corio, t.figure("fan-out", "", "raw-asio", n)) : std::nullopt, 1.10);
  t.over("fan-out N=5000: pool-64 / corio, wall time",
         at_n ? divided(t.figure("fan-out", "", "pool-64", n), fan_corio) : std::nullopt, 10);
  t.at_most("fan-out N=5000: corio / thread-per-request, peak RSS",
            divided(rss_at(rows, "corio", n), rss_at(rows, "thread-per-request", n)), 0.5);

  print_light_task_targets(t);

  fmt::print(out, "\ntargets (issue 17, many loops; on 2 cores)\n");
  const auto two_loops = t.figure("fan-out", "", "corio-loops-2", n);
  t.line("fan-out N=5000: corio-loops-2, wall time", at_n ? two_loops : std::nullopt, " s",
         "<= 0.36 s",
         at_n && two_loops && *two_loops > 0.36
             ? std::optional(fmt::format("{:.0f}%", (*two_loops / 0.36 - 1) * 100))
             : std::nullopt);
  t.at_least("parallel: corio / corio-loops-2, time per task (the speed-up)",
             divided(t.figure("parallel", "", "corio"), t.figure("parallel", "", "corio-loops-2")),
             1.8);
}

std::string json_lines(std::span<const row> rows) {
  std::string text;
  for (const row& r : rows)
    if (r.n > 0 && !r.samples.empty())
      text += r.summary.json() + "\n";
  return text;
}

} // namespace bench
