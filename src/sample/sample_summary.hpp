// Posterior summaries of a sampling run: posterior::summarise_draws' default columns for lp__
// and every parameter, as summary.csv and as a table for the terminal.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hbayes/diagnostics.hpp"
#include "hbayes/sample.hpp"

namespace hbayes::sample_output {

// One row of the summary: a column of the draws and its summarise_draws values.
struct VariableSummary {
  std::string variable;
  diagnostics::Summary summary;
};

// lp__, then every parameter (mu, tau, theta.1 .. theta.J), in the draws' column order. Works a
// column at a time (one chains x draws copy per thread), columns in parallel. A run that kept no
// draws gives its streamed summary instead (summary_is_streamed).
std::vector<VariableSummary> summarise_draws(const SampleResult& result);

// Whether summarise_draws(result) gives the streaming estimates of a run without kept draws.
bool summary_is_streamed(const SampleResult& result);

// One line (with its newline) to print under a streamed summary's table: which of its numbers
// are exact and how the others are estimated.
std::string streamed_summary_note();

// Writes variable,mean,median,sd,mad,q5,q95,rhat,ess_bulk,ess_tail ("-" = stdout); numbers at
// full precision, NA (what posterior reports as NA) as an empty field. Atomic.
void write_summary_csv(const std::string& path, const std::vector<VariableSummary>& rows);

// The summary as aligned text, about 4 significant digits, NA where posterior prints NA. More
// than max_rows rows: the first and last few, and a line saying how many were left out.
std::string summary_table(const std::vector<VariableSummary>& rows, std::size_t max_rows = 24);

}  // namespace hbayes::sample_output
