// Reader for tests/data/gamma_mpmath.csv, the mpmath reference values of the special functions.
//
// Rows are `function,x1,x2,expected`; x2 is empty for one-argument functions.
#pragma once

#include <string>
#include <vector>

#include "support/fixture_csv.hpp"

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
  std::vector<MpmathRow> rows;
  for (const FixtureRecord& r : read_fixture_csv("gamma_mpmath.csv", 4)) {
    if (r.fields[0] != function) continue;
    rows.push_back({r.fields[0], fixture_number(r.fields[1]), fixture_number(r.fields[2]),
                    fixture_number(r.fields[3]), r.line});
  }
  return rows;
}

}  // namespace hbayes::test
