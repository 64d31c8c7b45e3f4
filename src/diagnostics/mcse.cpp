// Monte Carlo standard errors of the mean and of quantiles.
#include <algorithm>
#include <cmath>

#include "diagnostics/chain_matrix.hpp"
#include "special/incomplete_beta_inverse.hpp"

namespace hbayes::diagnostics {

double mcse_mean(DrawsView x) {
  detail::check_shape(x, "mcse_mean");
  const double sd = std::sqrt(detail::variance(x.values, x.chains * x.draws));
  return sd / std::sqrt(ess_mean(x));
}

double mcse_quantile(DrawsView x, double prob) {
  const double ess = ess_quantile(x, prob);
  if (std::isnan(ess)) return NAN;
  // The +-1 sd interval of the quantile's rank, from the Beta posterior of the indicator's
  // probability with ess effective draws; half its width in draws is the standard error.
  // posterior uses these rounded normal probabilities, so we do too.
  const double lower_p = 0.1586553, upper_p = 0.8413447;
  const double a = ess * prob + 1.0, b = ess * (1.0 - prob) + 1.0;
  const double lower = special::ibeta_inv(a, b, lower_p);
  const double upper = special::ibeta_inv(a, b, upper_p);
  const std::vector<double> sorted = detail::sorted_values(x);
  const double n = static_cast<double>(sorted.size());
  // 1-based order statistics, clamped to the sample.
  const double first = std::max(std::floor(lower * n), 1.0);
  const double last = std::min(std::ceil(upper * n), n);
  return (sorted[static_cast<std::size_t>(last) - 1] -
          sorted[static_cast<std::size_t>(first) - 1]) /
         2.0;
}

}  // namespace hbayes::diagnostics
