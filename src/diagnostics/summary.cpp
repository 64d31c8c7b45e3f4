// posterior::summarise_draws' default columns for one parameter.
#include <algorithm>
#include <cmath>

#include "diagnostics/chain_matrix.hpp"

namespace hbayes::diagnostics {

double quantile(DrawsView x, double prob) {
  detail::check_shape(x, "quantile");
  return detail::sorted_quantile(detail::sorted_values(x), prob);
}

// summarise_draws computes R-hat, bulk and tail ESS, and quantiles of the same draws; here the
// sort, the fold about the median and the rank-normalized split chains are each computed once
// and shared (a summary of 64 chains x 1,000 draws per variable is dominated by them), with
// exactly the results of the separate functions.
Summary summarise(DrawsView x) {
  detail::check_shape(x, "summarise");
  const std::size_t n = x.chains * x.draws;
  const std::vector<double> sorted = detail::sorted_values(x);
  const double median = detail::sorted_median(sorted);
  const detail::ChainMatrix folded = detail::fold_about(x, median);  // |x - median|
  std::vector<double> sorted_deviation = folded.values;
  std::sort(sorted_deviation.begin(), sorted_deviation.end());
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
  const detail::ChainMatrix bulk = detail::rank_normalize(detail::split_chains(x));
  const double rhat_bulk = detail::rhat_of(bulk.view());
  const double rhat_tail =
      detail::rhat_of(detail::rank_normalize(detail::split_chains(folded.view())).view());
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
