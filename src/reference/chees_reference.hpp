// The ChEES criterion's derivative with respect to the trajectory length (Hoffman, Radul &
// Sountsov 2021), computed serially on the host from the chains' arrays read back: the oracle of
// kernels::Ensemble::chees_gradient (kernels/hmc/warmup_statistics.hpp), which the sampler calls.
#pragma once

#include <vector>

namespace hbayes::reference {

// Chain-major arrays (chains x dim): previous and proposed positions, the proposal's end momentum;
// each chain's acceptance probability, the diagonal inverse metric and the iteration's jitter in
// (0, 1]. Distances are measured in the metric's whitened coordinates. Chains accepting with
// probability 1e-4 or less are left out (the sampler's threshold); 0 when none is left.
double chees_gradient(const std::vector<double>& previous, const std::vector<double>& proposal,
                      const std::vector<double>& momentum, const std::vector<double>& accept,
                      const std::vector<double>& inverse_metric, double jitter);

}  // namespace hbayes::reference
