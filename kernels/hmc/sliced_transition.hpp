// Group-parallel HMC transitions, for few chains with many groups (4 chains x 1e6 groups).
//
// transition.hpp gives each chain one thread for a whole transition, which leaves a GPU (or a
// many-core CPU) nearly idle when there are only a handful of chains. Here the groups of every
// chain are cut into slices, and a transition becomes a sequence of dispatches:
//
//   SliceStart   (chain, slice)  momentum for the slice's groups, first half-kick and drift
//   ChainStart   (chain)         the same for mu and log tau; energy at the start
//   per leapfrog step:
//     SliceStep  (chain, slice)  [kick, drift,] gradient of the slice's group terms, kick;
//                                 partial sums of d/dmu, d/dlog tau (and value, kinetic energy)
//     ChainStep  (chain)         adds the slices' partial sums (a segmented reduction, in slice
//                                 order) and the hyperprior; kick and drift of mu and log tau;
//                                 after the last step the Metropolis decision and the record
//   SliceFinish  (chain, slice)  the accepted state and the group columns of the record
//
// The group coordinates' leapfrog updates need nothing from other groups, and a group term needs
// only (mu, log tau) from outside its slice, so this is the same transition as transition.hpp's:
// same momenta (the same Philox words), same step count, same accept decision up to the order of
// summation over groups. Sums run in slice order with a fixed slicing, so results depend on the
// slicing but never on the number of threads.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "device_macros.hpp"
#include "hmc/chain_vector.hpp"
#include "hmc/group_lanes.hpp"
#include "hmc/hier_log_density.hpp"
#include "hmc/hier_model.hpp"
#include "hmc/log_density_gradient.hpp"
#include "hmc/philox.hpp"
#include "hmc/transition.hpp"

namespace hbayes::kernels::hmc {

// Which groups slice s of `slices` holds: contiguous runs (the CPU: a thread streams through its
// own stretch of memory) or every slices-th group (the GPU: neighbouring threads read
// neighbouring groups, so a warp's loads coalesce).
struct GroupSlicing {
  std::size_t groups;
  std::size_t slices;  // per chain, 1 <= slices <= groups
  bool interleaved;

  HBAYES_HD std::size_t run_length() const { return (groups + slices - 1) / slices; }
  HBAYES_HD std::size_t first(std::size_t s) const { return interleaved ? s : s * run_length(); }
  HBAYES_HD std::size_t stride() const { return interleaved ? slices : 1; }
  HBAYES_HD std::size_t end(std::size_t s) const {
    if (interleaved) return groups;
    const std::size_t e = (s + 1) * run_length();
    return e < groups ? e : groups;
  }
};

// One slice's partial sums over its groups.
enum SlicePartial : int { kPartialMu = 0, kPartialLogTau, kPartialValue, kPartialKinetic, kPartials };
// What a chain carries between dispatches of one transition.
enum SlicedChainState : int { kStateEnergy0 = 0, kStateStopped, kStateAccepted, kStateFields };

// Everything the dispatches share: the ensemble plus the slices' and chains' scratch arrays.
struct SlicedEnsemble {
  HierModel model;
  const GroupData* data;
  GroupSlicing slicing;
  EnsembleArrays arrays;
  const double* inverse_metric;
  const double* momentum_scale;  // 1 / sqrt(inverse_metric): the momenta's standard deviations
  double* partials;     // chains x slices x kPartials
  double* chain_state;  // chains x kStateFields

  HBAYES_HD double* partial(std::size_t c, std::size_t s) const {
    return partials + (c * slicing.slices + s) * kPartials;
  }
  HBAYES_HD double* state(std::size_t c) const { return chain_state + c * kStateFields; }
  // The sum of one partial over a chain's slices, in slice order.
  HBAYES_HD double sum_partials(std::size_t c, int field) const {
    double total = 0.0;
    for (std::size_t s = 0; s < slicing.slices; ++s) total += partial(c, s)[field];
    return total;
  }
};

// The loop over one slice's groups at one leapfrog step (or a plain gradient evaluation),
// compiled once per model kind like log_density_gradient.hpp's GroupSum, and like it summing in
// lanes, with a unit-stride version for contiguous slices (the CPU's). With KickDrift, the
// step's first half-kick and drift come first; with EndKick, the second half-kick follows the
// gradient (and, with WithValue, the kinetic energy of the group coordinates is summed after it).
// These are template parameters, not run-time flags, so that the loop has no branches to
// vectorize around. Writes the slice's partial sums.
template <bool WithValue, bool KickDrift, bool EndKick>
struct SliceGroupTerms {
  GroupScalars s;
  const GroupData* data;
  GroupSlicing slicing;
  std::size_t slice;
  ChainVector x;  // where the group terms are evaluated
  ChainVector grad;
  ChainVector momentum;
  const double* inverse_metric;
  double half_step;
  double* partial;

