// Beta-binomial marginal likelihood of a catalog in the mean/dispersion parameterisation
// mu = alpha / (alpha + beta), theta = 1 / (alpha + beta):
//
//   log p(y | n) = log C(n, y) + sum_{k<y} log(mu + k theta) + sum_{k<n-y} log(1 - mu + k theta)
//                  - sum_{k<n} log(1 + k theta),
//
// (the log theta terms of the three rising factorials cancel), so theta = 0 is the binomial.
// Over a catalog each sum is a histogram sum (log_rising.hpp): the successes, failures and trials
// histograms are everything the likelihood needs; the per-store pass also gathers the sums of the
// method of moments on raw proportions.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "device_macros.hpp"
#include "marginal/derivatives.hpp"
#include "marginal/log_rising.hpp"

namespace hbayes::kernels {

// Method-of-moments sums over stores with trials > 0 (p = y / n).
struct BinomialMoments {
  double stores = 0.0;          // stores with trials > 0
  double sum_rate = 0.0;        // sum p
  double sum_rate_sq = 0.0;     // sum p^2
  double sum_inv_trials = 0.0;  // sum 1 / n
};

HBAYES_HD inline BinomialMoments operator+(const BinomialMoments& x, const BinomialMoments& y) {
  return {x.stores + y.stores, x.sum_rate + y.sum_rate, x.sum_rate_sq + y.sum_rate_sq,
          x.sum_inv_trials + y.sum_inv_trials};
}

// One store's share of the moment sums.
HBAYES_HD inline BinomialMoments binomial_moments(int64_t successes, int64_t trials) {
  if (trials <= 0) return BinomialMoments{};
  const double inv_n = 1.0 / static_cast<double>(trials);  // one division per store
  const double p = static_cast<double>(successes) * inv_n;
  return {1.0, p, p * p, inv_n};
}

// A counts-of-counts histogram as the math sees it (strictly increasing values).
struct HistogramView {
  const int64_t* values;
  const int64_t* multiplicities;
  size_t size;
};

// sum_j [log p(y_j | n_j) - log C(n_j, y_j)] and derivatives in (a, b) = (mu, theta), mu in (0, 1)
// given together with q = 1 - mu (passed separately so that mu near 1 keeps its precision),
// theta >= 0.
HBAYES_HD inline Derivs2 beta_binomial_log_marginal(const HistogramView& successes,
                                                    const HistogramView& failures,
                                                    const HistogramView& trials, double mu,
                                                    double q, double theta) {
  const Derivs2 s =
      log_rising_histogram(successes.values, successes.multiplicities, successes.size, mu, theta);
  const Derivs2 f =
      log_rising_histogram(failures.values, failures.multiplicities, failures.size, q, theta);
  const Derivs2 n =
      log_rising_histogram(trials.values, trials.multiplicities, trials.size, 1.0, theta);
  Derivs2 r;
  r.value = s.value + f.value - n.value;
  r.da = s.da - f.da;  // d(1 - mu)/dmu = -1
  r.db = s.db + f.db - n.db;
  r.daa = s.daa + f.daa;
  r.dab = s.dab - f.dab;
  r.dbb = s.dbb + f.dbb - n.dbb;
  return r;
}

}  // namespace hbayes::kernels
