// The whole model's log density and gradient at one chain's position: the hyperprior terms plus
// one term per group (see hier_log_density.hpp). One chain's vectors may be interleaved with other
// chains' (the CUDA layout puts parameter k of all chains side by side), hence the strides.
#pragma once

#include <cstddef>

#include "device_macros.hpp"
#include "hmc/hier_log_density.hpp"
#include "hmc/hier_model.hpp"

namespace hbayes::kernels::hmc {

// Element k of one chain's vector lives at data[k * stride].
struct ChainVector {
  double* data;
  std::size_t stride;
  HBAYES_HD double& operator[](std::size_t k) const { return data[k * stride]; }
};

// The sum of the group terms, with d/du_j written into grad; compiled once per model kind so
// the loop body has nothing to branch on (and the sum left at 0 when !WithValue).
template <bool WithValue>
struct GroupSum {
  GroupScalars s;
  const GroupData* data;
  std::size_t groups;
  ChainVector q;
  ChainVector grad;
  double* d_mu;
  double* d_log_tau;

  template <Likelihood L, Parameterization P, bool StudentT>
  HBAYES_HD double run() const {
    double lp = 0.0;
    for (std::size_t j = 0; j < groups; ++j) {
      lp += group_term<L, P, StudentT, WithValue>(s, q[kFirstGroupIndex + j], data[j], d_mu,
                                                  d_log_tau, &grad[kFirstGroupIndex + j]);
    }
    return lp;
  }
};

// log p(q) up to a constant; writes d log p / dq into grad. q and grad hold 2 + groups entries.
// WithValue = false: the gradient alone (the group terms' values are skipped and the result is
// not the log density; the caller must not use it).
template <bool WithValue = true>
HBAYES_HD inline double log_density_gradient(const HierModel& model, const GroupData* data,
                                             std::size_t groups, ChainVector q,
                                             ChainVector grad) {
  const double mu = q[kMuIndex];
  const double log_tau = q[kLogTauIndex];
  double d_mu = 0.0;
  double d_log_tau = 0.0;
  double log_density = hyper_log_density(model, mu, log_tau, &d_mu, &d_log_tau);
  log_density += dispatch_model(model, GroupSum<WithValue>{group_scalars(model, mu, log_tau), data,
                                                           groups, q, grad, &d_mu, &d_log_tau});
  grad[kMuIndex] = d_mu;
  grad[kLogTauIndex] = d_log_tau;
  return log_density;
}

}  // namespace hbayes::kernels::hmc
