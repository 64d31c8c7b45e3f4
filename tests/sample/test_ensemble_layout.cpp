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

Outcome run(EnsembleLayout layout, bool write_parameters = true) {
  const hmc::HierModel model{hmc::Likelihood::Binomial, hmc::Parameterization::NonCentered,
                             hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                             hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                             hmc::GroupPrior{false, 0}};
  const std::vector<hmc::GroupData> data = {{3, 20}, {0, 5}, {7, 9}, {12, 40}, {1, 1}};
  const std::size_t chains = 7, dim = hmc::kFirstGroupIndex + data.size();
  const auto ensemble = cpu::make_ensemble(model, data.data(), data.size(), chains,
                                            EnsembleConfig{layout, false, 1, false});
  std::vector<double> start(chains * dim);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 0.1 * static_cast<double>(i % 13) - 0.6;
  Outcome out;
  out.log_densities.resize(chains);
  ensemble->set_positions(start.data(), out.log_densities.data());
  std::vector<double> metric(dim);
  for (std::size_t k = 0; k < dim; ++k) metric[k] = 0.5 + 0.1 * static_cast<double>(k);
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
