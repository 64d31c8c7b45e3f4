// The draw sets and posterior's measures written by tests/data/make_diagnostics_fixtures.R.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/fixture_csv.hpp"
#include "support/tolerances.hpp"

namespace hbayes::test {

// A fixture's chains x draws matrix, row-major; chains and draws are 1-based in the file and
// written chain by chain.
struct FixtureDraws {
  std::size_t chains = 0;
  std::size_t draws = 0;
  std::vector<double> values;
};

// Every set in a long-format file with columns set, chain, draw, value.
inline std::map<std::string, FixtureDraws> read_fixture_draws(const std::string& name) {
  std::map<std::string, FixtureDraws> sets;
  for (const FixtureRecord& r : read_fixture_csv(name, 4)) {
    FixtureDraws& set = sets[r.fields[0]];
    const std::size_t chain = std::stoul(r.fields[1]), draw = std::stoul(r.fields[2]);
    set.chains = std::max(set.chains, chain);
    set.draws = std::max(set.draws, draw);
    set.values.push_back(fixture_number(r.fields[3]));
  }
  return sets;
}

}  // namespace hbayes::test
