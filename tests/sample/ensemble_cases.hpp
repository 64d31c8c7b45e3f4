// The transition cases that the sliced-dispatch tests (on the CPU) and the GPU parity tests share:
// hierarchical models over deterministic catalogs, a fixed run of six transitions through a
// backend's Ensemble, and "equal up to summation order".
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sample_kernels.hpp"

namespace hbayes::kernels::test {

struct Outcome {
  std::vector<double> records, positions, gradients, momenta, log_densities;
};

struct Case {
  std::string name;
  hmc::HierModel model;
  std::vector<hmc::GroupData> data;
  double step_size;
};

inline hmc::HierModel model_of(hmc::Likelihood likelihood, hmc::Parameterization parameterization,
                        bool student_t) {
  return hmc::HierModel{likelihood, parameterization, hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                        hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                        hmc::GroupPrior{student_t, 4.0}};
}

inline std::vector<hmc::GroupData> catalog(hmc::Likelihood likelihood, std::size_t groups) {
  std::vector<hmc::GroupData> data(groups);
  for (std::size_t j = 0; j < groups; ++j) {
    const auto i = static_cast<double>(j);
    switch (likelihood) {
      case hmc::Likelihood::Normal: data[j] = {std::fmod(7.3 * i, 21.0) - 8.0, 4.0 + std::fmod(i, 9.0)}; break;
      case hmc::Likelihood::Binomial: data[j] = {std::fmod(3.0 * i, 11.0), 12.0 + std::fmod(i, 5.0)}; break;
      case hmc::Likelihood::Poisson: data[j] = {std::fmod(5.0 * i, 13.0), 0.5 + std::fmod(i, 4.0)}; break;
    }
  }
  return data;
}

// A backend's ensemble factory (cpu::make_ensemble or cuda::make_ensemble).
using EnsembleFactory = std::unique_ptr<Ensemble> (*)(const hmc::HierModel&, const hmc::GroupData*,
                                                      std::size_t, std::size_t,
                                                      const EnsembleConfig&);

// `chains` chains through six transitions (one leapfrog step up to six) from a fixed start and
// metric; *out receives the records and the final positions, gradients and momenta. Returns the
// ensemble, for tests that go on to ask it for more.
inline std::unique_ptr<Ensemble> advance(const Case& c, const EnsembleConfig& config,
                                         std::size_t chains, EnsembleFactory make_ensemble,
                                         Outcome* out) {
  const std::size_t dim = hmc::kFirstGroupIndex + c.data.size();
  auto ensemble = make_ensemble(c.model, c.data.data(), c.data.size(), chains, config);
  std::vector<double> start(chains * dim);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 0.1 * static_cast<double>(i % 13) - 0.6;
  out->log_densities.resize(chains);
  ensemble->set_positions(start.data(), out->log_densities.data());
  std::vector<double> metric(dim);
  for (std::size_t k = 0; k < dim; ++k) metric[k] = 0.5 + 0.01 * static_cast<double>(k % 50);
  ensemble->set_inverse_metric(metric.data());
  std::vector<hmc::TransitionSettings> settings;
  for (std::uint64_t it = 0; it < 6; ++it) {
    // One step first (the first step is then also the last), up to six.
    settings.push_back({c.step_size, static_cast<int>(1 + it), 42, it, true, it % 2 == 0, 1000.0});
  }
  out->records.resize(settings.size() * chains * ensemble->record_width());
  ensemble->transition(settings.data(), settings.size(), out->records.data());
  for (auto* v : {&out->positions, &out->gradients, &out->momenta}) v->resize(chains * dim);
  ensemble->read(EnsembleField::Position, out->positions.data());
  ensemble->read(EnsembleField::Gradient, out->gradients.data());
  ensemble->read(EnsembleField::Momentum, out->momenta.data());
  return ensemble;
}

// advance() on the CPU backend by default, keeping only the outcome.
inline Outcome run(const Case& c, const EnsembleConfig& config, std::size_t chains = 5,
                   EnsembleFactory make_ensemble = cpu::make_ensemble) {
  Outcome out;
  advance(c, config, chains, make_ensemble, &out);
  return out;
}

// Equal up to summation order: relative 1e-9 (the sums have ~100 terms of mixed sign); NaN
// where the other is NaN, and the same infinity where the other is infinite.
inline void expect_close(const std::vector<double>& a, const std::vector<double>& b,
                  const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      EXPECT_EQ(std::isnan(a[i]), std::isnan(b[i])) << what << " entry " << i;
      continue;
    }
    if (std::isinf(a[i]) || std::isinf(b[i])) {
      EXPECT_EQ(a[i], b[i]) << what << " entry " << i;
      continue;
    }
    EXPECT_NEAR(a[i], b[i], 1e-9 * std::max(1.0, std::fabs(a[i]))) << what << " entry " << i;
  }
}

inline std::vector<Case> cases() {
  using L = hmc::Likelihood;
  using P = hmc::Parameterization;
  return {
      {"binomial noncentered", model_of(L::Binomial, P::NonCentered, false),
       catalog(L::Binomial, 37), 0.15},
      {"normal centered student-t", model_of(L::Normal, P::Centered, true),
       catalog(L::Normal, 37), 0.1},
      {"poisson noncentered", model_of(L::Poisson, P::NonCentered, false),
       catalog(L::Poisson, 37), 0.15},
      // Steps so long that gradients overflow: chains stop early and diverge, and the sliced
      // dispatch must stop them at the same step.
      {"poisson divergent", model_of(L::Poisson, P::Centered, false), catalog(L::Poisson, 37),
       40.0},
  };
}

}  // namespace hbayes::kernels::test