  template <Likelihood L, Parameterization P, bool StudentT>
  HBAYES_HD double run() const {
    if constexpr (kSumLanes > 1) {
      if (slicing.stride() == 1 && x.stride == 1 && grad.stride == 1 && momentum.stride == 1) {
        return sum<L, P, StudentT>(ContiguousVector{x.data}, ContiguousVector{grad.data},
                                   ContiguousVector{momentum.data});
      }
    }
    return sum<L, P, StudentT>(x, grad, momentum);
  }

  template <Likelihood L, Parameterization P, bool StudentT, class Vector>
  HBAYES_CPU_CLONES HBAYES_HD double sum(Vector x_, Vector grad_, Vector momentum_) const {
    constexpr bool kContiguous = std::is_same<Vector, ContiguousVector>::value;
    constexpr bool kKinetic = EndKick && WithValue;
    const std::size_t first = slicing.first(slice);
    const std::size_t stride = kContiguous ? 1 : slicing.stride();
    const std::size_t end = slicing.end(slice);
    const std::size_t count = end > first ? (end - first + stride - 1) / stride : 0;
    // Locals, not members: the loop's stores through double pointers could otherwise alias
    // them, and reloading them every group stops the vectorizer.
    const GroupScalars scalars = s;
    const GroupData* const groups = data;
    const double* const metric = inverse_metric;
    const double half = half_step;
    LaneSums<kPartials> sums;
    for_each_in_lanes(count, [&](std::size_t i, int l) {
      const std::size_t j = first + i * stride;
      const std::size_t k = kFirstGroupIndex + j;
      if constexpr (KickDrift) {
        momentum_[k] += half * grad_[k];
        x_[k] += 2.0 * half * metric[k] * momentum_[k];
      }
      sums.lane[kPartialValue][l] += group_term<L, P, StudentT, WithValue>(
          scalars, x_[k], groups[j], &sums.lane[kPartialMu][l], &sums.lane[kPartialLogTau][l],
          &grad_[k]);
      if constexpr (EndKick) momentum_[k] += half * grad_[k];
      if constexpr (kKinetic) {
        sums.lane[kPartialKinetic][l] += 0.5 * metric[k] * momentum_[k] * momentum_[k];
      }
    });
    for (int field = 0; field < kPartials; ++field) partial[field] = sums.total(field);
    return partial[kPartialValue];
  }
};

// ---- Log density and gradient at every chain's position (after the host sets positions) ------

struct SliceLogDensity {
  SlicedEnsemble e;
  HBAYES_HD void operator()(std::size_t index) const {
    const std::size_t c = index / e.slicing.slices, slice = index % e.slicing.slices;
    const ChainVector q = e.arrays.chain(e.arrays.position, c);
    const ChainVector g = e.arrays.chain(e.arrays.gradient, c);
    dispatch_model(
        e.model, SliceGroupTerms<true, false, false>{
                     group_scalars(e.model, q[kMuIndex], q[kLogTauIndex]), e.data, e.slicing, slice,
                     q, g, g, e.inverse_metric, 0.0, e.partial(c, slice)});
  }
};

struct ChainLogDensitySum {
  SlicedEnsemble e;
  HBAYES_HD void operator()(std::size_t c) const {
    const ChainVector q = e.arrays.chain(e.arrays.position, c);
    const ChainVector g = e.arrays.chain(e.arrays.gradient, c);
    double d_mu = e.sum_partials(c, kPartialMu);
    double d_log_tau = e.sum_partials(c, kPartialLogTau);
    const double value = e.sum_partials(c, kPartialValue) +
                         hyper_log_density(e.model, q[kMuIndex], q[kLogTauIndex], &d_mu, &d_log_tau);
    g[kMuIndex] = d_mu;
    g[kLogTauIndex] = d_log_tau;
    e.arrays.log_density[c] = value;
  }
};

// ---- One transition ---------------------------------------------------------------------------

// Starts chain c's trajectory coordinate by coordinate: draws the momentum, makes the starting
// copies and takes the first leapfrog step's half-kick and drift (which need nothing outside the
// coordinate); each call returns the coordinate's share of the starting kinetic energy.
struct CoordinateStart {
  ChainVector q, g, q1, g1, p, q0;
  MomentumNormals normal;
  const double* inverse_metric;
  const double* momentum_scale;
  double eps;
  bool keep_previous;

