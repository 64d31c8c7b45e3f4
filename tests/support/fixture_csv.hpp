// Reader for the reference-value fixtures in tests/data (gamma_mpmath.csv, ibeta_mpmath.csv):
// lines starting with '#' and blank lines are comments, the first other line is the header, and
// the rest are records of comma-separated fields (the last field keeps any further commas).
// Numbers are written as Python's repr of the double, so they read back as the exact doubles
// the generating script gave mpmath.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace hbayes::test {

struct FixtureRecord {
  int line;                         // line number in the file, for failure messages
  std::vector<std::string> fields;  // exactly the header's number of fields
};

// Every record of tests/data/<name>, split into `columns` fields.
inline std::vector<FixtureRecord> read_fixture_csv(const std::string& name, std::size_t columns) {
  std::ifstream in(std::string(HBAYES_TEST_DATA_DIR) + "/" + name);
  std::vector<FixtureRecord> records;
  std::string text;
  bool header = true;
  for (int line = 1; std::getline(in, text); ++line) {
    if (text.empty() || text[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    FixtureRecord record{line, {}};
    std::size_t start = 0;
    for (std::size_t field = 0; field + 1 < columns; ++field) {
      const std::size_t comma = text.find(',', start);
      record.fields.push_back(text.substr(start, comma - start));
      start = comma == std::string::npos ? text.size() : comma + 1;
    }
    record.fields.push_back(text.substr(start));
    records.push_back(record);
  }
  return records;
}

// A fixture field as a double; an empty field is NaN.
inline double fixture_number(const std::string& field) {
  return field.empty() ? std::strtod("nan", nullptr) : std::strtod(field.c_str(), nullptr);
}

}  // namespace hbayes::test
