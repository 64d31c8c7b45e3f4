// write_double / write_integer: std::to_chars's exact text, and bit-identical round trips through
// parse_finite.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "io/number_format.hpp"
#include "io/parse_number.hpp"

namespace hbayes::io {
namespace {

std::string formatted(double value) {
  char text[kMaxNumberChars + 1];
  text[0] = 'x';  // writes at `out`, never before it
  char* const end = write_double(text + 1, value);
  EXPECT_EQ(text[0], 'x');
  return std::string(text + 1, end);
}

std::string to_chars_text(double value) {
  char text[kMaxNumberChars];
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

std::uint64_t bits_of(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

double from_bits(std::uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

TEST(WriteDouble, ShortestText) {
  EXPECT_EQ(formatted(0.1), "0.1");
  EXPECT_EQ(formatted(17.0), "17");
  EXPECT_EQ(formatted(0.068), "0.068");
  EXPECT_EQ(formatted(1e-7), "1e-07");
  EXPECT_EQ(formatted(1.5e300), "1.5e+300");
  EXPECT_EQ(formatted(-0.0), "-0");
  EXPECT_EQ(formatted(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(formatted(-std::numeric_limits<double>::denorm_min()), "-5e-324");
  EXPECT_EQ(formatted(-std::numeric_limits<double>::min()), "-2.2250738585072014e-308");
}

// Whole numbers take a fast path; its text must be exactly std::to_chars's shortest text.
TEST(WriteDouble, WholeNumbersMatchToChars) {
  for (double value = -200000; value <= 200000; ++value) {
    ASSERT_EQ(formatted(value), to_chars_text(value)) << value;
  }
  for (double value : {99999.0, 100000.0, 1e6, 123456.0, 1e15, 4503599627370497.0, 1e300}) {
    EXPECT_EQ(formatted(value), to_chars_text(value)) << value;
  }
}

TEST(WriteDouble, NanIsAnEmptyFieldAndInfinitiesAreSpelledOut) {
  EXPECT_EQ(formatted(std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(formatted(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(formatted(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(WriteInteger, Decimal) {
  char text[4 * kMaxNumberChars];
  char* out = write_integer(text, 0);
  *out++ = ',';
  out = write_integer(out, -42);
  *out++ = ',';
  out = write_integer(out, std::numeric_limits<std::int64_t>::max());
  *out++ = ',';
  out = write_integer(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(std::string(text, out), "0,-42,9223372036854775807,-9223372036854775808");
}

// The fast shortest-digits path must write exactly std::to_chars's text: every binary exponent
// with the significands at its edges (powers of two have a lopsided rounding interval), random
// bit patterns, and the short decimals that end in long runs of zeros or nines.
TEST(WriteDouble, MatchesToCharsEverywhere) {
  const auto check = [](double value) {
    if (std::isnan(value)) return;  // an empty field, not std::to_chars's "nan" (tested above)
    ASSERT_EQ(formatted(value), to_chars_text(value)) << std::hexfloat << value;
    ASSERT_EQ(formatted(-value), to_chars_text(-value)) << std::hexfloat << -value;
  };
  for (std::uint64_t exponent = 0; exponent < 2047; ++exponent) {
    for (std::uint64_t significand :
         {0ull, 1ull, 2ull, 3ull, 1ull << 51, (1ull << 52) - 2, (1ull << 52) - 1}) {
      check(from_bits(exponent << 52 | significand));
    }
  }
  const std::uint64_t seed = 20240612;
  std::mt19937_64 random(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 300000; ++i) {
    check(from_bits(random() & 0x7FFFFFFFFFFFFFFFull));
    check(unit(random));
    check(unit(random) * unit(random) * 1e-3);
    if (::testing::Test::HasFailure()) return;  // one report, not a million
  }
  for (int i = 1; i < 100000; ++i) {
    check(i / 10.0), check(i / 1000.0), check(1.0 / i), check(i * 1e5), check(i * 1e-5);
    check(std::nextafter(i / 10.0, 0.0)), check(std::nextafter(i / 10.0, 1e300));
  }
  for (int e = -325; e <= 309; ++e) check(std::pow(10.0, e));
}

// Property: every finite double formats to text that parses back to the same bits.
TEST(WriteDouble, RoundTripsBitIdentically) {
  const std::uint64_t seed = 20240611;
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto check = [&](double value) {
    const std::string text = formatted(value);
    const Parsed<double> parsed = parse_finite(text);
    ASSERT_TRUE(parsed.ok()) << "seed " << seed << ": '" << text << "'";
    ASSERT_EQ(bits_of(parsed.value), bits_of(value)) << "seed " << seed << ": '" << text << "'";
  };
  for (int i = 0; i < 200000; ++i) {
    // Uniform over bit patterns: every exponent, subnormals and both signs alike.
    const double any = from_bits(random());
    if (std::isfinite(any)) check(any);
    // Subnormals: exponent field zero.
    check(from_bits(random() & 0x800FFFFFFFFFFFFFull));
    // Huge and tiny normal numbers, and ordinary probabilities.
    check(std::numeric_limits<double>::max() * unit(random));
    check(std::numeric_limits<double>::min() * (1.0 + unit(random)));
    check(unit(random));
    if (::testing::Test::HasFailure()) return;  // one report, not a million
  }
  for (double edge :
       {0.0, -0.0, std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
        std::numeric_limits<double>::min(), std::numeric_limits<double>::denorm_min(), 1.0, 0.1,
        1e23, 9007199254740993.0}) {
    check(edge);
  }
}

}  // namespace
}  // namespace hbayes::io
