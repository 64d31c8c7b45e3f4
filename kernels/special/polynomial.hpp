// Polynomial evaluation shared by the special functions.
#pragma once

#include "device_macros.hpp"

namespace hbayes::special::detail {

// c[0] + c[1] x + ... + c[N-1] x^(N-1) by Horner's rule in x^2, run separately on the even and
// the odd coefficients: the same operations as plain Horner in two independent chains of half the
// length, which halves the latency on CPUs. Unrolled with constant indices, so the callers' local
// coefficient tables become immediates on the device.
template <int N>
HBAYES_HD inline double polynomial(const double (&c)[N], double x) {
  static_assert(N >= 2, "a polynomial of degree >= 1");
  const double x2 = x * x;
  constexpr int kLastEven = (N - 1) % 2 == 0 ? N - 1 : N - 2;
  constexpr int kLastOdd = (N - 1) % 2 == 1 ? N - 1 : N - 2;
  double even = c[kLastEven];
  for (int k = kLastEven - 2; k >= 0; k -= 2) even = even * x2 + c[k];
  double odd = c[kLastOdd];
  for (int k = kLastOdd - 2; k >= 1; k -= 2) odd = odd * x2 + c[k];
  return even + x * odd;
}

}  // namespace hbayes::special::detail
