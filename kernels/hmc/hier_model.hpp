// The hierarchical models that `hbayes sample` fits, as plain values that device code can read.
//
//   data_j | theta_j ~ Normal(theta_j, std_error_j^2)            (hier-normal)
//                    | Binomial(trials_j, logistic(theta_j))    (hier-binomial)
//                    | Poisson(exposure_j * exp(theta_j))       (hier-poisson)
//   theta_j          ~ Normal(mu, tau^2) or mu + tau * Student-t(nu)
//   mu ~ prior_mu,  tau ~ prior_tau (a distribution on tau > 0)
//
// The sampler moves on the unconstrained vector q = (mu, log tau, u_1 .. u_J), where u_j is the
// standardised z_j = (theta_j - mu) / tau (non-centered) or theta_j itself (centered).
#pragma once

namespace hbayes::kernels::hmc {

enum class Likelihood { Normal, Binomial, Poisson };
enum class Parameterization { NonCentered, Centered };

// A prior on mu (Normal, StudentT, Cauchy) or on tau (HalfNormal, HalfStudentT, HalfCauchy;
// location is 0 for these). nu is used by the Student-t kinds only.
enum class PriorKind { Normal, StudentT, Cauchy, HalfNormal, HalfStudentT, HalfCauchy };
struct Prior {
  PriorKind kind;
  double nu;
  double location;
  double scale;
};

// The distribution of the group effects around mu: normal, or Student-t with nu degrees of
// freedom (heavier tails let outlying groups escape the pooling).
struct GroupPrior {
  bool student_t;
  double nu;
};

struct HierModel {
  Likelihood likelihood;
  Parameterization parameterization;
  Prior mu_prior;
  Prior tau_prior;
  GroupPrior group_prior;
};

// One group's data: (estimate, std_error), (successes, trials) or (count, exposure).
struct GroupData {
  double first;
  double second;
};

// Position of the hyperparameters and of group j in the unconstrained vector q.
constexpr int kMuIndex = 0;
constexpr int kLogTauIndex = 1;
constexpr int kFirstGroupIndex = 2;

}  // namespace hbayes::kernels::hmc
