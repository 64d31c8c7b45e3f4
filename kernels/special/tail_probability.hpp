// A tail probability shared by many quantile solves, with what each solve derives from it.
//
// A batch scores millions of stores at one credible level, so every store inverts its
// distribution at the same tail probability t. The standard normal quantile of t (the start of
// Temme's inversions) and log t (the target of the beta solver) are therefore computed once per
// batch, not once per store: about 70 ns saved per beta-binomial store on a 2.6 GHz core.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/normal_quantile.hpp"

namespace hbayes::special {

struct TailProbability {
  double t;       // the tail probability, in (0, 1/2]
  double log_t;   // log t
  double normal;  // Phi^{-1}(t) <= 0, the standard normal quantile at t
};

// The shared values for a tail probability 0 < t <= 1/2.
HBAYES_HD inline TailProbability tail_probability(double t) {
  return TailProbability{t, log(t), normal_quantile(t)};
}

}  // namespace hbayes::special
