// The sampler's building blocks: Philox against published known answers, the Halton jitter,
// Stan's warmup windows and the metric they estimate, the rule for stranded chains, dual
// averaging and the ChEES gradient's sign (test_warmup_statistics.cpp checks the backends'
// gradient and moments).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "device_macros.hpp"
#include "hmc/chain_vector.hpp"
#include "hmc/philox.hpp"
#include "reference/chees_reference.hpp"
#include "sample/adaptation.hpp"

namespace hbayes::sampling {
namespace {

namespace hmc = kernels::hmc;

// Philox-4x64-10 known answers: Random123's kat_vectors (zero counter and key), confirmed with
// numpy.random.Philox (numpy 1.24, whose raw output is the block at counter + 1).
TEST(Philox, MatchesPublishedKnownAnswers) {
  const hmc::PhiloxBlock zero = hmc::philox4x64(hmc::PhiloxBlock{{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(zero.v[0], 0x16554d9eca36314cULL);
  EXPECT_EQ(zero.v[1], 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(zero.v[2], 0xd7e772cee186176bULL);
  EXPECT_EQ(zero.v[3], 0x7e68b68aec7ba23bULL);
  const hmc::PhiloxBlock digits =
      hmc::philox4x64(hmc::PhiloxBlock{{1, 2, 3, 4}}, 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL);
  EXPECT_EQ(digits.v[0], 0x679f6ceba591d87bULL);
  EXPECT_EQ(digits.v[1], 0xd3781cbcb95f972eULL);
  EXPECT_EQ(digits.v[2], 0x3d537cd5b12cb1a2ULL);
  EXPECT_EQ(digits.v[3], 0x15cd2e879ce5a209ULL);
}

// 2e5 normals: the sample mean and variance sit within 5 standard errors of 0 and 1; so do the
// fourth moment (3, variance 96) and the fraction beyond 3 (2 x 0.00135).
void expect_standard_normal_moments(const std::vector<double>& z, const char* what) {
  const auto n = static_cast<double>(z.size());
  double sum = 0.0, squares = 0.0, fourth = 0.0, beyond3 = 0.0;
  for (double x : z) {
    sum += x;
    squares += x * x;
    fourth += x * x * x * x;
    beyond3 += std::fabs(x) > 3.0;
  }
  const double p3 = 2.0 * 0.0013498980316301;
  EXPECT_LT(std::fabs(sum / n), 5.0 / std::sqrt(n)) << what;
  EXPECT_LT(std::fabs(squares / n - 1.0), 5.0 * std::sqrt(2.0 / n)) << what;
  EXPECT_LT(std::fabs(fourth / n - 3.0), 5.0 * std::sqrt(96.0 / n)) << what;
  EXPECT_LT(std::fabs(beyond3 / n - p3), 5.0 * std::sqrt(p3 * (1.0 - p3) / n)) << what;
}

TEST(Philox, NormalsHaveUnitMoments) {
  const std::size_t n = 200000;
  std::vector<double> pairs, momenta;
  const hmc::ChainStream stream{7, 3, 11, hmc::RandomPurpose::Momentum};
  for (std::size_t b = 0; b < n / 4; ++b) {
    const hmc::PhiloxBlock block = stream.block(b);
    double z[4];
    hmc::standard_normal_pair(block.v[0], block.v[1], &z[0], &z[1]);
    hmc::standard_normal_pair(block.v[2], block.v[3], &z[2], &z[3]);
    pairs.insert(pairs.end(), z, z + 4);
  }
  hmc::MomentumNormals momentum{stream};
  for (std::size_t k = 0; k < n; ++k) momenta.push_back(momentum(k));
  expect_standard_normal_moments(pairs, "64-bit uniforms (posterior predictive draws)");
  expect_standard_normal_moments(momenta, "32-bit uniforms (momenta)");
}

// fill_standard_normals as the per-chain transition runs it: in a function compiled for the
// machine's vector instructions, into a contiguous vector (vectorized) or a strided one.
HBAYES_CPU_CLONES void fill_both(const hmc::ChainStream& stream, std::size_t count,
                                 std::vector<double>* contiguous, std::vector<double>* strided) {
  contiguous->assign(count, -1.0);
  strided->assign(3 * count, -1.0);
  hmc::fill_standard_normals(stream, count, hmc::ContiguousVector{contiguous->data()});
  hmc::fill_standard_normals(stream, count, hmc::ChainVector{strided->data(), 3});
}

// The per-chain transition draws its momenta in bulk, the sliced one coordinate by coordinate
// (MomentumNormals): both must be the same numbers, bit for bit, for any count.
TEST(Philox, BulkNormalsAreTheOneAtATimeNormals) {
  const hmc::ChainStream stream{5, 2, 9, hmc::RandomPurpose::Momentum};
  for (std::size_t count : {0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 1001}) {
    std::vector<double> contiguous, strided;
    fill_both(stream, count, &contiguous, &strided);
    hmc::MomentumNormals one_at_a_time{stream};
    for (std::size_t k = 0; k < count; ++k) {
      const double z = one_at_a_time(k);
      ASSERT_EQ(contiguous[k], z) << "count " << count << " k " << k;
      ASSERT_EQ(strided[3 * k], z) << "count " << count << " k " << k;
    }
  }
}

TEST(Adaptation, HaltonJitterIsTheBase2VanDerCorputSequence) {
  const double expected[] = {0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(halton_jitter(i), expected[i]) << i;
}

TEST(Adaptation, HarmonicMean) {
  EXPECT_DOUBLE_EQ(harmonic_mean({0.5, 1.0}), 2.0 / 3.0);
  EXPECT_EQ(harmonic_mean({0.9, 0.0}), 0.0);
}

// Stan's windows for 1000 warmup iterations: init buffer 75, slow windows of 25, 50, 100, 200
// and a last one stretched to 500, term buffer 50.
TEST(Adaptation, MetricWindowsFollowStansSchedule) {
  MetricAdapter metric(1, 1000);
  EXPECT_FALSE(metric.collecting(74));
  EXPECT_TRUE(metric.collecting(75));
  std::vector<int> window_ends;
  for (int it = 0; it < 1000; ++it) {
    if (!metric.window_ends(it)) continue;
    EXPECT_TRUE(metric.collecting(it));
    window_ends.push_back(it + 1);
    metric.end_window({1.0}, {1.0}, 2 * 25);
  }
  EXPECT_EQ(window_ends, (std::vector<int>{100, 150, 250, 450, 950}));
  EXPECT_FALSE(metric.collecting(950));
}

TEST(Adaptation, LastWindowUsesThePositionVarianceShrunkAsStanDoes) {
  // 150 warmup iterations: init buffer 75, one slow window [75, 100), the last, term buffer 50.
  MetricAdapter metric(2, 150);
  EXPECT_FALSE(metric.window_ends(98));
  EXPECT_TRUE(metric.window_ends(99));
  const double n = 50.0;  // 25 iterations x 2 chains
  metric.end_window({2.5, 0.0}, {4.0, 0.0}, 50);
  const double shrink = 1e-3 * 5 / (n + 5);
  EXPECT_NEAR(metric.inverse_metric()[0], n / (n + 5) * 2.5 + shrink, 1e-12);
  EXPECT_NEAR(metric.inverse_metric()[1], shrink, 1e-15);  // no spread: all shrinkage
}

TEST(Adaptation, EarlyWindowsUseTheGradientBasedEstimate) {
  // 1000 warmup iterations: the first window [75, 100) is not the last, so its estimate is
  // sqrt(var(q) / var(grad)) = sqrt(1 / 4); a coordinate whose gradient never varies keeps its
  // position variance.
  MetricAdapter metric(2, 1000);
  EXPECT_TRUE(metric.window_ends(99));
  const double n = 50.0;  // 25 iterations x 2 chains
  metric.end_window({1.0, 0.25}, {4.0, 0.0}, 50);
  const double shrink = 1e-3 * 5 / (n + 5);
  EXPECT_NEAR(metric.inverse_metric()[0], n / (n + 5) * 0.5 + shrink, 1e-12);
  EXPECT_NEAR(metric.inverse_metric()[1], n / (n + 5) * 0.25 + shrink, 1e-12);
}

// A settled bulk of 13 chains one unit apart around -28,440 and three chains below it. With
// dim 20,000 the spread is its floor sqrt(dim / 2) = 100 (the bulk's quartiles are 8 apart), so
// a chain is stranded beyond 10 x 100 below the median, the 8th of the 15 finite values.
TEST(Adaptation, StrandedChainsLieTenSpreadsBelowTheMedian) {
  std::vector<double> lp;
  for (int k = -6; k <= 6; ++k) lp.push_back(-28440.0 + k);
  const double median = -28441.0;
  lp.push_back(median - 999.0);
  lp.push_back(median - 1001.0);
  lp.push_back(std::nan(""));
  EXPECT_EQ(stranded_chains(lp, 20000), (std::vector<std::size_t>{14, 15}));
  // Without the floor (dim 2) the spread is the quartiles' (8 / 1.349), and all three are out.
  EXPECT_EQ(stranded_chains(lp, 2), (std::vector<std::size_t>{13, 14, 15}));
}

// While the chains still spread out (here evenly, 10 apart), the interquartile range sets the
// spread: quartiles -50 and -10 of the 8 sorted values give 40 / 1.349 and a cut 296.5 below
// the median -30.
TEST(Adaptation, StrandedChainsAllowForAWideSpread) {
  std::vector<double> lp{0, -10, -20, -30, -40, -50, -60, -300};
  EXPECT_TRUE(stranded_chains(lp, 2).empty());
  lp.back() = -330;
  EXPECT_EQ(stranded_chains(lp, 2), (std::vector<std::size_t>{7}));
}

// Quartiles need 4 chains: 3 never strand one, 4 can.
TEST(Adaptation, StrandedChainsNeedFourChains) {
  EXPECT_TRUE(stranded_chains({0.0, 0.0, -1e6}, 2).empty());
  EXPECT_EQ(stranded_chains({0.0, 1.0, -1e6, 2.0}, 2), (std::vector<std::size_t>{2}));
}

TEST(Adaptation, DualAveragingFindsTheTargetAcceptance) {
  // A model whose acceptance falls with the step size as exp(-step^2): the target 0.651 is met
  // at step = sqrt(-log 0.651).
  StepSizeAdapter adapter(1.0, 0.651);
  double step = 1.0;
  for (int i = 0; i < 2000; ++i) step = adapter.update(std::exp(-step * step));
  EXPECT_NEAR(adapter.final_step_size(), std::sqrt(-std::log(0.651)), 0.02);
}

TEST(Adaptation, CheesReferencePointsOutwardWhenProposalsMoveAway) {
  // Two chains symmetric about 0 whose proposals moved outward and keep moving outward: a
  // longer trajectory would increase the change in squared distance, so the gradient is > 0;
  // reversing the momenta makes it negative.
  const std::vector<double> previous = {-1.0, 1.0}, proposal = {-2.0, 2.0};
  const std::vector<double> accept = {1.0, 1.0}, metric = {1.0};
  EXPECT_GT(reference::chees_gradient(previous, proposal, {-1.0, 1.0}, accept, metric, 1.0), 0.0);
  EXPECT_LT(reference::chees_gradient(previous, proposal, {1.0, -1.0}, accept, metric, 1.0), 0.0);
  // Chains that reject everything carry no information.
  EXPECT_EQ(reference::chees_gradient(previous, proposal, {-1.0, 1.0}, {0.0, 0.0}, metric, 1.0), 0.0);
}

TEST(Adaptation, TrajectoryLengthMovesAlongTheGradientWithinTheClip) {
  TrajectoryLengthAdapter adapter(1.0);
  adapter.update(5.0, 0.01, 100.0);
  EXPECT_NEAR(adapter.length(), std::exp(0.025 / std::sqrt(25.0) * 5.0), 1e-12);
  adapter.update(-1e9, 0.01, 100.0);
  EXPECT_LT(adapter.length(), 1.0);
  adapter.update(1e9, 0.01, 0.5);  // capped by step size x max leapfrog steps
  EXPECT_LE(adapter.length(), 0.5);
  adapter.update(-1e9, 0.3, 0.5);  // and never below one step
  EXPECT_GE(adapter.length(), 0.3);
}

}  // namespace
}  // namespace hbayes::sampling
