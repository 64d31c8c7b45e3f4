// Effective sample size from the multi-chain autocorrelation, truncated by Geyer's initial
// positive sequence and smoothed by his initial monotone sequence, as posterior's .ess.
//
// Autocovariances are summed directly, lag by lag, and only up to the lag where the truncation
// stops: for well-mixed chains that is a handful of lags, so this costs O(chains x draws x lags)
// with no FFT.
#include <algorithm>
#include <cmath>

#include "diagnostics/chain_matrix.hpp"

namespace hbayes::diagnostics {

namespace detail {

namespace {

// Biased (divide by n) autocovariances of each chain, averaged over chains, on demand by lag.
class MeanAutocovariance {
 public:
  explicit MeanAutocovariance(DrawsView x) : x_(x), centered_(x.chains * x.draws) {
    for (std::size_t c = 0; c < x.chains; ++c) {
      const double* chain = x.values + c * x.draws;
      const double m = mean(chain, x.draws);
      const bool constant =
          std::all_of(chain, chain + x.draws, [&](double v) { return v == *chain; });
      // posterior returns zero autocovariance for a constant chain; centring exactly guarantees it.
      for (std::size_t i = 0; i < x.draws; ++i) {
        centered_[c * x.draws + i] = constant ? 0.0 : chain[i] - m;
      }
    }
  }

  double at(std::size_t lag) const {
    double total = 0;
    for (std::size_t c = 0; c < x_.chains; ++c) {
      const double* y = centered_.data() + c * x_.draws;
      // Four running sums (vectorisable, and each a quarter as long): the products of centred
      // draws are summed to ~1e-15 relative, far inside the 1e-6 asked of agreement with
      // posterior, whose FFT-based autocovariances carry errors of the same order.
      const std::size_t n = x_.draws - lag;
      double sum[4] = {0.0, 0.0, 0.0, 0.0};
      std::size_t i = 0;
      for (; i + 4 <= n; i += 4) {
        for (std::size_t k = 0; k < 4; ++k) sum[k] += y[i + k] * y[i + k + lag];
      }
      for (; i < n; ++i) sum[0] += y[i] * y[i + lag];
      total += ((sum[0] + sum[1]) + (sum[2] + sum[3])) / static_cast<double>(x_.draws);
    }
    return total / static_cast<double>(x_.chains);
  }

 private:
  DrawsView x_;
  std::vector<double> centered_;
};

}  // namespace

double ess_of(DrawsView x) {
  const std::size_t n = x.draws;
  if (n < 3 || degenerate(x)) return NAN;
  const MeanAutocovariance acov(x);
  const double dn = static_cast<double>(n);
  const double mean_var = acov.at(0) * dn / (dn - 1.0);
  double var_plus = mean_var * (dn - 1.0) / dn;
  if (x.chains > 1) {
    std::vector<double> chain_mean(x.chains);
    for (std::size_t c = 0; c < x.chains; ++c) chain_mean[c] = mean(x.values + c * n, n);
    var_plus += variance(chain_mean.data(), x.chains);
  }
  const auto rho = [&](std::size_t lag) { return 1.0 - (mean_var - acov.at(lag)) / var_plus; };

  // Geyer's initial positive sequence: sum autocorrelation pairs while their sum stays positive.
  std::vector<double> rho_hat(n, 0.0);
  std::size_t t = 0;
  double rho_even = 1.0;
  double rho_odd = rho(1);
  rho_hat[0] = rho_even;
  rho_hat[1] = rho_odd;
  while (t + 5 < n && !std::isnan(rho_even + rho_odd) && rho_even + rho_odd > 0) {
    t += 2;
    rho_even = rho(t);
    rho_odd = rho(t + 1);
    if (rho_even + rho_odd >= 0) {
      rho_hat[t] = rho_even;
      rho_hat[t + 1] = rho_odd;
    }
  }
  const std::size_t max_t = t;
  // The last positive even lag enters the improved estimate with weight one, which reduces
  // variance for antithetic chains (Vehtari et al. 2021, appendix).
  if (rho_even > 0) rho_hat[max_t] = rho_even;

  // Geyer's initial monotone sequence: pair sums may not increase.
  for (t = 2; t + 2 <= max_t; t += 2) {
    if (rho_hat[t] + rho_hat[t + 1] > rho_hat[t - 2] + rho_hat[t - 1]) {
      rho_hat[t] = rho_hat[t + 1] = (rho_hat[t - 2] + rho_hat[t - 1]) / 2;
    }
  }

  const double total = static_cast<double>(x.chains) * dn;
  // posterior sums rho_hat[1:max_t] in R; with max_t = 0 that index is 1:0, which R reads as
  // the first element alone.
  double sum = 0;
  for (std::size_t k = 0; k < std::max<std::size_t>(max_t, 1); ++k) sum += rho_hat[k];
  double tau = -1.0 + 2.0 * sum + rho_hat[max_t];
  // Caps ESS at total * log10(total): beyond that the estimate is noise (posterior warns).
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

}  // namespace detail

double ess_bulk(DrawsView x) {
  detail::check_shape(x, "ess_bulk");
  if (detail::degenerate(x)) return NAN;
  return detail::ess_of(detail::rank_normalize(detail::split_chains(x)).view());
}

double ess_basic(DrawsView x, bool split) {
  detail::check_shape(x, "ess_basic");
  if (!split) return detail::ess_of(x);
  return detail::ess_of(detail::split_chains(x).view());
}

double ess_mean(DrawsView x) {
  return ess_basic(x, true);
}

double ess_quantile(DrawsView x, double prob) {
  detail::check_shape(x, "ess_quantile");
  if (detail::degenerate(x)) return NAN;
  const std::size_t total = x.chains * x.draws;
  // The indicator of the maximum is constant; posterior nudges prob just inside the range.
  if (prob == 1.0) prob = (total - 0.5) / total;
  const double q = detail::sorted_quantile(detail::sorted_values(x), prob);
  const detail::ChainMatrix below = detail::indicator_at_most(x, q);
  return detail::ess_of(detail::split_chains(below.view()).view());
}

double ess_tail(DrawsView x) {
  const double low = ess_quantile(x, 0.05);
  const double high = ess_quantile(x, 0.95);
  if (std::isnan(low) || std::isnan(high)) return NAN;
  return std::min(low, high);
}

}  // namespace hbayes::diagnostics
