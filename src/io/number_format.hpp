// Appends numbers to an output line as CSV field text.
#pragma once

#include <cstdint>
#include <string>

namespace hbayes::io {

// Appends the shortest decimal text that reads back as exactly `value` ("0.1", "1e-07", "-0",
// "inf"); NaN appends nothing, so a missing value is an empty field.
void append_double(std::string& out, double value);

// Appends `value` in decimal ("-42").
void append_integer(std::string& out, std::int64_t value);

}  // namespace hbayes::io
