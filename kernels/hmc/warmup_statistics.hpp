// Cross-chain statistics that warmup adapts from, computed where the chains live, so that warmup
// never copies whole chains x dim arrays to the host (with 4 chains x 1e6 groups that was
// ~160 MB over PCIe per iteration):
//  - the ChEES trajectory-length gradient (src/reference/chees_reference.cpp is the serial
//    reference it is tested against);
//  - per-coordinate running moments of the positions and gradients, pooled over chains, from which
//    the metric windows (MetricAdapter) take their variances once per window.
// Statistics per coordinate take the chains in chain order (work items are blocks of
// coordinates), and sums per chain run over fixed slices of coordinates added in slice order, so
// every result is independent of the thread count and of the block size.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "device_macros.hpp"
#include "hmc/sliced_transition.hpp"
#include "hmc/transition.hpp"

namespace hbayes::kernels::hmc {

// Chains that almost never accept say nothing about the trajectory: their ChEES term is dropped
// and their proposal does not enter the proposals' centre.
constexpr double kMinAcceptForGradient = 1e-4;

HBAYES_HD inline bool usable_for_chees(double accept) {
  return accept > kMinAcceptForGradient;  // false for NaN too
}

// ChEES pass 1, one work item per block of `block` coordinates: the centres the chains' square
// distances are measured from, the mean of the previous positions and the acceptance-weighted
// mean of the proposals (a rejected proposal is not a draw from the target), each a sum over
// the chains divided once (a division per term cost ~1% of warmup). Within a block the
// chains go in order, each over the block's coordinates: every coordinate's sum takes the chains
// in order whatever the block, and a CPU thread reads each chain's stretch contiguously (one
// coordinate per item, the GPU's choice, reads a chain-major row 8 x dim bytes apart). The
// proposal centre is left at 0 when no chain is usable; the gradient is then 0 whatever it holds.
struct CheesCentres {
  EnsembleArrays arrays;
  const double* accept;   // chains acceptance probabilities of the last transition
  double* previous_mean;  // dim
  double* proposal_mean;  // dim
  std::size_t block;      // coordinates per work item

  HBAYES_HD void operator()(std::size_t item) const {
    run_on_chain_views(*this, arrays.param_stride == 1, item);
  }

  template <class Vector>
  HBAYES_CPU_CLONES HBAYES_HD void run(std::size_t item) const {
    const std::size_t first = item * block;
    const std::size_t end = first + block < arrays.dim ? first + block : arrays.dim;
    const double chains = static_cast<double>(arrays.chains);
    for (std::size_t k = first; k < end; ++k) previous_mean[k] = proposal_mean[k] = 0.0;
    double weight_sum = 0.0;
    for (std::size_t c = 0; c < arrays.chains; ++c) {
      const Vector previous = chain_view<Vector>(arrays, arrays.previous, c);
      for (std::size_t k = first; k < end; ++k) previous_mean[k] += previous[k];
      if (!usable_for_chees(accept[c])) continue;
      weight_sum += accept[c];
      const Vector proposal = chain_view<Vector>(arrays, arrays.proposal, c);
      const double weight = accept[c];
      for (std::size_t k = first; k < end; ++k) proposal_mean[k] += weight * proposal[k];
    }
    for (std::size_t k = first; k < end; ++k) {
      previous_mean[k] /= chains;
      proposal_mean[k] = weight_sum > 0.0 ? proposal_mean[k] / weight_sum : 0.0;
    }
  }
};

// What a chain contributes to the ChEES gradient, summed over (a slice of) its coordinates in
// the metric's whitened coordinates (squares weighted by the mass, 1 / inverse metric).
enum CheesTerm : int {
  kSquareChange = 0,  // |x' - E x'|^2 - |x - E x|^2
  kVelocityDot,       // (x' - E x') . v'
  kCheesTerms
};

// ChEES pass 2, one work item per (chain, slice of coordinates): the slice's share of the
// chain's terms. Slices are GroupSlicing's runs over the dim coordinates.
struct CheesSliceTerms {
  EnsembleArrays arrays;
  GroupSlicing slicing;  // of the dim coordinates
  const double* mass;    // 1 / inverse_metric, computed once per metric
  const double* previous_mean;
  const double* proposal_mean;
  double* partials;  // chains x slices x kCheesTerms

  HBAYES_HD void operator()(std::size_t index) const {
    run_on_chain_views(*this, arrays.param_stride == 1 && slicing.stride() == 1, index);
  }

  template <class Vector>
  HBAYES_CPU_CLONES HBAYES_HD void run(std::size_t index) const {
    const std::size_t c = index / slicing.slices, slice = index % slicing.slices;
    const Vector previous = chain_view<Vector>(arrays, arrays.previous, c);
    const Vector proposal = chain_view<Vector>(arrays, arrays.proposal, c);
    const Vector momentum = chain_view<Vector>(arrays, arrays.momentum, c);
    constexpr bool kContiguous = std::is_same<Vector, ContiguousVector>::value;
    const std::size_t stride = kContiguous ? 1 : slicing.stride();
    double square_change = 0.0, velocity_dot = 0.0;
    for (std::size_t k = slicing.first(slice); k < slicing.end(slice); k += stride) {
      const double centred1 = proposal[k] - proposal_mean[k];
      const double centred0 = previous[k] - previous_mean[k];
      square_change += (centred1 * centred1 - centred0 * centred0) * mass[k];
      velocity_dot += centred1 * momentum[k];
    }
    double* partial = partials + index * kCheesTerms;
    partial[kSquareChange] = square_change;
    partial[kVelocityDot] = velocity_dot;
  }
};

// ChEES pass 2's reduction, one work item per chain: its slices' terms in slice order.
struct CheesChainTerms {
  std::size_t slices;
  const double* partials;  // chains x slices x kCheesTerms
  double* terms;           // chains x kCheesTerms

