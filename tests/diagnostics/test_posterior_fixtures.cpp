// Every measure against R's posterior 1.4.0 on the fixture draw sets (iid, AR(1), shifted chain
// means, Student-t(2), Poisson ties, odd chain length, many short chains, constant draws).
#include <gtest/gtest.h>

#include <cmath>

#include <functional>

#include "diagnostics/posterior_fixture.hpp"
#include "hbayes/diagnostics.hpp"

namespace hbayes::test {
namespace {

namespace dg = hbayes::diagnostics;

using Measure = std::function<double(dg::DrawsView)>;

const std::vector<std::pair<std::string, Measure>>& measures() {
  static const std::vector<std::pair<std::string, Measure>> all = {
      {"rhat", [](dg::DrawsView x) { return dg::rhat(x); }},
      {"rhat_basic", [](dg::DrawsView x) { return dg::rhat_basic(x); }},
      {"rhat_basic_unsplit", [](dg::DrawsView x) { return dg::rhat_basic(x, false); }},
      {"ess_bulk", [](dg::DrawsView x) { return dg::ess_bulk(x); }},
      {"ess_tail", [](dg::DrawsView x) { return dg::ess_tail(x); }},
      {"ess_basic", [](dg::DrawsView x) { return dg::ess_basic(x); }},
      {"ess_mean", [](dg::DrawsView x) { return dg::ess_mean(x); }},
      {"ess_q5", [](dg::DrawsView x) { return dg::ess_quantile(x, 0.05); }},
      {"ess_q95", [](dg::DrawsView x) { return dg::ess_quantile(x, 0.95); }},
      {"mcse_mean", [](dg::DrawsView x) { return dg::mcse_mean(x); }},
      {"mcse_q5", [](dg::DrawsView x) { return dg::mcse_quantile(x, 0.05); }},
      {"mcse_q95", [](dg::DrawsView x) { return dg::mcse_quantile(x, 0.95); }},
      {"mean", [](dg::DrawsView x) { return dg::summarise(x).mean; }},
      {"median", [](dg::DrawsView x) { return dg::summarise(x).median; }},
      {"sd", [](dg::DrawsView x) { return dg::summarise(x).sd; }},
      {"mad", [](dg::DrawsView x) { return dg::summarise(x).mad; }},
      {"q5", [](dg::DrawsView x) { return dg::quantile(x, 0.05); }},
      {"q95", [](dg::DrawsView x) { return dg::quantile(x, 0.95); }},
  };
  return all;
}

TEST(PosteriorFixtures, EveryMeasureMatchesPosterior) {
  const auto sets = read_fixture_draws("diagnostics_draws.csv");
  const auto rows = read_fixture_csv("diagnostics_posterior.csv", 1 + measures().size());
  ASSERT_GE(rows.size(), 8u);
  for (const FixtureRecord& row : rows) {
    const auto found = sets.find(row.fields[0]);
    ASSERT_NE(found, sets.end()) << "diagnostics_posterior.csv:" << row.line;
    const FixtureDraws& d = found->second;
    ASSERT_EQ(d.values.size(), d.chains * d.draws) << row.fields[0];
    const dg::DrawsView x{d.values.data(), d.chains, d.draws};
    for (std::size_t m = 0; m < measures().size(); ++m) {
      const double expected = fixture_number(row.fields[m + 1]);
      const double got = measures()[m].second(x);
      EXPECT_TRUE(close(got, expected, kPosteriorMeasure))
          << "diagnostics_posterior.csv:" << row.line << " set " << row.fields[0] << ", "
          << measures()[m].first << ": ours " << got << ", posterior " << expected;
    }
  }
}

// The summary's convergence columns are the standalone measures (one place for each), bit for
// bit: summarise shares one sort between them, and every fixture set (ties in discrete_poisson,
// an odd number of draws in odd_length, NA for constant) must come out as the separate
// functions' separate sorts do.
TEST(PosteriorFixtures, SummaryUsesTheSameMeasures) {
  const auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  const auto sets = read_fixture_draws("diagnostics_draws.csv");
  ASSERT_GE(sets.size(), 8u);
  for (const auto& [name, d] : sets) {
    const dg::DrawsView x{d.values.data(), d.chains, d.draws};
    const dg::Summary s = dg::summarise(x);
    EXPECT_TRUE(same(s.rhat, dg::rhat(x))) << name << ": " << s.rhat << " vs " << dg::rhat(x);
    EXPECT_TRUE(same(s.ess_bulk, dg::ess_bulk(x))) << name << ": " << s.ess_bulk;
    EXPECT_TRUE(same(s.ess_tail, dg::ess_tail(x))) << name << ": " << s.ess_tail;
    EXPECT_TRUE(same(s.q5, dg::quantile(x, 0.05))) << name;
    EXPECT_TRUE(same(s.median, dg::quantile(x, 0.5))) << name;
  }
}

TEST(PosteriorFixtures, EbfmiMatchesBetancourtsDefinition) {
  const auto series = read_fixture_draws("diagnostics_energy.csv");
  const auto rows = read_fixture_csv("diagnostics_ebfmi.csv", 3);
  ASSERT_EQ(rows.size(), 6u);
  for (const FixtureRecord& row : rows) {
    const FixtureDraws& e = series.at(row.fields[0]);
    const std::size_t chain = std::stoul(row.fields[1]) - 1;
    const double got = dg::ebfmi(e.values.data() + chain * e.draws, e.draws);
    EXPECT_TRUE(close(got, fixture_number(row.fields[2]), kPosteriorMeasure))
        << "diagnostics_ebfmi.csv:" << row.line << ": ours " << got;
  }
}

}  // namespace
}  // namespace hbayes::test
