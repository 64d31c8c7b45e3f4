// One HMC transition of one chain: fresh momentum, a fixed number of leapfrog steps (the same for
// every chain in an iteration, so chains advance in lockstep), then a Metropolis accept/reject.
// The ensemble's arrays hold every chain; a chain touches only its own slices, so chains run in
// parallel with no synchronisation.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "device_macros.hpp"
#include "hmc/chain_vector.hpp"
#include "hmc/group_lanes.hpp"
#include "hmc/hier_log_density.hpp"
#include "hmc/hier_model.hpp"
#include "hmc/log_density_gradient.hpp"
#include "hmc/philox.hpp"

namespace hbayes::kernels::hmc {

// Every chain's state. Entry k of chain c's vectors is at c * chain_stride + k * param_stride.
struct EnsembleArrays {
  std::size_t chains;
  std::size_t dim;  // 2 + groups
  std::size_t chain_stride;
  std::size_t param_stride;
  double* position;
  double* gradient;
  double* log_density;  // one per chain
  double* previous;     // the position before the transition (kept for the ChEES criterion)
  double* proposal;     // the end of the trajectory, accepted or not
  double* proposal_gradient;
  double* momentum;  // at the end of the trajectory
  HBAYES_HD ChainVector chain(double* base, std::size_t c) const {
    return ChainVector{base + c * chain_stride, param_stride};
  }
};

// Chain c's vector in `base` as ContiguousVector (the CPU's chain-major layout, unit stride
// known to the compiler) or ChainVector (any layout).
template <class Vector>
HBAYES_HD inline Vector chain_view(const EnsembleArrays& arrays, double* base, std::size_t c) {
  if constexpr (std::is_same<Vector, ContiguousVector>::value) {
    return ContiguousVector{base + c * arrays.chain_stride};
  } else {
    return arrays.chain(base, c);
  }
}

// functor.run<ContiguousVector>(args...) where the chains' vectors are contiguous and the build
// sums in vector lanes (the CPU's chain-major layout: the loops then run unit-stride and
// vectorize), functor.run<ChainVector>(args...) elsewhere; either computes the same bits.
template <class Functor, class... Args>
HBAYES_HD inline void run_on_chain_views(const Functor& functor, bool contiguous,
                                         const Args&... args) {
  if constexpr (kSumLanes > 1) {
    if (contiguous) return functor.template run<ContiguousVector>(args...);
  }
  functor.template run<ChainVector>(args...);
}

// The columns of a chain's record, CmdStan's sampler columns first; then mu, tau, theta_1..J.
enum RecordColumn : int {
  kLogDensity = 0,
  kAcceptStat,
  kStepSize,
  kLeapfrogSteps,
  kDivergent,
  kEnergy,
  kFirstParameter
};

struct TransitionSettings {
  double step_size;
  int leapfrog_steps;
  std::uint64_t seed;
  std::uint64_t iteration;
  bool keep_previous;           // copy the start position to `previous` (warmup only)
  bool write_parameters;        // fill the record's parameter columns (kept draws only)
  double max_energy_error;      // an energy error beyond this is a divergence (Stan: 1000)
};

// The Metropolis decision at the end of chain c's trajectory. A NaN energy compares false
// everywhere: accept probability 0, and the transition counts as divergent.
struct MetropolisOutcome {
  double accept_prob;
  bool divergent;
  bool accept;
};

HBAYES_HD inline MetropolisOutcome metropolis(const TransitionSettings& settings, std::size_t c,
                                              double energy0, double energy1) {
  const double energy_error = energy1 - energy0;
  const bool divergent = !(energy_error <= settings.max_energy_error);
  const double accept_prob =
      divergent ? 0.0 : (energy_error <= 0.0 ? 1.0 : std::exp(-energy_error));
  const ChainStream accept_stream{settings.seed, c, settings.iteration, RandomPurpose::Accept};
  return MetropolisOutcome{accept_prob, divergent,
                           open_uniform(accept_stream.block(0).v[0]) < accept_prob};
}

// A record's sampler columns (CmdStan's lp__ .. energy__) after the decision.
HBAYES_HD inline void write_sampler_columns(double* record, double log_density,
                                            const MetropolisOutcome& m, double step_size,
                                            int steps, double energy0, double energy1) {
  record[kLogDensity] = log_density;
  record[kAcceptStat] = m.accept_prob;
  record[kStepSize] = step_size;
  record[kLeapfrogSteps] = steps;
  record[kDivergent] = m.divergent ? 1.0 : 0.0;
  record[kEnergy] = m.accept ? energy1 : energy0;
}

// One chain's transition at one iteration. records points at the iteration's block of
// chains x record_width values.
struct ChainTransition {
  HierModel model;
  const GroupData* data;
  std::size_t groups;
  EnsembleArrays arrays;
  const double* inverse_metric;  // dim entries, shared by all chains
  const double* momentum_scale;  // 1 / sqrt(inverse_metric): the momenta's standard deviations

  HBAYES_HD void operator()(std::size_t c, const TransitionSettings& settings, double* records,
                            std::size_t record_width) const {
    run_on_chain_views(*this, arrays.param_stride == 1, c, settings, records, record_width);
  }

