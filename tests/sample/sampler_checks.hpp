// What the end-to-end sampler tests share, on either backend: the eight schools data, the draws
// of one column, means and sds with their MCSEs, the comparison against the long Stan run in
// tests/data, and simulated hierarchical catalogs.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hbayes/diagnostics.hpp"
#include "hbayes/sample.hpp"
#include "support/fixture_csv.hpp"
#include "support/tolerances.hpp"

namespace hbayes::test {

inline HierDataset eight_schools() {
  return HierDataset{{28, 8, -3, 7, -1, 1, 18, 12}, {15, 10, 16, 11, 9, 11, 10, 18}};
}

inline SampleOptions options_on(Backend backend, int chains, std::uint64_t seed) {
  SampleOptions options;
  options.chains = chains;
  options.seed = seed;
  options.backend = backend;
  return options;
}

inline std::vector<double> column_draws(const SampleResult& result, std::size_t column) {
  std::vector<double> draws(result.chains * result.draws);
  for (std::size_t c = 0; c < result.chains; ++c) {
    for (std::size_t i = 0; i < result.draws; ++i) {
      draws[c * result.draws + i] = result.value(c, i, column);
    }
  }
  return draws;
}

inline std::size_t column_index(const SampleResult& result, const std::string& name) {
  for (std::size_t k = 0; k < result.columns.size(); ++k) {
    if (result.columns[k] == name) return k;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

struct Moments {
  double mean, sd, mcse_mean, mcse_sd;
};

// Mean and sd with their MCSEs; the sd's by the delta method on the squared deviations.
inline Moments moments(const SampleResult& result, const std::string& name) {
  std::vector<double> x = column_draws(result, column_index(result, name));
  const diagnostics::DrawsView view{x.data(), result.chains, result.draws};
  const diagnostics::Summary summary = diagnostics::summarise(view);
  std::vector<double> squares(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    squares[i] = (x[i] - summary.mean) * (x[i] - summary.mean);
  }
  const double mcse_variance =
      diagnostics::mcse_mean(diagnostics::DrawsView{squares.data(), result.chains, result.draws});
  return Moments{summary.mean, summary.sd, diagnostics::mcse_mean(view),
                 mcse_variance / (2.0 * summary.sd)};
}

inline std::size_t total(const std::vector<std::size_t>& counts) {
  std::size_t sum = 0;
  for (std::size_t n : counts) sum += n;
  return sum;
}

// Every mean and sd of mu, tau and the thetas within kMcseBand combined MCSEs of
// tests/data/eight_schools_stan_reference.csv (variable,mean,sd,mcse_mean,mcse_sd,ess_bulk).
inline void expect_matches_stan_reference(const SampleResult& result, std::uint64_t seed) {
  const auto reference = read_fixture_csv("eight_schools_stan_reference.csv", 6);
  ASSERT_EQ(reference.size(), 10u);
  for (const FixtureRecord& row : reference) {
    const std::string& name = row.fields[0];
    const Moments ours = moments(result, name);
    const double ref_mean = std::stod(row.fields[1]), ref_sd = std::stod(row.fields[2]);
    const double mean_band = kMcseBand * std::hypot(ours.mcse_mean, std::stod(row.fields[3]));
    const double sd_band = kMcseBand * std::hypot(ours.mcse_sd, std::stod(row.fields[4]));
    EXPECT_NEAR(ours.mean, ref_mean, mean_band) << name << ", seed " << seed;
    EXPECT_NEAR(ours.sd, ref_sd, sd_band) << name << ", seed " << seed;
    // The bands are tight enough to mean something: a tenth of the posterior sd at most.
    EXPECT_LT(mean_band, 0.1 * ref_sd) << name;
  }
}

// A simulated catalog: theta_j ~ N(mu, tau^2) on the link scale, data drawn from the family.
struct Simulated {
  HierDataset data;
  double mu, tau;
};

inline Simulated simulate(HierFamily family, std::size_t groups, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Simulated s{{}, -1.0, 0.6};
  std::normal_distribution<double> effect(s.mu, s.tau);
  for (std::size_t j = 0; j < groups; ++j) {
    const double theta = effect(rng);
    if (family == HierFamily::Binomial) {
      std::binomial_distribution<int> successes(50, 1.0 / (1.0 + std::exp(-theta)));
      s.data.first.push_back(successes(rng));
      s.data.second.push_back(50);
    } else {
      const double exposure = 20.0 + static_cast<double>(j % 7);
      std::poisson_distribution<int> count(exposure * std::exp(theta));
      s.data.first.push_back(count(rng));
      s.data.second.push_back(exposure);
    }
  }
  return s;
}

}  // namespace hbayes::test
