// Prior text (--prior-mu, --prior-tau, --group-prior): every kind, blanks, canonical text that
// reads back exactly, every error with its column, and mutated text checked against an
// independent grammar (a hand-written scanner and strtod).
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/sample.hpp"
#include "sample/prior_text.hpp"

namespace hbayes {
namespace {

using Kind = PriorSpec::Kind;

bool same(const PriorSpec& a, const PriorSpec& b) {
  return a.kind == b.kind && a.nu == b.nu && a.location == b.location && a.scale == b.scale;
}

std::string describe(const PriorSpec& p) {
  return format_prior(p) + " (kind " + std::to_string(static_cast<int>(p.kind)) + ")";
}

TEST(PriorText, ParsesEveryKind) {
  const struct {
    const char* text;
    PriorSpec want;
  } cases[] = {
      {"normal(0, 5)", {Kind::Normal, 0.0, 0.0, 5.0}},
      {"student-t(3, -1.5, 2.5)", {Kind::StudentT, 3.0, -1.5, 2.5}},
      {"cauchy(1e3, 0.25)", {Kind::Cauchy, 0.0, 1000.0, 0.25}},
      {"half-normal(0, 5)", {Kind::HalfNormal, 0.0, 0.0, 5.0}},
      {"half-student-t(0.5, 0, 5)", {Kind::HalfStudentT, 0.5, 0.0, 5.0}},
      {"half-cauchy(0.0, 1E-2)", {Kind::HalfCauchy, 0.0, 0.0, 0.01}},
  };
  for (const auto& c : cases) {
    const PriorSpec got = parse_prior(c.text, "--prior");
    EXPECT_TRUE(same(got, c.want)) << c.text << " -> " << describe(got);
  }
}

TEST(PriorText, BlanksAroundEveryToken) {
  EXPECT_TRUE(same(parse_prior(" \thalf-student-t ( 3 ,0 ,\t5 )  ", "--prior-tau"),
                   {Kind::HalfStudentT, 3.0, 0.0, 5.0}));
  EXPECT_TRUE(same(parse_prior("normal(0,5)", "--prior-mu"), {Kind::Normal, 0.0, 0.0, 5.0}));
  const GroupPriorSpec g = parse_group_prior("  student-t (\t4 ) ", "--group-prior");
  EXPECT_TRUE(g.student_t);
  EXPECT_EQ(g.nu, 4.0);
  EXPECT_FALSE(parse_group_prior(" normal\t", "--group-prior").student_t);
}

TEST(PriorText, CanonicalTextReadsBackExactly) {
  EXPECT_EQ(format_prior({Kind::HalfCauchy, 0.0, 0.0, 5.0}), "half-cauchy(0, 5)");
  EXPECT_EQ(format_prior({Kind::StudentT, 3.0, 0.0, 2.5}), "student-t(3, 0, 2.5)");
  EXPECT_EQ(format_group_prior({true, 4.0}), "student-t(4)");
  EXPECT_EQ(format_group_prior({false, 0.0}), "normal");
  // Awkward doubles: shortest round-trip text, extremes of the range.
  const double values[] = {0.1, 1.0 / 3.0, 2.5e-300, 1.7976931348623157e308, 123456789.125, 7.0};
  for (const double v : values) {
    for (const PriorSpec& p :
         {PriorSpec{Kind::Normal, 0.0, -v, v}, PriorSpec{Kind::StudentT, v, v, v},
          PriorSpec{Kind::Cauchy, 0.0, v, v}, PriorSpec{Kind::HalfNormal, 0.0, 0.0, v},
          PriorSpec{Kind::HalfStudentT, v, 0.0, v}, PriorSpec{Kind::HalfCauchy, 0.0, 0.0, v}}) {
      const PriorSpec back = parse_prior(format_prior(p), "--prior");
      EXPECT_TRUE(same(back, p)) << describe(p) << " -> " << describe(back);
    }
    const GroupPriorSpec g = parse_group_prior(format_group_prior({true, v}), "--group-prior");
    EXPECT_TRUE(g.student_t && g.nu == v) << v;
  }
}

// The full message for the example in the option's documentation.
TEST(PriorText, ErrorNamesOptionTextReasonAndColumn) {
  try {
    parse_prior("half-cauchy(0, -5)", "--prior-tau");
    FAIL() << "accepted a negative scale";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "--prior-tau: \"half-cauchy(0, -5)\": scale must be positive (column 16)");
    EXPECT_EQ(e.source(), "--prior-tau");
  }
}

struct ErrorCase {
  const char* text;
  const char* reason;  // the message without the column
  int column;
};

void expect_error(bool group, const ErrorCase& c) {
  const std::string option = group ? "--group-prior" : "--prior-mu";
  const std::string want =
      option + ": \"" + c.text + "\": " + c.reason + " (column " + std::to_string(c.column) + ")";
  try {
    if (group) {
      parse_group_prior(c.text, option);
    } else {
      parse_prior(c.text, option);
    }
    ADD_FAILURE() << "accepted \"" << c.text << "\"";
  } catch (const InputError& e) {
    EXPECT_EQ(e.what(), want);
  }
}

TEST(PriorText, EveryErrorHasItsColumn) {
  const ErrorCase cases[] = {
      {"", "expected a distribution name", 1},
      {"   ", "expected a distribution name", 4},
      {"5", "expected a distribution name", 1},
      {"normal", "expected \"(\" after normal", 7},
      {"normal  ", "expected \"(\" after normal", 9},
      {"normal [0, 1]", "expected \"(\" after normal", 8},
      {"gamma(2, 1)",
       "unknown distribution \"gamma\"; expected normal, student-t, cauchy, half-normal, "
       "half-student-t or half-cauchy",
       1},
      {"  Normal(0, 1)",
       "unknown distribution \"Normal\"; expected normal, student-t, cauchy, half-normal, "
       "half-student-t or half-cauchy",
       3},
      {"normal(0, 1", "missing \")\"", 12},
      {"normal(", "missing \")\"", 8},
      {"normal(0 1)", "expected \",\" or \")\"", 10},
      {"normal(0, 5x)", "expected \",\" or \")\"", 12},
      {"normal(0x1, 5)", "expected \",\" or \")\"", 9},
      {"normal(0, )", "expected a number", 11},
      {"normal(, 1)", "expected a number", 8},
      {"normal(+1, 5)", "expected a number", 8},
      {"normal(0, 1))", "unexpected text after \")\"", 13},
      {"normal(0, 1) x", "unexpected text after \")\"", 14},
      {"normal(0, 1, 2)", "normal takes 2 numbers (location, scale), got 3", 14},
      {"normal()", "normal takes 2 numbers (location, scale), got 0", 8},
      {"student-t(0, 1)", "student-t takes 3 numbers (nu, location, scale), got 2", 15},
      {"normal(0, inf)", "\"inf\" is not a finite number", 11},
      {"normal(nan, 1)", "\"nan\" is not a finite number", 8},
      {"normal(0, 1e999)", "\"1e999\" is out of range", 11},
      {"normal(0, 0)", "scale must be positive", 11},
      {"cauchy(0, -1)", "scale must be positive", 11},
      {"normal(0,\t-1)", "scale must be positive", 11},
      {"student-t(0, 0, 1)", "degrees of freedom must be positive", 11},
      {"student-t(-3, 0, 1)", "degrees of freedom must be positive", 11},
      {"half-normal(1, 5)", "half-normal is folded at 0: its location must be 0", 13},
      {"half-student-t(3, 0.5, 5)", "half-student-t is folded at 0: its location must be 0", 19},
      {"half-cauchy(0, -5)", "scale must be positive", 16},
  };
  for (const ErrorCase& c : cases) expect_error(false, c);

  const ErrorCase group_cases[] = {
      {"", "expected a distribution name", 1},
      {"cauchy", "unknown group prior \"cauchy\"; expected normal or student-t(nu)", 1},
      {"normal(0, 1)", "the normal group prior takes no numbers", 7},
      {"student-t", "expected \"(\" after student-t", 10},
      {"student-t(4, 1)", "student-t takes 1 number (nu), got 2", 14},
      {"student-t()", "student-t takes 1 number (nu), got 0", 11},
      {"student-t(0)", "degrees of freedom must be positive", 11},
      {"student-t(4) x", "unexpected text after \")\"", 14},
      {"student-t(4", "missing \")\"", 12},
  };
  for (const ErrorCase& c : group_cases) expect_error(true, c);
}

TEST(PriorText, LocationAndScalePriorsAreKeptApart) {
  const PriorSpec normal{Kind::Normal, 0.0, 0.0, 5.0};
  const PriorSpec half{Kind::HalfNormal, 0.0, 0.0, 5.0};
  EXPECT_NO_THROW(require_location_prior(normal, "--prior-mu"));
  EXPECT_NO_THROW(require_scale_prior(half, "--prior-tau"));
  try {
    require_location_prior(half, "--prior-mu");
    FAIL() << "a half prior for mu";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "--prior-mu: \"half-normal(0, 5)\" is a prior on a scale; this option takes "
                 "normal, student-t or cauchy");
  }
  try {
    require_scale_prior(normal, "--prior-tau");
    FAIL() << "a normal prior for tau";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "--prior-tau: \"normal(0, 5)\" is not a prior on a scale; this option takes "
                 "half-normal, half-student-t or half-cauchy");
  }
}

