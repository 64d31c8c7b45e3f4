#include "sample/sample_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace hbayes::sample_output {
namespace {

constexpr std::size_t kNamed = 5;      // the worst variables or chains a warning names
constexpr std::size_t kFewChains = 8;  // up to this many, divergences are listed per chain
using Named = std::pair<std::string, double>;

std::string number(double value, const char* format) {
  if (std::isnan(value)) return "NA";
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// "a 1.2, b 1.1, ..." for the kNamed first of `named` once sorted by `key`, smallest first
// (stable, so ties keep column or chain order).
template <class Key>
std::string worst(std::vector<Named> named, Key key, const char* format) {
  std::stable_sort(named.begin(), named.end(),
                   [&](const Named& a, const Named& b) { return key(a.second) < key(b.second); });
  std::string text;
  for (std::size_t i = 0; i < std::min(kNamed, named.size()); ++i) {
    text += (i ? ", " : "") + named[i].first + " " + number(named[i].second, format);
  }
  return text;
}

// NA first, then the largest values.
double largest_first(double value) {
  return std::isnan(value) ? -std::numeric_limits<double>::infinity() : -value;
}
// NA first, then the smallest values.
double smallest_first(double value) {
  return std::isnan(value) ? -std::numeric_limits<double>::infinity() : value;
}

std::string of_variables(std::size_t bad, std::size_t all) {
  return std::to_string(bad) + " of " + std::to_string(all) + " variables";
}

void rhat_warning(const std::vector<VariableSummary>& summaries, std::vector<std::string>& out) {
  std::vector<Named> bad;
  for (const VariableSummary& row : summaries) {
    const double rhat = row.summary.rhat;
    if (std::isnan(rhat) || rhat > kRhatLimit) bad.emplace_back(row.variable, rhat);
  }
  if (bad.empty()) return;
  out.push_back("R-hat above 1.01 (or NA) for " + of_variables(bad.size(), summaries.size()) +
                " (worst: " + worst(bad, largest_first, "%.3f") +
                "): the chains have not mixed; running them longer (--warmup, --draws) may help");
}

void ess_warning(const std::vector<VariableSummary>& summaries, std::size_t chains, bool tail,
                 std::vector<std::string>& out) {
  const double limit = kEssPerChain * static_cast<double>(chains);
  std::vector<Named> bad;
  for (const VariableSummary& row : summaries) {
    const double ess = tail ? row.summary.ess_tail : row.summary.ess_bulk;
    if (std::isnan(ess) || ess < limit) bad.emplace_back(row.variable, ess);
  }
  if (bad.empty()) return;
  out.push_back(std::string(tail ? "tail" : "bulk") + " ESS below 100 per chain (" +
                number(limit, "%.0f") + ") for " + of_variables(bad.size(), summaries.size()) +
                " (lowest: " + worst(bad, smallest_first, "%.0f") + "): posterior " +
                (tail ? "variances and tail quantiles" : "means and medians") +
                " may be unreliable; running the chains longer may help");
}

// The index of the column called `name`, or columns.size() when there is none.
std::size_t column_index(const SampleResult& result, const char* name) {
  return static_cast<std::size_t>(std::find(result.columns.begin(), result.columns.end(), name) -
                                  result.columns.begin());
}

// Kept draws marked divergent__, per chain: from the draws, or counted as they streamed by.
// Empty when the run has no divergent__ column.
std::vector<std::size_t> divergent_draws(const SampleResult& result) {
  if (summary_is_streamed(result)) return result.streamed.divergent;
  const std::size_t k = column_index(result, "divergent__");
  if (k == result.columns.size()) return {};
  std::vector<std::size_t> per_chain(result.chains, 0);
  for (std::size_t c = 0; c < result.chains; ++c) {
    for (std::size_t i = 0; i < result.draws; ++i) per_chain[c] += result.value(c, i, k) > 0;
  }
  return per_chain;
}

// E-BFMI per chain: of the kept energy__ draws, or of the exact sums kept as they streamed by.
// Empty when the run has no energy__ column.
std::vector<double> ebfmi_per_chain(const SampleResult& result) {
  if (summary_is_streamed(result)) return result.streamed.ebfmi;
  const std::size_t k = column_index(result, "energy__");
  if (k == result.columns.size()) return {};
  std::vector<double> per_chain, energy(result.draws);
  for (std::size_t c = 0; c < result.chains; ++c) {
    for (std::size_t i = 0; i < result.draws; ++i) energy[i] = result.value(c, i, k);
    per_chain.push_back(diagnostics::ebfmi(energy.data(), energy.size()));
  }
  return per_chain;
}

void divergence_warning(const SampleResult& result, std::vector<std::string>& out) {
  const std::vector<std::size_t> per_chain = divergent_draws(result);
  if (per_chain.empty()) return;
  std::size_t total = 0, chains_with = 0;
  for (std::size_t c = 0; c < result.chains; ++c) {
    total += per_chain[c];
    chains_with += per_chain[c] > 0;
  }
  if (total == 0) return;
  const std::size_t transitions = result.chains * result.draws;
  std::string where;
  if (result.chains <= kFewChains) {
    where = "by chain:";
    for (std::size_t c = 0; c < result.chains; ++c) {
      where += (c ? ", " : " ") + std::to_string(per_chain[c]);
    }
  } else {
    where =
        "in " + std::to_string(chains_with) + " of " + std::to_string(result.chains) + " chains";
  }
  out.push_back(
      std::to_string(total) + " of " + std::to_string(transitions) +
      " transitions after warmup were divergent (" +
      number(100.0 * static_cast<double>(total) / static_cast<double>(transitions), "%.3g") +
      "%, " + where +
      "): the sampler cannot follow the posterior's curvature there, and the draws "
      "may be biased; raise --target-accept or try the other --parameterization");
}

void ebfmi_warning(const SampleResult& result, std::vector<std::string>& out) {
  const std::vector<double> per_chain = ebfmi_per_chain(result);
  std::vector<Named> low;
  for (std::size_t c = 0; c < per_chain.size(); ++c) {
    if (per_chain[c] < kEbfmiLimit) {
      low.emplace_back("chain " + std::to_string(c + 1), per_chain[c]);
    }
  }
  if (low.empty()) return;
  out.push_back("E-BFMI below 0.3 in " + std::to_string(low.size()) + " of " +
                std::to_string(result.chains) + " chains (" + worst(low, smallest_first, "%.3f") +
                "): momentum resampling explores the energy distribution poorly; a "
                "reparameterization (--parameterization) may help");
}

}  // namespace

std::vector<std::string> convergence_warnings(const SampleResult& result,
                                              const std::vector<VariableSummary>& summaries) {
  std::vector<std::string> out;
  rhat_warning(summaries, out);
  ess_warning(summaries, result.chains, false, out);
  ess_warning(summaries, result.chains, true, out);
  divergence_warning(result, out);
  ebfmi_warning(result, out);
  return out;
}

}  // namespace hbayes::sample_output
