// Reader for tests/data/gamma_mpmath.csv, the mpmath reference values of the special functions.
//
// Rows are `function,x1,x2,expected`; x2 is empty for one-argument functions and lines starting
// with '#' are comments. Inputs are written as Python's repr of the double, so they read back as
// the exact doubles mpmath was given.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hbayes::test {

struct MpmathRow {
  std::string function;
  double x1;
  double x2;  // NaN for one-argument functions
  double expected;
  int line;  // line number in the CSV, for failure messages
};

// Every row of the fixture whose function column equals `function`.
inline std::vector<MpmathRow> mpmath_rows(const std::string& function) {
  std::ifstream in(HBAYES_TEST_DATA_DIR "/gamma_mpmath.csv");
  std::vector<MpmathRow> rows;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.empty() || text[0] == '#') continue;
    std::stringstream fields(text);
    std::string name, x1, x2, expected;
    std::getline(fields, name, ',');
    std::getline(fields, x1, ',');
    std::getline(fields, x2, ',');
    std::getline(fields, expected, ',');
    if (name != function) continue;
    const double nan = std::strtod("nan", nullptr);
    rows.push_back({name, std::strtod(x1.c_str(), nullptr),
                    x2.empty() ? nan : std::strtod(x2.c_str(), nullptr),
                    std::strtod(expected.c_str(), nullptr), line});
  }
  return rows;
}

}  // namespace hbayes::test
