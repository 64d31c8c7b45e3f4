// Stan-like prior text: "normal(0, 5)", "student-t(3, 0, 2.5)", "half-cauchy(0, 5)", and the
// group prior "normal" or "student-t(4)". Blanks (spaces, tabs) may surround every token; numbers
// are read strictly with std::from_chars, so "5x", "+5", "0x1" and "inf" are errors, never 5 or 0.
// Errors name the option and the 1-based column of the offending character.
#include "sample/prior_text.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "hbayes/errors.hpp"

namespace hbayes {
namespace {

// What the text of each prior kind looks like.
struct KindText {
  PriorSpec::Kind kind;
  std::string_view name;
  bool has_nu;  // the numbers are (nu, location, scale) rather than (location, scale)
  bool half;    // a distribution on tau > 0, folded at location 0
};

constexpr KindText kKinds[] = {
    {PriorSpec::Kind::Normal, "normal", false, false},
    {PriorSpec::Kind::StudentT, "student-t", true, false},
    {PriorSpec::Kind::Cauchy, "cauchy", false, false},
    {PriorSpec::Kind::HalfNormal, "half-normal", false, true},
    {PriorSpec::Kind::HalfStudentT, "half-student-t", true, true},
    {PriorSpec::Kind::HalfCauchy, "half-cauchy", false, true},
};

const KindText& kind_text(PriorSpec::Kind kind) {
  for (const KindText& k : kKinds) {
    if (k.kind == kind) return k;
  }
  throw std::logic_error("prior_text: PriorSpec::Kind without a name");
}

// One number of the argument list and the 0-based offset where it starts.
struct Argument {
  double value;
  std::size_t offset;
};

// The pieces of "name" or "name(a, b, ...)", before any check of what they mean.
struct Call {
  std::string_view name;
  std::size_t name_offset = 0;
  bool has_arguments = false;    // false for a bare name
  std::size_t open_offset = 0;   // where "(" is or, for a bare name, would be
  std::size_t close_offset = 0;  // where ")" is
  std::vector<Argument> arguments;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// Splits prior text into a Call, throwing InputError on a syntax error.
class CallParser {
 public:
  CallParser(std::string_view text, const std::string& option) : text_(text), option_(option) {}

  Call parse() {
    Call call;
    skip_blanks();
    call.name_offset = pos_;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) ++pos_;
    call.name = text_.substr(call.name_offset, pos_ - call.name_offset);
    if (call.name.empty()) fail(call.name_offset, "expected a distribution name");
    skip_blanks();
    call.open_offset = pos_;
    if (pos_ == text_.size()) return call;
    if (text_[pos_] != '(') fail(pos_, "expected \"(\" after " + std::string(call.name));
    call.has_arguments = true;
    ++pos_;
    skip_blanks();
    if (pos_ < text_.size() && text_[pos_] != ')') {
      while (true) {
        call.arguments.push_back(number());
        skip_blanks();
        if (pos_ == text_.size()) fail(pos_, "missing \")\"");
        if (text_[pos_] == ')') break;
        if (text_[pos_] != ',') fail(pos_, "expected \",\" or \")\"");
        ++pos_;
        skip_blanks();
      }
    }
    if (pos_ == text_.size()) fail(pos_, "missing \")\"");
    call.close_offset = pos_;
    ++pos_;
    skip_blanks();
    if (pos_ < text_.size()) fail(pos_, "unexpected text after \")\"");
    return call;
  }

  [[noreturn]] void fail(std::size_t offset, const std::string& reason) const {
    throw InputError(option_, 0,
                     "\"" + std::string(text_) + "\": " + reason + " (column " +
                         std::to_string(offset + 1) + ")");
  }

 private:
  void skip_blanks() {
    while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
  }

  Argument number() {
    const std::size_t start = pos_;
    const char* const first = text_.data() + pos_;
    double value = 0.0;
    const auto [stop, error] = std::from_chars(first, text_.data() + text_.size(), value);
    if (error == std::errc::invalid_argument) fail(start, "expected a number");
    const std::string quoted = "\"" + std::string(first, stop) + "\"";
    if (error != std::errc()) fail(start, quoted + " is out of range");
    if (!std::isfinite(value)) fail(start, quoted + " is not a finite number");
    pos_ = static_cast<std::size_t>(stop - text_.data());
    return {value, start};
  }

