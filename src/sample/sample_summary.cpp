#include "sample/sample_summary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>

#include "io/atomic_output.hpp"
#include "io/csv_field.hpp"
#include "io/number_format.hpp"
#include "sample/streaming_summary.hpp"

namespace hbayes::sample_output {
namespace {

constexpr std::array<const char*, 10> kHeader{"variable", "mean", "median", "sd",       "mad",
                                              "q5",       "q95",  "rhat",   "ess_bulk", "ess_tail"};

// The summary's nine numbers in kHeader's order (after the name).
std::array<double, 9> numbers(const diagnostics::Summary& s) {
  return {s.mean, s.median, s.sd, s.mad, s.q5, s.q95, s.rhat, s.ess_bulk, s.ess_tail};
}

// A number as the terminal table shows it: R-hat to 3 decimals (1.01 is its threshold), ESS as
// a whole number of draws, the rest to 4 significant digits.
std::string cell(double value, std::size_t column) {
  if (std::isnan(value)) return "NA";
  char text[64];
  const char* format = column == 6 ? "%.3f" : column >= 7 ? "%.0f" : "%.4g";
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

bool summary_is_streamed(const SampleResult& result) {
  return result.values.empty() && !result.streamed.columns.empty();
}

std::string streamed_summary_note() {
  return "streaming summary (no draws kept): mean, sd and rhat (classic split R-hat, not "
         "rank-normalized) are exact; median, mad, q5, q95 come from a histogram, ess_bulk "
         "and ess_tail from batch means\n";
}

std::vector<VariableSummary> summarise_draws(const SampleResult& result) {
  if (summary_is_streamed(result)) {
    const StreamedSummary& streamed = result.streamed;
    std::vector<VariableSummary> rows(streamed.columns.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i] = {result.columns[streamed.columns[i]], streamed.summaries[i]};
    }
    return rows;
  }
  const std::vector<std::size_t> columns = sampling::summary_columns(result.columns);
  std::vector<VariableSummary> rows(columns.size());
  std::vector<std::exception_ptr> failures(columns.size());
  const std::size_t n = result.chains * result.draws, width = result.columns.size();
  const auto count = static_cast<std::ptrdiff_t>(columns.size());
#pragma omp parallel
  {
    std::vector<double> draws(n);  // one column, chains x draws
#pragma omp for schedule(dynamic, 16)
    for (std::ptrdiff_t i = 0; i < count; ++i) {
      const std::size_t at = static_cast<std::size_t>(i), k = columns[at];
      for (std::size_t j = 0; j < n; ++j) draws[j] = result.values[j * width + k];
      rows[at].variable = result.columns[k];
      try {
        rows[at].summary = diagnostics::summarise(
            diagnostics::DrawsView{draws.data(), result.chains, result.draws});
      } catch (...) {
        failures[at] = std::current_exception();
      }
    }
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return rows;
}

void write_summary_csv(const std::string& path, const std::vector<VariableSummary>& rows) {
  io::AtomicOutputFile out(path);
  std::string text;
  for (const char* name : kHeader) text += std::string(name) + ",";
  text.back() = '\n';
  char number[io::kMaxNumberChars];
  for (const VariableSummary& row : rows) {
    io::append_csv_field(text, row.variable);
    for (const double value : numbers(row.summary)) {
      text.push_back(',');
      text.append(number, io::write_double(number, value));
    }
    text.push_back('\n');
    if (text.size() >= (std::size_t{1} << 20)) out.write(text), text.clear();
  }
  out.write(text);
  out.commit();
}

std::string summary_table(const std::vector<VariableSummary>& rows, std::size_t max_rows) {
  // Which rows are shown: all, or the first and last few around one elision line.
  const bool elide = rows.size() > max_rows;
  const std::size_t tail = elide ? std::max<std::size_t>(1, max_rows / 4) : 0;
  const std::size_t head = elide ? max_rows - std::min(tail, max_rows) : rows.size();
  std::vector<std::array<std::string, kHeader.size()>> cells;
  const auto add = [&](const VariableSummary& row) {
    std::array<std::string, kHeader.size()> line;
    line[0] = row.variable;
    const auto values = numbers(row.summary);
    for (std::size_t c = 0; c < values.size(); ++c) line[c + 1] = cell(values[c], c);
    cells.push_back(line);
  };
  for (std::size_t i = 0; i < head; ++i) add(rows[i]);
  for (std::size_t i = rows.size() - tail; i < rows.size(); ++i) add(rows[i]);

  std::array<std::size_t, kHeader.size()> width{};
  for (std::size_t c = 0; c < kHeader.size(); ++c) {
    width[c] = std::string(kHeader[c]).size();
    for (const auto& line : cells) width[c] = std::max(width[c], line[c].size());
  }
  const auto format = [&](const auto& line) {
    std::string text;
    for (std::size_t c = 0; c < kHeader.size(); ++c) {
      const std::string value = line[c];
      const std::string pad(width[c] - value.size(), ' ');
      text += c == 0 ? value + pad : "  " + pad + value;  // names left, numbers right
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::array<std::string, kHeader.size()> header;
  std::copy(kHeader.begin(), kHeader.end(), header.begin());
  std::string text = format(header);
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (elide && i == head) {
      text += "... " + std::to_string(rows.size() - head - tail) + " rows not shown (" +
              rows[head].variable + " .. " + rows[rows.size() - tail - 1].variable + ")\n";
    }
    text += format(cells[i]);
  }
  return text;
}

}  // namespace hbayes::sample_output
