// The hierarchical log density of kernels/hmc against the independent long-double reference, for
// every likelihood x parameterization x group prior x a few hyperprior kinds: differences of log
// densities between random points (the kernels drop constants), gradients against central
// differences of the reference, and the binomial's stable forms at |theta| = 40.
#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/cauchy.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "hmc/hier_log_density.hpp"
#include "reference/hier_reference.hpp"
#include "support/tolerances.hpp"

namespace hbayes {
namespace {

using kernels::hmc::GroupData;
using kernels::hmc::GroupPrior;
using kernels::hmc::HierModel;
using kernels::hmc::kFirstGroupIndex;
using kernels::hmc::kLogTauIndex;
using kernels::hmc::kMuIndex;
using kernels::hmc::Likelihood;
using kernels::hmc::Parameterization;
using kernels::hmc::Prior;
using kernels::hmc::PriorKind;

struct PriorPair {
  const char* name;
  Prior mu;
  Prior tau;
};

// Every hyperprior kind appears once for mu and once for tau.
const PriorPair kPriorPairs[] = {
    {"NormalHalfCauchy",
     {PriorKind::Normal, 0.0, 0.0, 5.0},
     {PriorKind::HalfCauchy, 0.0, 0.0, 5.0}},
    {"StudentTHalfNormal",
     {PriorKind::StudentT, 3.0, 1.0, 2.5},
     {PriorKind::HalfNormal, 0.0, 0.0, 2.0}},
    {"CauchyHalfStudentT",
     {PriorKind::Cauchy, 0.0, -1.0, 2.0},
     {PriorKind::HalfStudentT, 4.0, 0.0, 3.0}},
};

// Small data sets with the awkward cases in them: binomial groups with 0 and with all successes,
// a trial of one, Poisson zero counts and exposures below one.
std::vector<GroupData> dataset(Likelihood likelihood) {
  switch (likelihood) {
    case Likelihood::Normal:  // eight schools
      return {{28, 15}, {8, 10}, {-3, 16}, {7, 11}, {-1, 9}, {1, 11}, {18, 10}, {12, 18}};
    case Likelihood::Binomial:
      return {{0, 20}, {3, 20}, {7, 25}, {12, 30}, {30, 30}, {1, 5}, {45, 200}, {0, 1}};
    case Likelihood::Poisson:
      return {{0, 1.5}, {3, 2.0}, {12, 4.0}, {7, 0.5}, {40, 10.0}, {1, 0.2}, {150, 30.0}, {5, 5.0}};
  }
  return {};
}

// The kernels' log density and gradient at q, assembled as the contract in hier_log_density.hpp
// states: the hyperparameter term plus one term per group.
double kernel_log_density(const HierModel& m, const std::vector<GroupData>& data,
                          const std::vector<double>& q, std::vector<double>* grad) {
  const double mu = q[kMuIndex];
  const double log_tau = q[kLogTauIndex];
  const double tau = std::exp(log_tau);
  grad->assign(q.size(), 0.0);
  double lp =
      kernels::hmc::hyper_log_density(m, mu, log_tau, &(*grad)[kMuIndex], &(*grad)[kLogTauIndex]);
  for (std::size_t j = 0; j < data.size(); ++j) {
    lp += kernels::hmc::group_log_density(m, mu, tau, q[kFirstGroupIndex + j], data[j],
                                          &(*grad)[kMuIndex], &(*grad)[kLogTauIndex],
                                          &(*grad)[kFirstGroupIndex + j]);
  }
  return lp;
}

// Multiples of 2^-20: with the finite-difference steps below (powers of two no smaller than
// 2^-15) q +- h is exact in double, so the reference sees exactly the intended step.
double on_grid(double x) {
  return std::ldexp(std::round(std::ldexp(x, 20)), -20);
}

// A random point in the region the sampler visits: theta_j spread around mu by tau.
std::vector<double> random_point(const HierModel& m, std::size_t groups, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> mu(-2.0, 2.0);
  std::uniform_real_distribution<double> log_tau(-2.0, 1.5);
  std::normal_distribution<double> z(0.0, 1.2);
  std::vector<double> q(kFirstGroupIndex + groups);
  q[kMuIndex] = on_grid(mu(rng));
  q[kLogTauIndex] = on_grid(log_tau(rng));
  const double tau = std::exp(q[kLogTauIndex]);
  for (std::size_t j = 0; j < groups; ++j) {
    const double u = z(rng);
    q[kFirstGroupIndex + j] =
        on_grid(m.parameterization == Parameterization::NonCentered ? u : q[kMuIndex] + tau * u);
  }
  return q;
}

// d/dq_k of the reference by central differences with one Richardson step (error O(h^4)).
long double reference_partial(const HierModel& m, const std::vector<GroupData>& data,
                              std::vector<double> q, std::size_t k, double h) {
  const double at = q[k];
  const auto f = [&](double x) {
    q[k] = x;
    return reference::hier_reference_log_density(m, data, q);
  };
  const auto central = [&](double step) { return (f(at + step) - f(at - step)) / (2.0L * step); };
  return (4.0L * central(h / 2) - central(h)) / 3.0L;
}

// One case: likelihood, parameterization, Student-t(4) group prior or not, prior pair.
using CaseParam = std::tuple<Likelihood, Parameterization, bool, int>;

HierModel model_of(const CaseParam& param) {
  const PriorPair& priors = kPriorPairs[std::get<3>(param)];
  return HierModel{std::get<0>(param), std::get<1>(param), priors.mu, priors.tau,
                   GroupPrior{std::get<2>(param), std::get<2>(param) ? 4.0 : 0.0}};
}

// Every likelihood x parameterization x group prior x prior pair.
std::vector<CaseParam> all_cases() {
  std::vector<CaseParam> cases;
  for (const Likelihood l : {Likelihood::Normal, Likelihood::Binomial, Likelihood::Poisson}) {
    for (const Parameterization p : {Parameterization::NonCentered, Parameterization::Centered}) {
      for (const bool student_t : {false, true}) {
        for (int priors = 0; priors < 3; ++priors) cases.emplace_back(l, p, student_t, priors);
      }
    }
  }
  return cases;
}

std::string case_label(const CaseParam& param) {
  const char* likelihood[] = {"Normal", "Binomial", "Poisson"};
  const char* parameterization[] = {"NonCentered", "Centered"};
  return std::string(likelihood[static_cast<int>(std::get<0>(param))]) + "_" +
         parameterization[static_cast<int>(std::get<1>(param))] + "_" +
         (std::get<2>(param) ? "StudentT4" : "NormalGroups") + "_" +
         kPriorPairs[std::get<3>(param)].name;
}

std::string describe(const std::vector<double>& q) {
  std::string text = "q = (";
  for (std::size_t k = 0; k < q.size(); ++k) text += (k ? ", " : "") + std::to_string(q[k]);
  return text + ")";
}

class HierLogDensity : public testing::TestWithParam<CaseParam> {};

constexpr int kPoints = 6;
constexpr std::uint64_t kSeed = 20240611;

TEST_P(HierLogDensity, DifferencesMatchReference) {
  const HierModel m = model_of(GetParam());
  const std::vector<GroupData> data = dataset(m.likelihood);
  std::mt19937_64 rng(kSeed);
  std::vector<double> grad;
  std::vector<double> previous = random_point(m, data.size(), rng);
  for (int i = 1; i < kPoints; ++i) {
    const std::vector<double> q = random_point(m, data.size(), rng);
    const double got =
        kernel_log_density(m, data, q, &grad) - kernel_log_density(m, data, previous, &grad);
    const double want =
        static_cast<double>(reference::hier_reference_log_density(m, data, q) -
                            reference::hier_reference_log_density(m, data, previous));
    EXPECT_TRUE(test::close(got, want, test::kLogDensityDifference))
        << "seed " << kSeed << ", point " << i << ": " << got << " vs reference " << want << "\n"
        << describe(q) << "\n"
        << describe(previous);
    previous = q;
  }
}

TEST_P(HierLogDensity, GradientMatchesReferenceDifferences) {
  const HierModel m = model_of(GetParam());
  const std::vector<GroupData> data = dataset(m.likelihood);
  std::mt19937_64 rng(kSeed);
  std::vector<double> grad;
  for (int i = 0; i < kPoints; ++i) {
    const std::vector<double> q = random_point(m, data.size(), rng);
    kernel_log_density(m, data, q, &grad);
    for (std::size_t k = 0; k < q.size(); ++k) {
      const double want = static_cast<double>(reference_partial(m, data, q, k, 0x1p-14));
      EXPECT_TRUE(test::close(grad[k], want, test::kLogDensityGradientFd))
          << "seed " << kSeed << ", point " << i << ", d/dq[" << k << "]: " << grad[k]
          << " vs reference differences " << want << "\n"
          << describe(q);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllModels, HierLogDensity, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<CaseParam>& info) {
                           return case_label(info.param);
                         });

// y log s(theta) + (n - y) log s(-theta) and its derivative in long double, log s(x) written as
// -log(1 + e^-x): the exact values the binomial term must keep where they are tiny.
long double exact_binomial(long double y, long double n, long double theta, long double* d) {
  const long double s = 1.0L / (1.0L + std::exp(-theta));
  const long double t = 1.0L / (1.0L + std::exp(theta));
  *d = y * t - (n - y) * s;
  return -y * std::log1p(std::exp(-theta)) - (n - y) * std::log1p(std::exp(theta));
}

TEST(HierLogDensityExtremes, BinomialTermKeepsTinyValuesAtPlusMinus40) {
  const double n = 50.0;
  for (const double theta : {40.0, -40.0, 36.5, -36.5}) {
    for (const double y : {0.0, n}) {
      double d = 0.0;
      const double got =
          kernels::hmc::group_log_likelihood(Likelihood::Binomial, {y, n}, theta, &d);
      long double want_d = 0.0L;
      const long double want = exact_binomial(y, n, theta, &want_d);
      ASSERT_TRUE(std::isfinite(got) && std::isfinite(d)) << "theta " << theta << ", y " << y;
      // Relative, with no absolute slack: at theta = 40, y = n both are about 2e-16.
      EXPECT_TRUE(test::close(got, static_cast<double>(want), {1e-14, 0.0}))
          << "theta " << theta << ", y " << y << ": " << got << " vs " << (double)want;
      EXPECT_TRUE(test::close(d, static_cast<double>(want_d), {1e-14, 0.0}))
          << "theta " << theta << ", y " << y << ": d " << d << " vs " << (double)want_d;
    }
  }
}

TEST(HierLogDensityExtremes, BinomialModelAtPlusMinus40MatchesReference) {
  const std::vector<GroupData> data = {{0, 30}, {30, 30}, {0, 1}, {1, 1}, {12, 25}};
  for (const Parameterization p : {Parameterization::NonCentered, Parameterization::Centered}) {
    const HierModel m{Likelihood::Binomial, p, kPriorPairs[0].mu, kPriorPairs[0].tau,
                      GroupPrior{true, 4.0}};
    // mu = 0, tau = e^3 ~ 20: theta_j = +-40 (to the grid) in both parameterizations.
    const double log_tau = 3.0;
    const auto point = [&](double sign) {
      std::vector<double> q = {0.0, log_tau};
      for (std::size_t j = 0; j < data.size(); ++j) {
        const double theta = (j % 2 ? sign : -sign) * 40.0;
        q.push_back(
            on_grid(p == Parameterization::NonCentered ? theta / std::exp(log_tau) : theta));
      }
      return q;
    };
    std::vector<double> grad;
    const std::vector<double> plus = point(1.0);
    const std::vector<double> minus = point(-1.0);
    const double got =
        kernel_log_density(m, data, plus, &grad) - kernel_log_density(m, data, minus, &grad);
    const double want = static_cast<double>(reference::hier_reference_log_density(m, data, plus) -
                                            reference::hier_reference_log_density(m, data, minus));
    EXPECT_TRUE(test::close(got, want, test::kLogDensityDifference)) << got << " vs " << want;
    for (const std::vector<double>& q : {plus, minus}) {
      kernel_log_density(m, data, q, &grad);
      for (std::size_t k = 0; k < q.size(); ++k) {
        ASSERT_TRUE(std::isfinite(grad[k])) << describe(q) << ", k " << k;
        const double fd = static_cast<double>(reference_partial(m, data, q, k, 0x1p-14));
        EXPECT_TRUE(test::close(grad[k], fd, test::kLogDensityGradientFd))
            << describe(q) << ", d/dq[" << k << "]: " << grad[k] << " vs " << fd;
      }
    }
  }
}

namespace bm = boost::math;

// A prior's log density by Boost.Math; the half kinds fold the full density at 0 (twice it).
long double boost_log_prior(const Prior& prior, long double x) {
  const long double folded = prior.kind >= PriorKind::HalfNormal ? std::log(2.0L) : 0.0L;
  const long double location = prior.location;
  const long double scale = prior.scale;
  switch (prior.kind) {
    case PriorKind::Normal:
    case PriorKind::HalfNormal:
      return folded + std::log(bm::pdf(bm::normal_distribution<long double>(location, scale), x));
    case PriorKind::StudentT:
    case PriorKind::HalfStudentT:
      return folded - std::log(scale) +
             std::log(bm::pdf(bm::students_t_distribution<long double>(prior.nu),
                              (x - location) / scale));
    case PriorKind::Cauchy:
    case PriorKind::HalfCauchy:
      return folded + std::log(bm::pdf(bm::cauchy_distribution<long double>(location, scale), x));
  }
  return 0.0L;
}

long double boost_log_likelihood(Likelihood likelihood, GroupData d, long double theta) {
  switch (likelihood) {
    case Likelihood::Normal:
      return std::log(bm::pdf(bm::normal_distribution<long double>(theta, d.second), d.first));
    case Likelihood::Binomial:
      return std::log(bm::pdf(
          bm::binomial_distribution<long double>(d.second, 1.0L / (1.0L + std::exp(-theta))),
          d.first));
    case Likelihood::Poisson:
      return std::log(
          bm::pdf(bm::poisson_distribution<long double>(d.second * std::exp(theta)), d.first));
  }
  return 0.0L;
}

// The oracle's own check: its normalised textbook densities against Boost.Math's pdfs, with the
// change of variables written out again, one group at a time, where nothing underflows.
TEST(HierReference, AgreesWithBoostMathPdfs) {
  const double mu = 0.75;
  const double log_tau = -0.25;
  const double u = 0.5;
  const long double tau = std::exp(static_cast<long double>(log_tau));
  for (const CaseParam& param : all_cases()) {
    const HierModel m = model_of(param);
    const GroupData d = m.likelihood == Likelihood::Normal ? GroupData{1.5, 0.8} : GroupData{7, 20};
    const bool non_centered = m.parameterization == Parameterization::NonCentered;
    const long double theta = non_centered ? mu + tau * u : u;
    // p(mu) p(tau) |dtau/dlog tau| p(theta | mu, tau) |dtheta/du| p(data | theta).
    long double want = boost_log_prior(m.mu_prior, mu) + boost_log_prior(m.tau_prior, tau) +
                       log_tau + boost_log_likelihood(m.likelihood, d, theta);
    want += m.group_prior.student_t
                ? std::log(bm::pdf(bm::students_t_distribution<long double>(m.group_prior.nu),
                                   (theta - mu) / tau) /
                           tau)
                : std::log(bm::pdf(bm::normal_distribution<long double>(mu, tau), theta));
    if (non_centered) want += log_tau;
    const long double got = reference::hier_reference_log_density(m, {d}, {mu, log_tau, u});
    EXPECT_TRUE(test::close(static_cast<double>(got), static_cast<double>(want),
                            test::kReferenceLogDensity))
        << case_label(param) << ": " << static_cast<double>(got) << " vs "
        << static_cast<double>(want);
  }
}

}  // namespace
}  // namespace hbayes
