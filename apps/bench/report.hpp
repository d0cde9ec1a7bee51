// apps/bench/report.hpp - from the children's records to what the user reads: rows
// (one per workload, variant, n and implementation, over the repetitions), the
// aligned table with its ratio columns, the check against issue 5's targets, the
// --json lines and the --plot charts.
//
// Every row's figures are medians over its repetitions; the spread column is the
// lowest and highest value of the row's main figure. Ratios compare main figures:
// "corio/raw" on the corio row (corio's figure over raw Asio's), "vs corio" on every
// other row (its figure over corio's), both within the same workload, variant and
// (for the fan-out) n.
#ifndef CORIO_APPS_BENCH_REPORT_HPP
#define CORIO_APPS_BENCH_REPORT_HPP

#include "bench.hpp"

#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct row {
  std::string workload;
  std::string variant;
  std::string impl;
  std::size_t n = 0;
  std::vector<record> samples; // one per repetition that succeeded, each with rss_kb
  std::string failure;         // why a repetition failed, if one did
  record summary;              // filled by summarize()
};

/// The row for (workload, variant, impl, n) in `rows`, added when missing.
row& row_for(std::vector<row>& rows, const record& sample);

/// idle: turns each sample's peak RSS into bytes_per_task against the same
/// implementation's run with n = 0 (the baseline rows, which stay out of the table).
void derive_idle_memory(std::vector<row>& rows);

/// Fills every row's summary: medians, reps, and the main figure's min and max.
void summarize(std::vector<row>& rows);

/// Prints one section per workload and variant of `rows`, in the order they appear.
void print_table(std::FILE* out, std::span<const row> rows);

/// Prints issue 5's targets: met, missed (by how much), or not measured.
void print_targets(std::FILE* out, std::span<const row> rows);

/// One JSON object per row (its summary) and line.
std::string json_lines(std::span<const row> rows);

/// Draws DIR/fan-out.png and DIR/task-memory.png with gnuplot (also leaving the
/// data and the script there). Returns what it wrote, or why it did not.
std::string draw_plots(std::span<const row> rows, const std::filesystem::path& dir);

} // namespace bench

#endif // CORIO_APPS_BENCH_REPORT_HPP
