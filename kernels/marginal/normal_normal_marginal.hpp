// Normal-normal marginal likelihood: estimate_j ~ N(mu, tau^2 + se_j^2).
//
// For a given tau^2 every quantity of the ML and REML fits (the profile over mu, gradients and
// Hessians in tau^2, the full (mu, tau^2) information, the method of moments at tau^2 = 0) is a
// function of a few weighted power sums over stores, w_j = 1 / (tau^2 + se_j^2) and
// d_j = y_j - c for a centre c agreed on by every shard (centring keeps sum w d^2 - (sum w d)^2 /
// sum w free of cancellation). One reduction over stores computes them all; shards add.
#pragma once

#include <math.h>

#include "device_macros.hpp"

namespace hbayes::kernels {

// Power sums over stores at one (tau^2, centre c): w = 1 / (tau^2 + se^2), d = y - c.
struct NormalPowerSums {
  double stores = 0.0;
  double sum_log_v = 0.0;                  // sum log(tau^2 + se^2)
  double w1 = 0.0, w1d = 0.0, w1dd = 0.0;  // sum w, sum w d, sum w d^2
  double w2 = 0.0, w2d = 0.0, w2dd = 0.0;  // sum w^2, ...
  double w3 = 0.0, w3d = 0.0, w3dd = 0.0;  // sum w^3, ...
  double d = 0.0, dd = 0.0;                // unweighted sum d, sum d^2 (method of moments)
  double se2 = 0.0;                        // sum se^2
};

HBAYES_HD inline NormalPowerSums operator+(const NormalPowerSums& x, const NormalPowerSums& y) {
  NormalPowerSums r;
  r.stores = x.stores + y.stores;
  r.sum_log_v = x.sum_log_v + y.sum_log_v;
  r.w1 = x.w1 + y.w1;
  r.w1d = x.w1d + y.w1d;
  r.w1dd = x.w1dd + y.w1dd;
  r.w2 = x.w2 + y.w2;
  r.w2d = x.w2d + y.w2d;
  r.w2dd = x.w2dd + y.w2dd;
  r.w3 = x.w3 + y.w3;
  r.w3d = x.w3d + y.w3d;
  r.w3dd = x.w3dd + y.w3dd;
  r.d = x.d + y.d;
  r.dd = x.dd + y.dd;
  r.se2 = x.se2 + y.se2;
  return r;
}

// One store's share.
HBAYES_HD inline NormalPowerSums normal_power_sums(double estimate, double se, double tau2,
                                                   double centre) {
  const double s2 = se * se;
  const double v = tau2 + s2;
  const double w = 1.0 / v;
  const double d = estimate - centre;
  NormalPowerSums r;
  r.stores = 1.0;
  r.sum_log_v = log(v);
  r.w1 = w;
  r.w1d = w * d;
  r.w1dd = w * d * d;
  r.w2 = w * w;
  r.w2d = r.w2 * d;
  r.w2dd = r.w2 * d * d;
  r.w3 = r.w2 * w;
  r.w3d = r.w3 * d;
  r.w3dd = r.w3 * d * d;
  r.d = d;
  r.dd = d * d;
  r.se2 = s2;
  return r;
}

// The catalog's ML and REML criteria at one tau^2, from its power sums.
struct NormalCriteria {
  double mu_hat;        // sum w y / sum w: the profile maximiser over mu
  double ml;            // ML log-likelihood at (mu_hat, tau^2)
  double ml_d1, ml_d2;  // first and second derivatives of the ML profile in tau^2
  double reml;          // REML log-likelihood (metafor's constants)
  double reml_d1, reml_d2;
  // -Hessian of the full ML log-likelihood in (mu, tau^2) at (mu_hat, tau^2).
  double info_mumu, info_mutau, info_tautau;
  // Expected (Fisher) information of tau^2: ML 1/2 sum w^2; REML 1/2 tr(P P).
  double ml_expected, reml_expected;
};

HBAYES_HD inline NormalCriteria normal_criteria(const NormalPowerSums& s, double centre) {
  constexpr double kLogTwoPi = 1.8378770664093454836;
  NormalCriteria c;
  const double delta = s.w1d / s.w1;  // mu_hat - centre
  c.mu_hat = centre + delta;
  // Sums over stores of w^p (y - mu_hat)^k.
  const double q1 = s.w1dd - delta * s.w1d;  // sum w (y - mu_hat)^2 (the w1d term cancels once)
  const double r2 = s.w2d - delta * s.w2;    // sum w^2 (y - mu_hat)
  const double q2 = s.w2dd - 2.0 * delta * s.w2d + delta * delta * s.w2;
  const double q3 = s.w3dd - 2.0 * delta * s.w3d + delta * delta * s.w3;
  const double q1c = q1 > 0.0 ? q1 : 0.0;
  c.ml = -0.5 * (s.stores * kLogTwoPi + s.sum_log_v + q1c);
  c.ml_d1 = -0.5 * (s.w1 - q2);
  c.ml_d2 = -0.5 * (-s.w2 + 2.0 * q3 - 2.0 * r2 * r2 / s.w1);
  c.reml = -0.5 * ((s.stores - 1.0) * kLogTwoPi - log(s.stores) + s.sum_log_v + log(s.w1) + q1c);
  c.reml_d1 = -0.5 * (s.w1 - s.w2 / s.w1 - q2);
  c.reml_d2 = -0.5 * (-s.w2 + 2.0 * s.w3 / s.w1 - (s.w2 / s.w1) * (s.w2 / s.w1) + 2.0 * q3 -
                      2.0 * r2 * r2 / s.w1);
  c.info_mumu = s.w1;
  c.info_mutau = r2;
  c.info_tautau = -0.5 * s.w2 + q3;
  c.ml_expected = 0.5 * s.w2;
  c.reml_expected = 0.5 * (s.w2 - 2.0 * s.w3 / s.w1 + (s.w2 / s.w1) * (s.w2 / s.w1));
  return c;
}

}  // namespace hbayes::kernels