// ---- mutated text against an independent grammar ----

// The oracle's grammar, spelled as a scanner rather than the parser's tokenizer: blanks are
// [ \t]*, a number is -?(D+.?D*|.D+)([eE][-+]?D+)?. (Not std::regex: GCC 12's <regex> trips
// -Wmaybe-uninitialized in optimised sanitizer builds, which -Werror turns into a failure.)
class Scanner {
 public:
  explicit Scanner(const std::string& text) : text_(text) {}

  void blanks() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool literal(const std::string& s) {
    if (text_.compare(pos_, s.size(), s) != 0) return false;
    pos_ += s.size();
    return true;
  }
  // The number's text, or false where none starts here.
  bool number(std::string* text) {
    const std::size_t start = pos_;
    literal("-");
    const std::size_t whole = digits();
    const std::size_t fraction = literal(".") ? digits() : 0;
    if (whole + fraction == 0) return false;
    const std::size_t mantissa_end = pos_;
    if (literal("e") || literal("E")) {
      if (!literal("-")) literal("+");
      if (digits() == 0) pos_ = mantissa_end;  // "1e" is the number 1, then a stray "e"
    }
    *text = text_.substr(start, pos_ - start);
    return true;
  }
  // "( n1 , n2 ... )" with `count` numbers, then blanks to the end of the text.
  bool arguments(std::size_t count, std::vector<std::string>* numbers) {
    blanks();
    if (!literal("(")) return false;
    for (std::size_t k = 0; k < count; ++k) {
      if (k > 0 && !literal(",")) return false;
      blanks();
      std::string n;
      if (!number(&n)) return false;
      numbers->push_back(n);
      blanks();
    }
    if (!literal(")")) return false;
    blanks();
    return at_end();
  }
  bool at_end() const { return pos_ == text_.size(); }

