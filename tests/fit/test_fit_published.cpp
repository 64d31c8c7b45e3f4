// Fits against published analyses (data and sources in tests/data): metafor's BCG vaccine
// meta-analysis (REML), the eight schools (tau^2 = 0 by ML and REML), and the Efron-Morris
// baseball data (beta-binomial ML-II). Where a quantity is not published (observed-information
// SEs, the ML fit of BCG), the check is against the serial reference maximised independently here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "fit/fit_data.hpp"
#include "hbayes/fit.hpp"
#include "reference/marginal_reference.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

FitOptions with(FitMethod method, Information information = Information::Observed) {
  FitOptions o;
  o.method = method;
  o.backend = Backend::Cpu;
  o.information = information;
  return o;
}

struct MetaAnalysis {
  std::vector<double> y, se;
  NormalColumns columns() const { return {y.data(), se.data(), y.size()}; }
};

// Log risk ratios and their variances exactly as metafor's escalc(measure = "RR") computes them.
MetaAnalysis bcg() {
  MetaAnalysis m;
  for (const auto& row : test::read_data_csv("bcg.csv")) {
    const double tpos = std::stod(row[3]), tneg = std::stod(row[4]);
    const double cpos = std::stod(row[5]), cneg = std::stod(row[6]);
    const double n1 = tpos + tneg, n2 = cpos + cneg;
    m.y.push_back(std::log(tpos / n1) - std::log(cpos / n2));
    m.se.push_back(std::sqrt(1.0 / tpos - 1.0 / n1 + 1.0 / cpos - 1.0 / n2));
  }
  return m;
}

MetaAnalysis eight_schools() {
  MetaAnalysis m;
  for (const auto& row : test::read_data_csv("eight_schools.csv")) {
    m.y.push_back(std::stod(row[1]));
    m.se.push_back(std::stod(row[2]));
  }
  return m;
}

// Golden-section maximiser of a unimodal function on [lo, hi], in long double.
long double golden_max(const std::function<long double(long double)>& f, long double lo,
                       long double hi) {
  const long double r = (std::sqrt(5.0L) - 1) / 2;
  long double a = hi - r * (hi - lo), b = lo + r * (hi - lo);
  long double fa = f(a), fb = f(b);
  for (int i = 0; i < 200; ++i) {
    if (fa < fb) {
      lo = a;
      a = b;
      fa = fb;
      b = lo + r * (hi - lo);
      fb = f(b);
    } else {
      hi = b;
      b = a;
      fb = fa;
      a = hi - r * (hi - lo);
      fa = f(a);
    }
  }
  return (lo + hi) / 2;
}

TEST(FitPublished, BcgRemlMatchesMetafor) {
  const MetaAnalysis m = bcg();
  ASSERT_EQ(m.y.size(), 13u);
  // metafor reports the REML SE of tau^2 from the expected information.
  const NormalNormalFit f =
      fit(m.columns(), with(FitMethod::RestrictedMaximumLikelihood, Information::Expected));
  EXPECT_TRUE(f.report.converged) << f.report.note;
  EXPECT_LT(f.report.relative_gradient, 1e-10);
  EXPECT_FALSE(f.report.boundary);
  EXPECT_EQ(f.report.groups, 13u);
  EXPECT_TRUE(test::matches_published(f.tau2.value, 0.3132, 4)) << f.tau2.value;
  ASSERT_TRUE(f.tau2.std_error.has_value());
  EXPECT_TRUE(test::matches_published(*f.tau2.std_error, 0.1664, 4)) << *f.tau2.std_error;
  EXPECT_TRUE(test::matches_published(f.mu.value, -0.7145, 4)) << f.mu.value;
  ASSERT_TRUE(f.mu.std_error.has_value());
  EXPECT_TRUE(test::matches_published(*f.mu.std_error, 0.1798, 4)) << *f.mu.std_error;
  // AIC 28.40474 (package performance's test of this fit): logLik = (28.40474 - 4) / -2.
  EXPECT_TRUE(test::matches_published(-2.0 * f.report.log_marginal_likelihood + 4.0, 28.40474, 5))
      << f.report.log_marginal_likelihood;
}

