// Exact normal, binomial and Poisson variates from a Philox stream, for posterior predictive
// replicates. Written once for both backends: a replicate depends only on its stream's key, never
// on the thread or device that draws it.
//
// Small means use inversion by sequential search (a few steps, one uniform); large means use
// W. Hörmann's transformed rejection with squeeze: BTRS for the binomial ("The generation of
// binomial random variates", J. Stat. Comput. Simul. 46, 1993) and PTRS for the Poisson ("The
// transformed rejection method for generating Poisson random variables", Insurance: Math. Econ.
// 12, 1993). Both need the mean to be at least 10; their constants are the papers'.
#pragma once

#include <math.h>

#include <cstdint>

#include "device_macros.hpp"
#include "hmc/philox.hpp"
#include "special/stirling.hpp"

namespace hbayes::kernels::hmc {

// Consecutive words of one Philox stream from block `next_block` on. A variate takes as many
// words as its rejection loop needs (two per attempt) and no word is handed out twice.
struct WordCounter {
  ChainStream stream;
  std::uint64_t next_block;
  PhiloxBlock block{};
  int used = 4;  // words of `block` already handed out; 4 asks for a fresh block

  HBAYES_HD std::uint64_t next_word() {
    if (used == 4) {
      block = stream.block(next_block++);
      used = 0;
    }
    return block.v[used++];
  }
  HBAYES_HD double next_uniform() { return open_uniform(next_word()); }
};

// Inversion below this mean, rejection at and above it (BTRS and PTRS assume mean >= 10).
constexpr double kInversionMeanLimit = 10.0;
// Inversion searches no further than this count. For a mean mu < 10 the Chernoff bound
// P(X >= k) <= exp(-mu) (e mu / k)^k (valid for Poisson and for sums of Bernoullis, i.e.
// binomials) gives P(X >= 64) < 1e-28, far below the 2^-53 resolution of the uniform: the cap
// is reached only when rounding leaves the running cdf a few ulps short of 1 (probability
// < 1e-14), where returning the cap is as good as any answer.
constexpr double kInversionCap = 64.0;
// Rejection attempts per variate. A BTRS or PTRS attempt accepts with probability above 0.7 for
// every mean >= 10 (measured: 1.41 attempts per variate at mean 10, falling to 1.13 for large
// means), so running out has probability below 0.3^128 < 1e-66; the mode is returned then
// rather than looping without bound.
constexpr int kMaxRejectionAttempts = 128;

// log P(X = k) for X ~ Poisson(lambda), lambda > 0, k a count. Through Stirling's formula
// (Loader's saddle-point form) rather than k log(lambda) - lambda - lgamma(k + 1), whose terms
// cancel to nothing when lambda is large.
HBAYES_HD inline double poisson_log_pmf(double k, double lambda) {
  if (k == 0.0) return -lambda;
  // k log(lambda / k) + k - lambda = k log1pmx((lambda - k) / k), free of cancellation.
  return k * special::log1pmx((lambda - k) / k) - 0.5 * log(k) - special::kHalfLogTwoPi -
         special::stirling_error(k);
}

// log P(X = k) for X ~ Binomial(n, p), 0 < p < 1, k an integer in [0, n]; Stirling's form as
// above, so that n = 1e9 loses no digits.
HBAYES_HD inline double binomial_log_pmf(double k, double n, double p) {
  if (k == 0.0) return n * log1p(-p);
  if (k == n) return n * log(p);
  const double rest = n - k;
  // -[k log(k / np) + (n - k) log((n - k) / nq)] as two log1pmx terms; the linear parts cancel.
  const double deviance = k * special::log1pmx((n * p - k) / k) +
                          rest * special::log1pmx((n * (1.0 - p) - rest) / rest);
  return deviance + 0.5 * log(n / (k * rest)) - special::kHalfLogTwoPi +
         special::stirling_error(n) - special::stirling_error(k) - special::stirling_error(rest);
}

// Binomial(n, p) by sequential search from 0, for n p < 10 and p <= 1/2: the pmf recurrence
// f(k + 1) = f(k) (n - k) / (k + 1) * p / (1 - p) steps along the cdf until it passes u.
HBAYES_HD inline double binomial_inversion(double n, double p, WordCounter& words) {
  const double u = words.next_uniform();
  const double odds = p / (1.0 - p);
  const double last = n < kInversionCap ? n : kInversionCap;
  double pmf = exp(n * log1p(-p));  // f(0) = (1 - p)^n, >= e^-10.6 when n p < 10, p <= 1/2
  double cdf = pmf;
  double k = 0.0;
  while (u > cdf && k < last) {
    pmf *= odds * (n - k) / (k + 1.0);
    k += 1.0;
    cdf += pmf;
  }
  return k;
}

// Binomial(n, p) by BTRS, for n p >= 10 and p <= 1/2.
HBAYES_HD inline double binomial_btrs(double n, double p, WordCounter& words) {
  const double spq = sqrt(n * p * (1.0 - p));
  // The hat is a transformed Cauchy-like density; b, a and c fit its scale, tail and centre
  // to the binomial, v_r bounds the box in which the hat lies under the pmf (the squeeze).
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p;
  const double c = n * p + 0.5;
  const double v_r = 0.92 - 4.2 / b;
  const double alpha = (2.83 + 5.1 / b) * spq;
  const double mode = floor((n + 1.0) * p);
  const double log_mode_pmf = binomial_log_pmf(mode, n, p);
  for (int attempt = 0; attempt < kMaxRejectionAttempts; ++attempt) {
    const double u = words.next_uniform() - 0.5;
    const double v = words.next_uniform();
    // us > 0 always: open_uniform never returns 0 or 1.
    const double us = 0.5 - fabs(u);
    const double k = floor((2.0 * a / us + b) * u + c);
    // Inside the squeeze box the pmf is known to exceed the hat: accept without the pmf.
    if (us >= 0.07 && v <= v_r) return k;
    if (k < 0.0 || k > n) continue;
    // The exact test: v scaled to the hat's height at u against f(k) / f(mode).
    if (log(v * alpha / (a / (us * us) + b)) <= binomial_log_pmf(k, n, p) - log_mode_pmf) {
      return k;
    }
  }
  return mode;
}

// Poisson(lambda) by sequential search from 0, for lambda < 10.
HBAYES_HD inline double poisson_inversion(double lambda, WordCounter& words) {
  const double u = words.next_uniform();
  double pmf = exp(-lambda);
  double cdf = pmf;
  double k = 0.0;
  while (u > cdf && k < kInversionCap) {
    k += 1.0;
    pmf *= lambda / k;
    cdf += pmf;
  }
  return k;
}

// Poisson(lambda) by PTRS, for lambda >= 10.
HBAYES_HD inline double poisson_ptrs(double lambda, WordCounter& words) {
  const double b = 0.931 + 2.53 * sqrt(lambda);
  const double a = -0.059 + 0.02483 * b;
  const double log_inv_alpha = log(1.1239 + 1.1328 / (b - 3.4));
  const double v_r = 0.9277 - 3.6224 / (b - 2.0);
  for (int attempt = 0; attempt < kMaxRejectionAttempts; ++attempt) {
    const double u = words.next_uniform() - 0.5;
    const double v = words.next_uniform();
    const double us = 0.5 - fabs(u);
    const double k = floor((2.0 * a / us + b) * u + lambda + 0.43);
    // The squeeze box, as in BTRS.
    if (us >= 0.07 && v <= v_r) return k;
    // Negative counts, and the far tails where the hat is known to lie above the pmf's reach.
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (log(v) + log_inv_alpha - log(a / (us * us) + b) <= poisson_log_pmf(k, lambda)) return k;
  }
  return floor(lambda);
}

// Normal(mean, sd^2) by Box-Muller. The pair's second normal is dropped so that every variate
// starts on a fresh stream position of its own.
HBAYES_HD inline double normal_variate(double mean, double sd, WordCounter& words) {
  double z0, z1;
  standard_normal_pair(words.next_word(), words.next_word(), &z0, &z1);
  return mean + sd * z0;
}

// Binomial(trials, p), trials a non-negative integer, p in [0, 1].
HBAYES_HD inline double binomial_variate(double trials, double p, WordCounter& words) {
  // Draw the count of the rarer outcome: both samplers assume p <= 1/2.
  const bool flip = p > 0.5;
  const double rare = flip ? 1.0 - p : p;
  const double x = trials * rare < kInversionMeanLimit ? binomial_inversion(trials, rare, words)
                                                       : binomial_btrs(trials, rare, words);
  return flip ? trials - x : x;
}

// Poisson(lambda), lambda >= 0. An infinite rate (an overflowed exp) has no finite replicate and
// is returned as is, above every count.
HBAYES_HD inline double poisson_variate(double lambda, WordCounter& words) {
  if (!(lambda < INFINITY)) return lambda;
  return lambda < kInversionMeanLimit ? poisson_inversion(lambda, words)
                                      : poisson_ptrs(lambda, words);
}

}  // namespace hbayes::kernels::hmc