 private:
  std::size_t digits() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ - start;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

// A finite double, by strtod (correctly rounded in glibc, as from_chars is).
bool strict_number(const std::string& text, double* value) {
  errno = 0;
  *value = std::strtod(text.c_str(), nullptr);
  return errno == 0 && std::isfinite(*value);
}

// What the parser should make of `text`, decided without it.
struct Expected {
  bool valid = false;
  PriorSpec prior;
};

Expected oracle_prior(const std::string& text) {
  const char* const names[] = {"normal",      "student-t",      "cauchy",
                               "half-normal", "half-student-t", "half-cauchy"};
  Expected e;
  for (int kind = 0; kind < 6; ++kind) {
    const bool has_nu = kind == 1 || kind == 4;
    const bool half = kind >= 3;
    Scanner scanner(text);
    scanner.blanks();
    std::vector<std::string> texts;
    if (!scanner.literal(names[kind]) || !scanner.arguments(has_nu ? 3 : 2, &texts)) continue;
    double numbers[3] = {0.0, 0.0, 0.0};
    for (std::size_t k = 0; k < texts.size(); ++k) {
      if (!strict_number(texts[k], &numbers[k])) return e;
    }
    const double nu = has_nu ? numbers[0] : 0.0;
    const double location = numbers[has_nu ? 1 : 0];
    const double scale = numbers[has_nu ? 2 : 1];
    if ((has_nu && !(nu > 0.0)) || (half && location != 0.0) || !(scale > 0.0)) return e;
    e.valid = true;
    e.prior = {static_cast<Kind>(kind), nu, location, scale};
    return e;
  }
  return e;
}

// One to three random insertions, deletions or replacements from an alphabet that can build
// both valid priors and near misses.
std::string mutate(std::string text, std::mt19937_64& rng) {
  static const std::string alphabet = "0123456789.-+eE, ()\t\nnormalhfcuystdi_x";
  std::uniform_int_distribution<int> edits(1, 3);
  std::uniform_int_distribution<int> op(0, 2);
  std::uniform_int_distribution<std::size_t> letter(0, alphabet.size() - 1);
  for (int k = edits(rng); k > 0; --k) {
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size())(rng);
    switch (op(rng)) {
      case 0:
        text.insert(at, 1, alphabet[letter(rng)]);
        break;
      case 1:
        if (at < text.size()) text.erase(at, 1);
        break;
      default:
        if (at < text.size()) text[at] = alphabet[letter(rng)];
        break;
    }
  }
  return text;
}