  HBAYES_HD CoordinateStart(const SlicedEnsemble& e, const TransitionSettings& settings,
                            std::size_t c)
      : q(e.arrays.chain(e.arrays.position, c)),
        g(e.arrays.chain(e.arrays.gradient, c)),
        q1(e.arrays.chain(e.arrays.proposal, c)),
        g1(e.arrays.chain(e.arrays.proposal_gradient, c)),
        p(e.arrays.chain(e.arrays.momentum, c)),
        q0(e.arrays.chain(e.arrays.previous, c)),
        normal{{settings.seed, c, settings.iteration, RandomPurpose::Momentum}},
        inverse_metric(e.inverse_metric),
        momentum_scale(e.momentum_scale),
        eps(settings.step_size),
        keep_previous(settings.keep_previous) {}

  HBAYES_HD double operator()(std::size_t k) {
    if (keep_previous) q0[k] = q[k];
    const double z = normal(k);
    p[k] = z * momentum_scale[k] + 0.5 * eps * g[k];
    q1[k] = q[k] + eps * inverse_metric[k] * p[k];
    g1[k] = g[k];
    return 0.5 * z * z;
  }
};

// The trajectory's start for the slice's group coordinates.
struct SliceStart {
  SlicedEnsemble e;
  TransitionSettings settings;
  HBAYES_HD void operator()(std::size_t index) const { run(index); }

  // Cloned (device_macros.hpp), so that the momenta's branch-free math runs with the CPU's FMA
  // instructions instead of a libm call per fused multiply-add.
  HBAYES_CPU_CLONES HBAYES_HD void run(std::size_t index) const {
    const std::size_t c = index / e.slicing.slices, slice = index % e.slicing.slices;
    CoordinateStart start(e, settings, c);
    double kinetic0 = 0.0;
    for (std::size_t j = e.slicing.first(slice); j < e.slicing.end(slice); j += e.slicing.stride()) {
      kinetic0 += start(kFirstGroupIndex + j);
    }
    e.partial(c, slice)[kPartialKinetic] = kinetic0;
  }
};

// The same for mu and log tau, and the energy at the start of the trajectory.
struct ChainStart {
  SlicedEnsemble e;
  TransitionSettings settings;
  HBAYES_HD void operator()(std::size_t c) const {
    CoordinateStart start(e, settings, c);
    double kinetic0 = e.sum_partials(c, kPartialKinetic);
    for (std::size_t k = kMuIndex; k < kFirstGroupIndex; ++k) kinetic0 += start(k);
    double* state = e.state(c);
    state[kStateEnergy0] = kinetic0 - e.arrays.log_density[c];
    state[kStateStopped] = 0.0;
    state[kStateAccepted] = 0.0;
  }
};

// One leapfrog step's group terms for a slice, with or without the step's first kick and drift.
template <bool WithValue>
HBAYES_HD inline void step_terms(const SlicedEnsemble& e, const GroupScalars& s, std::size_t slice,
                                 bool kick_drift, double half, ChainVector q1, ChainVector g1,
                                 ChainVector p, double* partial) {
  if (kick_drift) {
    dispatch_model(e.model,
                   SliceGroupTerms<WithValue, true, true>{s, e.data, e.slicing, slice, q1, g1, p,
                                                          e.inverse_metric, half, partial});
  } else {
    dispatch_model(e.model,
                   SliceGroupTerms<WithValue, false, true>{s, e.data, e.slicing, slice, q1, g1, p,
                                                           e.inverse_metric, half, partial});
  }
}

// Leapfrog step `step` (1-based) for the slice's groups. The drift of mu and log tau for this
// step has already happened (ChainStart or the previous ChainStep).
struct SliceStep {
  SlicedEnsemble e;
  TransitionSettings settings;
  int step;
  HBAYES_HD void operator()(std::size_t index) const {
    const std::size_t c = index / e.slicing.slices, slice = index % e.slicing.slices;
    if (e.state(c)[kStateStopped] != 0.0) return;
    const EnsembleArrays& a = e.arrays;
    const ChainVector q1 = a.chain(a.proposal, c), g1 = a.chain(a.proposal_gradient, c);
    const ChainVector p = a.chain(a.momentum, c);
    const GroupScalars s = group_scalars(e.model, q1[kMuIndex], q1[kLogTauIndex]);
    const bool last = step == settings.leapfrog_steps;
    const double half = 0.5 * settings.step_size;
    const bool kick_drift = step > 1;  // step 1's came with the momentum draw
    if (last) {
      step_terms<true>(e, s, slice, kick_drift, half, q1, g1, p, e.partial(c, slice));
    } else {
      step_terms<false>(e, s, slice, kick_drift, half, q1, g1, p, e.partial(c, slice));
    }
  }
};

// Completes step `step` for mu and log tau: their gradient from the slices' partial sums and the
// hyperprior, the second half-kick, then either the next step's half-kick and drift or, after
// the last step (or a non-finite gradient, which ends the trajectory as in transition.hpp), the
// Metropolis decision and the record's sampler columns (and mu, tau).
struct ChainStep {
  SlicedEnsemble e;
  TransitionSettings settings;
  int step;
  double* records;  // this iteration's chains x record_width block
  std::size_t record_width;

