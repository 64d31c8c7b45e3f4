// Negative-binomial (gamma-Poisson) marginal likelihood with exposures, in the mean/dispersion
// parameterisation m = shape / rate (events per unit exposure), phi = 1 / shape:
//
//   log p(y | e) = sum_{k<y} log(1 + k phi) + y log(e m) - (y + 1/phi) log1p(e m phi) - log y!
//
// (phi = 0 is the Poisson: the last term tends to e m). The first sum is a histogram sum over the
// counts (log_rising.hpp); the rest pairs each count with its exposure and is reduced over stores
// at every Newton step (exposure_term below).
#pragma once

#include <math.h>
#include <stdint.h>

#include "device_macros.hpp"
#include "marginal/derivatives.hpp"
#include "special/stirling.hpp"

namespace hbayes::kernels {
namespace detail {

// log1p(z) / z, 1 at z = 0.
HBAYES_HD inline double log1p_ratio(double z) {
  return z > 0.0 ? log1p(z) / z : 1.0;
}

// (log1p(z) - z / (1 + z)) / z^2 = log1pmx(z) / z^2 + 1 / (1 + z), 1/2 at z = 0.
HBAYES_HD inline double nb_b(double z) {
  if (z <= 0.0) return 0.5;
  return special::log1pmx(z) / (z * z) + 1.0 / (1.0 + z);
}

// (2 log1p(z) - 2 z / (1 + z) - z^2 / (1 + z)^2) / z^3 = -d nb_b / dz, 2/3 at z = 0. Its terms
// cancel to third order, so small z uses the series sum_{n>=3} (-1)^(n+1) (2/n + n - 3) z^(n-3).
HBAYES_HD inline double nb_c(double z) {
  if (z >= 0.1) {
    const double w = z / (1.0 + z);
    return (2.0 * log1p(z) - 2.0 * w - w * w) / (z * z * z);
  }
  double sum = 0.0;
  double power = 1.0;
  for (int n = 3; n < 40; ++n) {
    const double term = (2.0 / n + n - 3.0) * power;
    sum += (n % 2 == 1) ? term : -term;
    if (term <= 1e-17 * sum) break;
    power *= z;
  }
  return sum;
}

}  // namespace detail

// Method-of-moments sums over stores (rate r = y / e).
struct PoissonMoments {
  double stores = 0.0;
  double sum_exposure = 0.0;      // sum e
  double sum_rate = 0.0;          // sum r
  double sum_rate_sq = 0.0;       // sum r^2
  double sum_inv_exposure = 0.0;  // sum 1 / e
};

HBAYES_HD inline PoissonMoments operator+(const PoissonMoments& x, const PoissonMoments& y) {
  return {x.stores + y.stores, x.sum_exposure + y.sum_exposure, x.sum_rate + y.sum_rate,
          x.sum_rate_sq + y.sum_rate_sq, x.sum_inv_exposure + y.sum_inv_exposure};
}

HBAYES_HD inline PoissonMoments poisson_moments(int64_t count, double exposure) {
  const double inv_e = 1.0 / exposure;
  const double r = static_cast<double>(count) * inv_e;
  return {1.0, exposure, r, r * r, inv_e};
}

// One store's y log(e m) - (y + 1/phi) log1p(e m phi) and its derivatives in (a, b) = (m, phi),
// m > 0, phi >= 0 (phi = 0 exactly is the Poisson limit y log(e m) - e m).
HBAYES_HD inline Derivs2 exposure_term(double y, double e, double m, double phi) {
  const double em = e * m;
  const double z = em * phi;
  const double inv1z = 1.0 / (1.0 + z);
  const double yphi1 = y * phi + 1.0;
  Derivs2 r;
  r.value = (y > 0.0 ? y * log(em) - y * log1p(z) : 0.0) - em * detail::log1p_ratio(z);
  r.da = y / m - yphi1 * e * inv1z;
  r.db = -y * em * inv1z + em * em * detail::nb_b(z);
  r.daa = -y / (m * m) + yphi1 * e * e * phi * inv1z * inv1z;
  r.dab = e * (em - y) * inv1z * inv1z;
  r.dbb = y * em * em * inv1z * inv1z - em * em * em * detail::nb_c(z);
  return r;
}

}  // namespace hbayes::kernels
