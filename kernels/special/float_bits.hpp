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

}  // namespace hbayes::special::detail
