// Writes text fields into CSV output, quoted only when they must be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hbayes::io {

// Room write_csv_field needs for `field`: every byte a doubled quote, plus the two quotes.
inline std::size_t csv_field_room(std::string_view field) {
  return 2 * field.size() + 2;
}

// Writes `field` at `out`, in quotes (inner quotes doubled) only if it holds a separator, quote
// or line break; returns the end of what it wrote.
char* write_csv_field(char* out, std::string_view field);

// Appends `field` to `out` as write_csv_field writes it.
void append_csv_field(std::string& out, std::string_view field);

}  // namespace hbayes::io
