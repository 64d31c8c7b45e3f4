// Deterministic benchmark catalogs shared by the benches and the peer scripts' generator.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace hbayes::bench {

// n stores whose (successes, trials) pairs are all distinct: every pair (y, t) with 0 <= y <= t,
// t = 1, 2, ... in order, truncated to n, then shuffled with a fixed seed.
struct BinomialCatalog {
  std::vector<std::int64_t> successes, trials;
};

inline BinomialCatalog distinct_binomial_catalog(std::size_t n) {
  BinomialCatalog c;
  c.successes.reserve(n), c.trials.reserve(n);
  for (std::int64_t t = 1; c.trials.size() < n; ++t) {
    for (std::int64_t y = 0; y <= t && c.trials.size() < n; ++y) {
      c.successes.push_back(y), c.trials.push_back(t);
    }
  }
  std::mt19937_64 rng(42);
  for (std::size_t i = n; i > 1; --i) {
    const std::size_t j = std::uniform_int_distribution<std::size_t>(0, i - 1)(rng);
    std::swap(c.successes[i - 1], c.successes[j]), std::swap(c.trials[i - 1], c.trials[j]);
  }
  return c;
}

// n stores drawn from only 1,000 distinct (successes, trials) pairs: the repeated-store case.
inline BinomialCatalog repeated_binomial_catalog(std::size_t n) {
  const BinomialCatalog distinct = distinct_binomial_catalog(1000);
  BinomialCatalog c;
  c.successes.resize(n), c.trials.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    c.successes[i] = distinct.successes[i % 1000], c.trials[i] = distinct.trials[i % 1000];
  }
  return c;
}

}  // namespace hbayes::bench
