// parse_count / parse_finite: what counts as a number, and the reasons given when not.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "io/parse_number.hpp"
#include "io/quote_value.hpp"

namespace hbayes::io {
namespace {

TEST(ParseCount, AcceptsDigitsWithSurroundingBlanks) {
  const std::pair<const char*, std::int64_t> cases[] = {
      {"0", 0},
      {"17", 17},
      {" 17", 17},
      {"17 ", 17},
      {"\t250\t", 250},
      {"007", 7},
      {"999999999999999999", 999999999999999999},  // the longest that cannot overflow
      {"1000000000000000000", 1000000000000000000},
      {"0000000000000000000000017", 17},
      {"9223372036854775807", std::numeric_limits<std::int64_t>::max()}};
  for (const auto& [text, value] : cases) {
    const auto parsed = parse_count(text);
    EXPECT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed.value, value) << text;
  }
}

TEST(ParseCount, RejectsEverythingElse) {
  const std::pair<std::string, NumberStatus> cases[] = {
      {"", NumberStatus::kEmpty},
      {"   ", NumberStatus::kEmpty},
      {"-1", NumberStatus::kMalformed},
      {"-0", NumberStatus::kMalformed},
      {"+1", NumberStatus::kMalformed},
      {"12x", NumberStatus::kMalformed},
      {"1 2", NumberStatus::kMalformed},
      {"17.0", NumberStatus::kMalformed},
      {"1e3", NumberStatus::kMalformed},
      {"0x10", NumberStatus::kMalformed},
      {"1,000", NumberStatus::kMalformed},
      {"12345678901234567x", NumberStatus::kMalformed},
      {std::string(18, '\x80'), NumberStatus::kMalformed},
      {"\"5\"", NumberStatus::kMalformed},
      {std::string("5\0", 2), NumberStatus::kMalformed},
      {"\n5", NumberStatus::kMalformed},
      {"9223372036854775808", NumberStatus::kOutOfRange},
      {"99999999999999999999999", NumberStatus::kOutOfRange},
  };
  for (const auto& [text, status] : cases) {
    EXPECT_EQ(parse_count(text).status, status) << testing::PrintToString(text);
  }
}

TEST(ParseFinite, AcceptsDecimalAndScientific) {
  const std::pair<const char*, double> cases[] = {
      {"0", 0.0},
      {"0.25", 0.25},
      {"-1.5e-3", -1.5e-3},
      {" 2 ", 2.0},
      {".5", 0.5},
      {"5.", 5.0},
      {"1E5", 1e5},
      {"-0", -0.0},
      {"1e308", 1e308},
      {"4.9e-324", 4.9e-324},
      {"1.7976931348623157e308", std::numeric_limits<double>::max()}};
  for (const auto& [text, value] : cases) {
    const auto parsed = parse_finite(text);
    EXPECT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed.value, value) << text;
    EXPECT_EQ(std::signbit(parsed.value), std::signbit(value)) << text;
  }
}

TEST(ParseFinite, RejectsEverythingElse) {
  const std::pair<std::string, NumberStatus> cases[] = {
      {"", NumberStatus::kEmpty},
      {"\t", NumberStatus::kEmpty},
      {"nan", NumberStatus::kNotFinite},
      {"NaN", NumberStatus::kNotFinite},
      {"inf", NumberStatus::kNotFinite},
      {"-inf", NumberStatus::kNotFinite},
      {"Infinity", NumberStatus::kNotFinite},
      {"1e400", NumberStatus::kOutOfRange},
      {"-1e400", NumberStatus::kOutOfRange},
      {"1e-400", NumberStatus::kOutOfRange},
      {"abc", NumberStatus::kMalformed},
      {"+1", NumberStatus::kMalformed},
      {"1.5.2", NumberStatus::kMalformed},
      {"1e", NumberStatus::kMalformed},
      {"0x1p3", NumberStatus::kMalformed},
      {"1,5", NumberStatus::kMalformed},
      {"NA", NumberStatus::kMalformed},
      {std::string("1\0", 2), NumberStatus::kMalformed},
  };
  for (const auto& [text, status] : cases) {
    EXPECT_EQ(parse_finite(text).status, status) << testing::PrintToString(text);
  }
}

TEST(NumberProblems, SpeakTheUsersLanguage) {
  EXPECT_EQ(count_problem(parse_count("12x").status, "12x"), "'12x' is not a non-negative integer");
  EXPECT_EQ(count_problem(parse_count("-3").status, "-3"), "'-3' is not a non-negative integer");
  EXPECT_EQ(count_problem(parse_count("").status, ""),
            "missing value (expected a non-negative integer)");
  EXPECT_EQ(count_problem(parse_count("99999999999999999999").status, "99999999999999999999"),
            "'99999999999999999999' is too large (the limit is 9223372036854775807)");
  EXPECT_EQ(finite_problem(parse_finite("nan").status, "nan"), "'nan' is not a finite number");
  EXPECT_EQ(finite_problem(parse_finite("abc").status, "abc"), "'abc' is not a number");
  EXPECT_EQ(finite_problem(parse_finite(" ").status, " "),
            "missing value (expected a finite number)");
  EXPECT_EQ(finite_problem(parse_finite("1e999").status, "1e999"),
            "'1e999' is outside the range of double precision");
}

TEST(QuoteValue, EscapesControlBytesAndCutsLongValues) {
  EXPECT_EQ(quote_value("12x"), "'12x'");
  EXPECT_EQ(quote_value(std::string("a\0b\n\\", 5)), "'a\\x00b\\x0A\\x5C'");
  EXPECT_EQ(quote_value("caf\xC3\xA9"), "'caf\xC3\xA9'");
  EXPECT_EQ(quote_value(std::string(100, 'x')), "'" + std::string(60, 'x') + "...'");
  // The cut never splits a UTF-8 character: "é" straddling byte 60 is left out whole.
  EXPECT_EQ(quote_value(std::string(59, 'x') + "\xC3\xA9yz"), "'" + std::string(59, 'x') + "...'");
}

}  // namespace
}  // namespace hbayes::io
