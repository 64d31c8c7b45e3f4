// posterior::summarise_draws' default columns for one parameter.
#include <algorithm>
#include <cmath>

#include "diagnostics/chain_matrix.hpp"

namespace hbayes::diagnostics {

double quantile(DrawsView x, double prob) {
  detail::check_shape(x, "quantile");
  return detail::sorted_quantile(detail::sorted_values(x), prob);
}

// summarise_draws computes R-hat, bulk and tail ESS, and quantiles of the same draws; here one
// sort of the draws serves the quantiles, the median, the deviations from the median (merged, not
// sorted again) and both rank normalizations, with exactly the results of the separate functions
// (a summary of 64 chains x 1,000 draws per variable is dominated by sorting).
Summary summarise(DrawsView x) {
  detail::check_shape(x, "summarise");
  const std::size_t n = x.chains * x.draws;
  // A NaN draw has no place in an order: posterior's quantiles are NA then, and so is the rest.
  if (std::any_of(x.values, x.values + n, [](double v) { return std::isnan(v); })) {
    return Summary{NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
  }
  const detail::SortedDraws by_value = detail::sort_with_positions(x.values, n);
  std::vector<double> sorted(n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = by_value[i].first;
  const double median = detail::sorted_median(sorted);
  const detail::SortedDraws by_deviation = detail::sorted_deviations(by_value, median);
  std::vector<double> sorted_deviation(n);
  for (std::size_t i = 0; i < n; ++i) sorted_deviation[i] = by_deviation[i].first;
  Summary s{};
  s.mean = detail::mean(x.values, n);
  s.median = median;
  s.sd = std::sqrt(detail::variance(x.values, n));
  // 1.4826 (R's constant) makes the MAD estimate the sd of normal draws.
  s.mad = 1.4826 * detail::sorted_median(sorted_deviation);
  s.q5 = detail::sorted_quantile(sorted, 0.05);
  s.q95 = detail::sorted_quantile(sorted, 0.95);
  if (detail::degenerate(x)) {
    s.rhat = s.ess_bulk = s.ess_tail = NAN;
    return s;
  }
  // R-hat and bulk ESS rank the split chains' draws. With an even number of draws per chain,
  // splitting only rearranges the draws, so their ranks are the ranks among all draws, which the
  // sorts above already hold; an odd middle draw is dropped by the split and changes the ranks.
  detail::ChainMatrix bulk, tail;
  if (x.draws % 2 == 0) {
    const std::vector<double> bulk_scores = detail::normal_scores(by_value);
    const std::vector<double> tail_scores = detail::normal_scores(by_deviation);
    bulk = detail::split_chains(DrawsView{bulk_scores.data(), x.chains, x.draws});
    tail = detail::split_chains(DrawsView{tail_scores.data(), x.chains, x.draws});
  } else {
    bulk = detail::rank_normalize(detail::split_chains(x));
    tail = detail::rank_normalize(detail::split_chains(detail::fold_about(x, median).view()));
  }
  const double rhat_bulk = detail::rhat_of(bulk.view());
  const double rhat_tail = detail::rhat_of(tail.view());
  s.rhat = std::isnan(rhat_bulk) || std::isnan(rhat_tail) ? NAN : std::max(rhat_bulk, rhat_tail);
  s.ess_bulk = detail::ess_of(bulk.view());
  const auto ess_below = [&](double prob) {
    const detail::ChainMatrix below = detail::indicator_at_most(x, detail::sorted_quantile(sorted, prob));
    return detail::ess_of(detail::split_chains(below.view()).view());
  };
  const double low = ess_below(0.05), high = ess_below(0.95);
  s.ess_tail = std::isnan(low) || std::isnan(high) ? NAN : std::min(low, high);
  return s;
}

}  // namespace hbayes::diagnostics
