#include "reference/chees_reference.hpp"

#include <cmath>
#include <cstddef>

namespace hbayes::reference {
namespace {

// Chains that almost never accept say nothing about the trajectory (the sampler's threshold,
// kernels::hmc::kMinAcceptForGradient, restated here so that the oracle stands on its own).
constexpr double kMinAccept = 1e-4;

}  // namespace

double chees_gradient(const std::vector<double>& previous, const std::vector<double>& proposal,
                      const std::vector<double>& momentum, const std::vector<double>& accept,
                      const std::vector<double>& inverse_metric, double jitter) {
  const std::size_t chains = accept.size();
  const std::size_t dim = inverse_metric.size();
  // Centres: the mean of the previous positions, and the acceptance-weighted mean of the
  // proposals (a rejected proposal is not a draw from the target).
  std::vector<double> previous_mean(dim, 0.0), proposal_mean(dim, 0.0);
  double weight_sum = 0.0;
  for (std::size_t c = 0; c < chains; ++c) {
    const bool usable = accept[c] > kMinAccept;
    if (usable) weight_sum += accept[c];
    for (std::size_t k = 0; k < dim; ++k) {
      previous_mean[k] += previous[c * dim + k] / static_cast<double>(chains);
      if (usable) proposal_mean[k] += accept[c] * proposal[c * dim + k];
    }
  }
  if (weight_sum <= 0.0) return 0.0;
  for (double& m : proposal_mean) m /= weight_sum;

  double weighted_gradient = 0.0;
  for (std::size_t c = 0; c < chains; ++c) {
    if (!(accept[c] > kMinAccept)) continue;
    double square_change = 0.0;  // |x' - E x'|^2 - |x - E x|^2, whitened
    double velocity_dot = 0.0;   // (x' - E x') . v', whitened
    for (std::size_t k = 0; k < dim; ++k) {
      const double centred1 = proposal[c * dim + k] - proposal_mean[k];
      const double centred0 = previous[c * dim + k] - previous_mean[k];
      square_change += (centred1 * centred1 - centred0 * centred0) / inverse_metric[k];
      velocity_dot += centred1 * momentum[c * dim + k];
    }
    const double gradient = jitter * square_change * velocity_dot;
    if (std::isfinite(gradient)) weighted_gradient += accept[c] * gradient;
  }
  return weighted_gradient / weight_sum;
}

}  // namespace hbayes::reference
