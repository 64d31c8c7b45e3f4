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

#include "sample/ensemble_cases.hpp"
#include "sample_kernels.hpp"

namespace hbayes::kernels {
namespace {

using test::Case;
using test::cases;
using test::catalog;
using test::expect_close;
using test::model_of;
using test::Outcome;
using test::run;

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
