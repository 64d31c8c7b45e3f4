// Shards of a catalog combine exactly: beta-binomial histograms merge to the whole catalog's
// histograms bit for bit, and the per-iteration sums of the other families add; the fits from the
// combined shards equal the single-catalog fits.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "fit/fit_catalogs.hpp"
#include "hbayes/fit.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

// Uneven cut points of n rows into three shards.
std::vector<std::size_t> cuts(std::size_t n) {
  return {0, n / 7, n / 2 + 3, n};
}

FitOptions cpu() {
  FitOptions o;
  o.backend = Backend::Cpu;
  return o;
}

void expect_same_histogram(const CountHistogram& a, const CountHistogram& b) {
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.multiplicities, b.multiplicities);
}

// A catalog of 2^21 + stores takes the CPU's joint (trials, successes) table for stores of fewer
// than 512 trials; shards below that size count store by store. Both must give the same
// histograms to the last count and the same moment sums to rounding, with trials on both sides
// of 512 and stores of zero trials.
TEST(FitShards, LargeCatalogTableAgreesWithStoreByStoreShards) {
  const test::BinomialCatalog c = test::simulate_binomial(2200000, 3.0, 40.0, 43, 1.0, 2000.0);
  std::vector<std::int64_t> successes = c.successes, trials = c.trials;
  for (std::size_t i = 0; i < trials.size(); i += 1000) successes[i] = trials[i] = 0;
  const BinomialColumns all{successes.data(), trials.data(), trials.size()};
  const BinomialSummary whole = summarize(all, Backend::Cpu);
  BinomialSummary merged;
  for (std::size_t start = 0; start < trials.size(); start += 1000000) {
    const std::size_t size = std::min<std::size_t>(1000000, trials.size() - start);
    merged.merge(summarize(BinomialColumns{successes.data() + start, trials.data() + start, size},
                           Backend::Cpu));
  }
  const auto below = std::count_if(trials.begin(), trials.end(), [](auto n) { return n < 512; });
  ASSERT_GT(below, 10000);
  ASSERT_GT(static_cast<std::int64_t>(trials.size()) - below, 10000);
  expect_same_histogram(merged.successes, whole.successes);
  expect_same_histogram(merged.failures, whole.failures);
  expect_same_histogram(merged.trials, whole.trials);
  EXPECT_EQ(merged.rate_stores, whole.rate_stores);
  // The moment sums against long-double sums over the stores: the table's and the shards'.
  long double rate = 0, rate_sq = 0, inv_trials = 0;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    if (trials[i] == 0) continue;
    const long double p = static_cast<long double>(successes[i]) / trials[i];
    rate += p, rate_sq += p * p, inv_trials += 1.0L / trials[i];
  }
  EXPECT_TRUE(test::close(whole.sum_rate, static_cast<double>(rate), test::kTableMoments));
  EXPECT_TRUE(test::close(whole.sum_rate_sq, static_cast<double>(rate_sq), test::kTableMoments));
  EXPECT_TRUE(test::close(whole.sum_inv_trials, static_cast<double>(inv_trials), test::kTableMoments));
  EXPECT_TRUE(test::close(merged.sum_rate, static_cast<double>(rate), test::kLongSums));
  EXPECT_TRUE(test::close(merged.sum_rate_sq, static_cast<double>(rate_sq), test::kLongSums));
  EXPECT_TRUE(test::close(merged.sum_inv_trials, static_cast<double>(inv_trials), test::kLongSums));
}

TEST(FitShards, BetaBinomialHistogramsMergeExactly) {
  // Trials up to 2e4: both the dense bins and the sorted large values are merged.
  const test::BinomialCatalog c = test::simulate_binomial(20000, 3.0, 40.0, 41, 1.0, 20000.0);
  const BinomialSummary whole = summarize(c.columns(), Backend::Cpu);
  BinomialSummary merged;
  const auto at = cuts(c.trials.size());
  for (std::size_t s = 0; s + 1 < at.size(); ++s) {
    const BinomialColumns shard{c.successes.data() + at[s], c.trials.data() + at[s],
                                at[s + 1] - at[s]};
    merged.merge(summarize(shard, Backend::Cpu));
  }
  expect_same_histogram(merged.successes, whole.successes);
  expect_same_histogram(merged.failures, whole.failures);
  expect_same_histogram(merged.trials, whole.trials);
  EXPECT_EQ(merged.groups, whole.groups);
  EXPECT_EQ(merged.trials.stores(), static_cast<std::int64_t>(c.trials.size()));
  EXPECT_TRUE(test::close(merged.sum_rate, whole.sum_rate, test::kShardSums));
  EXPECT_TRUE(test::close(merged.sum_inv_trials, whole.sum_inv_trials, test::kShardSums));
  // The likelihood depends on the histograms only: identical to the last bit.
  const MarginalDerivatives a = log_marginal(merged, 0.07, 0.02);
  const MarginalDerivatives b = log_marginal(whole, 0.07, 0.02);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.d_bb, b.d_bb);
  const BetaBinomialFit fm = fit(merged, cpu());
  const BetaBinomialFit fw = fit(whole, cpu());
  EXPECT_TRUE(test::close(fm.alpha.value, fw.alpha.value, test::kSameFit));
  EXPECT_TRUE(test::close(fm.beta.value, fw.beta.value, test::kSameFit));
  EXPECT_TRUE(test::close(*fm.alpha.std_error, *fw.alpha.std_error, test::kSameFit));
  EXPECT_TRUE(test::close(fm.report.log_marginal_likelihood, fw.report.log_marginal_likelihood,
                          test::kSameFit));
  // Merging in another order gives the same histograms.
  BinomialSummary reversed;
  for (std::size_t s = at.size() - 1; s-- > 0;) {
    reversed.merge(summarize(
        BinomialColumns{c.successes.data() + at[s], c.trials.data() + at[s], at[s + 1] - at[s]},
        Backend::Cpu));
  }
  expect_same_histogram(reversed.trials, whole.trials);
}

