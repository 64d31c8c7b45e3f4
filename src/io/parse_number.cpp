#include "io/parse_number.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "io/quote_value.hpp"

namespace hbayes::io {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_blanks(std::string_view field) {
  while (!field.empty() && is_blank(field.front())) field.remove_prefix(1);
  while (!field.empty() && is_blank(field.back())) field.remove_suffix(1);
  return field;
}

// Runs std::from_chars over the whole of `text`; anything left unconsumed is malformed.
template <class T>
NumberStatus from_whole_text(std::string_view text, T& value) {
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::result_out_of_range) return NumberStatus::kOutOfRange;
  if (error != std::errc() || stop != end) return NumberStatus::kMalformed;
  return NumberStatus::kOk;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Decimal digits that cannot overflow an int64 whatever they are.
constexpr std::size_t kMaxSafeDigits = 18;

}  // namespace

Parsed<std::int64_t> parse_count(std::string_view field) {
  Parsed<std::int64_t> parsed;
  // The usual field, digits only and too short to overflow (10^18 - 1 < INT64_MAX), is summed
  // directly; everything else (blanks, signs, junk, long numbers) takes the general path below.
  if (!field.empty() && field.size() <= kMaxSafeDigits) {
    std::uint64_t value = 0;  // unsigned: other bytes may wrap it before they are noticed
    bool digits = true;
    for (const char c : field) {
      digits &= is_digit(c);
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (digits) {
      parsed.value = static_cast<std::int64_t>(value);
      return parsed;
    }
  }
  const std::string_view text = trim_blanks(field);
  if (text.empty()) {
    parsed.status = NumberStatus::kEmpty;
  } else if (!is_digit(text.front())) {
    parsed.status = NumberStatus::kMalformed;  // from_chars would take "-3" as a number
  } else {
    parsed.status = from_whole_text(text, parsed.value);
  }
  return parsed;
}

Parsed<double> parse_finite(std::string_view field) {
  Parsed<double> parsed;
  const std::string_view text = trim_blanks(field);
  if (text.empty()) {
    parsed.status = NumberStatus::kEmpty;
  } else {
    parsed.status = from_whole_text(text, parsed.value);
    if (parsed.ok() && !std::isfinite(parsed.value)) parsed.status = NumberStatus::kNotFinite;
  }
  return parsed;
}

std::string count_problem(NumberStatus status, std::string_view field) {
  switch (status) {
    case NumberStatus::kEmpty:
      return "missing value (expected a non-negative integer)";
    case NumberStatus::kOutOfRange:
      return quote_value(field) + " is too large (the limit is 9223372036854775807)";
    default:
      return quote_value(field) + " is not a non-negative integer";
  }
}

std::string finite_problem(NumberStatus status, std::string_view field) {
  switch (status) {
    case NumberStatus::kEmpty:
      return "missing value (expected a finite number)";
    case NumberStatus::kOutOfRange:
      return quote_value(field) + " is outside the range of double precision";
    case NumberStatus::kNotFinite:
      return quote_value(field) + " is not a finite number";
    default:
      return quote_value(field) + " is not a number";
  }
}

}  // namespace hbayes::io