  HBAYES_HD void operator()(std::size_t c) const {
    double* state = e.state(c);
    if (state[kStateStopped] != 0.0) return;
    const EnsembleArrays& a = e.arrays;
    const ChainVector q = a.chain(a.position, c), g = a.chain(a.gradient, c);
    const ChainVector q1 = a.chain(a.proposal, c), g1 = a.chain(a.proposal_gradient, c);
    const ChainVector p = a.chain(a.momentum, c);
    const double eps = settings.step_size;
    const bool last = step == settings.leapfrog_steps;
    double d_mu = e.sum_partials(c, kPartialMu);
    double d_log_tau = e.sum_partials(c, kPartialLogTau);
    const double hyper = hyper_log_density(e.model, q1[kMuIndex], q1[kLogTauIndex], &d_mu, &d_log_tau);
    g1[kMuIndex] = d_mu;
    g1[kLogTauIndex] = d_log_tau;
    const bool finite = std::isfinite(d_mu + d_log_tau);
    for (std::size_t k = kMuIndex; k < kFirstGroupIndex; ++k) p[k] += 0.5 * eps * g1[k];
    if (finite && !last) {
      for (std::size_t k = kMuIndex; k < kFirstGroupIndex; ++k) {
        p[k] += 0.5 * eps * g1[k];
        q1[k] += eps * e.inverse_metric[k] * p[k];
      }
      return;
    }
    state[kStateStopped] = 1.0;

    const double log_density1 = finite ? hyper + e.sum_partials(c, kPartialValue) : NAN;
    double kinetic1 = finite ? e.sum_partials(c, kPartialKinetic) : 0.0;
    for (std::size_t k = kMuIndex; k < kFirstGroupIndex; ++k) {
      kinetic1 += 0.5 * e.inverse_metric[k] * p[k] * p[k];
    }
    const double energy0 = state[kStateEnergy0];
    const double energy1 = kinetic1 - log_density1;
    const MetropolisOutcome outcome = metropolis(settings, c, energy0, energy1);
    state[kStateAccepted] = outcome.accept ? 1.0 : 0.0;
    if (outcome.accept) {
      for (std::size_t k = kMuIndex; k < kFirstGroupIndex; ++k) {
        q[k] = q1[k];
        g[k] = g1[k];
      }
      a.log_density[c] = log_density1;
    }

    double* record = records + c * record_width;
    write_sampler_columns(record, a.log_density[c], outcome, eps, step, energy0, energy1);
    if (settings.write_parameters) {
      record[kFirstParameter] = q[kMuIndex];
      record[kFirstParameter + 1] = std::exp(q[kLogTauIndex]);
    }
  }
};

// The accepted state for the slice's groups, and their columns of the record.
struct SliceFinish {
  SlicedEnsemble e;
  TransitionSettings settings;
  double* records;
  std::size_t record_width;

  HBAYES_HD void operator()(std::size_t index) const {
    const std::size_t c = index / e.slicing.slices, slice = index % e.slicing.slices;
    const EnsembleArrays& a = e.arrays;
    const ChainVector q = a.chain(a.position, c), g = a.chain(a.gradient, c);
    const ChainVector q1 = a.chain(a.proposal, c), g1 = a.chain(a.proposal_gradient, c);
    const bool accepted = e.state(c)[kStateAccepted] != 0.0;
    const double mu = q[kMuIndex];
    const double tau = std::exp(q[kLogTauIndex]);
    // Records are only kFirstParameter wide when no draw is kept: no pointer past them then.
    double* record = settings.write_parameters
                         ? records + c * record_width + kFirstParameter + kFirstGroupIndex
                         : nullptr;
    for (std::size_t j = e.slicing.first(slice); j < e.slicing.end(slice); j += e.slicing.stride()) {
      const std::size_t k = kFirstGroupIndex + j;
      if (accepted) {
        q[k] = q1[k];
        g[k] = g1[k];
      }
      if (record != nullptr) record[j] = group_effect(e.model, mu, tau, q[k]);
    }
  }
};

}  // namespace hbayes::kernels::hmc
