#include "reference/conjugate_reference.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <limits>
#include <vector>

namespace hbayes::reference {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Equal-tailed interval of a pmf given on {0..m}: L = min{k: P(Y<=k) >= t},
// U = min{k: P(Y>k) <= t}, by direct summation from each end.
void interval_from_pmf(const std::vector<long double>& pmf, long double tail, double* lower,
                       double* upper) {
  long double total = 0;
  for (long double p : pmf) total += p;
  long double cum = 0;
  std::size_t k = 0;
  for (; k < pmf.size(); ++k) {
    cum += pmf[k];
    if (cum >= tail * total) break;
  }
  *lower = static_cast<double>(k);
  long double above = 0;  // P(Y > k)
  std::size_t u = pmf.size() - 1;
  while (u > 0 && above + pmf[u] <= tail * total) above += pmf[u--];
  *upper = static_cast<double>(u);
}

}  // namespace

Posterior beta_binomial(std::int64_t successes, std::int64_t trials, double alpha, double beta,
                        double level, std::int64_t predict_trials) {
  const double tail = (1.0 - level) / 2.0;
  const double a = alpha + static_cast<double>(successes);
  const double b = beta + static_cast<double>(trials - successes);
  const boost::math::beta_distribution<double> posterior(a, b);
  Posterior r;
  r.raw = trials > 0 ? static_cast<double>(successes) / static_cast<double>(trials) : kNaN;
  r.post_mean = boost::math::mean(posterior);
  r.post_sd = boost::math::standard_deviation(posterior);
  r.lower = boost::math::quantile(posterior, tail);
  r.upper = boost::math::quantile(boost::math::complement(posterior, tail));
  r.data_weight = static_cast<double>(trials) / (alpha + beta + static_cast<double>(trials));
  r.post_param1 = a;
  r.post_param2 = b;
  r.pred_mean = r.pred_lower = r.pred_upper = kNaN;
  if (predict_trials > 0) {
    // P(Y = k) = C(m, k) B(k + a, m - k + b) / B(a, b), in long double logs.
    const long double la = a, lb = b;
    const long double m = static_cast<long double>(predict_trials);
    std::vector<long double> pmf(static_cast<std::size_t>(predict_trials) + 1);
    for (std::size_t k = 0; k < pmf.size(); ++k) {
      const long double kk = static_cast<long double>(k);
      const long double log_choose =
          std::lgamma(m + 1) - std::lgamma(kk + 1) - std::lgamma(m - kk + 1);
      const long double log_beta_ratio = std::lgamma(kk + la) + std::lgamma(m - kk + lb) -
                                         std::lgamma(m + la + lb) -
                                         (std::lgamma(la) + std::lgamma(lb) - std::lgamma(la + lb));
      pmf[k] = std::exp(log_choose + log_beta_ratio);
    }
    r.pred_mean = static_cast<double>(m * la / (la + lb));
    interval_from_pmf(pmf, tail, &r.pred_lower, &r.pred_upper);
  }
  return r;
}

Posterior gamma_poisson(std::int64_t count, double exposure, double shape, double rate,
                        double level, double predict_exposure) {
  const double tail = (1.0 - level) / 2.0;
  const double a = shape + static_cast<double>(count);
  const double b = rate + exposure;
  // Boost's gamma_distribution takes (shape, scale).
  const boost::math::gamma_distribution<double> posterior(a, 1.0 / b);
  Posterior r;
  r.raw = static_cast<double>(count) / exposure;
  r.post_mean = boost::math::mean(posterior);
  r.post_sd = boost::math::standard_deviation(posterior);
  r.lower = boost::math::quantile(posterior, tail);
  r.upper = boost::math::quantile(boost::math::complement(posterior, tail));
  r.data_weight = exposure / b;
  r.post_param1 = a;
  r.post_param2 = b;
  r.pred_mean = r.pred_lower = r.pred_upper = kNaN;
  if (predict_exposure > 0.0) {
    // Negative binomial(size a, success probability b / (b + f)); walk k upwards through Boost's
    // CDF and survival function.
    const boost::math::negative_binomial_distribution<double> predictive(
        a, b / (b + predict_exposure));
    r.pred_mean = boost::math::mean(predictive);
    double k = 0;
    while (boost::math::cdf(predictive, k) < tail) k += 1;
    r.pred_lower = k;
    while (boost::math::cdf(boost::math::complement(predictive, k)) > tail) k += 1;
    r.pred_upper = k;
  }
  return r;
}

Posterior normal_normal(double estimate, double std_error, double mu, double tau, double level) {
  const double tail = (1.0 - level) / 2.0;
  // Precision-weighted combination (the seed's derivation), in long double.
  const long double prior_precision = 1.0L / (static_cast<long double>(tau) * tau);
  const long double data_precision = 1.0L / (static_cast<long double>(std_error) * std_error);
  const long double precision = prior_precision + data_precision;
  const long double mean = (prior_precision * mu + data_precision * estimate) / precision;
  const boost::math::normal_distribution<double> posterior(
      static_cast<double>(mean), static_cast<double>(std::sqrt(1.0L / precision)));
  Posterior r;
  r.raw = estimate;
  r.post_mean = static_cast<double>(mean);
  r.post_sd = boost::math::standard_deviation(posterior);
  r.lower = boost::math::quantile(posterior, tail);
  r.upper = boost::math::quantile(boost::math::complement(posterior, tail));
  r.data_weight = static_cast<double>(data_precision / precision);
  r.post_param1 = r.post_param2 = kNaN;
  r.pred_mean = r.pred_lower = r.pred_upper = kNaN;
  return r;
}

}  // namespace hbayes::reference
