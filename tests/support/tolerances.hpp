// Named tolerances for every compared quantity, and the one closeness rule the tests use.
//
// A scalar passes when |a - b| <= rtol * (|a| + |b|) + atol (Thrust's unittest rule), so a
// tolerance is always a pair. Integer and discrete outputs are compared exactly instead.
#pragma once

#include <cmath>

namespace hbayes::test {

struct Tolerance {
  double rtol;
  double atol;
};

// Quantiles of Beta and Gamma distributions against the oracle (issue 2: <= 1e-12 relative).
constexpr Tolerance kQuantile{1e-12, 0.0};
// Regularised incomplete beta/gamma values and digamma/trigamma against the oracle.
constexpr Tolerance kSpecialValue{1e-13, 0.0};
// Kernel output versus the serial CPU reference: means, sds, weights, posterior parameters.
constexpr Tolerance kMoment{1e-13, 1e-300};
// Kernel credible-interval ends versus the reference (both sides solve to ~1e-15).
constexpr Tolerance kInterval{1e-12, 1e-300};

inline bool close(double a, double b, Tolerance t) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;  // also covers equal infinities
  return std::fabs(a - b) <= t.rtol * (std::fabs(a) + std::fabs(b)) + t.atol;
}

}  // namespace hbayes::test
