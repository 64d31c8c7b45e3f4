// The CUDA backend stores the chains' vectors parameter-major; the CPU backend chain-major. Both
// builds take either layout, so these CPU tests run the GPU's indexing (strides and transposes)
// and require bit-identical results: the layout moves numbers, it never changes arithmetic.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sample_kernels.hpp"

namespace hbayes::kernels {
namespace {

struct Outcome {
  std::vector<double> records, positions, momenta, log_densities;
};

const hmc::HierModel kBinomial{hmc::Likelihood::Binomial, hmc::Parameterization::NonCentered,
                               hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                               hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                               hmc::GroupPrior{false, 0}};

// Five groups: fewer than one block of summation lanes (group_lanes.hpp).
const std::vector<hmc::GroupData> kFewGroups = {{3, 20}, {0, 5}, {7, 9}, {12, 40}, {1, 1}};

// 37 groups: four whole blocks of 8 lanes, which the CPU build vectorizes, and a remainder.
std::vector<hmc::GroupData> many_groups(hmc::Likelihood likelihood) {
  std::vector<hmc::GroupData> data;
  for (int j = 0; j < 37; ++j) {
    const double x = static_cast<double>(j);
    switch (likelihood) {
      case hmc::Likelihood::Normal:
        data.push_back({0.7 * x - 9.0, 1.0 + 0.3 * (j % 5)});
        break;
      case hmc::Likelihood::Binomial:
        data.push_back({static_cast<double>(j % 9), 12.0});
        break;
      case hmc::Likelihood::Poisson:
        data.push_back({static_cast<double>(j % 6), 0.5 + 0.1 * x});
    }
  }
  return data;
}

Outcome run(EnsembleLayout layout, bool write_parameters = true,
            const hmc::HierModel& model = kBinomial,
            const std::vector<hmc::GroupData>& data = kFewGroups) {
  const std::size_t chains = 7, dim = hmc::kFirstGroupIndex + data.size();
  const auto ensemble = cpu::make_ensemble(model, data.data(), data.size(), chains,
                                            EnsembleConfig{layout, false, 1, false});
  std::vector<double> start(chains * dim);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 0.1 * static_cast<double>(i % 13) - 0.6;
  Outcome out;
  out.log_densities.resize(chains);
  ensemble->set_positions(start.data(), out.log_densities.data());
  std::vector<double> metric(dim);
  for (std::size_t k = 0; k < dim; ++k) metric[k] = 0.5 + 0.1 * static_cast<double>(k % 11);
  ensemble->set_inverse_metric(metric.data());
  std::vector<hmc::TransitionSettings> settings;
  for (std::uint64_t it = 0; it < 5; ++it) {
    settings.push_back({0.2, static_cast<int>(3 + it), 42, it, true, write_parameters, 1000.0});
  }
  out.records.assign(settings.size() * chains * ensemble->record_width(), -12345.0);
  ensemble->transition(settings.data(), settings.size(), out.records.data());
  out.positions.resize(chains * dim);
  out.momenta.resize(chains * dim);
  ensemble->read(EnsembleField::Position, out.positions.data());
  ensemble->read(EnsembleField::Momentum, out.momenta.data());
  return out;
}

TEST(EnsembleLayout, ParameterMajorGivesBitIdenticalResults) {
  const Outcome chain_major = run(EnsembleLayout::ChainMajor);
  const Outcome parameter_major = run(EnsembleLayout::ParameterMajor);
  EXPECT_EQ(chain_major.log_densities, parameter_major.log_densities);
  EXPECT_EQ(chain_major.records, parameter_major.records);
  EXPECT_EQ(chain_major.positions, parameter_major.positions);
  EXPECT_EQ(chain_major.momenta, parameter_major.momenta);
  // The chains moved (the comparison is not of untouched starting values).
  EXPECT_NE(chain_major.positions[0], 0.1 * 0 - 0.6);
}

// The same with a catalog long enough for the vectorized loops, for every likelihood,
// parameterization and group prior: the chain-major layout runs the CPU's unit-stride loops
// (vectorized, sums in lanes) and the parameter-major one the strided loops, and both must give
// the same bits, so vectorizing changes no arithmetic.
TEST(EnsembleLayout, VectorizedLoopsGiveTheBitsOfStridedOnesForEveryModel) {
  for (hmc::Likelihood likelihood :
       {hmc::Likelihood::Normal, hmc::Likelihood::Binomial, hmc::Likelihood::Poisson}) {
    for (hmc::Parameterization parameterization :
         {hmc::Parameterization::NonCentered, hmc::Parameterization::Centered}) {
      for (bool student_t : {false, true}) {
        hmc::HierModel model = kBinomial;
        model.likelihood = likelihood;
        model.parameterization = parameterization;
        model.group_prior = hmc::GroupPrior{student_t, 4.0};
        const std::vector<hmc::GroupData> data = many_groups(likelihood);
        const Outcome chain_major = run(EnsembleLayout::ChainMajor, true, model, data);
        const Outcome parameter_major = run(EnsembleLayout::ParameterMajor, true, model, data);
        SCOPED_TRACE(::testing::Message()
                     << "likelihood " << static_cast<int>(likelihood) << " parameterization "
                     << static_cast<int>(parameterization) << " student-t " << student_t);
        EXPECT_EQ(chain_major.log_densities, parameter_major.log_densities);
        EXPECT_EQ(chain_major.records, parameter_major.records);
        EXPECT_EQ(chain_major.positions, parameter_major.positions);
        EXPECT_EQ(chain_major.momenta, parameter_major.momenta);
        // Chains moved (at least two chains' worth of coordinates), so the comparison is not
        // of starting values.
        std::size_t moved = 0;
        for (std::size_t i = 0; i < chain_major.positions.size(); ++i) {
          moved += chain_major.positions[i] != 0.1 * static_cast<double>(i % 13) - 0.6;
        }
        EXPECT_GE(moved, 2 * (hmc::kFirstGroupIndex + data.size()));
      }
    }
  }
}

// Iterations that keep no draw (warmup) bring back only the sampler's columns: the same values
// as when the parameters are written, and the caller's parameter columns left as they were.
TEST(EnsembleLayout, IterationsWithoutDrawsReturnTheSamplerColumns) {
  for (EnsembleLayout layout : {EnsembleLayout::ChainMajor, EnsembleLayout::ParameterMajor}) {
    const Outcome with = run(layout, true);
    const Outcome without = run(layout, false);
    const std::size_t width = with.positions.size() / 7 + hmc::kFirstParameter;
    ASSERT_EQ(with.records.size(), without.records.size());
    for (std::size_t i = 0; i < with.records.size(); ++i) {
      if (i % width < hmc::kFirstParameter) {
        EXPECT_EQ(with.records[i], without.records[i]) << "record value " << i;
      } else {
        EXPECT_EQ(without.records[i], -12345.0) << "record value " << i;
      }
    }
    EXPECT_EQ(with.positions, without.positions);
  }
}

}  // namespace
}  // namespace hbayes::kernels
