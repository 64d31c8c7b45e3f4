// The leapfrog's gradient-only evaluation (log_density_gradient<false>) gives exactly the
// gradient of the full evaluation, for every model kind: the value is skipped, nothing else.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hmc/log_density_gradient.hpp"

namespace hbayes::kernels::hmc {
namespace {

TEST(GradientOnly, EqualsTheFullEvaluationsGradientForEveryModelKind) {
  std::mt19937_64 rng(12);
  std::normal_distribution<double> normal(0.0, 1.5);
  const std::size_t groups = 37;
  for (Likelihood likelihood : {Likelihood::Normal, Likelihood::Binomial, Likelihood::Poisson}) {
    for (Parameterization parameterization :
         {Parameterization::NonCentered, Parameterization::Centered}) {
      for (bool student_t : {false, true}) {
        const HierModel model{likelihood, parameterization, Prior{PriorKind::Normal, 0, 0, 5},
                              Prior{PriorKind::HalfCauchy, 0, 0, 5}, GroupPrior{student_t, 4.0}};
        std::vector<GroupData> data(groups);
        for (std::size_t j = 0; j < groups; ++j) {
          data[j] = likelihood == Likelihood::Normal ? GroupData{normal(rng), 1.0 + j % 3}
                                                     : GroupData{double(j % 11), 10.0 + j};
        }
        std::vector<double> q(kFirstGroupIndex + groups), full(q.size()), only(q.size());
        for (double& x : q) x = normal(rng);
        const double value = log_density_gradient<true>(model, data.data(), groups,
                                                        {q.data(), 1}, {full.data(), 1});
        log_density_gradient<false>(model, data.data(), groups, {q.data(), 1}, {only.data(), 1});
        EXPECT_TRUE(std::isfinite(value));
        EXPECT_EQ(full, only) << "likelihood " << static_cast<int>(likelihood)
                              << ", parameterization " << static_cast<int>(parameterization)
                              << ", student-t " << student_t;
      }
    }
  }
}

}  // namespace
}  // namespace hbayes::kernels::hmc
