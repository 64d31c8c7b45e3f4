// sin(2 pi u) and cos(2 pi u) in straight-line arithmetic, for loops that a CPU compiler should
// vectorize (the Box-Muller transform of the sampler's momenta; see exp_branch_free.hpp for why
// not libm). The angle is given in turns, so the reduction to an eighth of a turn is exact:
// u = q / 4 + f with q an integer and |f| <= 1/8, then x = 2 pi f, |x| <= pi / 4, and the
// quarter turns q only swap and negate sin x and cos x.
//
// Accuracy: absolute error under 2e-16 (1.7e-16 seen against long double, 1.8e-16 unfused), for |u|
// < 2^50. The Taylor series below stop at x^15 and x^16, whose next terms are under 7e-17 on |x| <=
// pi / 4.
#pragma once

#include <math.h>

#include <cstdint>

#include "device_macros.hpp"
#include "special/float_bits.hpp"

namespace hbayes::special {

HBAYES_HD inline void sin_cos_turns(double u, double* sine, double* cosine) {
  constexpr double kTwoPi = 6.283185307179586477;
  using detail::kRoundShift;
  const double shifted = HBAYES_FMA(u, 4.0, kRoundShift);
  const double q = shifted - kRoundShift;
  const double x = kTwoPi * HBAYES_FMA(q, -0.25, u);  // u - q / 4 is exact
  const double x2 = x * x;

  double s = HBAYES_FMA(x2, -1.0 / 1307674368000.0, 1.0 / 6227020800.0);  // x^15 / 15!, x^13 / 13!
  s = HBAYES_FMA(s, x2, -1.0 / 39916800.0);
  s = HBAYES_FMA(s, x2, 1.0 / 362880.0);
  s = HBAYES_FMA(s, x2, -1.0 / 5040.0);
  s = HBAYES_FMA(s, x2, 1.0 / 120.0);
  s = HBAYES_FMA(s, x2, -1.0 / 6.0);
  s = HBAYES_FMA(s * x2, x, x);

  double c =
      HBAYES_FMA(x2, 1.0 / 20922789888000.0, -1.0 / 87178291200.0);  // x^16 / 16!, x^14 / 14!
  c = HBAYES_FMA(c, x2, 1.0 / 479001600.0);
  c = HBAYES_FMA(c, x2, -1.0 / 3628800.0);
  c = HBAYES_FMA(c, x2, 1.0 / 40320.0);
  c = HBAYES_FMA(c, x2, -1.0 / 720.0);
  c = HBAYES_FMA(c, x2, 1.0 / 24.0);
  c = HBAYES_FMA(c, x2, -0.5);
  c = HBAYES_FMA(c, x2, 1.0);

  // Quarter turn q mod 4: 0 (s, c), 1 (c, -s), 2 (-s, -c), 3 (-c, s). Chosen with bit masks, not
  // selects, which g++ would turn into branches.
  const std::uint64_t quarter = detail::double_to_bits(shifted) & 3;
  const std::uint64_t swap = std::uint64_t{0} - (quarter & 1);  // all ones for odd q
  const std::uint64_t s_bits = detail::double_to_bits(s);
  const std::uint64_t c_bits = detail::double_to_bits(c);
  std::uint64_t sine_bits = (s_bits & ~swap) | (c_bits & swap);
  std::uint64_t cosine_bits = (c_bits & ~swap) | (s_bits & swap);
  sine_bits ^= (quarter >> 1) << 63;                // negative for q = 2, 3
  cosine_bits ^= (((quarter + 1) >> 1) & 1) << 63;  // negative for q = 1, 2
  *sine = detail::bits_to_double(sine_bits);
  *cosine = detail::bits_to_double(cosine_bits);
}

}  // namespace hbayes::special
