// One store's log marginal likelihood when its prior mean depends on covariates, and the
// reductions over stores that turn those terms into the value, gradient and Hessian of the whole
// catalog in the coefficients b and the shared dispersion d.
//
// Store j has a linear predictor eta_j = x_j' b (x_j starts with 1 for the intercept):
//   beta-binomial  mu_j = logistic(eta_j), theta = 1 / (alpha_j + beta_j) shared;
//   gamma-Poisson  mean_j = exp(eta_j) events per unit exposure, phi = 1 / shape shared;
//   normal-normal  mu_j = eta_j, tau^2 shared.
// Each family's term is a Derivs2 in (a, b) = (eta_j, d). By the chain rule the catalog's
// gradient is sum_j x_j d_eta and its Hessian sum_j x_j x_j' d_eta_eta (the X' diag X form), which
// RegressionSums accumulates store by store. Constants of the data alone (log C(n, y), log y!)
// are left to the host, where they are summed once in long double.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "marginal/derivatives.hpp"
#include "marginal/gamma_poisson_marginal.hpp"
#include "marginal/log_rising.hpp"

namespace hbayes::kernels {

// Coefficients per regression, intercept included. The sums carry the packed p x p Hessian
// (and, for REML, three such matrices) in fixed-size structs: at 8 the largest is 132 doubles,
// summed per thread on the CPU and entry by entry on the GPU (marginal_kernels.cu); at 16 it
// would be over 400 entries.
constexpr int kMaxCoefficients = 8;
constexpr int kPackedEntries = kMaxCoefficients * (kMaxCoefficients + 1) / 2;

// Index of entry (i, k), k <= i, of a packed lower triangle.
HBAYES_HD inline int packed_index(int i, int k) {
  return i * (i + 1) / 2 + k;
}

// Coefficients passed by value to the per-store functors.
struct Coefficients {
  double b[kMaxCoefficients];
};

// log_rising kept out of line on the device: the beta-binomial term calls it three times, and
// inlining its asymptotic regime at each call would triple the kernel's code (device_macros.hpp).
HBAYES_HD_OUTLINE inline Derivs2 log_rising_outlined(double p, double theta, double length) {
  return log_rising(p, theta, 0.0, length);
}

// sum_{k<y} log(mu + k theta) + sum_{k<n-y} log(1 - mu + k theta) - sum_{k<n} log(1 + k theta):
// log BetaBinomial(y | n, mu / theta, (1 - mu) / theta) - log C(n, y), in (eta, theta) with
// mu = logistic(eta), theta >= 0 (theta = 0: the binomial).
HBAYES_HD inline Derivs2 beta_binomial_store_term(double successes, double trials, double eta,
                                                  double theta) {
  // mu and 1 - mu each from its own exponential, so that neither loses precision near 0 or 1.
  const double mu = 1.0 / (1.0 + exp(-eta));
  const double q = 1.0 / (1.0 + exp(eta));
  const Derivs2 s = log_rising_outlined(mu, theta, successes);
  const Derivs2 f = log_rising_outlined(q, theta, trials - successes);
  const Derivs2 t = log_rising_outlined(1.0, theta, trials);
  const double w = mu * q;          // d mu / d eta
  const double d_mu = s.da - f.da;  // d / d mu (d q / d mu = -1)
  Derivs2 r;
  r.value = s.value + f.value - t.value;
  r.da = w * d_mu;
  r.db = s.db + f.db - t.db;
  r.daa = w * w * (s.daa + f.daa) + w * (q - mu) * d_mu;  // d2 mu / d eta2 = w (q - mu)
  r.dab = w * (s.dab - f.dab);
  r.dbb = s.dbb + f.dbb - t.dbb;
  return r;
}

// log NegBinomial(y | mean e exp(eta), shape 1 / phi) + log y!, in (eta, phi), phi >= 0
// (phi = 0: the Poisson). The exposure is an offset: the mean of the count is e exp(eta).
HBAYES_HD inline Derivs2 gamma_poisson_store_term(double count, double exposure, double eta,
                                                  double phi) {
  const double m = exp(eta);
  const Derivs2 rising = log_rising_outlined(1.0, phi, count);  // depends on phi only
  const Derivs2 e = exposure_term(count, exposure, m, phi);
  Derivs2 r;
  r.value = rising.value + e.value;
  r.da = m * e.da;
  r.db = rising.db + e.db;
  r.daa = m * m * e.daa + m * e.da;
  r.dab = m * e.dab;
  r.dbb = rising.dbb + e.dbb;
  return r;
}

// log N(y | eta, tau^2 + se^2) in (eta, tau^2), tau^2 >= 0.
HBAYES_HD inline Derivs2 normal_store_term(double estimate, double std_error, double eta,
                                           double tau2) {
  constexpr double kLogTwoPi = 1.8378770664093454836;
  const double v = tau2 + std_error * std_error;
  const double w = 1.0 / v;
  const double r = estimate - eta;
  const double wr = w * r;
  Derivs2 d;
  d.value = -0.5 * (kLogTwoPi + log(v) + wr * r);
  d.da = wr;
  d.db = -0.5 * (w - wr * wr);
  d.daa = -w;
  d.dab = -w * wr;
  d.dbb = 0.5 * w * w - w * wr * wr;
  return d;
}

// Value, gradient and Hessian of sum_j term_j(x_j' b, d) in (b, d): g and h over the p
// coefficients (h packed lower triangle), gd, hd and hdd the dispersion's entries. Entries beyond
// p stay 0.
struct RegressionSums {
  double value = 0.0;
  double g[kMaxCoefficients] = {};
  double gd = 0.0;
  double h[kPackedEntries] = {};
  double hd[kMaxCoefficients] = {};
  double hdd = 0.0;
};

HBAYES_HD inline RegressionSums operator+(const RegressionSums& x, const RegressionSums& y) {
  RegressionSums r;
  r.value = x.value + y.value;
  r.gd = x.gd + y.gd;
  r.hdd = x.hdd + y.hdd;
  for (int i = 0; i < kMaxCoefficients; ++i) {
    r.g[i] = x.g[i] + y.g[i];
    r.hd[i] = x.hd[i] + y.hd[i];
  }
  for (int i = 0; i < kPackedEntries; ++i) r.h[i] = x.h[i] + y.h[i];
  return r;
}

// One store's share: its term t in (eta, d) spread over the coefficients by its covariates x[0..p).
HBAYES_HD inline RegressionSums regression_sums(const Derivs2& t, const double* x, int p) {
  RegressionSums s;
  s.value = t.value;
  s.gd = t.db;
  s.hdd = t.dbb;
  for (int i = 0; i < p; ++i) {
    s.g[i] = x[i] * t.da;
    s.hd[i] = x[i] * t.dab;
    for (int k = 0; k <= i; ++k) s.h[packed_index(i, k)] = x[i] * x[k] * t.daa;
  }
  return s;
}

// What the normal-normal REML criterion needs at one tau^2 and coefficients b (the GLS estimate
// there), with w = 1 / (tau^2 + se^2) and residual r = y - x' b: the matrices X' W^k X (k = 1, 2,
// 3, packed), X' W r and X' W^2 r, and sum w^k, sum w^k r^2 and sum log(tau^2 + se^2).
struct RemlSums {
  double sum_log_v = 0.0;
  double xwx[3][kPackedEntries] = {};    // X' W^(k+1) X
  double xwr[2][kMaxCoefficients] = {};  // X' W^(k+1) r
  double w[3] = {};                      // sum w^(k+1)
  double wrr[3] = {};                    // sum w^(k+1) r^2
};

HBAYES_HD inline RemlSums operator+(const RemlSums& x, const RemlSums& y) {
  RemlSums r;
  r.sum_log_v = x.sum_log_v + y.sum_log_v;
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < kPackedEntries; ++i) r.xwx[k][i] = x.xwx[k][i] + y.xwx[k][i];
    r.w[k] = x.w[k] + y.w[k];
    r.wrr[k] = x.wrr[k] + y.wrr[k];
  }
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < kMaxCoefficients; ++i) r.xwr[k][i] = x.xwr[k][i] + y.xwr[k][i];
  }
  return r;
}

// What one store contributes to RemlSums besides its covariates: log v, w = 1 / v and the
// residual r = y - eta, with v = tau^2 + se^2.
struct StoreResidual {
  double log_v = 0.0, w = 0.0, r = 0.0;
};

HBAYES_HD inline StoreResidual store_residual(double estimate, double std_error, double eta,
                                              double tau2) {
  const double v = tau2 + std_error * std_error;
  return {log(v), 1.0 / v, estimate - eta};
}

// One store's share of RemlSums, from its residual and covariates x[0..p).
HBAYES_HD inline RemlSums reml_sums(const StoreResidual& s, const double* x, int p) {
  const double wk[3] = {s.w, s.w * s.w, s.w * s.w * s.w};
  RemlSums out;
  out.sum_log_v = s.log_v;
  for (int k = 0; k < 3; ++k) {
    out.w[k] = wk[k];
    out.wrr[k] = wk[k] * s.r * s.r;
    for (int i = 0; i < p; ++i) {
      for (int c = 0; c <= i; ++c) out.xwx[k][packed_index(i, c)] = wk[k] * x[i] * x[c];
    }
  }
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < p; ++i) out.xwr[k][i] = wk[k] * x[i] * s.r;
  }
  return out;
}

}  // namespace hbayes::kernels
