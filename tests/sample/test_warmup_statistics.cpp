// Warmup's cross-chain statistics computed on the backend (hmc/warmup_statistics.hpp) against
// serial host computations on the chains' arrays read back: the ChEES gradient against
// reference::chees_gradient, the pooled moments against a two-pass mean and variance. Run on the
// CPU with every layout and slicing, so the GPU's indexing is exercised without a GPU.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hmc/warmup_statistics.hpp"
#include "reference/chees_reference.hpp"
#include "sample_kernels.hpp"
#include "support/tolerances.hpp"

namespace hbayes::kernels {
namespace {

constexpr std::size_t kChains = 5;

std::vector<hmc::GroupData> catalog(std::size_t groups) {
  std::vector<hmc::GroupData> data(groups);
  for (std::size_t j = 0; j < groups; ++j) {
    const auto i = static_cast<double>(j);
    data[j] = {std::fmod(3.0 * i, 11.0), 12.0 + std::fmod(i, 5.0)};
  }
  return data;
}

// An ensemble of kChains hier-binomial chains after a few transitions (which fill the previous
// positions, proposals and momenta), with a metric far from the identity so that the whitening
// matters. step_size: small enough for some chains to accept (more groups need shorter steps).
struct Warmed {
  std::unique_ptr<Ensemble> ensemble;
  std::size_t dim;
  std::vector<double> inverse_metric;
  std::vector<double> last_accept;  // the last transition's acceptance probabilities
};

Warmed warmed(std::size_t groups, double step_size, const EnsembleConfig& config) {
  const hmc::HierModel model{hmc::Likelihood::Binomial, hmc::Parameterization::NonCentered,
                             hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                             hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                             hmc::GroupPrior{false, 0}};
  const std::vector<hmc::GroupData> data = catalog(groups);
  Warmed w{cpu::make_ensemble(model, data.data(), groups, kChains, config),
           hmc::kFirstGroupIndex + groups,
           {},
           {}};
  std::vector<double> start(kChains * w.dim), log_densities(kChains);
  for (std::size_t i = 0; i < start.size(); ++i) start[i] = 0.1 * static_cast<double>(i % 13) - 0.6;
  w.ensemble->set_positions(start.data(), log_densities.data());
  w.inverse_metric.resize(w.dim);
  for (std::size_t k = 0; k < w.dim; ++k) {
    w.inverse_metric[k] = 0.3 + 0.05 * static_cast<double>(k % 17);
  }
  w.ensemble->set_inverse_metric(w.inverse_metric.data());
  std::vector<hmc::TransitionSettings> settings;
  for (std::uint64_t it = 0; it < 3; ++it) {
    settings.push_back({step_size, static_cast<int>(3 + it), 42, it, true, false, 1000.0});
  }
  const std::size_t width = w.ensemble->record_width();
  std::vector<double> records(settings.size() * kChains * width);
  w.ensemble->transition(settings.data(), settings.size(), records.data());
  for (std::size_t c = 0; c < kChains; ++c) {
    w.last_accept.push_back(
        records[((settings.size() - 1) * kChains + c) * width + hmc::kAcceptStat]);
  }
  return w;
}

std::vector<double> read(const Ensemble& ensemble, EnsembleField field, std::size_t dim) {
  std::vector<double> values(kChains * dim);
  ensemble.read(field, values.data());
  return values;
}

struct Layout {
  std::string name;
  EnsembleConfig config;
};

std::vector<Layout> layouts() {
  return {{"chain-major", {EnsembleLayout::ChainMajor, false, 1, false}},
          {"parameter-major", {EnsembleLayout::ParameterMajor, false, 1, false}},
          {"contiguous slices", {EnsembleLayout::ChainMajor, true, 4, false}},
          {"interleaved slices", {EnsembleLayout::ChainMajor, true, 6, true}},
          {"parameter-major slices", {EnsembleLayout::ParameterMajor, true, 5, false}}};
}

TEST(WarmupStatistics, CheesGradientMatchesTheHostReference) {
  // Acceptance weights: the transition's own, and planted ones that differ from chain to chain
  // (the proposals' centre and the gradient are weighted) with one chain below the threshold.
  const std::vector<double> planted = {0.9, 0.2, 5e-5, 1.0, 0.6};
  // 37 groups: one slice of coordinates per chain (the reference's order); 2,500: three.
  const std::pair<std::size_t, double> shapes[] = {{37, 0.15}, {2500, 0.01}};
  for (const auto& [groups, step_size] : shapes) {
    for (const Layout& layout : layouts()) {
      const Warmed w = warmed(groups, step_size, layout.config);
      const std::vector<double> previous = read(*w.ensemble, EnsembleField::Previous, w.dim);
      const std::vector<double> proposal = read(*w.ensemble, EnsembleField::Proposal, w.dim);
      const std::vector<double> momentum = read(*w.ensemble, EnsembleField::Momentum, w.dim);
      for (const std::vector<double>& accept : {w.last_accept, planted}) {
        for (const double jitter : {0.375, 1.0}) {
          const double want = reference::chees_gradient(previous, proposal, momentum, accept,
                                                       w.inverse_metric, jitter);
          const double got = w.ensemble->chees_gradient(accept.data(), jitter);
          EXPECT_NE(want, 0.0) << layout.name;  // the comparison is not of two zeros
          EXPECT_TRUE(test::close(got, want, test::kCheesGradient))
              << layout.name << ", " << groups << " groups, jitter " << jitter << ": " << got
              << " vs " << want;
        }
      }
    }
  }
}

TEST(WarmupStatistics, CheesGradientIsZeroWhenNoChainAccepts) {
  const Warmed w = warmed(37, 0.15, EnsembleConfig{});
  const std::vector<double> none = {0.0, 5e-5, 0.0, 1e-4, NAN};
  EXPECT_EQ(w.ensemble->chees_gradient(none.data(), 0.5), 0.0);
}

// The two-pass mean and variance (divisor n - 1) of each coordinate over every chain's draws.
struct TwoPass {
  std::vector<double> mean, variance;
};

TwoPass two_pass(const std::vector<std::vector<double>>& draws, std::size_t dim) {
  TwoPass out{std::vector<double>(dim, 0.0), std::vector<double>(dim, 0.0)};
  const double n = static_cast<double>(draws.size() * kChains);
  for (std::size_t k = 0; k < dim; ++k) {
    for (const std::vector<double>& d : draws) {
      for (std::size_t c = 0; c < kChains; ++c) out.mean[k] += d[c * dim + k];
    }
    out.mean[k] /= n;
    for (const std::vector<double>& d : draws) {
      for (std::size_t c = 0; c < kChains; ++c) {
        const double deviation = d[c * dim + k] - out.mean[k];
        out.variance[k] += deviation * deviation;
      }
    }
    out.variance[k] /= n - 1.0;
  }
  return out;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t k = 0; k < got.size(); ++k) {
    EXPECT_TRUE(test::close(got[k], want[k], test::kPooledMoment))
        << what << " coordinate " << k << ": " << got[k] << " vs " << want[k];
  }
}

TEST(WarmupStatistics, MomentsMatchATwoPassComputation) {
  for (const Layout& layout : layouts()) {
    Warmed w = warmed(37, 0.15, layout.config);
    Ensemble& ensemble = *w.ensemble;
    const std::size_t width = ensemble.record_width();
    std::vector<double> records(kChains * width);
    std::vector<std::vector<double>> positions, gradients;
    for (std::uint64_t it = 10; it < 17; ++it) {
      const hmc::TransitionSettings settings{0.15, 4, 42, it, true, false, 1000.0};
      ensemble.transition(&settings, 1, records.data());
      ensemble.accumulate_moments();
      positions.push_back(read(ensemble, EnsembleField::Position, w.dim));
      gradients.push_back(read(ensemble, EnsembleField::Gradient, w.dim));
    }
    std::vector<double> position_mean(w.dim), position_variance(w.dim), gradient_mean(w.dim),
        gradient_variance(w.dim);
    EXPECT_EQ(ensemble.read_moments(position_mean.data(), position_variance.data(),
                                    gradient_mean.data(), gradient_variance.data()),
              positions.size() * kChains);
    const TwoPass q = two_pass(positions, w.dim), g = two_pass(gradients, w.dim);
    expect_close(position_mean, q.mean, layout.name + ": position mean");
    expect_close(position_variance, q.variance, layout.name + ": position variance");
    expect_close(gradient_mean, g.mean, layout.name + ": gradient mean");
    expect_close(gradient_variance, g.variance, layout.name + ": gradient variance");

    // After a reset the moments hold only what is added next: one draw per chain.
    ensemble.reset_moments();
    ensemble.accumulate_moments();
    EXPECT_EQ(ensemble.read_moments(position_mean.data(), position_variance.data(),
                                    gradient_mean.data(), gradient_variance.data()),
              kChains);
    const TwoPass last = two_pass({positions.back()}, w.dim);
    expect_close(position_mean, last.mean, layout.name + ": position mean after reset");
    expect_close(position_variance, last.variance, layout.name + ": position variance after reset");
  }
}

TEST(WarmupStatistics, ResultsDoNotDependOnTheThreadCount) {
  // Enough coordinates that the CPU dispatch of the per-coordinate passes uses two threads.
  const EnsembleConfig config{EnsembleLayout::ChainMajor, true, 5, false};
  const std::vector<double> accept = {0.9, 0.2, 0.7, 1.0, 0.6};
  struct Outcome {
    double chees;
    std::vector<double> variance;
  };
  auto run = [&] {
    const Warmed w = warmed(70001, 0.002, config);
    w.ensemble->accumulate_moments();
    w.ensemble->accumulate_moments();
    Outcome out{w.ensemble->chees_gradient(accept.data(), 0.5), std::vector<double>(w.dim)};
    std::vector<double> mean(w.dim), gradient_mean(w.dim), gradient_variance(w.dim);
    w.ensemble->read_moments(mean.data(), out.variance.data(), gradient_mean.data(),
                             gradient_variance.data());
    return out;
  };
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Outcome one = run();
  omp_set_num_threads(2);
  const Outcome two = run();
  omp_set_num_threads(threads);
  EXPECT_EQ(one.chees, two.chees);
  EXPECT_EQ(one.variance, two.variance);
}

// The per-coordinate passes give the same bits whatever the block of coordinates a work item
// takes (the GPU takes 1, the CPU 512): each coordinate sees the chains in order either way.
TEST(WarmupStatistics, CoordinateBlocksDoNotChangeTheBits) {
  const std::size_t chains = 6, dim = 1203;
  std::vector<double> position(chains * dim), gradient(chains * dim), previous(chains * dim),
      proposal(chains * dim), unused(chains * dim), log_density(chains);
  for (std::size_t i = 0; i < position.size(); ++i) {
    const auto x = static_cast<double>(i);
    position[i] = std::sin(0.37 * x), gradient[i] = std::cos(0.11 * x);
    previous[i] = std::sin(0.05 * x + 1.0), proposal[i] = std::cos(0.23 * x - 2.0);
  }
  hmc::EnsembleArrays arrays{chains,
                             dim,
                             dim,
                             1,
                             position.data(),
                             gradient.data(),
                             log_density.data(),
                             previous.data(),
                             proposal.data(),
                             unused.data(),
                             unused.data()};
  const std::vector<double> accept = {0.9, 0.0, 0.5, 1.0, 1e-6, 0.3};
  const auto run = [&](std::size_t block) {
    std::vector<double> centres(2 * dim, -1.0), moments(hmc::kMomentBufferFields * dim, 0.0);
    const std::size_t items = (dim + block - 1) / block;
    for (std::size_t item = 0; item < items; ++item) {
      hmc::CheesCentres{arrays, accept.data(), centres.data(), centres.data() + dim, block}(item);
      hmc::AccumulateMoments{arrays, 0, moments.data(), block}(item);
      hmc::AccumulateMoments{arrays, chains, moments.data(), block}(item);
    }
    centres.insert(centres.end(), moments.begin(), moments.end());
    return centres;
  };
  const std::vector<double> one = run(1);
  EXPECT_EQ(one, run(7));
  EXPECT_EQ(one, run(512));
  EXPECT_EQ(one, run(dim));
  EXPECT_NE(one[0], -1.0);  // the passes wrote

  // The same values in the parameter-major layout (the GPU's: the passes then take the strided
  // loops instead of the CPU's unit-stride ones) give the same bits too.
  const auto transpose = [&](std::vector<double>* values) {  // in place: arrays points at it
    const std::vector<double> chain_major = *values;
    for (std::size_t c = 0; c < chains; ++c) {
      for (std::size_t k = 0; k < dim; ++k) (*values)[k * chains + c] = chain_major[c * dim + k];
    }
  };
  for (std::vector<double>* values : {&position, &gradient, &previous, &proposal}) {
    transpose(values);
  }
  arrays.chain_stride = 1;
  arrays.param_stride = chains;
  EXPECT_EQ(one, run(1));
  EXPECT_EQ(one, run(512));
}

}  // namespace
}  // namespace hbayes::kernels