  std::string_view text_;
  const std::string& option_;
  std::size_t pos_ = 0;
};

// Fails unless the call has exactly `count` numbers, pointing at the first extra one or at ")".
void require_count(const CallParser& parser, const Call& call, std::size_t count,
                   const std::string& meaning) {
  if (call.arguments.size() == count) return;
  const std::size_t offset =
      call.arguments.size() > count ? call.arguments[count].offset : call.close_offset;
  parser.fail(offset, std::string(call.name) + " takes " + std::to_string(count) +
                          (count == 1 ? " number (" : " numbers (") + meaning + "), got " +
                          std::to_string(call.arguments.size()));
}

void require_positive_nu(const CallParser& parser, const Argument& nu) {
  if (!(nu.value > 0.0)) parser.fail(nu.offset, "degrees of freedom must be positive");
}

// The shortest text that reads back to exactly `value`.
std::string number_text(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace

PriorSpec parse_prior(std::string_view text, const std::string& option_name) {
  CallParser parser(text, option_name);
  const Call call = parser.parse();
  const KindText* kind = nullptr;
  for (const KindText& k : kKinds) {
    if (k.name == call.name) kind = &k;
  }
  if (kind == nullptr) {
    parser.fail(call.name_offset, "unknown distribution \"" + std::string(call.name) +
                                      "\"; expected normal, student-t, cauchy, half-normal, "
                                      "half-student-t or half-cauchy");
  }
  if (!call.has_arguments) {
    parser.fail(call.open_offset, "expected \"(\" after " + std::string(call.name));
  }
  require_count(parser, call, kind->has_nu ? 3 : 2,
                kind->has_nu ? "nu, location, scale" : "location, scale");

  PriorSpec prior;
  prior.kind = kind->kind;
  std::size_t next = 0;
  if (kind->has_nu) {
    require_positive_nu(parser, call.arguments[next]);
    prior.nu = call.arguments[next++].value;
  }
  const Argument& location = call.arguments[next++];
  const Argument& scale = call.arguments[next];
  if (kind->half && location.value != 0.0) {
    parser.fail(location.offset,
                std::string(kind->name) + " is folded at 0: its location must be 0");
  }
  if (!(scale.value > 0.0)) parser.fail(scale.offset, "scale must be positive");
  prior.location = location.value;
  prior.scale = scale.value;
  return prior;
}

std::string format_prior(const PriorSpec& prior) {
  const KindText& kind = kind_text(prior.kind);
  std::string text = std::string(kind.name) + "(";
  if (kind.has_nu) text += number_text(prior.nu) + ", ";
  return text + number_text(prior.location) + ", " + number_text(prior.scale) + ")";
}

GroupPriorSpec parse_group_prior(std::string_view text, const std::string& option_name) {
  CallParser parser(text, option_name);
  const Call call = parser.parse();
  GroupPriorSpec prior;
  if (call.name == "normal") {
    if (call.has_arguments) {
      parser.fail(call.open_offset, "the normal group prior takes no numbers");
    }
    return prior;
  }
  if (call.name != "student-t") {
    parser.fail(call.name_offset, "unknown group prior \"" + std::string(call.name) +
                                      "\"; expected normal or student-t(nu)");
  }
  if (!call.has_arguments) {
    parser.fail(call.open_offset, "expected \"(\" after student-t");
  }
  require_count(parser, call, 1, "nu");
  require_positive_nu(parser, call.arguments[0]);
  prior.student_t = true;
  prior.nu = call.arguments[0].value;
  return prior;
}

std::string format_group_prior(const GroupPriorSpec& prior) {
  return prior.student_t ? "student-t(" + number_text(prior.nu) + ")" : "normal";
}

void require_location_prior(const PriorSpec& prior, const std::string& option) {
  if (kind_text(prior.kind).half) {
    throw InputError(option, 0,
                     "\"" + format_prior(prior) +
                         "\" is a prior on a scale; this option takes normal, student-t or cauchy");
  }
}

void require_scale_prior(const PriorSpec& prior, const std::string& option) {
  if (!kind_text(prior.kind).half) {
    throw InputError(option, 0,
                     "\"" + format_prior(prior) +
                         "\" is not a prior on a scale; this option takes half-normal, "
                         "half-student-t or half-cauchy");
  }
}

}  // namespace hbayes
