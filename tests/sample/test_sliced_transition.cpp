// Group-parallel transitions (sliced_transition.hpp) against one thread per chain
// (transition.hpp): the same momenta, step counts, accept decisions and states, up to the order
// in which group terms are summed. Run on the CPU with the CPU's contiguous slices and with the
// GPU's interleaved ones, so the CUDA backend's slicing is exercised without a GPU.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sample_kernels.hpp"

namespace hbayes::kernels {
namespace {

struct Outcome {
  std::vector<double> records, positions, gradients, momenta, log_densities;
};

struct Case {
  std::string name;
  hmc::HierModel model;
  std::vector<hmc::GroupData> data;
  double step_size;
};

hmc::HierModel model_of(hmc::Likelihood likelihood, hmc::Parameterization parameterization,
                        bool student_t) {
  return hmc::HierModel{likelihood, parameterization, hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                        hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                        hmc::GroupPrior{student_t, 4.0}};
}

std::vector<hmc::GroupData> catalog(hmc::Likelihood likelihood, std::size_t groups) {
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

Outcome run(const Case& c, const EnsembleConfig& config, std::size_t chains = 5) {
  const std::size_t dim = hmc::kFirstGroupIndex + c.data.size();
  const auto ensemble = cpu::make_ensemble(c.model, c.data.data(), c.data.size(), chains, config);
  std::vector<double> start(chains * dim);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 0.1 * static_cast<double>(i % 13) - 0.6;
  Outcome out;
  out.log_densities.resize(chains);
  ensemble->set_positions(start.data(), out.log_densities.data());
  std::vector<double> metric(dim);
  for (std::size_t k = 0; k < dim; ++k) metric[k] = 0.5 + 0.01 * static_cast<double>(k % 50);
  ensemble->set_inverse_metric(metric.data());
  std::vector<hmc::TransitionSettings> settings;
  for (std::uint64_t it = 0; it < 6; ++it) {
    // One step first (the first step is then also the last), up to six.
    settings.push_back({c.step_size, static_cast<int>(1 + it), 42, it, true, it % 2 == 0, 1000.0});
  }
  out.records.resize(settings.size() * chains * ensemble->record_width());
  ensemble->transition(settings.data(), settings.size(), out.records.data());
  for (auto* v : {&out.positions, &out.gradients, &out.momenta}) v->resize(chains * dim);
  ensemble->read(EnsembleField::Position, out.positions.data());
  ensemble->read(EnsembleField::Gradient, out.gradients.data());
  ensemble->read(EnsembleField::Momentum, out.momenta.data());
  return out;
}

// Equal up to summation order: relative 1e-9 (the sums have ~100 terms of mixed sign); NaN
// where the other is NaN, and the same infinity where the other is infinite.
void expect_close(const std::vector<double>& a, const std::vector<double>& b,
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

std::vector<Case> cases() {
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

TEST(SlicedTransition, MatchesOneThreadPerChain) {
  const std::vector<EnsembleConfig> slicings = {
      {EnsembleLayout::ChainMajor, true, 1, false},   // one slice: the whole chain
      {EnsembleLayout::ChainMajor, true, 4, false},   // the CPU's contiguous runs
      {EnsembleLayout::ChainMajor, true, 6, true},    // the GPU's interleaved slices
      {EnsembleLayout::ChainMajor, true, 37, true},   // one group per slice
      {EnsembleLayout::ParameterMajor, true, 5, false}};
  for (const Case& c : cases()) {
    const Outcome per_chain = run(c, EnsembleConfig{});
    for (const EnsembleConfig& config : slicings) {
      const std::string what = c.name + ", " + std::to_string(config.slices) +
                               (config.interleaved ? " interleaved" : " contiguous") + " slices";
      const Outcome sliced = run(c, config);
      expect_close(per_chain.log_densities, sliced.log_densities, what + ": log densities");
      expect_close(per_chain.records, sliced.records, what + ": records");
      expect_close(per_chain.positions, sliced.positions, what + ": positions");
      expect_close(per_chain.gradients, sliced.gradients, what + ": gradients");
      expect_close(per_chain.momenta, sliced.momenta, what + ": momenta");
    }
  }
}

TEST(SlicedTransition, DivergentCaseReallyStopsEarly) {
  // The comparison above covers early stops only if some chain stopped before its last step.
  const Case divergent = cases().back();
  const Outcome out = run(divergent, EnsembleConfig{});
  const std::size_t width = hmc::kFirstParameter + hmc::kFirstGroupIndex + divergent.data.size();
  bool stopped_early = false, accepted_some = false;
  for (std::size_t r = 0; r * width < out.records.size(); ++r) {
    const std::size_t iteration = r / 5;
    const double* record = out.records.data() + r * width;
    stopped_early = stopped_early || record[hmc::kLeapfrogSteps] < static_cast<double>(1 + iteration);
    accepted_some = accepted_some || record[hmc::kAcceptStat] > 0.0;
  }
  EXPECT_TRUE(stopped_early);
  const Outcome calm = run(cases().front(), EnsembleConfig{});
  for (std::size_t r = 0; r * width < calm.records.size(); ++r) {
    accepted_some = accepted_some || calm.records[r * width + hmc::kAcceptStat] > 0.0;
  }
  EXPECT_TRUE(accepted_some);
}

// Iterations that keep no draw return narrow records (the sampler's columns only) on the sliced
// path too, leaving the caller's parameter columns as they were; a trajectory of no steps is
// refused.
TEST(SlicedTransition, NarrowRecordsAndAtLeastOneStep) {
  const Case c = cases().front();
  const std::size_t chains = 3, dim = hmc::kFirstGroupIndex + c.data.size();
  const EnsembleConfig config{EnsembleLayout::ChainMajor, true, 6, true};
  const auto records_of = [&](bool write_parameters) {
    const auto ensemble = cpu::make_ensemble(c.model, c.data.data(), c.data.size(), chains, config);
    std::vector<double> start(chains * dim, 0.1), log_densities(chains);
    ensemble->set_positions(start.data(), log_densities.data());
    const hmc::TransitionSettings settings{0.1, 3, 7, 0, false, write_parameters, 1000.0};
    std::vector<double> records(chains * ensemble->record_width(), -12345.0);
    ensemble->transition(&settings, 1, records.data());
    return records;
  };
  const std::vector<double> wide = records_of(true), narrow = records_of(false);
  const std::size_t width = hmc::kFirstParameter + dim;
  for (std::size_t i = 0; i < wide.size(); ++i) {
    if (i % width < hmc::kFirstParameter) {
      EXPECT_EQ(wide[i], narrow[i]) << "record value " << i;
    } else {
      EXPECT_EQ(narrow[i], -12345.0) << "record value " << i;
    }
  }
  const auto ensemble = cpu::make_ensemble(c.model, c.data.data(), c.data.size(), chains, config);
  const hmc::TransitionSettings none{0.1, 0, 7, 0, false, false, 1000.0};
  std::vector<double> records(chains * ensemble->record_width());
  EXPECT_THROW(ensemble->transition(&none, 1, records.data()), std::invalid_argument);
}

TEST(SlicedTransition, ResultsDoNotDependOnTheThreadCount) {
  // Enough groups that the CPU dispatch uses two threads for the slice phases.
  const Case big{"binomial", model_of(hmc::Likelihood::Binomial, hmc::Parameterization::NonCentered, false),
                 catalog(hmc::Likelihood::Binomial, 70001), 0.05};
  const EnsembleConfig config{EnsembleLayout::ChainMajor, true, 5, false};
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Outcome one = run(big, config, 2);
  omp_set_num_threads(2);
  const Outcome two = run(big, config, 2);
  omp_set_num_threads(threads);
  EXPECT_EQ(one.records, two.records);
  EXPECT_EQ(one.positions, two.positions);
}

TEST(SlicedTransition, DefaultConfigsFollowTheShape) {
  // Few chains with many groups are sliced on both backends; many chains with few groups not.
  EXPECT_TRUE(cpu::default_config(4, 1000000).group_slices);
  EXPECT_FALSE(cpu::default_config(4096, 8).group_slices);
  EXPECT_FALSE(cpu::default_config(4, 1000).group_slices);
  const EnsembleConfig cpu_config = cpu::default_config(4, 1000000);
  EXPECT_FALSE(cpu_config.interleaved);
  EXPECT_EQ(cpu_config.layout, EnsembleLayout::ChainMajor);
}

}  // namespace
}  // namespace hbayes::kernels
