// apps/bench/plot.cpp - the --plot charts, drawn by gnuplot (Debian's `gnuplot`
// package; without it the bench says so and goes on). Writes into DIR:
//   fan-out.dat, task-memory.dat   the figures (medians), for other tools too
//   plots.gp                       the gnuplot script (rerun: gnuplot DIR/plots.gp)
//   fan-out.png                    wall time and peak RSS against N, one line per mode
//   task-memory.png                bytes per waiting task: tasks against threads
#include "process.hpp"
#include "report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace bench {

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  if (!file.flush())
    throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

// One gnuplot data block per implementation: "n wall_s rss_mb" lines.
std::vector<std::string> write_fan_out(std::span<const row> rows, const fs::path& path) {
  std::map<std::string, std::map<std::size_t, std::pair<double, double>>> series;
  std::vector<std::string> order;
  for (const row& r : rows) {
    if (r.workload != "fan-out" || r.samples.empty())
      continue;
    if (!series.contains(r.impl))
      order.push_back(r.impl);
    series[r.impl][r.n] = {r.summary.number("wall_s"), r.summary.number("rss_kb") / 1024};
  }
  std::string text;
  for (const std::string& impl : order) {
    text += fmt::format("# {}\n", impl);
    for (const auto& [n, figures] : series[impl])
      text += fmt::format("{} {} {}\n", n, figures.first, figures.second);
    text += "\n\n";
  }
  write_file(path, text);
  return order;
}

std::size_t write_task_memory(std::span<const row> rows, const fs::path& path) {
  std::string text;
  std::size_t count = 0;
  for (const row& r : rows)
    if (r.workload == "idle" && r.n > 0 && r.summary.has("bytes_per_task")) {
      text += fmt::format("\"{} (n={})\" {}\n", r.impl, r.n, r.summary.number("bytes_per_task"));
      ++count;
    }
  write_file(path, text);
  return count;
}

std::string fan_out_script(const std::vector<std::string>& impls, const fs::path& dir, double delay,
                           double server_loops) {
  std::string plots[2];
  for (std::size_t i = 0; i < impls.size(); ++i)
    for (int panel = 0; panel < 2; ++panel)
      plots[panel] += fmt::format("{}'{}' index {} using 1:{} with linespoints lw 2 title '{}'",
                                  i == 0 ? "plot " : ", ", (dir / "fan-out.dat").string(), i,
                                  panel + 2, impls[i]);
  return fmt::format(R"gp(set terminal pngcairo size 1280,520 font ",10"
set output '{}'
set multiplot layout 1,2 title "fan-out: N GETs to corio-flags-server --delay {} --loops {} (loopback), medians"
set logscale xy
set grid
set key top left box opaque
set xlabel "N (requests)"
set ylabel "wall time (s)"
{}
set ylabel "peak RSS (MB)"
{}
unset multiplot
)gp",
                     (dir / "fan-out.png").string(), delay, server_loops, plots[0], plots[1]);
}

std::string task_memory_script(const fs::path& dir) {
  return fmt::format(R"gp(reset
set terminal pngcairo size 720,480 font ",10"
set output '{}'
set title "memory per waiting task: peak RSS growth / N (idle workload)"
set style fill solid 0.7 border -1
set boxwidth 0.6
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set grid ytics
set ylabel "bytes per waiting task"
plot '{}' using 0:2:xtic(1) with boxes notitle, \
     '' using 0:2:(sprintf("%.0f B", $2)) with labels offset 0,1 notitle
)gp",
                     (dir / "task-memory.png").string(), (dir / "task-memory.dat").string());
}

} // namespace

std::string draw_plots(std::span<const row> rows, const fs::path& dir) {
  const std::optional<std::string> gnuplot = find_in_path("gnuplot");
  if (!gnuplot)
    return "no charts: gnuplot is not installed (Debian: apt-get install gnuplot-nox)";
  fs::create_directories(dir);
  const std::vector<std::string> impls = write_fan_out(rows, dir / "fan-out.dat");
  const std::size_t bars = write_task_memory(rows, dir / "task-memory.dat");
  std::string script;
  std::vector<std::string> drawn;
  if (!impls.empty()) {
    double delay = 0;
    double server_loops = 0;
    for (const row& r : rows)
      if (r.workload == "fan-out") {
        delay = std::max(delay, r.summary.number("delay_s"));
        server_loops = std::max(server_loops, r.summary.number("server_loops"));
      }
    script += fan_out_script(impls, dir, delay, server_loops);
    drawn.push_back((dir / "fan-out.png").string());
  }
  if (bars > 0) {
    script += task_memory_script(dir);
    drawn.push_back((dir / "task-memory.png").string());
  }
  if (drawn.empty())
    return "no charts: they need the fan-out and idle workloads";
  write_file(dir / "plots.gp", script);
  process run({*gnuplot, (dir / "plots.gp").string()});
  const exit_report report = run.wait(std::chrono::seconds(60));
  if (!report.ok())
    return fmt::format("gnuplot failed ({}) on {}", report.describe(), (dir / "plots.gp").string());
  return fmt::format("charts: {}", fmt::join(drawn, ", "));
}

} // namespace bench
