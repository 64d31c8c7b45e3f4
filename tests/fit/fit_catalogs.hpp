// Simulated catalogs for the fit tests: stores drawn from a known chain-level prior with a fixed
// seed (printed by the tests on failure), sizes log-uniform like examples/stores.csv.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "hbayes/score.hpp"

namespace hbayes::test {

struct BinomialCatalog {
  std::vector<std::int64_t> successes, trials;
  BinomialColumns columns() const { return {successes.data(), trials.data(), successes.size()}; }
};

struct PoissonCatalogData {
  std::vector<std::int64_t> counts;
  std::vector<double> exposures;
  PoissonColumns columns() const { return {counts.data(), exposures.data(), counts.size()}; }
};

struct NormalCatalogData {
  std::vector<double> estimates, std_errors;
  NormalColumns columns() const { return {estimates.data(), std_errors.data(), estimates.size()}; }
};

// Rates from Beta(alpha, beta), trials log-uniform in [min_trials, max_trials].
inline BinomialCatalog simulate_binomial(std::size_t stores, double alpha, double beta,
                                         std::uint64_t seed, double min_trials = 1.0,
                                         double max_trials = 5000.0) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> ga(alpha, 1.0), gb(beta, 1.0);
  std::uniform_real_distribution<double> u(std::log(min_trials), std::log(max_trials + 1.0));
  BinomialCatalog c;
  for (std::size_t j = 0; j < stores; ++j) {
    const double x = ga(rng), y = gb(rng);
    const double rate = x / (x + y);
    const auto n = static_cast<std::int64_t>(std::floor(std::exp(u(rng))));
    std::binomial_distribution<std::int64_t> b(n, rate);
    c.trials.push_back(n);
    c.successes.push_back(b(rng));
  }
  return c;
}

// Rates from Gamma(shape, rate), exposures log-uniform in [min_exposure, max_exposure].
inline PoissonCatalogData simulate_poisson(std::size_t stores, double shape, double rate,
                                           std::uint64_t seed, double min_exposure = 0.5,
                                           double max_exposure = 50.0) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> g(shape, 1.0 / rate);
  std::uniform_real_distribution<double> u(std::log(min_exposure), std::log(max_exposure));
  PoissonCatalogData c;
  for (std::size_t j = 0; j < stores; ++j) {
    const double lambda = g(rng);
    const double e = std::exp(u(rng));
    std::poisson_distribution<std::int64_t> p(lambda * e);
    c.exposures.push_back(e);
    c.counts.push_back(p(rng));
  }
  return c;
}

// Means from N(mu, tau^2), standard errors uniform in [min_se, max_se].
inline NormalCatalogData simulate_normal(std::size_t stores, double mu, double tau,
                                         std::uint64_t seed, double min_se = 0.1,
                                         double max_se = 2.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(min_se, max_se);
  NormalCatalogData c;
  for (std::size_t j = 0; j < stores; ++j) {
    const double theta = mu + tau * z(rng);
    const double se = u(rng);
    c.std_errors.push_back(se);
    c.estimates.push_back(theta + se * z(rng));
  }
  return c;
}

}  // namespace hbayes::test