// A gamma-Poisson catalog held in shards: summaries merge, per-iteration sums add.
class ShardedPoisson : public PoissonCatalog {
 public:
  void add(std::unique_ptr<PoissonCatalog> shard) { shards_.push_back(std::move(shard)); }
  PoissonSummary summary() const override {
    PoissonSummary s;
    for (const auto& shard : shards_) s.merge(shard->summary());
    return s;
  }
  MarginalDerivatives exposure_terms(double mean, double dispersion) const override {
    MarginalDerivatives d;
    for (const auto& shard : shards_) d += shard->exposure_terms(mean, dispersion);
    return d;
  }
  BackendChoice backend() const override { return shards_.front()->backend(); }

 private:
  std::vector<std::unique_ptr<PoissonCatalog>> shards_;
};

class ShardedNormal : public NormalCatalog {
 public:
  void add(std::unique_ptr<NormalCatalog> shard) { shards_.push_back(std::move(shard)); }
  NormalSums sums(double tau2, double centre) const override {
    NormalSums s;
    for (const auto& shard : shards_) s += shard->sums(tau2, centre);
    return s;
  }
  BackendChoice backend() const override { return shards_.front()->backend(); }

 private:
  std::vector<std::unique_ptr<NormalCatalog>> shards_;
};

TEST(FitShards, GammaPoissonSumsAdd) {
  const test::PoissonCatalogData c = test::simulate_poisson(20000, 2.0, 0.5, 42);
  ShardedPoisson sharded;
  const auto at = cuts(c.counts.size());
  for (std::size_t s = 0; s + 1 < at.size(); ++s) {
    sharded.add(make_catalog(
        PoissonColumns{c.counts.data() + at[s], c.exposures.data() + at[s], at[s + 1] - at[s]},
        Backend::Cpu));
  }
  const auto whole = make_catalog(c.columns(), Backend::Cpu);
  expect_same_histogram(sharded.summary().counts, whole->summary().counts);
  const GammaPoissonFit fs = fit(sharded, cpu());
  const GammaPoissonFit fw = fit(*whole, cpu());
  EXPECT_TRUE(fs.report.converged) << fs.report.note;
  EXPECT_TRUE(test::close(fs.shape.value, fw.shape.value, test::kSameFit));
  EXPECT_TRUE(test::close(fs.rate.value, fw.rate.value, test::kSameFit));
  EXPECT_TRUE(test::close(*fs.rate.std_error, *fw.rate.std_error, test::kSameFit));
}

TEST(FitShards, NormalSumsAdd) {
  const test::NormalCatalogData c = test::simulate_normal(20000, -2.0, 0.8, 43);
  ShardedNormal sharded;
  const auto at = cuts(c.estimates.size());
  for (std::size_t s = 0; s + 1 < at.size(); ++s) {
    sharded.add(make_catalog(
        NormalColumns{c.estimates.data() + at[s], c.std_errors.data() + at[s], at[s + 1] - at[s]},
        Backend::Cpu));
  }
  const auto whole = make_catalog(c.columns(), Backend::Cpu);
  for (FitMethod m : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    FitOptions o = cpu();
    o.method = m;
    const NormalNormalFit fs = fit(sharded, o);
    const NormalNormalFit fw = fit(*whole, o);
    EXPECT_TRUE(test::close(fs.tau2.value, fw.tau2.value, test::kSameFit)) << fit_method_name(m);
    EXPECT_TRUE(test::close(fs.mu.value, fw.mu.value, test::kSameFit)) << fit_method_name(m);
    EXPECT_TRUE(test::close(*fs.tau2.std_error, *fw.tau2.std_error, test::kSameFit));
  }
}

}  // namespace
}  // namespace hbayes
