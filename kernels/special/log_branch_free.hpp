// Logarithms in straight-line arithmetic, for loops that a CPU compiler should vectorize (see
// exp_branch_free.hpp for why libm's cannot be used there). Both reduce to
//
//   log((1 + s) / (1 - s)) = 2 s + 2 s t R(t),  t = s^2,  R(t) = sum_k t^k / (2k + 3),
//
// with R a polynomial fitted on 0 <= t <= 1/9 (scripts/make_log_series_coefficients.py, mpmath):
// within 5e-17 of R there, so the polynomial adds at most 6e-18 relative error.
//  - log1p_unit(e) = log(1 + e) for -1/2 <= e <= 1 (|s| = |e / (2 + e)| <= 1/3): full relative
//    accuracy for tiny e, where log(1 + e) would lose it in the rounding of 1 + e.
//  - log_branch_free(x) for x > 0: x = 2^k m with m in [sqrt(1/2), sqrt(2)) from x's bits, then
//    s = (m - 1) / (m + 1), |s| <= 0.172.
// Accuracy: within 2 ulp of the exact value (tested against long double; the rounding of s is
// most of it). NaN gives NaN; so does +inf for log_branch_free (the callers' arguments are
// finite; a non-finite one marks a divergent transition anyway). Zero and negative x are outside
// the domain.
#pragma once

#include <math.h>

#include <cstdint>

#include "device_macros.hpp"
#include "special/float_bits.hpp"

namespace hbayes::special {
namespace detail {

// log((1 + s) / (1 - s)) for |s| <= 1/3.
HBAYES_HD inline double log_ratio(double s) {
  const double t = s * s;
  double r = HBAYES_FMA(t, 0.08082022805971766, 0.04400369243072337);
  r = HBAYES_FMA(r, t, 0.06000536404795356);
  r = HBAYES_FMA(r, t, 0.06657072104827468);
  r = HBAYES_FMA(r, t, 0.07692785032479312);
  r = HBAYES_FMA(r, t, 0.09090894718066429);
  r = HBAYES_FMA(r, t, 0.11111111358713932);
  r = HBAYES_FMA(r, t, 0.1428571428355438);
  r = HBAYES_FMA(r, t, 0.20000000000007292);
  r = HBAYES_FMA(r, t, 0.3333333333333333);
  const double two_s = 2.0 * s;
  return HBAYES_FMA(two_s * t, r, two_s);
}

}  // namespace detail

// log(1 + e) for -1/2 <= e <= 1.
HBAYES_HD inline double log1p_unit(double e) {
  return detail::log_ratio(e / (2.0 + e));
}

// log(x) for x > 0 (subnormal x included). The range reduction is integer arithmetic on the
// bits, with comparisons used as 0/1 integers: g++ turns two selects on one test into a branch,
// which stops it vectorizing for AVX2.
HBAYES_HD inline double log_branch_free(double x) {
  constexpr std::uint64_t kExponentOne = std::uint64_t{1023} << 52;  // the bits of 1.0
  constexpr std::uint64_t kMantissaMask = (std::uint64_t{1} << 52) - 1;
  constexpr std::uint64_t kSqrt2Bits = 0x3FF6A09E667F3BCD;  // sqrt(2)
  constexpr std::uint64_t kSmallestNormalBits = std::uint64_t{1} << 52;
  constexpr double kTwo52 = 4503599627370496.0;  // 2^52

  // A subnormal x is first multiplied by 2^54 (the factor's exponent is raised by 54 or by 0).
  std::uint64_t bits = detail::double_to_bits(x);
  // (Comparisons of the bits as signed integers, which AVX2 has: x > 0 leaves the sign bit 0.)
  const std::uint64_t subnormal =
      static_cast<std::int64_t>(bits) < static_cast<std::int64_t>(kSmallestNormalBits);
  const double scaled = x * detail::bits_to_double(kExponentOne + (subnormal * 54 << 52));
  bits = detail::double_to_bits(scaled);
  // x = 2^(e - 1023) m with m in [1, 2), folded to [sqrt(1/2), sqrt(2)).
  std::uint64_t mantissa_bits = (bits & kMantissaMask) | kExponentOne;
  const std::uint64_t fold =
      static_cast<std::int64_t>(mantissa_bits) > static_cast<std::int64_t>(kSqrt2Bits);
  mantissa_bits -= fold << 52;
  const std::uint64_t biased_exponent = (bits >> 52) + fold;
  // The exponent as a double: its bits put under 2^52's exponent, minus 2^52.
  const std::uint64_t exponent_bits = biased_exponent | std::uint64_t{0x4330000000000000};
  // 1.0 or 0.0 by way of the bits (AVX2 has no 64-bit integer to double conversion).
  const double subnormal_shift = detail::bits_to_double(kExponentOne + (subnormal << 52)) - 1.0;
  const double k =
      detail::bits_to_double(exponent_bits) - (kTwo52 + 1023.0) - 54.0 * subnormal_shift;
  const double f = detail::bits_to_double(mantissa_bits) - 1.0;  // exact (Sterbenz)
  const double log_m = detail::log_ratio(f / (2.0 + f));
  // x - x is 0, or NaN when x is NaN or infinite.
  return HBAYES_FMA(k, detail::kLn2High, HBAYES_FMA(k, detail::kLn2Low, log_m)) + (x - x);
}

}  // namespace hbayes::special
