// Temme's map between the Gamma variable lambda = x / a and the normal-like variable eta,
//   eta^2 / 2 = lambda - 1 - log(lambda),  sign(eta) = sign(lambda - 1),
// inverted: lambda from eta. Both quantile inversions start from it (the Gamma one directly, the
// Beta one for the shape with the smaller mean).
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/polynomial.hpp"

namespace hbayes::special::detail {

// lambda from eta to a few parts in 1e3, cheaply: the reverted series lambda - 1 = eta + eta^2/3
// + eta^3/36 - eta^4/270 + eta^5/4320 for |eta| < sqrt(3) (lambda_from_eta_estimate_series), and
// farther out two fixed-point steps of the leading behaviour, lambda = 1 + s + log(lambda) above
// 1 and lambda = exp(lambda - 1 - s) below, with s = eta^2 / 2.
HBAYES_HD inline double lambda_from_eta_estimate_series(double eta) {
  return 1.0 +
         eta * (1.0 + eta * (1.0 / 3.0 + eta * (1.0 / 36.0 + eta * (-1.0 / 270.0 + eta / 4320.0))));
}

HBAYES_HD inline double lambda_from_eta_estimate(double eta) {
  const double s = 0.5 * eta * eta;
  if (s < 1.5) return lambda_from_eta_estimate_series(eta);
  if (eta < 0.0) return exp(exp(-1.0 - s) - 1.0 - s);
  return 1.0 + s + log(1.0 + s + log1p(s));
}

// lambda > 0 with lambda - 1 - log(lambda) = eta^2 / 2 and sign(lambda - 1) = sign(eta): the map
// from Temme's variable eta back to lambda = x / a. Relative error below 2e-12.
HBAYES_HD inline double lambda_from_eta(double eta) {
  // Reverted series lambda - 1 = eta + eta^2/3 + eta^3/36 - eta^4/270 + ... (exact rational
  // coefficients, rounded); its radius is 2 sqrt(pi), and 16 terms leave 5e-17 at |eta| = 1/2,
  // 2e-12 at |eta| = 1 and 3e-5 at |eta| = 2.
  constexpr double kSeries[16] = {1.0,
                                  0.3333333333333333,
                                  0.027777777777777776,
                                  -0.003703703703703704,
                                  0.0002314814814814815,
                                  5.878894767783657e-05,
                                  -2.553644914756026e-05,
                                  4.899078973153047e-06,
                                  -2.428276122977769e-07,
                                  -1.85406221071516e-07,
                                  7.542464855411896e-08,
                                  -1.47216272806884e-08,
                                  5.159887341078076e-10,
                                  7.32986413160022e-10,
                                  -2.921357345635569e-10,
                                  5.717312238897994e-11};
  const double series = 1.0 + eta * polynomial(kSeries, eta);
  if (fabs(eta) <= 1.0) return series;
  // Farther out, Newton on g(lambda) = lambda - 1 - log(lambda) - eta^2/2 from the series (to
  // |eta| = 2) or from lambda_from_eta_estimate; each start is within 3e-3.
  const double s = 0.5 * eta * eta;
  double lambda = fabs(eta) <= 2.0 ? series : lambda_from_eta_estimate(eta);
  for (int i = 0; i < 6; ++i) {
    const double step = (lambda - 1.0 - log(lambda) - s) / (1.0 - 1.0 / lambda);
    lambda -= step;
    if (fabs(step) <= 1e-12 * lambda) break;
  }
  return lambda;
}

}  // namespace hbayes::special::detail
