#include "io/quote_value.hpp"

#include <cstddef>

namespace hbayes::io {
namespace {

constexpr std::size_t kMaxShownBytes = 60;

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string quote_value(std::string_view value) {
  std::size_t shown = value.size();
  if (shown > kMaxShownBytes) {
    shown = kMaxShownBytes;
    // Cut at a character boundary so that a UTF-8 name is not left with half a character.
    while (shown > 0 && is_utf8_continuation(value[shown])) --shown;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text = "'";
  for (std::size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    // Bytes >= 0x80 pass through: they are most likely UTF-8 text the user will recognise.
    if (c < 0x20 || c == 0x7F || c == '\\') {
      text += "\\x";
      text += kHex[c >> 4];
      text += kHex[c & 0xF];
    } else {
      text += static_cast<char>(c);
    }
  }
  if (shown < value.size()) text += "...";
  text += "'";
  return text;
}

}  // namespace hbayes::io
