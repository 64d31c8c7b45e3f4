// Nested R-hat and input checks. posterior 1.4.0 (Debian's) has no rhat_nested, so nested R-hat
// is checked through an identity with posterior's unsplit basic R-hat: with one chain per
// superchain, nested R-hat^2 = basic R-hat^2 + 1/N for N draws per chain (Margossian et al.
// 2024, footnote 3: nested R-hat is bounded below by 1, basic R-hat is not).
#include <gtest/gtest.h>

#include <numeric>

#include "diagnostics/posterior_fixture.hpp"
#include "hbayes/diagnostics.hpp"
#include "hbayes/errors.hpp"

namespace hbayes::test {
namespace {

namespace dg = hbayes::diagnostics;

TEST(NestedRhat, OneChainPerSuperchainIsBasicRhatPlusOneOverN) {
  const auto sets = read_fixture_draws("diagnostics_draws.csv");
  const auto rows = read_fixture_csv("diagnostics_posterior.csv", 19);
  for (const FixtureRecord& row : rows) {
    const double basic = fixture_number(row.fields[3]);  // rhat_basic_unsplit
    if (std::isnan(basic)) continue;
    const FixtureDraws& d = sets.at(row.fields[0]);
    std::vector<std::size_t> ids(d.chains);
    std::iota(ids.begin(), ids.end(), std::size_t{0});
    const double nested = dg::rhat_nested({d.values.data(), d.chains, d.draws}, ids);
    const double expected = std::sqrt(basic * basic + 1.0 / d.draws);
    EXPECT_TRUE(close(nested, expected, kPosteriorMeasure))
        << row.fields[0] << ": nested " << nested << ", from posterior " << expected;
  }
}

// short_chains: 16 chains of 10 draws; chains 1-8 centred at 0 and 9-16 at 0.3.
TEST(NestedRhat, SuperchainsThatDisagreeStandOut) {
  const auto sets = read_fixture_draws("diagnostics_draws.csv");
  const FixtureDraws& d = sets.at("short_chains");
  const dg::DrawsView x{d.values.data(), d.chains, d.draws};
  std::vector<std::size_t> by_location(16), interleaved(16);
  for (std::size_t c = 0; c < 16; ++c) {
    by_location[c] = c / 8;  // each superchain shares a location
    interleaved[c] = c % 2;  // each superchain mixes both locations
  }
  EXPECT_GT(dg::rhat_nested(x, by_location), dg::rhat_nested(x, interleaved));
  EXPECT_GE(dg::rhat_nested(x, interleaved), 1.0);
}

TEST(NestedRhat, RejectsBadSuperchainIds) {
  const std::vector<double> v(12, 0.0);
  const dg::DrawsView x{v.data(), 4, 3};
  EXPECT_THROW(dg::rhat_nested(x, {0, 0, 1}), InputError);
  EXPECT_THROW(dg::rhat_nested(x, {0, 0, 0, 1}), InputError);
}

TEST(Diagnostics, RejectsEmptyDraws) {
  const double one = 1.0;
  EXPECT_THROW(dg::rhat({&one, 0, 1}), InputError);
  EXPECT_THROW(dg::ess_bulk({&one, 1, 0}), InputError);
  EXPECT_THROW(dg::summarise({nullptr, 1, 1}), InputError);
}

TEST(Diagnostics, NonFiniteDrawsGiveNaN) {
  std::vector<double> v(40);
  std::iota(v.begin(), v.end(), 0.0);
  v[7] = std::nan("");
  const dg::DrawsView x{v.data(), 2, 20};
  EXPECT_TRUE(std::isnan(dg::rhat(x)));
  EXPECT_TRUE(std::isnan(dg::ess_bulk(x)));
  EXPECT_TRUE(std::isnan(dg::ess_tail(x)));
  // The summary's order statistics too, wherever the NaN sits (a sort with NaN is unordered).
  for (std::size_t at : {std::size_t{0}, std::size_t{7}, std::size_t{39}}) {
    std::vector<double> w(40);
    std::iota(w.begin(), w.end(), 0.0);
    w[at] = std::nan("");
    const dg::Summary s = dg::summarise({w.data(), 2, 20});
    for (double value : {s.mean, s.median, s.sd, s.mad, s.q5, s.q95, s.rhat, s.ess_bulk, s.ess_tail}) {
      EXPECT_TRUE(std::isnan(value)) << "NaN at draw " << at;
    }
  }
}

}  // namespace
}  // namespace hbayes::test
