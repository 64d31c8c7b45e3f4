// exp(x) in straight-line arithmetic, for loops that a CPU compiler should vectorize.
//
// libm's exp is a function call (glibc: table lookups and a branch on the argument's range), so
// g++ cannot vectorize a loop that calls it; the sampler's innermost loop (one exp per group term)
// then runs one group at a time. This version is Cody-Waite range reduction, a polynomial and a
// power of two built from integer bits, with no branch and no select after the computation (g++
// does not vectorize for AVX2 a loop whose result is chosen afterwards by a test of x: it moves
// the computation under the test). On a GPU it is simply another FP64 exp.
//
// Accuracy: under 1 ulp from the exact value wherever the result is a normal number with fused
// multiply-adds (0.89 ulp seen against long double on a dense grid), 1.2 ulp without (1.17).
// Overflow gives +inf, underflow the subnormal or 0 that one rounding gives, NaN gives NaN.
//
// Products-plus-sums are HBAYES_FMA (device_macros.hpp): fused wherever the build's hot paths
// have an FMA instruction. Nothing else is contracted (-ffp-contract=off), so a build gives the
// same bits in every code path and at every vector width.
#pragma once

#include <math.h>

#include <cstdint>

#include "device_macros.hpp"
#include "special/float_bits.hpp"

namespace hbayes::special {
namespace detail {

HBAYES_HD inline double round_to_integer(double x) {
  return (x + kRoundShift) - kRoundShift;
}

// 2^n for an integer-valued n with |n| <= 1022, from its bits.
HBAYES_HD inline double power_of_two(double n) {
  const std::uint64_t bits = double_to_bits(n + kRoundShift);
  return bits_to_double((bits << 52) + (std::uint64_t{1023} << 52));
}

}  // namespace detail

HBAYES_HD inline double exp_branch_free(double x) {
  constexpr double kLog2e = 1.4426950408889634074;
  // Beyond these e^x is +inf (above log(DBL_MAX) = 709.78) or rounds to 0 (below -745.13)
  // anyway; the clamp keeps n, and the exponents built from it, in range.
  constexpr double kMaxArgument = 710.0;
  constexpr double kMinArgument = -746.0;

  // Clamp with selects (NaN falls through both and stays NaN).
  double clamped = x > kMaxArgument ? kMaxArgument : x;
  clamped = clamped < kMinArgument ? kMinArgument : clamped;
  const double n = HBAYES_FMA(clamped, kLog2e, detail::kRoundShift) - detail::kRoundShift;
  // r = x - n ln 2, |r| <= ln 2 / 2 (a hair more when the rounding above ties the other way).
  const double r = HBAYES_FMA(-n, detail::kLn2Low, HBAYES_FMA(-n, detail::kLn2High, clamped));

  // e^r by its Taylor series to r^13/13!: the truncation error is below 4e-18 relative on
  // |r| <= 0.35, far under the rounding of the last steps. Horner's rule written out: a loop
  // here would be a loop inside the caller's loop, which g++ then does not vectorize.
  double p = HBAYES_FMA(r, 1.0 / 6227020800.0, 1.0 / 479001600.0);
  p = HBAYES_FMA(p, r, 1.0 / 39916800.0);
  p = HBAYES_FMA(p, r, 1.0 / 3628800.0);
  p = HBAYES_FMA(p, r, 1.0 / 362880.0);
  p = HBAYES_FMA(p, r, 1.0 / 40320.0);
  p = HBAYES_FMA(p, r, 1.0 / 5040.0);
  p = HBAYES_FMA(p, r, 1.0 / 720.0);
  p = HBAYES_FMA(p, r, 1.0 / 120.0);
  p = HBAYES_FMA(p, r, 1.0 / 24.0);
  p = HBAYES_FMA(p, r, 1.0 / 6.0);
  p = HBAYES_FMA(p, r, 0.5);
  p = HBAYES_FMA(p, r, 1.0);
  p = HBAYES_FMA(p, r, 1.0);

  // 2^n as 2^half * 2^(n - half), each factor a normal number for n in [-1077, 1025]: the last
  // product then overflows or underflows exactly as e^x should, with no test of x.
  const double half = detail::round_to_integer(0.5 * n);
  return (p * detail::power_of_two(half)) * detail::power_of_two(n - half);
}

}  // namespace hbayes::special
