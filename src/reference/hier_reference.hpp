// Serial reference log density of the hierarchical models that `hbayes sample` fits, the test
// oracle of kernels/hmc/hier_log_density.hpp.
//
// Written independently of kernels/ (only the model's plain types are shared): every density in
// its textbook normalised form, in long double, summed group by group, with the change of
// variables to the sampler's unconstrained vector spelled out. Never optimised.
#pragma once

#include <vector>

#include "hmc/hier_model.hpp"

namespace hbayes::reference {

// log p(q | data), normalising constants included, at q = (mu, log tau, u_1 .. u_J) (size J + 2,
// laid out as kMuIndex, kLogTauIndex, kFirstGroupIndex + j): the prior densities of mu and tau,
// the group effects' and the data's densities at theta_j(q), and log |d(mu, tau, theta)/dq|.
// data: J groups. Throws std::invalid_argument when the sizes disagree.
long double hier_reference_log_density(const kernels::hmc::HierModel& model,
                                       const std::vector<kernels::hmc::GroupData>& data,
                                       const std::vector<double>& q);

}  // namespace hbayes::reference