TEST(FitPublished, BcgRemlAgainstIndependentMaximiser) {
  const MetaAnalysis m = bcg();
  const NormalNormalFit f = fit(m.columns(), with(FitMethod::RestrictedMaximumLikelihood));
  const auto reml = [&](long double tau2) {
    return reference::normal_restricted_log_marginal(m.y, m.se, tau2);
  };
  const long double tau2 = golden_max(reml, 0.0L, 5.0L);
  EXPECT_TRUE(test::close(f.tau2.value, static_cast<double>(tau2), test::kSameFit))
      << f.tau2.value << " vs " << static_cast<double>(tau2);
  EXPECT_TRUE(test::close(f.report.log_marginal_likelihood, static_cast<double>(reml(tau2)),
                          test::kMarginalValue));
  // Observed information: minus the second derivative of the reference at its maximum.
  const long double h = 1e-4L;
  const long double d2 = (reml(tau2 + h) - 2 * reml(tau2) + reml(tau2 - h)) / (h * h);
  ASSERT_TRUE(f.tau2.std_error.has_value());
  EXPECT_TRUE(test::close(*f.tau2.std_error, static_cast<double>(1 / std::sqrt(-d2)), {1e-6, 0}))
      << *f.tau2.std_error << " vs " << static_cast<double>(1 / std::sqrt(-d2));
  // tau's SE by the delta method.
  ASSERT_TRUE(f.tau.std_error.has_value());
  EXPECT_TRUE(
      test::close(*f.tau.std_error, *f.tau2.std_error / (2 * std::sqrt(f.tau2.value)), {1e-14, 0}));
}

TEST(FitPublished, BcgMlAgainstIndependentMaximiser) {
  const MetaAnalysis m = bcg();
  const NormalNormalFit f = fit(m.columns(), with(FitMethod::MaximumLikelihood));
  EXPECT_TRUE(f.report.converged) << f.report.note;
  // The ML profile over mu: the reference at mu = the weighted mean for each tau^2.
  const auto mu_at = [&](long double tau2) {
    long double sw = 0, swy = 0;
    for (std::size_t j = 0; j < m.y.size(); ++j) {
      const long double w = 1 / (tau2 + static_cast<long double>(m.se[j]) * m.se[j]);
      sw += w;
      swy += w * m.y[j];
    }
    return swy / sw;
  };
  const auto profile = [&](long double tau2) {
    return reference::normal_log_marginal(m.y, m.se, mu_at(tau2), tau2);
  };
  const long double tau2 = golden_max(profile, 0.0L, 5.0L);
  EXPECT_TRUE(test::close(f.tau2.value, static_cast<double>(tau2), test::kSameFit))
      << f.tau2.value << " vs " << static_cast<double>(tau2);
  EXPECT_TRUE(test::close(f.mu.value, static_cast<double>(mu_at(tau2)), test::kSameFit));
  EXPECT_TRUE(test::close(f.report.log_marginal_likelihood, static_cast<double>(profile(tau2)),
                          test::kMarginalValue));
  // Observed-information SEs: the inverse of minus the reference's Hessian in (mu, tau^2).
  const auto ll = [&](long double mu, long double t2) {
    return reference::normal_log_marginal(m.y, m.se, mu, t2);
  };
  const long double mu = mu_at(tau2), h = 1e-4L;
  const long double haa = (ll(mu + h, tau2) - 2 * ll(mu, tau2) + ll(mu - h, tau2)) / (h * h);
  const long double hbb = (ll(mu, tau2 + h) - 2 * ll(mu, tau2) + ll(mu, tau2 - h)) / (h * h);
  const long double hab =
      (ll(mu + h, tau2 + h) - ll(mu + h, tau2 - h) - ll(mu - h, tau2 + h) + ll(mu - h, tau2 - h)) /
      (4 * h * h);
  const long double det = haa * hbb - hab * hab;
  ASSERT_TRUE(f.mu.std_error && f.tau2.std_error);
  EXPECT_TRUE(test::close(*f.mu.std_error, static_cast<double>(std::sqrt(-hbb / det)), {1e-6, 0}));
  EXPECT_TRUE(
      test::close(*f.tau2.std_error, static_cast<double>(std::sqrt(-haa / det)), {1e-6, 0}));
}

