// Writes numbers as CSV field text into a caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hbayes::io {

// The longest text write_double or write_integer writes ("-2.2250738585072014e-308").
constexpr std::size_t kMaxNumberText = 24;
// Room a call needs at `out`: write_double copies digits in fixed-size blocks that may run past
// the end of its text.
constexpr std::size_t kMaxNumberChars = 48;

// Writes the text std::to_chars(value) writes, the shortest that reads back as exactly `value`
// ("0.1", "1e-07", "-0", "inf"); NaN writes nothing, so a missing value is an empty field.
// Returns the end of the text.
char* write_double(char* out, double value);

// Writes `value` in decimal ("-42"); returns the end of the text.
char* write_integer(char* out, std::int64_t value);

}  // namespace hbayes::io
