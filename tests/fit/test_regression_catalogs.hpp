// Simulated catalogs with covariates for the regression tests: each store's prior mean is linear
// in its covariates on the link scale (logit, log, identity), with a fixed seed.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hbayes/fit_regression.hpp"

namespace hbayes::test {

// Covariate columns drawn N(0, 1) (column 0) and uniform on [0, 1] rounded to 0/1 (column 1, an
// "urban" flag), as the CLI's region_size and urban would be.
struct Covariates {
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;
  std::size_t rows() const { return columns.empty() ? 0 : columns[0].size(); }
  CovariateDesign design() const {
    CovariateDesign d;
    d.names = names;
    for (const auto& c : columns) d.columns.push_back(c.data());
    d.size = rows();
    return d;
  }
  // eta_j = b_0 + sum_k b_k x_jk.
  double eta(const std::vector<double>& b, std::size_t j) const {
    double e = b[0];
    for (std::size_t k = 0; k < columns.size(); ++k) e += b[k + 1] * columns[k][j];
    return e;
  }
};

inline Covariates simulate_covariates(std::size_t stores, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0.0, 1.0);
  std::bernoulli_distribution flag(0.4);
  Covariates c;
  c.names = {"region_size", "urban"};
  c.columns.assign(2, std::vector<double>(stores));
  for (std::size_t j = 0; j < stores; ++j) {
    c.columns[0][j] = z(rng);
    c.columns[1][j] = flag(rng) ? 1.0 : 0.0;
  }
  return c;
}

struct BinomialRegressionCatalog {
  Covariates x;
  std::vector<std::int64_t> successes, trials;
  BinomialColumns columns() const { return {successes.data(), trials.data(), successes.size()}; }
};

// logit mu_j = eta_j, rate_j ~ Beta(mu_j / theta, (1 - mu_j) / theta), trials uniform in
// [min_trials, max_trials].
inline BinomialRegressionCatalog simulate_binomial_regression(std::size_t stores,
                                                              const std::vector<double>& b,
                                                              double theta, std::uint64_t seed,
                                                              int min_trials, int max_trials) {
  std::mt19937_64 rng(seed);
  BinomialRegressionCatalog c;
  c.x = simulate_covariates(stores, rng);
  std::uniform_int_distribution<std::int64_t> n_of(min_trials, max_trials);
  for (std::size_t j = 0; j < stores; ++j) {
    const double mu = 1.0 / (1.0 + std::exp(-c.x.eta(b, j)));
    std::gamma_distribution<double> ga(mu / theta, 1.0), gb((1.0 - mu) / theta, 1.0);
    const double u = ga(rng), v = gb(rng);
    const std::int64_t n = n_of(rng);
    std::binomial_distribution<std::int64_t> draw(n, u / (u + v));
    c.trials.push_back(n);
    c.successes.push_back(draw(rng));
  }
  return c;
}

struct PoissonRegressionCatalog {
  Covariates x;
  std::vector<std::int64_t> counts;
  std::vector<double> exposures;
  PoissonColumns columns() const { return {counts.data(), exposures.data(), counts.size()}; }
};

// log mean_j = eta_j, rate_j ~ Gamma(1 / phi, rate (1 / phi) / mean_j), exposures log-uniform in
// [0.5, 50].
inline PoissonRegressionCatalog simulate_poisson_regression(std::size_t stores,
                                                            const std::vector<double>& b,
                                                            double phi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  PoissonRegressionCatalog c;
  c.x = simulate_covariates(stores, rng);
  std::uniform_real_distribution<double> log_e(std::log(0.5), std::log(50.0));
  for (std::size_t j = 0; j < stores; ++j) {
    const double mean = std::exp(c.x.eta(b, j));
    std::gamma_distribution<double> g(1.0 / phi, mean * phi);
    const double e = std::exp(log_e(rng));
    std::poisson_distribution<std::int64_t> draw(g(rng) * e);
    c.exposures.push_back(e);
    c.counts.push_back(draw(rng));
  }
  return c;
}

struct NormalRegressionCatalog {
  Covariates x;
  std::vector<double> estimates, std_errors;
  NormalColumns columns() const { return {estimates.data(), std_errors.data(), estimates.size()}; }
};

// theta_j ~ N(eta_j, tau^2), standard errors uniform in [0.1, 2].
inline NormalRegressionCatalog simulate_normal_regression(std::size_t stores,
                                                          const std::vector<double>& b, double tau,
                                                          std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  NormalRegressionCatalog c;
  c.x = simulate_covariates(stores, rng);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> se_of(0.1, 2.0);
  for (std::size_t j = 0; j < stores; ++j) {
    const double theta = c.x.eta(b, j) + tau * z(rng);
    const double se = se_of(rng);
    c.std_errors.push_back(se);
    c.estimates.push_back(theta + se * z(rng));
  }
  return c;
}

}  // namespace hbayes::test