  HBAYES_HD void operator()(std::size_t c) const {
    for (int term = 0; term < kCheesTerms; ++term) {
      double total = 0.0;
      for (std::size_t s = 0; s < slices; ++s)
        total += partials[(c * slices + s) * kCheesTerms + term];
      terms[c * kCheesTerms + term] = total;
    }
  }
};

// The ChEES gradient from the chains' terms (host side: chains values): each usable chain's
// jitter * square_change * velocity_dot, weighted by its acceptance; a chain whose product is
// not finite (a divergent trajectory) is left out of the sum but keeps its weight.
inline double chees_gradient_from_terms(const double* accept, const double* terms,
                                        std::size_t chains, double jitter) {
  double weight_sum = 0.0, weighted_gradient = 0.0;
  for (std::size_t c = 0; c < chains; ++c) {
    if (!usable_for_chees(accept[c])) continue;
    weight_sum += accept[c];
    const double gradient =
        jitter * terms[c * kCheesTerms + kSquareChange] * terms[c * kCheesTerms + kVelocityDot];
    if (std::isfinite(gradient)) weighted_gradient += accept[c] * gradient;
  }
  return weight_sum > 0.0 ? weighted_gradient / weight_sum : 0.0;
}

// The running moments of positions and gradients, one array of dim values per field, and the
// scratch one call adds up before merging them in.
enum MomentField : int {
  kPositionMean = 0,
  kPositionSquares,  // sum of squared deviations from the mean
  kGradientMean,
  kGradientSquares,
  kMomentFields,
  // Scratch: the call's sums over chains of the deviations from the running means, and of their
  // squares.
  kPositionDeviations = kMomentFields,
  kPositionSquaredDeviations,
  kGradientDeviations,
  kGradientSquaredDeviations,
  kMomentBufferFields
};

// Adds the chains' values of one coordinate field to its running moments: a batch of `chains`
// draws merged into `count` (Chan, Golub & LeVeque's update for shifted sums). With deviations
// d_c = x_c - mean from the running mean, S1 = sum d_c and S2 = sum d_c^2, the merged mean is
// mean + S1 / n and the squares grow by S2 - S1^2 / n (n = count + chains): one subtraction, one
// addition and one multiply-add per value and no division, where Welford's one-at-a-time update
// divides twice (the divisions were ~5% of a 64-chain warmup). The first batch takes the first
// chain's values as its mean, so that its squares do not cancel far from zero.
struct MomentBatch {
  double* mean;
  double* squares;
  double* deviations;
  double* squared_deviations;

  HBAYES_HD void start(std::size_t k, double first_value, bool first_batch) const {
    if (first_batch) mean[k] = first_value;
    deviations[k] = 0.0;
    squared_deviations[k] = 0.0;
  }
  HBAYES_HD void add(std::size_t k, double x) const {
    const double d = x - mean[k];
    deviations[k] += d;
    squared_deviations[k] += d * d;
  }
  HBAYES_HD void merge(std::size_t k, double draws) const {
    const double s1 = deviations[k];
    mean[k] += s1 / draws;
    squares[k] += squared_deviations[k] - s1 * s1 / draws;
  }
};

// Adds every chain's position and gradient to the moments, one work item per block of `block`
// coordinates, chains in order (as CheesCentres): after a call the moments hold counts + chains
// draws.
struct AccumulateMoments {
  EnsembleArrays arrays;
  std::size_t count;  // draws already in the moments
  double* moments;    // kMomentBufferFields x dim
  std::size_t block;  // coordinates per work item

  HBAYES_HD void operator()(std::size_t item) const {
    run_on_chain_views(*this, arrays.param_stride == 1, item);
  }

  template <class Vector>
  HBAYES_CPU_CLONES HBAYES_HD void run(std::size_t item) const {
    const std::size_t dim = arrays.dim;
    const std::size_t first = item * block;
    const std::size_t end = first + block < dim ? first + block : dim;
    const MomentBatch position_moments{
        moments + kPositionMean * dim, moments + kPositionSquares * dim,
        moments + kPositionDeviations * dim, moments + kPositionSquaredDeviations * dim};
    const MomentBatch gradient_moments{
        moments + kGradientMean * dim, moments + kGradientSquares * dim,
        moments + kGradientDeviations * dim, moments + kGradientSquaredDeviations * dim};
    const Vector position0 = chain_view<Vector>(arrays, arrays.position, 0);
    const Vector gradient0 = chain_view<Vector>(arrays, arrays.gradient, 0);
    for (std::size_t k = first; k < end; ++k) {
      position_moments.start(k, position0[k], count == 0);
      gradient_moments.start(k, gradient0[k], count == 0);
    }
    // (Separate loops for positions and gradients: fewer arrays per loop, which the vectorizer
    // needs to prove them apart.)
    for (std::size_t c = 0; c < arrays.chains; ++c) {
      const Vector position = chain_view<Vector>(arrays, arrays.position, c);
      for (std::size_t k = first; k < end; ++k) position_moments.add(k, position[k]);
      const Vector gradient = chain_view<Vector>(arrays, arrays.gradient, c);
      for (std::size_t k = first; k < end; ++k) gradient_moments.add(k, gradient[k]);
    }
    const auto draws = static_cast<double>(count + arrays.chains);
    for (std::size_t k = first; k < end; ++k) {
      position_moments.merge(k, draws);
      gradient_moments.merge(k, draws);
    }
  }
};

}  // namespace hbayes::kernels::hmc
