#include "io/csv_field.hpp"

#include <cstring>

namespace hbayes::io {

char* write_csv_field(char* out, std::string_view field) {
  bool plain = true;
  for (const char c : field) plain &= c != ',' && c != '"' && c != '\r' && c != '\n';
  if (plain) {
    std::memcpy(out, field.data(), field.size());
    return out + field.size();
  }
  *out++ = '"';
  for (const char c : field) {
    if (c == '"') *out++ = '"';
    *out++ = c;
  }
  *out++ = '"';
  return out;
}

void append_csv_field(std::string& out, std::string_view field) {
  const std::size_t start = out.size();
  out.resize(start + csv_field_room(field));
  out.resize(static_cast<std::size_t>(write_csv_field(out.data() + start, field) - out.data()));
}

}  // namespace hbayes::io
