// What the branch-free special functions (*_branch_free.hpp, sin_cos_turns.hpp) share: a
// double's bits and back, the round-to-integer shift, and ln 2 split for exact reductions.
#pragma once

#include <cstdint>
#include <cstring>

#include "device_macros.hpp"

namespace hbayes::special::detail {

// Adding 1.5 * 2^52 to a double of magnitude below 2^51 rounds it to an integer and leaves that
// integer, two's complement, in the low bits of the sum's mantissa.
constexpr double kRoundShift = 6755399441055744.0;

// ln 2 = kLn2High + kLn2Low, kLn2High with 21 trailing zero bits, so n * kLn2High is exact for
// every |n| < 2^21 (fdlibm's split).
constexpr double kLn2High = 6.93147180369123816490e-01;
constexpr double kLn2Low = 1.90821492927058770002e-10;

HBAYES_HD inline std::uint64_t double_to_bits(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

HBAYES_HD inline double bits_to_double(std::uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// A true/false flag kept in an array of lanes (see beta_quantile_lanes.hpp): as wide as a double,
// so that a vectorized loop reads it in the vector shape of the doubles beside it (g++ does not
// vectorize a loop that widens a bool array's bytes to 64-bit masks).
using LaneFlag = std::uint64_t;

// cond ? a : b by way of the bits, for straight-line code: g++ turns a plain select between two
// computed values into a branch (computing each value under it), which stops it vectorizing the
// loop; a blend of bits keeps both computations and no branch.
HBAYES_HD inline double select_bits(bool cond, double a, double b) {
  const std::uint64_t mask = std::uint64_t{0} - static_cast<std::uint64_t>(cond);
  return bits_to_double((double_to_bits(a) & mask) | (double_to_bits(b) & ~mask));
}

}  // namespace hbayes::special::detail
