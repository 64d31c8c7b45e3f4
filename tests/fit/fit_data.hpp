// Reads the small published data sets of tests/data (CSV with '#' comment lines and a header).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace hbayes::test {

// Rows of fields, header and comments dropped. Fields contain no commas or quotes here.
inline std::vector<std::vector<std::string>> read_data_csv(const std::string& name) {
  const std::string path = std::string(HBAYES_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

}  // namespace hbayes::test
