// Jeon's Dragonbox algorithm ("Dragonbox: A New Floating-Point Binary-to-Decimal Conversion
// Algorithm", 2020), for positive normal doubles.
//
// v = f 2^e rounds from the interval between the midpoints to its neighbours. Scaled by a
// power of ten 10^k chosen so that the interval is between 100 and 1000 units wide, its right
// end z is a 20-digit number; if a multiple of 1000 lies in the interval, z / 1000 (at most 17
// digits, maybe fewer once trailing zeros go) is the shortest decimal, else one more digit is
// needed and is the rounded value of v itself. One 64x128-bit product gives z; the width comes
// from the power of ten alone; parities of further products settle exact ties, which are rare.
#include "io/shortest_decimal.hpp"

#include <array>
#include <cstring>
#include <vector>

namespace hbayes::io {
namespace {

using u128 = unsigned __int128;

constexpr int kKappa = 2;  // the scaled interval is 10^kappa to 10^(kappa+1) wide
constexpr std::uint32_t kBigDivisor = 1000;
constexpr std::uint32_t kSmallDivisor = 100;
constexpr int kMinK = -292;  // the powers 10^k the conversion of a normal double can ask for
constexpr int kMaxK = 326;
constexpr std::uint64_t kHiddenBit = std::uint64_t{1} << 52;
constexpr std::uint64_t kSeventeenDigits = 10000000000000000;  // 10^16

// floor(log10(2^e)), floor(log10(3/4 2^e)) and floor(log2(10^e)) by fixed-point products, exact
// far beyond the exponents of a double (|e| <= 1100 here).
int floor_log10_pow2(int e) {
  return static_cast<int>(static_cast<std::int64_t>(e) * 661971961083 >> 41);
}
int floor_log10_three_quarters_pow2(int e) {
  return static_cast<int>((static_cast<std::int64_t>(e) * 661971961083 - 274743187321) >> 41);
}
int floor_log2_pow10(int e) {
  return static_cast<int>(static_cast<std::int64_t>(e) * 913124641741 >> 38);
}

// 10^k as g 2^r with 2^127 <= g < 2^128, g rounded up unless exact.
struct Power {
  std::uint64_t hi, lo;
};
using PowerTable = std::array<Power, kMaxK - kMinK + 1>;

// Just enough arbitrary-precision arithmetic to compute the table exactly: little-endian
// 32-bit limbs, non-negative values.
using Limbs = std::vector<std::uint32_t>;

int bit_length(const Limbs& x) {
  std::size_t n = x.size();
  while (n > 0 && x[n - 1] == 0) --n;
  if (n == 0) return 0;
  return static_cast<int>(32 * n) - __builtin_clz(x[n - 1]);
}

bool bit(const Limbs& x, int i) {
  return i >= 0 && (x[static_cast<std::size_t>(i) / 32] >> (i % 32) & 1) != 0;
}

void multiply(Limbs& x, std::uint32_t factor) {
  std::uint64_t carry = 0;
  for (std::uint32_t& limb : x) {
    carry += std::uint64_t{limb} * factor;
    limb = static_cast<std::uint32_t>(carry);
    carry >>= 32;
  }
  if (carry != 0) x.push_back(static_cast<std::uint32_t>(carry));
}

void shift_left_one(Limbs& x) {
  std::uint32_t carry = 0;
  for (std::uint32_t& limb : x) {
    const std::uint32_t next = limb >> 31;
    limb = limb << 1 | carry;
    carry = next;
  }
  if (carry != 0) x.push_back(carry);
}

// a >= b, for a at least as long as b.
bool at_least(const Limbs& a, const Limbs& b) {
  for (std::size_t i = a.size(); i-- > 0;) {
    const std::uint32_t bi = i < b.size() ? b[i] : 0;
    if (a[i] != bi) return a[i] > bi;
  }
  return true;
}

// a -= b, for a >= b.
void subtract(Limbs& a, const Limbs& b) {
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::int64_t d = std::int64_t{a[i]} - (i < b.size() ? b[i] : 0) - borrow;
    borrow = d < 0;
    a[i] = static_cast<std::uint32_t>(d + (borrow << 32));
  }
}

Power split(u128 g) {
  return {static_cast<std::uint64_t>(g >> 64), static_cast<std::uint64_t>(g)};
}

// 10^m = 5^m 2^m (m >= 0): the 128 leading bits of 5^m, plus one if any bit was cut off.
Power positive_power(const Limbs& five_m) {
  const int b = bit_length(five_m);
  u128 g = 0;
  for (int i = 1; i <= 128; ++i) g = g << 1 | static_cast<u128>(bit(five_m, b - i));
  return split(b > 128 ? g + 1 : g);
}

// 10^-m (m >= 1): floor(2^(127+b) / 5^m) + 1, b the bit length of 5^m, by long division one
// quotient bit at a time; the remainder starts at the dividend's leading b-1 bits, 2^(b-1).
// 5^m is odd, so the quotient is never exact.
Power negative_power(const Limbs& five_m) {
  const int b = bit_length(five_m);
  Limbs remainder(five_m.size() + 1, 0);
  remainder[static_cast<std::size_t>(b - 1) / 32] = std::uint32_t{1} << ((b - 1) % 32);
  u128 g = 0;
  for (int i = 0; i < 128; ++i) {
    shift_left_one(remainder);
    const bool one = at_least(remainder, five_m);
    if (one) subtract(remainder, five_m);
    g = g << 1 | static_cast<u128>(one);
  }
  return split(g + 1);
}

PowerTable build_powers() {
  PowerTable table{};
  Limbs five_m{1};
  for (int m = 0; m <= kMaxK; ++m) {
    table[static_cast<std::size_t>(m - kMinK)] = positive_power(five_m);
    if (m >= 1 && -m >= kMinK) table[static_cast<std::size_t>(-m - kMinK)] = negative_power(five_m);
    multiply(five_m, 5);
  }
  return table;
}

// Computed exactly at start-up (under a millisecond), so there is no table of hand-copied
// constants to trust. At namespace scope rather than on first use: a once-only guard in the hot
// path costs every call more than the start-up costs a run.
const PowerTable kPowers = build_powers();

const Power& power_of_ten(int k) {
  return kPowers[static_cast<std::size_t>(k - kMinK)];
}

// The high 128 bits of the 192-bit product x g.
Power high_128(std::uint64_t x, const Power& g) {
  u128 high = static_cast<u128>(x) * g.hi;
  high += static_cast<u128>(x) * g.lo >> 64;
  return split(high);
}

// Of x g 2^(beta-128) (the scaled value of x/2 2^e): whether its integer part is odd, and
// whether it is an integer; from the low 128 bits of the 192-bit product.
struct Parity {
  bool odd, integer;
};
Parity parity(std::uint64_t x, const Power& g, int beta) {
  const u128 low = static_cast<u128>(x) * g.lo;
  const std::uint64_t mid = x * g.hi + static_cast<std::uint64_t>(low >> 64);
  const auto bottom = static_cast<std::uint64_t>(low);
  return {(mid >> (64 - beta) & 1) != 0, ((mid << beta) | (bottom >> (64 - beta))) == 0};
}

// n <= 1000: replaces n by n / 100 and says whether the division was exact, with one product
// (floor(n m / 2^16) = n / 100 for m = ceil(2^16 / 100), and the low bits tell divisibility).
bool divide_by_100_if_exact(std::uint32_t& n) {
  constexpr std::uint32_t kMagic = (1u << 16) / kSmallDivisor + 1;
  n *= kMagic;
  const bool exact = (n & 0xFFFF) < kMagic;
  n >>= 16;
  return exact;
}

// A power of two: the gap to the double below is half the gap above, so the interval is
// lopsided and the scaled ends come straight from the power of ten.
Decimal lopsided_interval(int e) {
  const int minus_k = floor_log10_three_quarters_pow2(e);
  const int beta = e + floor_log2_pow10(-minus_k);
  const Power& g = power_of_ten(-minus_k);
  std::uint64_t left = (g.hi - (g.hi >> 54)) >> (11 - beta);
  const std::uint64_t right = (g.hi + (g.hi >> 53)) >> (11 - beta);
  // The left end is an integer only for these exponents; otherwise round it up.
  if (e < 2 || e > 3) ++left;
  const std::uint64_t tens = right / 10;
  if (tens * 10 >= left) return {tens, minus_k + 1};
  // No multiple of 10 inside: v itself rounded to an integer, half up...
  std::uint64_t rounded = ((g.hi >> (10 - beta)) + 1) / 2;
  if (e == -77) {
    rounded -= rounded % 2;  // ... except the one exponent where that is an exact tie: even
  } else if (rounded < left) {
    ++rounded;
  }
  return {rounded, minus_k};
}

Decimal regular_interval(std::uint64_t f, int e) {
  // Round-half-even reading: with f even the interval's ends read back as v, so they count.
  const bool ends_included = f % 2 == 0;
  const int minus_k = floor_log10_pow2(e) - kKappa;
  const Power& g = power_of_ten(-minus_k);
  const int beta = e + floor_log2_pow10(-minus_k);
  const std::uint64_t two_f = f << 1;
  const auto width = static_cast<std::uint32_t>(g.hi >> (63 - beta));
  const Power z = high_128((two_f | 1) << beta, g);  // z.hi: the right end; z.lo == 0: exactly

  std::uint64_t quotient = z.hi / kBigDivisor;
  auto r = static_cast<std::uint32_t>(z.hi - kBigDivisor * quotient);
  // Whether a multiple of 1000 lies in the interval: r below the width, except on the edges.
  bool shorter = r < width;
  if (r == 0 || r == width) {  // rare: an end of the interval may be the multiple itself
    if (r == 0 && !ends_included && z.lo == 0) {  // the excluded right end
      shorter = false;
      --quotient;
      r = kBigDivisor;
    } else if (r == width) {  // the left end: it counts only if it is inside
      const Parity x = parity(two_f - 1, g, beta);
      shorter = x.odd || (x.integer && ends_included);
    }
  }

  // Otherwise one digit more: v scaled by 10^(k+1), its last digit from how far v is below z.
  std::uint32_t distance = r - width / 2 + kSmallDivisor / 2;
  const bool approximate_odd = ((distance ^ (kSmallDivisor / 2)) & 1) != 0;
  const bool exact = divide_by_100_if_exact(distance);
  std::uint64_t longer = quotient * 10 + distance;
  if (exact && !shorter) {  // rare
    // The estimate may be one too high, and a tie between two candidates goes to the even one.
    const Parity y = parity(two_f, g, beta);
    if (y.odd != approximate_odd || (y.integer && longer % 2 != 0)) --longer;
  }
  // Which of the two wins is close to random for real data: a selection, not a branch that
  // would mispredict half the time.
  const std::uint64_t keep_shorter = 0 - static_cast<std::uint64_t>(shorter);
  return {(quotient & keep_shorter) | (longer & ~keep_shorter),
          minus_k + kKappa + static_cast<int>(shorter)};
}

}  // namespace

Decimal shortest_decimal(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const int e = static_cast<int>(bits >> 52 & 0x7FF) - 1075;
  const std::uint64_t fraction = bits & (kHiddenBit - 1);
  if (fraction == 0) {  // rare, and as short as one digit
    Decimal d = lopsided_interval(e);
    while (d.significand < kSeventeenDigits) d.significand *= 10, --d.exponent;
    return d;
  }
  // 15 to 17 digits: padded to 17 by a table lookup rather than branches that would mispredict.
  static constexpr std::uint64_t kPadding[] = {1, 10, 100};
  const Decimal d = regular_interval(fraction | kHiddenBit, e);
  const int pad = (d.significand < kSeventeenDigits) + (d.significand < kSeventeenDigits / 10);
  return {d.significand * kPadding[pad], d.exponent - pad};
}

}  // namespace hbayes::io
