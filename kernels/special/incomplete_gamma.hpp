// Regularised incomplete gamma ratios P(a, x) and Q(a, x) = 1 - P(a, x), host and device.
//
// Both ratios come out of one evaluation; whichever is small is computed directly, so neither
// loses relative accuracy to 1 - (something near 1). Regimes, after DiDonato & Morris (1986):
//   a >= 20, |eta| <= 1/2   Temme's uniform asymptotic expansion, where x is near a and both the
//                           series and the continued fraction would need O(sqrt(a)) terms;
//   a < 1, x < 1.1          the power series written around x^a / Gamma(1 + a), giving P and Q
//                           both directly (Q is small there when a is small);
//   x < a                   the power series for P (P <~ 1/2, so Q = 1 - P is safe);
//   otherwise               Legendre's continued fraction for Q (Q <~ 1/2, so P = 1 - Q).
// The density prefactor x^a e^-x / Gamma(a) is formed in Stirling form through log1pmx and
// stirling_error, so that it neither overflows nor cancels when a and x are both large.
// Accuracy: a few ulp in the bulk; a result e^-L carries the rounding of its exponent L, about
// L * 2e-16 relative (~1e-13 near 1e-300), the same order as the ratios' condition number in x.
#pragma once

#include <math.h>

#include "device_macros.hpp"
#include "special/log_beta.hpp"
#include "special/polynomial.hpp"
#include "special/stirling.hpp"

