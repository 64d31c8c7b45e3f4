#include "reference/regression_reference.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/log1p.hpp>
#include <cmath>
#include <utility>

namespace hbayes::reference {
namespace {

using Matrix = std::vector<std::vector<long double>>;

long double lgam(long double x) {
  return boost::math::lgamma(x);
}

long double eta_of(const Covariates& x, const std::vector<long double>& b, std::size_t j) {
  long double eta = b[0];
  for (std::size_t k = 0; k < x.size(); ++k) eta += b[k + 1] * x[k][j];
  return eta;
}

// Row j of the design with its intercept.
std::vector<long double> row_of(const Covariates& x, std::size_t j) {
  std::vector<long double> r{1.0L};
  for (const auto& column : x) r.push_back(column[j]);
  return r;
}

// Solves a x = rhs by Gaussian elimination with partial pivoting; returns log |det a|.
long double solve(Matrix a, std::vector<long double> rhs, std::vector<long double>* x) {
  const std::size_t n = rhs.size();
  long double log_det = 0.0L;
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t pivot = c;
    for (std::size_t r = c + 1; r < n; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
    }
    std::swap(a[c], a[pivot]);
    std::swap(rhs[c], rhs[pivot]);
    log_det += std::log(std::fabs(a[c][c]));
    for (std::size_t r = c + 1; r < n; ++r) {
      const long double f = a[r][c] / a[c][c];
      for (std::size_t k = c; k < n; ++k) a[r][k] -= f * a[c][k];
      rhs[r] -= f * rhs[c];
    }
  }
  x->assign(n, 0.0L);
  for (std::size_t r = n; r-- > 0;) {
    long double s = rhs[r];
    for (std::size_t k = r + 1; k < n; ++k) s -= a[r][k] * (*x)[k];
    (*x)[r] = s / a[r][r];
  }
  return log_det;
}

}  // namespace

long double beta_binomial_regression_log_marginal(const std::vector<std::int64_t>& successes,
                                                  const std::vector<std::int64_t>& trials,
                                                  const Covariates& covariates,
                                                  const std::vector<long double>& b,
                                                  long double theta) {
  long double sum = 0.0L;
  for (std::size_t j = 0; j < successes.size(); ++j) {
    const long double y = successes[j];
    const long double n = trials[j];
    const long double eta = eta_of(covariates, b, j);
    const long double mu = 1.0L / (1.0L + std::exp(-eta));
    const long double q = 1.0L / (1.0L + std::exp(eta));
    long double term = lgam(n + 1.0L) - lgam(y + 1.0L) - lgam(n - y + 1.0L);
    if (theta == 0.0L) {
      if (y > 0) term += y * std::log(mu);
      if (n - y > 0) term += (n - y) * std::log(q);
    } else {
      const long double alpha = mu / theta;
      const long double beta = q / theta;
      term += lgam(alpha + y) - lgam(alpha) + lgam(beta + n - y) - lgam(beta) -
              lgam(alpha + beta + n) + lgam(alpha + beta);
    }
    sum += term;
  }
  return sum;
}

long double negative_binomial_regression_log_marginal(const std::vector<std::int64_t>& counts,
                                                      const std::vector<double>& exposures,
                                                      const Covariates& covariates,
                                                      const std::vector<long double>& b,
                                                      long double phi) {
  long double sum = 0.0L;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    const long double y = counts[j];
    const long double mean = exposures[j] * std::exp(eta_of(covariates, b, j));
    if (phi == 0.0L) {
      sum += (y > 0 ? y * std::log(mean) : 0.0L) - mean - lgam(y + 1.0L);
      continue;
    }
    // Gamma(a, rate a / mean) mixture of Poisson: P(y) = Gamma(a + y) / (Gamma(a) y!)
    // (1 + mean / a)^-a (mean / (a + mean))^y, a = 1 / phi.
    const long double a = 1.0L / phi;
    sum += lgam(a + y) - lgam(a) - lgam(y + 1.0L) - a * boost::math::log1p(mean / a) +
           (y > 0 ? y * std::log(mean / (a + mean)) : 0.0L);
  }
  return sum;
}

long double normal_regression_log_marginal(const std::vector<double>& estimates,
                                           const std::vector<double>& std_errors,
                                           const Covariates& covariates,
                                           const std::vector<long double>& b, long double tau2) {
  const long double log_two_pi = std::log(2.0L * 3.14159265358979323846264338327950288L);
  long double sum = 0.0L;
  for (std::size_t j = 0; j < estimates.size(); ++j) {
    const long double se = std_errors[j];
    const long double v = tau2 + se * se;
    const long double r = estimates[j] - eta_of(covariates, b, j);
    sum += -0.5L * (log_two_pi + std::log(v) + r * r / v);
  }
  return sum;
}

long double normal_regression_restricted_log_marginal(const std::vector<double>& estimates,
                                                      const std::vector<double>& std_errors,
                                                      const Covariates& covariates,
                                                      long double tau2) {
  const long double log_two_pi = std::log(2.0L * 3.14159265358979323846264338327950288L);
  const std::size_t k = estimates.size();
  const std::size_t p = covariates.size() + 1;
  Matrix xx(p, std::vector<long double>(p, 0.0L)), xwx = xx;
  std::vector<long double> xwy(p, 0.0L);
  long double sum_log_v = 0.0L;
  for (std::size_t j = 0; j < k; ++j) {
    const std::vector<long double> x = row_of(covariates, j);
    const long double se = std_errors[j];
    const long double v = tau2 + se * se;
    sum_log_v += std::log(v);
    for (std::size_t a = 0; a < p; ++a) {
      xwy[a] += x[a] * estimates[j] / v;
      for (std::size_t c = 0; c < p; ++c) {
        xx[a][c] += x[a] * x[c];
        xwx[a][c] += x[a] * x[c] / v;
      }
    }
  }
  std::vector<long double> b, unused;
  const long double log_det_xwx = solve(xwx, xwy, &b);
  const long double log_det_xx = solve(xx, std::vector<long double>(p, 0.0L), &unused);
  long double rss = 0.0L;
  for (std::size_t j = 0; j < k; ++j) {
    const std::vector<long double> x = row_of(covariates, j);
    long double r = estimates[j];
    for (std::size_t a = 0; a < p; ++a) r -= x[a] * b[a];
    const long double se = std_errors[j];
    rss += r * r / (tau2 + se * se);
  }
  return -0.5L * ((static_cast<long double>(k) - static_cast<long double>(p)) * log_two_pi -
                  log_det_xx + sum_log_v + log_det_xwx + rss);
}

}  // namespace hbayes::reference
