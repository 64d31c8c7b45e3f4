// The whole model's log density and gradient at one chain's position: the hyperprior terms plus
// one term per group (see hier_log_density.hpp). One chain's vectors may be interleaved with other
// chains' (chain_vector.hpp), hence the strides.
#pragma once

#include <cstddef>

#include "device_macros.hpp"
#include "hmc/chain_vector.hpp"
#include "hmc/group_lanes.hpp"
#include "hmc/hier_log_density.hpp"
#include "hmc/hier_model.hpp"

namespace hbayes::kernels::hmc {

// The sum of the group terms, with d/du_j written into grad; compiled once per model kind so
// the loop body has nothing to branch on (and the sum left at 0 when !WithValue). The sums run
// in lanes (group_lanes.hpp); a contiguous chain (the CPU's layout) gets the loop compiled for
// unit stride, which vectorizes.
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
    if constexpr (kSumLanes > 1) {
      if (q.stride == 1 && grad.stride == 1) {
        return sum<L, P, StudentT>(ContiguousVector{q.data}, ContiguousVector{grad.data});
      }
    }
    return sum<L, P, StudentT>(q, grad);
  }

  template <Likelihood L, Parameterization P, bool StudentT, class Vector>
  HBAYES_CPU_CLONES HBAYES_HD double sum(Vector u, Vector grad_u) const {
    enum { kValue, kMu, kLogTau };
    // Locals, not members: the loop's stores through grad_u could otherwise alias them.
    const GroupScalars scalars = s;
    const GroupData* const group_data = data;
    LaneSums<3> sums;
    for_each_in_lanes(groups, [&](std::size_t j, int l) {
      const std::size_t k = kFirstGroupIndex + j;
      sums.lane[kValue][l] += group_term<L, P, StudentT, WithValue>(
          scalars, u[k], group_data[j], &sums.lane[kMu][l], &sums.lane[kLogTau][l], &grad_u[k]);
    });
    *d_mu += sums.total(kMu);
    *d_log_tau += sums.total(kLogTau);
    return sums.total(kValue);
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
