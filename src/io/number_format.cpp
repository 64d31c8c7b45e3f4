#include "io/number_format.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "io/shortest_decimal.hpp"

namespace hbayes::io {
namespace {

// Whole doubles below this magnitude print as integers (see write_double).
constexpr double kIntegerTextBelow = 1e5;
// Fixed notation with zeros after the significant digits ("120000") is written here only while
// those zeros are the exact value's digits too, as std::to_chars writes them: below 10^15 < 2^53.
constexpr int kMaxPaddedPoint = 15;

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

using u128 = unsigned __int128;
// '0' in each byte of 16: adds digit values 0..9 up to their characters.
constexpr u128 kAsciiTail = static_cast<u128>(0x3030303030303030u) << 64 | 0x3030303030303030u;

// The 8 decimal digits of `value` (< 10^8, leading zeros kept) as 8 bytes 0..9, the first digit
// in the lowest byte (first in memory). Lanes of the word are divided in parallel, 4+4 digits,
// then 2+2+2+2, then single digits; no lane overflows into the next. Building the digits in a
// register, not with byte stores, avoids store-to-load stalls when they are copied as words.
std::uint64_t digit_bytes(std::uint32_t value) {
  std::uint64_t lanes = value / 10000 | std::uint64_t{value % 10000} << 32;
  const std::uint64_t hundreds = (lanes * 10486 >> 20) & 0x0000007F0000007Fu;  // x / 100
  lanes = hundreds | (lanes - hundreds * 100) << 16;
  const std::uint64_t tens = (lanes * 103 >> 10) & 0x000F000F000F000Fu;  // x / 10
  return tens | (lanes - tens * 10) << 8;
}

// "e-07", "e+300": a sign and at least two digits, as printf's %e writes it.
char* write_exponent(char* out, int exponent) {
  *out++ = 'e';
  *out++ = exponent < 0 ? '-' : '+';
  const unsigned magnitude = static_cast<unsigned>(std::abs(exponent));
  if (magnitude >= 100) *out++ = static_cast<char>('0' + magnitude / 100);
  std::memcpy(out, kDigitPairs + 2 * (magnitude % 100), 2);
  return out + 2;
}

}  // namespace

char* write_double(char* out, double value) {
  if (std::isnan(value)) return out;
  // Whole numbers (counts, the ends of a discrete predictive interval) are common. Below 1e5
  // the integer text is exactly what std::to_chars writes: "1e+05" is where scientific notation
  // first becomes shorter. -0 goes the long way, which keeps its sign.
  if (std::fabs(value) < kIntegerTextBelow) {
    const auto whole = static_cast<std::int64_t>(value);
    if (static_cast<double>(whole) == value && !(value == 0 && std::signbit(value))) {
      return write_integer(out, whole);
    }
  }
  // Zero, subnormals and infinities are rare enough for std::to_chars.
  if (!std::isnormal(value)) return std::to_chars(out, out + kMaxNumberChars, value).ptr;

  const Decimal decimal = shortest_decimal(std::fabs(value));
  // The 17 digits: the first, then 16 as two words of digit bytes.
  const auto first = static_cast<char>('0' + decimal.significand / 10000000000000000);
  const std::uint64_t rest = decimal.significand % 10000000000000000;
  const std::uint64_t high = digit_bytes(static_cast<std::uint32_t>(rest / 100000000));
  const std::uint64_t low = digit_bytes(static_cast<std::uint32_t>(rest % 100000000));
  // Significant digits: 17 less the zero bytes at the end (the top bytes of the words).
  const auto zero_bytes = [](std::uint64_t word) {
    return static_cast<int>(static_cast<unsigned>(__builtin_clzll(word)) / 8);
  };
  const int n = low != 0 ? 17 - zero_bytes(low) : high != 0 ? 9 - zero_bytes(high) : 1;
  const u128 tail = (static_cast<u128>(low) << 64 | high) + kAsciiTail;  // digits 2..17
  const int point = decimal.exponent + 17;

  // value = 0.DIGITS * 10^point. std::to_chars writes the shorter of fixed notation and
  // scientific notation (D.IGITS * 10^(point - 1), "e-05": 4 characters of exponent while it
  // has two digits), fixed on a tie. Comparing the two lengths case by case:
  char* const start = out;
  if (value < 0) *out++ = '-';
  // Whole-word stores write past the end of the text, within the kMaxNumberChars of room.
  if (point <= 0) {
    // "0.000ddd" is 2 - point + n long against n + (n > 1) + 4.
    if (point >= -2 - (n > 1)) {
      std::memcpy(out, "0.000000", 8);
      out[2 - point] = first;
      std::memcpy(out + 3 - point, &tail, 16);
      return out + 2 - point + n;
    }
  } else if (point < n) {
    // "ddd.ddd" (n + 1) is never longer. The digits from the point on are moved one place
    // right, over a '.'.
    out[0] = first;
    std::memcpy(out + 1, &tail, 16);
    const u128 after = tail >> (8 * (point - 1));
    std::memcpy(out + point + 1, &after, 16);
    out[point] = '.';
    return out + n + 1;
  } else if (point <= n + (n > 1) + 4) {
    // A whole number, `point` digits long. Its zeros after the significant digits are the
    // exact value's digits too (which std::to_chars writes) only below 2^53.
    if (point > kMaxPaddedPoint) {
      return std::to_chars(start, start + kMaxNumberChars, value).ptr;
    }
    out[0] = first;
    std::memcpy(out + 1, &tail, 16);
    return out + point;
  }
  out[0] = first;
  out[1] = '.';
  std::memcpy(out + 2, &tail, 16);
  return write_exponent(out + (n > 1 ? n + 1 : 1), point - 1);
}

char* write_integer(char* out, std::int64_t value) {
  return std::to_chars(out, out + kMaxNumberChars, value).ptr;
}

}  // namespace hbayes::io
