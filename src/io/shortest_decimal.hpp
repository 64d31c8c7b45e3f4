// The shortest decimal that reads back as a given double: the digits of std::to_chars's shortest
// form, found several times faster than libstdc++'s to_chars finds them.
#pragma once

#include <cstdint>

namespace hbayes::io {

// significand * 10^exponent, the significand padded with trailing zeros to exactly 17 digits
// (10^16 <= significand < 10^17): a fixed width lets the caller write digits without loops.
struct Decimal {
  std::uint64_t significand;
  int exponent;
};

// For a positive normal double (not zero, subnormal, inf or NaN): the decimal with the fewest
// significant digits that rounds to `value`; of several, the one closest to it, an even
// significand breaking a tie. This is the choice std::to_chars's shortest form makes.
Decimal shortest_decimal(double value);

}  // namespace hbayes::io