// A failure names the option and a column inside the text or just past its end.
void expect_well_formed_error(const InputError& e, const std::string& option,
                              const std::string& text) {
  const std::string what = e.what();
  EXPECT_EQ(what.rfind(option + ": \"" + text + "\": ", 0), 0u) << what;
  const std::size_t at = what.rfind(" (column ");
  ASSERT_TRUE(at != std::string::npos && what.size() > at + 10 && what.back() == ')') << what;
  const std::string digits = what.substr(at + 9, what.size() - at - 10);
  ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << what;
  const unsigned long c = std::stoul(digits);
  EXPECT_TRUE(c >= 1 && c <= text.size() + 1) << what;
}

TEST(PriorText, MutatedTextParsesAsTheGrammarSaysOrThrowsInputError) {
  const std::string seeds[] = {
      "normal(0, 5)",      "student-t(3, -1.5, 2.5)", "cauchy(1e3, .25)",
      "half-normal(0, 5)", "half-student-t(4, 0, 1)", "half-cauchy(0.0, 2)"};
  const std::uint64_t seed = 77;
  std::mt19937_64 rng(seed);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = mutate(seeds[i % 6], rng);
    const Expected want = oracle_prior(text);
    try {
      const PriorSpec got = parse_prior(text, "--prior-mu");
      ++accepted;
      EXPECT_TRUE(want.valid) << "seed " << seed << ": accepted \"" << text << "\"";
      EXPECT_TRUE(same(got, want.prior)) << "\"" << text << "\" -> " << describe(got);
      EXPECT_TRUE(same(parse_prior(format_prior(got), "--prior-mu"), got)) << text;
    } catch (const InputError& e) {
      EXPECT_FALSE(want.valid) << "seed " << seed << ": rejected \"" << text << "\": " << e.what();
      expect_well_formed_error(e, "--prior-mu", text);
    }
  }
  // The mutations must exercise both outcomes for the check to mean anything.
  EXPECT_GT(accepted, 500);
  EXPECT_LT(accepted, 19000);
}

TEST(PriorText, MutatedGroupPriorParsesOrThrowsInputError) {
  const std::uint64_t seed = 78;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 10000; ++i) {
    const std::string text = mutate(i % 2 ? "student-t(4)" : "normal", rng);
    Scanner normal(text);
    normal.blanks();
    const bool want_normal = normal.literal("normal") && (normal.blanks(), normal.at_end());
    Scanner student(text);
    student.blanks();
    std::vector<std::string> nu_text;
    double nu = 0.0;
    const bool want_student = student.literal("student-t") && student.arguments(1, &nu_text) &&
                              strict_number(nu_text[0], &nu) && nu > 0.0;
    try {
      const GroupPriorSpec got = parse_group_prior(text, "--group-prior");
      EXPECT_TRUE(want_normal || want_student)
          << "seed " << seed << ": accepted \"" << text << "\"";
      EXPECT_EQ(got.student_t, want_student) << text;
      if (got.student_t) {
        EXPECT_EQ(got.nu, nu) << text;
      }
    } catch (const InputError& e) {
      EXPECT_FALSE(want_normal || want_student)
          << "seed " << seed << ": rejected \"" << text << "\": " << e.what();
      expect_well_formed_error(e, "--group-prior", text);
    }
  }
}

}  // namespace
}  // namespace hbayes
