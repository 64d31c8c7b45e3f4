// posterior::summarise_draws' default columns for one parameter.
#include <cmath>

#include "diagnostics/chain_matrix.hpp"

namespace hbayes::diagnostics {

double quantile(DrawsView x, double prob) {
  detail::check_shape(x, "quantile");
  return detail::sorted_quantile(detail::sorted_values(x), prob);
}

Summary summarise(DrawsView x) {
  detail::check_shape(x, "summarise");
  const std::size_t n = x.chains * x.draws;
  const std::vector<double> sorted = detail::sorted_values(x);
  const double median = detail::sorted_median(sorted);
  std::vector<double> deviation(n);
  for (std::size_t i = 0; i < n; ++i) deviation[i] = std::fabs(x.values[i] - median);
  const double mad =
      detail::sorted_median(detail::sorted_values(DrawsView{deviation.data(), 1, n}));
  Summary s{};
  s.mean = detail::mean(x.values, n);
  s.median = median;
  s.sd = std::sqrt(detail::variance(x.values, n));
  // 1.4826 (R's constant) makes the MAD estimate the sd of normal draws.
  s.mad = 1.4826 * mad;
  s.q5 = detail::sorted_quantile(sorted, 0.05);
  s.q95 = detail::sorted_quantile(sorted, 0.95);
  s.rhat = rhat(x);
  s.ess_bulk = ess_bulk(x);
  s.ess_tail = ess_tail(x);
  return s;
}

}  // namespace hbayes::diagnostics