namespace hbayes::special {

namespace detail {

// Unit roundoff of double (2^-53): the series and fractions stop once a term falls below it.
constexpr double kUnitRoundoff = 1.1102230246251565e-16;

// S(eta, a) = sum_{n=0}^{10} C_n(eta) a^-n, the series in Temme's expansion
//   Q(a, x) = erfc(eta sqrt(a/2)) / 2 + exp(-a eta^2 / 2) / sqrt(2 pi a) * S(eta, a),
// with eta^2 / 2 = lambda - 1 - log(lambda), lambda = x / a, sign(eta) = sign(lambda - 1).
// The Taylor coefficients of C_n were generated for hbayes in exact rational arithmetic from
// C_0 = 1/(lambda - 1) - 1/eta and C_n = (1/eta) C_{n-1}'(eta) + (-1)^n g_n / (lambda - 1), g_n
// those of Gamma*(a) = 1 + 1/(12 a) + 1/(288 a^2) + ...; each row is cut where its remainder on
// |eta| <= 1/2 falls below 2e-18 / 20^-n, and C_11 / 20^11 < 1e-17 is dropped: valid for a >= 20.
HBAYES_HD inline double temme_series(double eta, double a) {
  constexpr double kC0[19] = {
      -0.3333333333333333,     0.08333333333333333,     -0.014814814814814815,
      0.0011574074074074073,   0.0003527336860670194,   -0.0001787551440329218,
      3.919263178522438e-05,   -2.185448510679992e-06,  -1.85406221071516e-06,
      8.296711340953087e-07,   -1.7665952736826078e-07, 6.707853543401498e-09,
      1.0261809784240309e-08,  -4.382036018453353e-09,  9.14769958223679e-10,
      -2.5514193994946248e-11, -5.830772132550426e-11,  2.4361948020667415e-11,
      -5.0276692801141755e-12};
  constexpr double kC1[17] = {
      -0.001851851851851852,   -0.003472222222222222,   0.0026455026455026454,
      -0.0009902263374485596,  0.00020576131687242798,  -4.018775720164609e-07,
      -1.8098550334489977e-05, 7.64916091608111e-06,    -1.6120900894563446e-06,
      4.647127802807434e-09,   1.378633446915721e-07,   -5.752545603517705e-08,
      1.1951628599778148e-08,  -1.7543241719747647e-11, -1.0091543710600413e-09,
      4.162792991842583e-10,   -8.56390702649298e-11};
  constexpr double kC2[17] = {
      0.004133597883597883,    -0.0026813271604938273, 0.0007716049382716049,
      2.0093878600823047e-06,  -0.0001073665322636516, 5.2923448829120125e-05,
      -1.2760635188618728e-05, 3.423578734096138e-08,  1.3721957309062934e-06,
      -6.298992138380055e-07,  1.4280614206064242e-07, -2.0477098421990866e-10,
      -1.409252991086752e-08,  6.228974084922022e-09,  -1.3670488396617114e-09,
      9.428356159014678e-13,   1.2872252400089318e-10};
  constexpr double kC3[16] = {
      0.0006494341563786008,   0.00022947209362139917,  -0.0004691894943952557,
      0.00026772063206283885,  -7.561801671883977e-05,  -2.396505113867297e-07,
      1.1082654115347302e-05,  -5.6749528269915965e-06, 1.4230900732435883e-06,
      -2.7861080291528143e-11, -1.6958404091930278e-07, 8.099464905388083e-08,
      -1.9111168485973655e-08, 2.3928620439808118e-12,  2.0620131815488797e-09,
      -9.460496661855133e-10};
  constexpr double kC4[14] = {
      -0.0008618882909167117,  0.0007840392217200666,  -0.0002990724803031902,
      -1.4638452578843418e-06, 6.641498215465122e-05,  -3.968365047179435e-05,
      1.1375726970678419e-05,  2.507497226237533e-10,  -1.6954149536558305e-06,
      8.907507532205309e-07,   -2.292934834000805e-07, 2.956794137544049e-11,
      2.8865829742708783e-08,  -1.4189739437803219e-08};
  constexpr double kC5[13] = {
      -0.00033679855336635813, -6.972813758365857e-05, 0.0002772753244959392,
      -0.00019932570516188847, 6.797780477937208e-05,  1.419062920643967e-07,
      -1.3594048189768693e-05, 8.018470256334202e-06,  -2.291481176508095e-06,
      -3.252473551298454e-10,  3.4652846491085265e-07, -1.8447187191171344e-07,
      4.8240967037894184e-08};
  constexpr double kC6[11] = {
      0.0005313079364639922,   -0.0005921664373536939,  0.0002708782096718045,
      7.902353232660328e-07,   -8.153969367561969e-05,  5.61168275310625e-05,
      -1.8329116582843375e-05, -3.0796134506033047e-09, 3.465155368803609e-06,
      -2.0291327396058603e-06, 5.788792863149004e-07};
  constexpr double kC7[9] = {
      0.00034436760689237765, 5.171790908260592e-05,   -0.00033493161081142234,
      0.0002812695154763237,  -0.00010976582244684731, -1.2741009095484485e-07,
      2.7744451511563645e-05, -1.8263488805711332e-05, 5.7876949497350525e-06};
  constexpr double kC8[9] = {
      -0.0006526239185953094, 0.0008394987206720873,  -0.000438297098541721,
      -6.969091458420552e-07, 0.00016644846642067547, -0.00012783517679769218,
      4.629953263691304e-05,  4.557909867922708e-09,  -1.0595271125805195e-05};
  constexpr double kC9[7] = {-0.0005967612901927463, -7.204895416020011e-05, 0.0006782308837667328,
                             -0.0006401475260262758, 0.00027750107634328704, 1.819700838046515e-07,
                             -8.479507117068503e-05};
  constexpr double kC10[5] = {0.0013324454494800656, -0.0019144384985654776, 0.0011089369134596636,
                              9.9324041226423e-07, -0.0005087450129309319};
  const double rows[11] = {polynomial(kC0, eta), polynomial(kC1, eta), polynomial(kC2, eta),
                           polynomial(kC3, eta), polynomial(kC4, eta), polynomial(kC5, eta),
                           polynomial(kC6, eta), polynomial(kC7, eta), polynomial(kC8, eta),
                           polynomial(kC9, eta), polynomial(kC10, eta)};
  return polynomial(rows, 1.0 / a);
}

}  // namespace detail

// Per-shape constants reused by every evaluation at the same a > 0.
struct GammaShape {
  double a;
  double log_gamma1p;  // log Gamma(1 + a), relatively accurate as a -> 0
  double stirling;     // stirling_error(a) = log Gamma(a) - [(a - 1/2) log a - a + log(2 pi)/2]
  double inv_sqrt_two_pi_a;  // 1 / sqrt(2 pi a)
  double prefactor_scale;    // a^a e^-a / Gamma(a) = sqrt(a / (2 pi)) exp(-stirling_error(a))
};

// The per-shape constants of Gamma(a), a > 0.
HBAYES_HD inline GammaShape make_gamma_shape(double a) {
  GammaShape s;
  s.a = a;
  s.stirling = stirling_error(a);
  s.log_gamma1p =
      a < 1.0 ? detail::lgamma1p(a) : (a + 0.5) * log(a) - a + kHalfLogTwoPi + s.stirling;
  constexpr double kTwoPi = 6.283185307179586476925;
  s.inv_sqrt_two_pi_a = 1.0 / sqrt(kTwoPi * a);
  s.prefactor_scale = a * s.inv_sqrt_two_pi_a * exp(-s.stirling);
  return s;
}

// Both tails at one point, and the density prefactor that Newton-type inversions need.
struct GammaRatios {
  double p;          // P(a, x), lower tail
  double q;          // Q(a, x), upper tail
  double prefactor;  // x^a e^-x / Gamma(a) = x * (Gamma(a, 1) density at x)
};

namespace detail {

// x^a e^-x / Gamma(a) for x > 0, without overflow or cancellation for large a and x.
HBAYES_HD inline double gamma_prefactor(const GammaShape& s, double x) {
  const double a = s.a;
  if (a < 1.0) return a * exp(a * log(x) - x - s.log_gamma1p);
  // log of x^a e^-x / Gamma(a) = a log1pmx((x - a) / a) + log(a / (2 pi)) / 2 - stirling_error(a):
  // the large terms a log x, x and log Gamma(a) are combined exactly into log1pmx. Below x = a/2,
  // 1 + (x - a)/a would be rounded where x / a is not, so log(x / a) is used directly.
  const double sigma = (x - a) / a;
  const double exponent = sigma < -0.5 ? a * log(x / a) + (a - x) : a * log1pmx(sigma);
  return s.prefactor_scale * exp(exponent);
}

// P(a, x) = prefactor / a * sum_n x^n / ((a + 1) ... (a + n)), for x < a where terms shrink.
HBAYES_HD inline GammaRatios gamma_series(const GammaShape& s, double x) {
  const double a = s.a;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n < 2000 && term > kUnitRoundoff * sum; ++n) {
    term *= x / (a + n);
    sum += term;
  }
  const double prefactor = gamma_prefactor(s, x);
  const double p = prefactor / a * sum;
  return {p, 1.0 - p, prefactor};
}

// Q(a, x) = prefactor / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...))),
// Legendre's continued fraction, evaluated by the modified Lentz method; for x >= a.
HBAYES_HD inline GammaRatios gamma_fraction(const GammaShape& s, double x) {
  const double a = s.a;
  constexpr double kTiny = 1e-300;  // Lentz's guard against a zero partial denominator
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double value = d;
  for (int n = 1; n < 2000; ++n) {
    const double an = -n * (n - a);
    b += 2.0;
    d = an * d + b;
    if (fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    value *= delta;
    if (fabs(delta - 1.0) <= kUnitRoundoff) break;
  }
  const double prefactor = gamma_prefactor(s, x);
  const double q = prefactor * value;
  return {1.0 - q, q, prefactor};
}

// a < 1, x < 1.1: with E = a log x - log Gamma(1 + a), x^a / Gamma(1 + a) = e^E and
//   P = e^E (1 + J),  Q = -expm1(E) - e^E J,  J = sum_{n>=1} a (-x)^n / (n! (a + n)),
// so Q is formed directly from small quantities even when a -> 0 makes it O(a).
HBAYES_HD inline GammaRatios gamma_small_shape(const GammaShape& s, double x) {
  const double a = s.a;
  double power = 1.0;  // (-x)^n / n!
  double j = 0.0;
  for (int n = 1; n < 100; ++n) {
    power *= -x / n;
    const double term = a * power / (a + n);
    j += term;
    if (fabs(term) <= kUnitRoundoff * fabs(j)) break;
  }
  const double e = a * log(x) - s.log_gamma1p;
  const double power_ratio = exp(e);
  return {power_ratio * (1.0 + j), -expm1(e) - power_ratio * j, a * power_ratio * exp(-x)};
}

// Temme's expansion (a >= 20, |eta| <= 1/2). The tail on the far side of a from x is the small
// one and comes out directly; the other is 1 minus it. `log1pmx_sigma` is log1pmx((x - a) / a),
// which is -eta^2 / 2.
HBAYES_HD inline GammaRatios gamma_temme(const GammaShape& s, double x, double log1pmx_sigma) {
  const double a = s.a;
  const double eta = copysign(sqrt(-2.0 * log1pmx_sigma), x - a);
  const double exponent = a * log1pmx_sigma;  // -a eta^2 / 2
  const double gauss = exp(exponent);
  const double r = gauss * s.inv_sqrt_two_pi_a * temme_series(eta, a);
  // erfc(y) with y^2 = -exponent. A relative error d in y costs 2 y^2 d in erfc (up to 1e-13 in
  // the far tails), so y is taken straight from the exponent, and the rounding of the square root
  // is undone to first order: y^2 misses -exponent by the exact residual fma(-y, y, -exponent),
  // and d erfc(y) / d(y^2) = -exp(-y^2) / (sqrt(pi) y).
  const double y = sqrt(-exponent);
  double half_erfc = 0.5 * erfc(y);
  constexpr double kHalfInvSqrtPi = 0.28209479177387814347;  // 1 / (2 sqrt(pi))
  if (y > 0.0) half_erfc -= kHalfInvSqrtPi * gauss * fma(-y, y, -exponent) / y;
  const double prefactor = s.prefactor_scale * gauss;
  if (eta >= 0.0) {
    const double q = half_erfc + r;
    return {1.0 - q, q, prefactor};
  }
  const double p = half_erfc - r;
  return {p, 1.0 - p, prefactor};
}

}  // namespace detail

// P(a, x), Q(a, x) and the prefactor x^a e^-x / Gamma(a) for the shape s and x >= 0 (NaN for
// x < 0 or NaN x).
HBAYES_HD inline GammaRatios incomplete_gamma(const GammaShape& s, double x) {
  const double a = s.a;
  if (!(x >= 0.0)) return {NAN, NAN, NAN};
  if (x == 0.0) return {0.0, 1.0, 0.0};
  if (x == INFINITY) return {1.0, 0.0, 0.0};
  if (a == 1.0) return {-expm1(-x), exp(-x), x * exp(-x)};  // closed form, the exponential law
  if (a >= 20.0) {
    // |eta| <= 1/2 means lambda = x / a in about [0.578, 1.586].
    const double sigma = (x - a) / a;
    if (sigma > -0.45 && sigma < 0.6) {
      const double l = log1pmx(sigma);
      if (l >= -0.125) return detail::gamma_temme(s, x, l);
    }
  }
  if (a < 1.0 && x < 1.1) return detail::gamma_small_shape(s, x);
  if (x < a) return detail::gamma_series(s, x);
  return detail::gamma_fraction(s, x);
}

// P(a, x), the regularised lower incomplete gamma function, for a > 0, x >= 0; NaN otherwise.
HBAYES_HD inline double gamma_p(double a, double x) {
  if (!(a > 0.0 && a < INFINITY)) return NAN;
  return incomplete_gamma(make_gamma_shape(a), x).p;
}

// Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma function, for a > 0, x >= 0,
// computed directly where it is small; NaN otherwise.
HBAYES_HD inline double gamma_q(double a, double x) {
  if (!(a > 0.0 && a < INFINITY)) return NAN;
  return incomplete_gamma(make_gamma_shape(a), x).q;
}

}  // namespace hbayes::special
