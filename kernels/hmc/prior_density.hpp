// Log densities of the hyperpriors, up to additive constants, and their derivatives.
//
// The sampler evaluates them once per gradient (not per group), so clarity wins over speed here.
// Normalising constants (log scale, log pi, the lgamma ratio of the Student-t, the factor 2 of
// the half densities) do not depend on the parameter and are dropped: the sampler only ever uses
// differences and gradients of the log density.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "hmc/hier_model.hpp"

namespace hbayes::kernels::hmc {

// log p(x) + const for the prior `p` at x, and d/dx in *d_x. For the location kinds x is mu; for
// the half kinds x is tau > 0 and the density is the full one folded at its location 0, so the
// same formula serves both (the fold only doubles the density, a constant).
HBAYES_HD inline double prior_log_density(const Prior& p, double x, double* d_x) {
  const double z = (x - p.location) / p.scale;
  switch (p.kind) {
    case PriorKind::Normal:
    case PriorKind::HalfNormal:
      *d_x = -z / p.scale;
      return -0.5 * z * z;
    case PriorKind::StudentT:
    case PriorKind::HalfStudentT: {
      // -(nu + 1)/2 log(1 + z^2/nu); log1p keeps the small-z end exact.
      const double w = p.nu + z * z;
      *d_x = -(p.nu + 1.0) * z / (w * p.scale);
      return -0.5 * (p.nu + 1.0) * log1p(z * z / p.nu);
    }
    case PriorKind::Cauchy:
    case PriorKind::HalfCauchy:
      *d_x = -2.0 * z / ((1.0 + z * z) * p.scale);
      return -log1p(z * z);
  }
  *d_x = 0.0;  // unreachable: every kind returns above (keeps -Wreturn-type quiet)
  return 0.0;
}

}  // namespace hbayes::kernels::hmc