  // The transition on views of chain c's vectors: ContiguousVector for the CPU's chain-major
  // layout, whose loops over coordinates then vectorize (sums in lanes, group_lanes.hpp).
  template <class Vector>
  HBAYES_CPU_CLONES HBAYES_HD void run(std::size_t c, const TransitionSettings& settings,
                                       double* records, std::size_t record_width) const {
    // Locals, not members or settings fields: the loops store through double pointers, which
    // could alias them, and reloading them every coordinate stops the vectorizer.
    const std::size_t dim = arrays.dim;
    const double* const metric = inverse_metric;
    const double* const scale = momentum_scale;
    const double eps = settings.step_size;
    const double half = 0.5 * eps;
    const int leapfrog_steps = settings.leapfrog_steps;
    const Vector q = chain_view<Vector>(arrays, arrays.position, c);
    const Vector g = chain_view<Vector>(arrays, arrays.gradient, c);
    const Vector q1 = chain_view<Vector>(arrays, arrays.proposal, c);
    const Vector g1 = chain_view<Vector>(arrays, arrays.proposal_gradient, c);
    const Vector p = chain_view<Vector>(arrays, arrays.momentum, c);
    if (settings.keep_previous) {
      const Vector q0 = chain_view<Vector>(arrays, arrays.previous, c);
      for (std::size_t k = 0; k < dim; ++k) q0[k] = q[k];
    }

    // Momentum ~ N(0, M) with M = diag(1 / inverse_metric): standard normals into p first, then
    // scaled by sqrt(M) and given the first leapfrog step's half-kick (from g, the gradient at q);
    // the drift starts the trajectory's copy q1 of the position (and g1 of its gradient).
    fill_standard_normals(
        ChainStream{settings.seed, c, settings.iteration, RandomPurpose::Momentum}, dim, p);
    LaneSums<1> kinetic0;
    for_each_in_lanes(dim, [&](std::size_t k, int l) {
      const double z = p[k];
      kinetic0.lane[0][l] += 0.5 * z * z;
      p[k] = z * scale[k] + half * g[k];
    });
    // (A loop of its own: with more arrays the vectorizer gives up on its aliasing checks.)
    for (std::size_t k = 0; k < dim; ++k) {
      q1[k] = q[k] + eps * metric[k] * p[k];
      g1[k] = g[k];
    }
    const double energy0 = kinetic0.total(0) - arrays.log_density[c];

    // Leapfrog. Inner steps need only the gradient; the log density is evaluated at the end.
    // A chain whose gradient stops being finite stops early: its energy is then not finite
    // either, and the transition is divergent. A step's closing half-kick shares its pass over
    // the coordinates with the next step's half-kick and drift (the same operations in the same
    // order as two passes, so the same bits, with one read and write of p fewer).
    double log_density1 = arrays.log_density[c];
    int steps = 0;
    bool finite = true;
    while (true) {
      ++steps;
      const bool last = steps >= leapfrog_steps;  // (>=: ends after one step even if asked for 0)
      if (last) {
        log_density1 = log_density_gradient<true>(model, data, groups, q1, g1);
      } else {
        log_density_gradient<false>(model, data, groups, q1, g1);
      }
      // The mu and log tau partials sum every group's terms, so a non-finite one shows there.
      finite = std::isfinite(g1[kMuIndex] + g1[kLogTauIndex]);
      if (last || !finite) break;
      for (std::size_t k = 0; k < dim; ++k) {
        // Locals: p, g1 and q1 may alias as far as the compiler knows, and stores between the
        // reads would make it store and reload every coordinate.
        const double kick = half * g1[k];
        const double momentum = (p[k] + kick) + kick;
        p[k] = momentum;
        q1[k] += eps * metric[k] * momentum;
      }
    }
    for (std::size_t k = 0; k < dim; ++k) p[k] += half * g1[k];
    if (!finite) log_density1 = NAN;
    LaneSums<1> kinetic1;
    for_each_in_lanes(
        dim, [&](std::size_t k, int l) { kinetic1.lane[0][l] += 0.5 * metric[k] * p[k] * p[k]; });
    const double energy1 = kinetic1.total(0) - log_density1;

    const MetropolisOutcome outcome = metropolis(settings, c, energy0, energy1);
    if (outcome.accept) {
      for (std::size_t k = 0; k < dim; ++k) {
        q[k] = q1[k];
        g[k] = g1[k];
      }
      arrays.log_density[c] = log_density1;
    }

    double* record = records + c * record_width;
    write_sampler_columns(record, arrays.log_density[c], outcome, eps, steps, energy0, energy1);
    if (settings.write_parameters) {
      const double mu = q[kMuIndex];
      const double tau = std::exp(q[kLogTauIndex]);
      record[kFirstParameter] = mu;
      record[kFirstParameter + 1] = tau;
      for (std::size_t j = 0; j < groups; ++j) {
        record[kFirstParameter + 2 + j] = group_effect(model, mu, tau, q[kFirstGroupIndex + j]);
      }
    }
  }
};

// Every chain through a run of iterations: chains are independent once the step size, metric
// and trajectory lengths are fixed, so a backend can advance each chain through many iterations
// with no synchronisation (records: iterations x chains x record_width).
struct ChainTransitions {
  ChainTransition transition;
  const TransitionSettings* settings;  // one per iteration
  std::size_t iterations;
  double* records;
  std::size_t record_width;

  HBAYES_HD void operator()(std::size_t c) const {
    const std::size_t block = transition.arrays.chains * record_width;
    for (std::size_t t = 0; t < iterations; ++t) {
      transition(c, settings[t], records + t * block, record_width);
    }
  }
};

// Log density and gradient at every chain's position (after the host sets positions).
struct ChainLogDensity {
  HierModel model;
  const GroupData* data;
  std::size_t groups;
  EnsembleArrays arrays;
  HBAYES_HD void operator()(std::size_t c) const {
    arrays.log_density[c] = log_density_gradient(model, data, groups,
                                                 arrays.chain(arrays.position, c),
                                                 arrays.chain(arrays.gradient, c));
  }
};

}  // namespace hbayes::kernels::hmc
