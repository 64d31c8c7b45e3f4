// Shows a value from a user's file inside an error message, safely.
#pragma once

#include <string>
#include <string_view>

namespace hbayes::io {

// `value` in single quotes, control bytes escaped as \xNN and long values cut after 60 bytes
// ("...") so that binary garbage cannot garble or flood a terminal: '12x', 'a\x00b'.
std::string quote_value(std::string_view value);

}  // namespace hbayes::io
