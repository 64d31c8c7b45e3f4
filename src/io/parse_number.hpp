// Strict parsing of numeric CSV fields, reporting failures as a status rather than throwing.
//
// Both parsers accept surrounding spaces and tabs (" 17" as written by some tools) and nothing
// else around the number: "12x", "1,5", "0x10" and "" are errors, never a silent 12 or 0.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hbayes::io {

// Why a field is not the number its column needs.
enum class NumberStatus {
  kOk,
  kEmpty,       // nothing but spaces
  kMalformed,   // not a number of the required form
  kOutOfRange,  // a number, but too large (or, for a double, too close to zero) to represent
  kNotFinite,   // nan or inf where a finite double is required
};

// A parsed value; `value` is meaningful only when `status` is kOk.
template <class T>
struct Parsed {
  T value{};
  NumberStatus status = NumberStatus::kOk;
  bool ok() const { return status == NumberStatus::kOk; }
};

// A count: decimal digits only (no sign, point or exponent), at most INT64_MAX.
Parsed<std::int64_t> parse_count(std::string_view field);

// A finite double in decimal or scientific notation ("0.25", "2.5e-3"); rejects nan and inf.
Parsed<double> parse_finite(std::string_view field);

// The reason a parse_count failure gives the user: "'12x' is not a non-negative integer".
std::string count_problem(NumberStatus status, std::string_view field);

// The reason a parse_finite failure gives the user: "'nan' is not a finite number".
std::string finite_problem(NumberStatus status, std::string_view field);

}  // namespace hbayes::io
