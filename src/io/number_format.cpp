#include "io/number_format.hpp"

#include <charconv>
#include <cmath>

namespace hbayes::io {
namespace {

// The longest shortest-round-trip double is 24 characters ("-2.2250738585072014e-308").
constexpr std::size_t kMaxNumberChars = 32;
// Whole doubles below this magnitude print as integers (see append_double).
constexpr double kIntegerTextBelow = 1e5;

}  // namespace

void append_double(std::string& out, double value) {
  if (std::isnan(value)) return;
  // Whole numbers (counts, the ends of a discrete predictive interval) are common, and
  // std::to_chars is slow on them. Below 1e5 the integer text is exactly what std::to_chars
  // writes: "1e+05" is where scientific notation first becomes shorter. -0 goes the long way,
  // which keeps its sign.
  if (std::fabs(value) < kIntegerTextBelow && value == std::trunc(value) &&
      !(value == 0 && std::signbit(value))) {
    append_integer(out, static_cast<std::int64_t>(value));
    return;
  }
  char text[kMaxNumberChars];
  // No format argument: std::to_chars then picks the shortest text that round-trips.
  const auto result = std::to_chars(text, text + kMaxNumberChars, value);
  out.append(text, result.ptr);
}

void append_integer(std::string& out, std::int64_t value) {
  char text[kMaxNumberChars];
  const auto result = std::to_chars(text, text + kMaxNumberChars, value);
  out.append(text, result.ptr);
}

}  // namespace hbayes::io
