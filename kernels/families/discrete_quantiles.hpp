// Equal-tailed intervals of the discrete posterior predictive distributions.
//
// For a count Y and tail probability t the interval is [L, U] with
//   L = min{k : P(Y <= k) >= t}   and   U = min{k : P(Y > k) <= t},
// so each side is found from its own tail sum and 1 - t is never formed.
#pragma once

#include <math.h>

#include "device_macros.hpp"

namespace hbayes::kernels {

// Interval of a distribution on {0..last} known through its pmf ratio r(k) = p(k+1)/p(k).
// log_concave: the ratio decreases in k, so p is unimodal and terms far from the mode can be
// dropped once negligible. Otherwise the whole support is summed (cost O(last)).
// Weights are kept relative to the largest one, so nothing overflows however far p(0) is from
// the mode.
template <class PmfRatio>
HBAYES_HD inline void discrete_interval_from_ratios(const PmfRatio& ratio, double last,
                                                    bool log_concave, double guess, double tail,
                                                    double* lower, double* upper) {
  // Relative size below which a term no longer changes a double-precision tail sum.
  constexpr double kNegligible = 1e-18;
  double mode = 0.0;
  if (log_concave) {
    mode = fmin(fmax(floor(guess), 0.0), last);
    while (mode < last && ratio(mode) > 1.0) mode += 1.0;
    while (mode > 0.0 && ratio(mode - 1.0) < 1.0) mode -= 1.0;
  } else {
    // Locate the largest term by a sweep of log weights.
    double log_w = 0.0, best = 0.0;
    for (double k = 0.0; k < last; k += 1.0) {
      log_w += log(ratio(k));
      if (log_w > best) best = log_w, mode = k + 1.0;
    }
  }
  // Pass 1: total mass, and the outermost terms that still matter on each side.
  double total = 1.0, w = 1.0, right = mode, w_right = 1.0;
  while (right < last) {
    const double next = w * ratio(right);
    if (log_concave && next < kNegligible * total) break;
    w = next, right += 1.0, total += w, w_right = w;
  }
  double left = mode, w_left = 1.0;
  w = 1.0;
  while (left > 0.0) {
    const double next = w / ratio(left - 1.0);
    if (log_concave && next < kNegligible * total) break;
    w = next, left -= 1.0, total += w, w_left = w;
  }
  // Pass 2: walk in from each end until the tail sum passes t.
  const double target = tail * total;
  double k = left, cum = 0.0;
  w = w_left;
  while (k < right && cum + w < target) cum += w, w *= ratio(k), k += 1.0;
  *lower = k;
  k = right, cum = 0.0, w = w_right;
  while (k > left && cum + w <= target) cum += w, w /= ratio(k - 1.0), k -= 1.0;
  *upper = k;
}

// Smallest integer k >= 0 with holds(k) true, for a predicate that is false and then true
// as k grows; guess is where to start looking (found by doubling, then bisection).
template <class Predicate>
HBAYES_HD inline double first_integer_where(const Predicate& holds, double guess) {
  double hi = fmax(floor(guess), 0.0);
  double lo = -1.0;  // holds(lo) is false by convention
  if (holds(hi)) {
    // Step down geometrically until the predicate fails.
    double step = 1.0;
    while (hi > 0.0) {
      const double probe = fmax(hi - step, 0.0);
      if (!holds(probe)) {
        lo = probe;
        break;
      }
      hi = probe, step *= 2.0;
    }
  } else {
    double step = 1.0;
    lo = hi;
    for (;;) {
      const double probe = lo + step;
      if (probe > 9.0e15) return NAN;  // beyond exact integers in a double: no answer
      if (holds(probe)) {
        hi = probe;
        break;
      }
      lo = probe, step *= 2.0;
    }
  }
  while (hi - lo > 1.0) {
    const double mid = floor(lo + (hi - lo) / 2.0);
    if (holds(mid))
      hi = mid;
    else
      lo = mid;
  }
  return hi;
}

}  // namespace hbayes::kernels
