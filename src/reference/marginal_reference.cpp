#include "reference/marginal_reference.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <cmath>

namespace hbayes::reference {
namespace {

long double lgam(long double x) {
  return boost::math::lgamma(x);
}

long double log_choose(std::int64_t n, std::int64_t k) {
  return lgam(n + 1.0L) - lgam(k + 1.0L) - lgam(n - k + 1.0L);
}

}  // namespace

long double beta_binomial_log_marginal(const std::vector<std::int64_t>& successes,
                                       const std::vector<std::int64_t>& trials, long double mu,
                                       long double theta) {
  long double sum = 0.0L;
  for (std::size_t j = 0; j < successes.size(); ++j) {
    const std::int64_t y = successes[j];
    const std::int64_t n = trials[j];
    const long double ly = static_cast<long double>(y);
    const long double ln = static_cast<long double>(n);
    if (theta == 0.0L) {
      // Binomial(n, mu); 0 log 0 = 0.
      long double term = log_choose(n, y);
      if (y > 0) term += ly * std::log(mu);
      if (n - y > 0) term += (ln - ly) * std::log1p(-mu);
      sum += term;
      continue;
    }
    const long double alpha = mu / theta;
    const long double beta = (1.0L - mu) / theta;
    sum += log_choose(n, y) + lgam(alpha + ly) - lgam(alpha) + lgam(beta + ln - ly) - lgam(beta) -
           lgam(alpha + beta + ln) + lgam(alpha + beta);
  }
  return sum;
}

long double negative_binomial_log_marginal(const std::vector<std::int64_t>& counts,
                                           const std::vector<double>& exposures, long double m,
                                           long double phi) {
  long double sum = 0.0L;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    const long double y = static_cast<long double>(counts[j]);
    const long double e = exposures[j];
    const long double mean = e * m;
    if (phi == 0.0L) {
      sum += (y > 0 ? y * std::log(mean) : 0.0L) - mean - lgam(y + 1.0L);
      continue;
    }
    // Gamma(a, rate b) mixture of Poisson(e lambda): P(y) = Gamma(a + y) / (Gamma(a) y!)
    // (b / (b + e))^a (e / (b + e))^y with a = 1 / phi, b = a / m.
    const long double a = 1.0L / phi;
    const long double b = a / m;
    sum += lgam(a + y) - lgam(a) - lgam(y + 1.0L) - a * boost::math::log1p(e / b) +
           (y > 0 ? y * std::log(e / (b + e)) : 0.0L);
  }
  return sum;
}

long double normal_log_marginal(const std::vector<double>& estimates,
                                const std::vector<double>& std_errors, long double mu,
                                long double tau2) {
  const long double log_two_pi = std::log(2.0L * 3.14159265358979323846264338327950288L);
  long double sum = 0.0L;
  for (std::size_t j = 0; j < estimates.size(); ++j) {
    const long double se = std_errors[j];
    const long double v = tau2 + se * se;
    const long double r = estimates[j] - mu;
    sum += -0.5L * (log_two_pi + std::log(v) + r * r / v);
  }
  return sum;
}

long double normal_restricted_log_marginal(const std::vector<double>& estimates,
                                           const std::vector<double>& std_errors,
                                           long double tau2) {
  const long double log_two_pi = std::log(2.0L * 3.14159265358979323846264338327950288L);
  const std::size_t k = estimates.size();
  long double sum_w = 0.0L, sum_wy = 0.0L, sum_log_v = 0.0L;
  for (std::size_t j = 0; j < k; ++j) {
    const long double se = std_errors[j];
    const long double v = tau2 + se * se;
    sum_w += 1.0L / v;
    sum_wy += estimates[j] / v;
    sum_log_v += std::log(v);
  }
  const long double mu = sum_wy / sum_w;
  long double rss = 0.0L;
  for (std::size_t j = 0; j < k; ++j) {
    const long double se = std_errors[j];
    const long double r = estimates[j] - mu;
    rss += r * r / (tau2 + se * se);
  }
  const long double kk = static_cast<long double>(k);
  return -0.5L * ((kk - 1.0L) * log_two_pi - std::log(kk) + sum_log_v + std::log(sum_w) + rss);
}

}  // namespace hbayes::reference
