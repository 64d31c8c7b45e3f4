// Hand-made SampleResult values for the tests of what `hbayes sample` writes, so that the writers
// are tested apart from the sampler: draws that mix well unless a test spoils them.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "hbayes/sample.hpp"

namespace hbayes::test {

// Columns of the draws, as sample() names them.
enum FakeColumn : std::size_t {
  kLp,
  kAccept,
  kStepSize,
  kLeapfrog,
  kDivergent,
  kEnergy,
  kMu,
  kTau
};

// chains x draws of independent normal draws for lp__, energy__ and every parameter (mu, tau,
// theta.1 .. theta.groups), accept_stat__ uniform, stepsize__ 0.25, n_leapfrog__ 7, no
// divergences; the adaptation's results and timings set to recognisable values.
inline SampleResult fake_sample_result(std::size_t chains, std::size_t draws, std::size_t groups,
                                       unsigned seed = 20240611) {
  SampleResult r;
  r.columns = {"lp__",        "accept_stat__", "stepsize__", "n_leapfrog__",
               "divergent__", "energy__",      "mu",         "tau"};
  for (std::size_t j = 1; j <= groups; ++j) r.columns.push_back("theta." + std::to_string(j));
  r.chains = chains;
  r.draws = draws;
  r.values.resize(chains * draws * r.columns.size());
  std::mt19937_64 random(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  for (std::size_t c = 0; c < chains; ++c) {
    for (std::size_t i = 0; i < draws; ++i) {
      double* row = &r.values[(c * draws + i) * r.columns.size()];
      for (std::size_t k = 0; k < r.columns.size(); ++k) row[k] = normal(random);
      row[kAccept] = uniform(random);
      row[kStepSize] = 0.25;
      row[kLeapfrog] = 7;
      row[kDivergent] = 0;
    }
  }
  r.step_size = 0.25;
  r.trajectory_length = 1.75;
  for (std::size_t d = 0; d < groups + 2; ++d) r.inverse_metric.push_back(1.0 / (d + 1.0));
  r.divergences.assign(chains, 0);
  r.warmup_divergences.assign(chains, 0);
  r.warmup_restarts.assign(chains, 0);
  r.warmup_restarts[0] = 2;  // the first chain restarted twice in warmup
  r.gradient_evaluations = 123456;
  r.warmup_seconds = 0.0123;
  r.sampling_seconds = 0.0456;
  r.first_draw_seconds = 0.0124;
  r.backend = Backend::Cpu;
  return r;
}

inline double& value_at(SampleResult& r, std::size_t chain, std::size_t draw, std::size_t column) {
  return r.values[(chain * r.draws + draw) * r.columns.size() + column];
}

}  // namespace hbayes::test
