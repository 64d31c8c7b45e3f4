// Gradients and Hessians of a two-parameter long-double function by finite differences: central
// differences with one Richardson step (error O(h^4)) in the interior, and forward stencils of the
// same order in b where b sits on its boundary 0.
#pragma once

#include <functional>

namespace hbayes::test {

struct FiniteDerivatives {
  long double da, db, daa, dab, dbb;
};

using Function2 = std::function<long double(long double a, long double b)>;

inline FiniteDerivatives central_differences(const Function2& f, long double a, long double b,
                                             long double ha, long double hb) {
  const auto d1a = [&](long double h) { return (f(a + h, b) - f(a - h, b)) / (2 * h); };
  const auto d1b = [&](long double h) { return (f(a, b + h) - f(a, b - h)) / (2 * h); };
  const auto d2a = [&](long double h) {
    return (f(a + h, b) - 2 * f(a, b) + f(a - h, b)) / (h * h);
  };
  const auto d2b = [&](long double h) {
    return (f(a, b + h) - 2 * f(a, b) + f(a, b - h)) / (h * h);
  };
  const auto mixed = [&](long double h, long double k) {
    return (f(a + h, b + k) - f(a + h, b - k) - f(a - h, b + k) + f(a - h, b - k)) / (4 * h * k);
  };
  const auto richardson = [](long double coarse, long double fine) {
    return (4 * fine - coarse) / 3;
  };
  FiniteDerivatives d;
  d.da = richardson(d1a(ha), d1a(ha / 2));
  d.db = richardson(d1b(hb), d1b(hb / 2));
  d.daa = richardson(d2a(ha), d2a(ha / 2));
  d.dbb = richardson(d2b(hb), d2b(hb / 2));
  d.dab = richardson(mixed(ha, hb), mixed(ha / 2, hb / 2));
  return d;
}

// At b = 0 (a one-sided boundary): central in a, forward in b.
inline FiniteDerivatives boundary_differences(const Function2& f, long double a, long double ha,
                                              long double hb) {
  // Forward stencils on b = 0, h, 2h, 3h, 4h: first derivative O(h^4), second O(h^3).
  const auto forward1 = [&](const std::function<long double(long double)>& g) {
    return (-25 * g(0) + 48 * g(hb) - 36 * g(2 * hb) + 16 * g(3 * hb) - 3 * g(4 * hb)) / (12 * hb);
  };
  const auto forward2 = [&](const std::function<long double(long double)>& g) {
    return (35 * g(0) - 104 * g(hb) + 114 * g(2 * hb) - 56 * g(3 * hb) + 11 * g(4 * hb)) /
           (12 * hb * hb);
  };
  const auto d1a_at = [&](long double h, long double b) {
    return (f(a + h, b) - f(a - h, b)) / (2 * h);
  };
  const auto d1a = [&](long double b) { return (4 * d1a_at(ha / 2, b) - d1a_at(ha, b)) / 3; };
  const auto d2a_at = [&](long double h) {
    return (f(a + h, 0) - 2 * f(a, 0) + f(a - h, 0)) / (h * h);
  };
  FiniteDerivatives d;
  d.da = d1a(0);
  d.daa = (4 * d2a_at(ha / 2) - d2a_at(ha)) / 3;
  d.db = forward1([&](long double b) { return f(a, b); });
  d.dbb = forward2([&](long double b) { return f(a, b); });
  d.dab = forward1(d1a);
  return d;
}

}  // namespace hbayes::test