TEST(FitPublished, EightSchoolsTauZeroByMlAndReml) {
  const MetaAnalysis m = eight_schools();
  for (FitMethod method : {FitMethod::MaximumLikelihood, FitMethod::RestrictedMaximumLikelihood}) {
    const NormalNormalFit f = fit(m.columns(), with(method));
    const std::string name = fit_method_name(method);
    EXPECT_EQ(f.tau2.value, 0.0) << name;
    EXPECT_EQ(f.tau.value, 0.0) << name;
    EXPECT_TRUE(f.report.boundary) << name;
    EXPECT_LE(f.report.boundary_score, 0.0) << name;
    EXPECT_TRUE(f.report.converged) << name << ": " << f.report.note;
    EXPECT_FALSE(f.tau2.std_error.has_value()) << name;
    EXPECT_FALSE(f.tau.std_error.has_value()) << name;
    EXPECT_TRUE(test::matches_published(f.mu.value, 7.686, 3)) << name << ": " << f.mu.value;
    ASSERT_TRUE(f.mu.std_error.has_value()) << name;
    EXPECT_TRUE(test::matches_published(*f.mu.std_error, 4.072, 3)) << *f.mu.std_error;
    EXPECT_TRUE(std::isfinite(f.report.log_marginal_likelihood));
  }
}

TEST(FitPublished, EfronMorrisBaseballMlConcentration) {
  std::vector<std::int64_t> hits, at_bats;
  for (const auto& row : test::read_data_csv("efron_morris_1975.csv")) {
    hits.push_back(std::stoll(row[1]));
    at_bats.push_back(std::stoll(row[2]));
  }
  ASSERT_EQ(hits.size(), 18u);
  const BinomialColumns data{hits.data(), at_bats.data(), hits.size()};
  const BetaBinomialFit f = fit(data, with(FitMethod::MaximumLikelihood));
  EXPECT_TRUE(f.report.converged) << f.report.note;
  EXPECT_FALSE(f.report.boundary);
  // Oracle: tests/data/make_efron_morris_fixture.py (mpmath, 40 digits): alpha + beta =
  // 793.23682104955842833, mean 0.26543250437987743653, max log likelihood -45.343896255089870577.
  EXPECT_TRUE(test::close(1.0 / f.dispersion.value, 793.23682104955842833, test::kSameFit))
      << 1.0 / f.dispersion.value;
  EXPECT_TRUE(test::close(f.alpha.value + f.beta.value, 793.23682104955842833, test::kSameFit));
  EXPECT_TRUE(test::close(f.mean.value, 0.26543250437987743653, test::kSameFit)) << f.mean.value;
  EXPECT_TRUE(
      test::close(f.report.log_marginal_likelihood, -45.343896255089870577, test::kMarginalValue));
  // The naive method of moments on raw proportions (no sampling variance removed) overstates
  // the prior variance: concentration 39.2 (same oracle), twenty times too little pooling.
  double mean = 0.0, var = 0.0;
  for (std::int64_t y : hits) mean += y / 45.0 / 18.0;
  for (std::int64_t y : hits) var += (y / 45.0 - mean) * (y / 45.0 - mean) / 17.0;
  EXPECT_TRUE(test::close(mean * (1 - mean) / var - 1, 39.205675725642447772, {1e-12, 0}));
  // hbayes's method of moments removes the sampling variance (test_fit_boundaries checks its
  // formula); it lands far closer to the ML-II answer than 39.
  const BetaBinomialFit mom = fit(data, with(FitMethod::Moments));
  EXPECT_GT(1.0 / mom.dispersion.value, 200.0);
}

}  // namespace
}  // namespace hbayes
