// The seed notes' empirical Bayes examples (shared/seed/hierarchical-bayes-notes.txt), through the
// library: the method of moments (their worked example and their hard practice problem), the
// scoring that follows, and ML/REML on the same data. With equal standard errors ML and REML have
// closed forms (tau^2 = max(0, sum (y - ybar)^2 / J - se^2) and max(0, S^2 - se^2)), which is
// what the Newton fits are checked against.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hbayes/fit.hpp"
#include "hbayes/score.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

constexpr test::Tolerance kClosedForm{1e-12, 1e-15};

FitOptions with(FitMethod method) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  return o;
}

TEST(FitSeed, WorkedExampleMethodOfMoments) {
  // ybar = (9, 11, 10), n_j = 5, sigma^2 = 4: sampling variance 4/5 each.
  const std::vector<double> y = {9, 11, 10};
  const std::vector<double> se(3, std::sqrt(0.8));
  const NormalColumns data{y.data(), se.data(), y.size()};
  const NormalNormalFit f = fit(data, with(FitMethod::Moments));
  EXPECT_TRUE(test::close(f.mu.value, 10.0, kClosedForm)) << f.mu.value;
  EXPECT_TRUE(test::close(f.tau2.value, 0.2, kClosedForm)) << f.tau2.value;  // 1 - 0.8
  EXPECT_FALSE(f.report.boundary);
  EXPECT_FALSE(f.tau2.std_error.has_value());
  // Scored with the fitted prior, group 1 (ybar = 9) has weight 0.2 and posterior mean 9.8.
  ScoreOptions so;
  so.backend = Backend::Cpu;
  const PosteriorTable t = score(data, NormalNormalPrior{f.mu.value, f.tau.value}, so);
  EXPECT_TRUE(test::close(t.data_weight[0], 0.2, kClosedForm)) << t.data_weight[0];
  EXPECT_TRUE(test::close(t.post_mean[0], 9.8, kClosedForm)) << t.post_mean[0];
}

TEST(FitSeed, WorkedExampleMlAndReml) {
  const std::vector<double> y = {9, 11, 10};
  const std::vector<double> se(3, std::sqrt(0.8));
  const NormalColumns data{y.data(), se.data(), y.size()};
  // ML: sum (y - 10)^2 / 3 = 2/3 < 0.8, so tau^2 = 0 exactly, on the boundary.
  const NormalNormalFit ml = fit(data, with(FitMethod::MaximumLikelihood));
  EXPECT_EQ(ml.tau2.value, 0.0);
  EXPECT_TRUE(ml.report.boundary);
  EXPECT_LE(ml.report.boundary_score, 0.0);
  EXPECT_TRUE(ml.report.converged);
  // REML: S^2 - 0.8 = 0.2, in the interior.
  const NormalNormalFit reml = fit(data, with(FitMethod::RestrictedMaximumLikelihood));
  EXPECT_TRUE(test::close(reml.tau2.value, 0.2, test::kSameFit)) << reml.tau2.value;
  EXPECT_TRUE(reml.report.converged) << reml.report.note;
  EXPECT_FALSE(reml.report.boundary);
  EXPECT_GT(reml.report.boundary_score, 0.0);
}

TEST(FitSeed, HardPracticeProblem) {
  // ybar = (4.8, 5.1, 4.9, 5.0, 6.2), n_j = 5, sigma^2 = 1: sampling variance 0.2.
  const std::vector<double> y = {4.8, 5.1, 4.9, 5.0, 6.2};
  const std::vector<double> se(5, std::sqrt(0.2));
  const NormalColumns data{y.data(), se.data(), y.size()};
  const NormalNormalFit mom = fit(data, with(FitMethod::Moments));
  EXPECT_TRUE(test::close(mom.mu.value, 5.2, kClosedForm)) << mom.mu.value;
  EXPECT_TRUE(test::close(mom.tau2.value, 0.125, kClosedForm)) << mom.tau2.value;  // 0.325 - 0.2
  const NormalNormalFit reml = fit(data, with(FitMethod::RestrictedMaximumLikelihood));
  EXPECT_TRUE(test::close(reml.tau2.value, 0.125, test::kSameFit)) << reml.tau2.value;
  const NormalNormalFit ml = fit(data, with(FitMethod::MaximumLikelihood));
  EXPECT_TRUE(test::close(ml.tau2.value, 1.3 / 5.0 - 0.2, test::kSameFit)) << ml.tau2.value;
  EXPECT_TRUE(test::close(ml.mu.value, 5.2, test::kSameFit)) << ml.mu.value;
}

TEST(FitSeed, VaryingInterceptExample) {
  // ybar = (5.2, 4.8, 6.1, 5.5), n_j = 10, sigma^2 = 1: tau^2 = 0.3 - 0.1 = 0.2, kappa = 2/3,
  // and the posterior mean of alpha_3 is 5.4 + (2/3)(6.1 - 5.4) = 5.8667.
  const std::vector<double> y = {5.2, 4.8, 6.1, 5.5};
  const std::vector<double> se(4, std::sqrt(0.1));
  const NormalColumns data{y.data(), se.data(), y.size()};
  const NormalNormalFit mom = fit(data, with(FitMethod::Moments));
  EXPECT_TRUE(test::close(mom.tau2.value, 0.2, kClosedForm)) << mom.tau2.value;
  ScoreOptions so;
  so.backend = Backend::Cpu;
  const PosteriorTable t = score(data, NormalNormalPrior{mom.mu.value, mom.tau.value}, so);
  EXPECT_TRUE(test::close(t.data_weight[2], 2.0 / 3.0, kClosedForm));
  EXPECT_TRUE(test::close(t.post_mean[2], 5.4 + 0.7 * 2.0 / 3.0, kClosedForm)) << t.post_mean[2];
}

}  // namespace
}  // namespace hbayes
