// The HMC ensemble on a backend (see sample_kernels.hpp). The per-chain math is transition.hpp's
// (one thread per chain) or sliced_transition.hpp's (chains x slices of groups) HBAYES_HD code;
// what differs by backend is where the chains' vectors live and how work items are dispatched:
//  - CUDA: one GPU thread per work item, vectors in device memory. One thread per chain uses the
//    parameter-major layout, so that a warp's 32 chains read and write consecutive addresses;
//    slices use the chain-major layout with interleaved slices, so that a warp's 32 slices of
//    one chain read 32 consecutive groups.
//  - CPU: vectors in host memory, chain-major (a chain's vector contiguous, as a core's cache
//    wants), contiguous slices, and an OpenMP loop over work items.
// Either build takes any configuration; the host always reads and writes chain-major copies.
// Warmup's cross-chain statistics (hmc/warmup_statistics.hpp) run here too, so that warmup
// copies per iteration only the records and a few values per chain.
#include <thrust/fill.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <vector>

#include "backend_system.hpp"
#include "hmc/transition.hpp"
#include "hmc/warmup_statistics.hpp"
#include "sample_kernels.hpp"

#if defined(__CUDACC__)
#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#else
#include <omp.h>
#endif

namespace hbayes::kernels::HBAYES_BACKEND_NS {
namespace {

#if defined(__CUDACC__)

using Buffer = thrust::device_vector<double>;
double* raw(Buffer& buffer) {
  return thrust::raw_pointer_cast(buffer.data());
}

template <class Functor>
void for_each_item(std::size_t items, const Functor& functor, std::size_t) {
  thrust::for_each_n(thrust::cuda::par, thrust::counting_iterator<std::size_t>(0), items,
                     functor);
}

// Warmup's per-coordinate statistics take one coordinate per GPU thread.
constexpr std::size_t kCoordinateBlock = 1;

// Work items a GPU wants in flight (an H100 holds 270k resident threads; 64k keep its memory
// system busy), slices per chain at most (the per-chain reduction adds them on one thread), and
// groups per slice at least.
constexpr std::size_t kGpuTargetItems = std::size_t{1} << 16;
constexpr std::size_t kGpuMaxSlices = 4096;
constexpr std::size_t kGpuMinSliceGroups = 8;

}  // namespace

EnsembleConfig default_config(std::size_t chains, std::size_t groups) {
  const std::size_t by_items = std::max<std::size_t>(1, kGpuTargetItems / chains);
  const std::size_t slices =
      std::min({groups / kGpuMinSliceGroups, by_items, kGpuMaxSlices});
  if (slices < 4) return EnsembleConfig{EnsembleLayout::ParameterMajor, false, 1, false};
  return EnsembleConfig{EnsembleLayout::ChainMajor, true, slices, true};
}

namespace {


#else

using Buffer = std::vector<double>;
double* raw(Buffer& buffer) {
  return buffer.data();
}

// Group terms (~2-40 ns each) a thread should get per dispatch, at least: a parallel region
// costs a wake-up and a barrier, and on a loaded machine a barrier can cost a scheduler time
// slice (see cpu_threads.hpp). Measured on the 2-core VM under load: eight schools with 64
// chains took 11 s on 2 threads with one dispatch per iteration, 0.26 s on 1 (it stays on one
// thread: 64 chains x ~4 steps x 8 groups). Measured quiet, warmup of 1,000 binomial groups:
// 4 chains 0.109 -> 0.080 s and 64 chains 1.12 -> 1.01 s with 2^12 instead of 2^16 (the 4
// chains' transitions and the 64 chains' warmup statistics then take both cores).
constexpr std::size_t kMinGroupTermsPerThread = std::size_t{1} << 12;

// Every thread gets whole work items (chains, or slices); group_terms_per_item (a stand-in for
// the work per item) decides how many threads are worth it, and never more than there are
// items (a lone item, e.g. eight schools' one block of coordinates, stays on this thread).
template <class Functor>
void for_each_item(std::size_t items, const Functor& functor, std::size_t group_terms_per_item) {
  const auto n = static_cast<std::ptrdiff_t>(items);
  int threads = cpu_threads_for(items * (group_terms_per_item + 1), kMinGroupTermsPerThread);
  if (items < static_cast<std::size_t>(threads)) threads = items > 0 ? static_cast<int>(items) : 1;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::ptrdiff_t i = 0; i < n; ++i) functor(static_cast<std::size_t>(i));
}

// Warmup's per-coordinate statistics take blocks of this many coordinates per work item: a
// thread then reads each chain's stretch of a block contiguously instead of one coordinate of
// every chain, 8 x dim bytes apart (64 chains x 1,000 groups: ~0.5 s of a 4.5 s warmup).
constexpr std::size_t kCoordinateBlock = 512;

// Slices are contiguous runs of this many groups: each dispatch then hands a thread about 0.1 ms
// of work. Fewer than kCpuMaxSlicedChains chains with at least four runs of groups are sliced, so
// that a many-core machine is not limited to one core per chain; the rule looks at the shape
// only (not at the cores), so results do not depend on the machine.
constexpr std::size_t kCpuSliceGroups = std::size_t{1} << 14;
constexpr std::size_t kCpuMaxSlicedChains = 16;

}  // namespace

EnsembleConfig default_config(std::size_t chains, std::size_t groups) {
  if (chains >= kCpuMaxSlicedChains || groups < 4 * kCpuSliceGroups) {
    return EnsembleConfig{EnsembleLayout::ChainMajor, false, 1, false};
  }
  return EnsembleConfig{EnsembleLayout::ChainMajor, true,
                        (groups + kCpuSliceGroups - 1) / kCpuSliceGroups, false};
}

namespace {


#endif

// The ChEES gradient's per-chain sums run over slices of this many coordinates, in parallel, and
// then add the slices in order: enough work items for a GPU with few chains of many groups
// (4 chains x 1e6 coordinates: ~4,000 items), one slice (a plain serial sum) up to 1,024
// coordinates. The count looks at the shape only; the slices interleave where the
// configuration's group slices do (the GPU's chain-major layout: a warp then reads 32
// consecutive coordinates), so the sums' order follows the configuration, never the threads.
constexpr std::size_t kCheesSliceCoordinates = 1024;

// Host chain-major values (c * dim + k) to and from a backend buffer in `layout`.
void to_device(const double* host, std::size_t chains, std::size_t dim, EnsembleLayout layout,
               Buffer* device) {
  if (layout == EnsembleLayout::ChainMajor) {
    thrust::copy(host, host + chains * dim, device->begin());
    return;
  }
  std::vector<double> staged(chains * dim);
  for (std::size_t c = 0; c < chains; ++c) {
    for (std::size_t k = 0; k < dim; ++k) staged[k * chains + c] = host[c * dim + k];
  }
  thrust::copy(staged.begin(), staged.end(), device->begin());
}

void to_host(const Buffer& device, std::size_t chains, std::size_t dim, EnsembleLayout layout,
             double* host) {
  if (layout == EnsembleLayout::ChainMajor) {
    thrust::copy(device.begin(), device.end(), host);
    return;
  }
  std::vector<double> staged(chains * dim);
  thrust::copy(device.begin(), device.end(), staged.begin());
  for (std::size_t c = 0; c < chains; ++c) {
    for (std::size_t k = 0; k < dim; ++k) host[c * dim + k] = staged[k * chains + c];
  }
}

class BackendEnsemble final : public Ensemble {
 public:
  BackendEnsemble(const hmc::HierModel& model, const hmc::GroupData* data, std::size_t groups,
                  std::size_t chains, const EnsembleConfig& config)
      : Ensemble(hmc::kFirstGroupIndex + groups),
        config_(config),
        model_(model),
        groups_(groups),
        chains_(chains),
        data_(data, data + groups),
        position_(chains * dim_),
        gradient_(chains * dim_),
        log_density_(chains),
        previous_(chains * dim_),
        proposal_(chains * dim_),
        proposal_gradient_(chains * dim_),
        momentum_(chains * dim_),
        inverse_metric_(dim_, 1.0),
        mass_(dim_, 1.0),
        momentum_scale_(dim_, 1.0),
        partials_(config.group_slices ? chains * config.slices * hmc::kPartials : 0),
        chain_state_(config.group_slices ? chains * hmc::kStateFields : 0),
        chees_slicing_{dim_, (dim_ + kCheesSliceCoordinates - 1) / kCheesSliceCoordinates,
                       config.interleaved},
        accept_(chains),
        chees_centres_(2 * dim_),
        chees_partials_(chains * chees_slicing_.slices * hmc::kCheesTerms),
        chees_terms_(chains * hmc::kCheesTerms),
        moments_(hmc::kMomentBufferFields * dim_, 0.0) {}

  void set_positions(const double* positions, double* log_densities) override {
    to_device(positions, chains_, dim_, config_.layout, &position_);
    if (config_.group_slices) {
      const hmc::SlicedEnsemble e = sliced();
      for_each_item(chains_ * config_.slices, hmc::SliceLogDensity{e}, slice_groups());
      for_each_item(chains_, hmc::ChainLogDensitySum{e}, config_.slices);
    } else {
      for_each_item(chains_, hmc::ChainLogDensity{model_, data(), groups_, arrays()}, groups_);
    }
    thrust::copy(log_density_.begin(), log_density_.end(), log_densities);
  }

  // With the inverse metric come the mass (its reciprocal, which weights the ChEES terms) and
  // the mass's square root (the momenta's standard deviations), which the transitions and
  // statistics would otherwise divide by per chain and coordinate.
  void set_inverse_metric(const double* inverse_metric) override {
    std::vector<double> mass(dim_), scale(dim_);
    for (std::size_t k = 0; k < dim_; ++k) {
      mass[k] = 1.0 / inverse_metric[k];
      scale[k] = 1.0 / std::sqrt(inverse_metric[k]);
    }
    thrust::copy(inverse_metric, inverse_metric + dim_, inverse_metric_.begin());
    thrust::copy(mass.begin(), mass.end(), mass_.begin());
    thrust::copy(scale.begin(), scale.end(), momentum_scale_.begin());
  }

  void transition(const hmc::TransitionSettings* settings, std::size_t iterations,
                  double* records) override {
    // Iterations that keep no draw (all of warmup) need only the sampler's columns back, so the
    // backend then writes, and the host copies, records of those columns alone: for 4 chains x
    // 1e6 groups, 192 bytes per iteration instead of 32 MB.
    // Both transition kernels assume a trajectory of at least one step (each takes the first
    // step's half-kick and drift with the momentum draw); sample() never asks for fewer.
    for (std::size_t t = 0; t < iterations; ++t) {
      if (settings[t].leapfrog_steps < 1) {
        throw std::invalid_argument("Ensemble::transition: leapfrog_steps must be >= 1");
      }
    }
    const bool parameters = std::any_of(settings, settings + iterations,
                                        [](const hmc::TransitionSettings& s) {
                                          return s.write_parameters;
                                        });
    const std::size_t width =
        parameters ? record_width() : static_cast<std::size_t>(hmc::kFirstParameter);
    records_.resize(iterations * chains_ * width);
    if (config_.group_slices) {
      for (std::size_t t = 0; t < iterations; ++t) {
        sliced_transition(settings[t], raw(records_) + t * chains_ * width, width);
      }
    } else {
      settings_.assign(settings, settings + iterations);
      const hmc::ChainTransition one{model_, data(), groups_, arrays(),
                                     thrust::raw_pointer_cast(inverse_metric_.data()),
                                     thrust::raw_pointer_cast(momentum_scale_.data())};
      std::size_t group_terms = 0;
      for (std::size_t t = 0; t < iterations; ++t) {
        group_terms += static_cast<std::size_t>(settings[t].leapfrog_steps) * groups_;
      }
      for_each_item(chains_,
                    hmc::ChainTransitions{one, thrust::raw_pointer_cast(settings_.data()),
                                          iterations, raw(records_), width},
                    group_terms);
    }
    if (width == record_width()) {
      thrust::copy(records_.begin(), records_.end(), records);
      return;
    }
    std::vector<double> narrow(records_.size());
    thrust::copy(records_.begin(), records_.end(), narrow.begin());
    for (std::size_t r = 0; r < iterations * chains_; ++r) {
      std::copy(narrow.begin() + r * width, narrow.begin() + (r + 1) * width,
                records + r * record_width());
    }
  }

  void read(EnsembleField field, double* out) const override {
    const EnsembleLayout layout = config_.layout;
    switch (field) {
      case EnsembleField::Position: return to_host(position_, chains_, dim_, layout, out);
      case EnsembleField::Gradient: return to_host(gradient_, chains_, dim_, layout, out);
      case EnsembleField::Previous: return to_host(previous_, chains_, dim_, layout, out);
      case EnsembleField::Proposal: return to_host(proposal_, chains_, dim_, layout, out);
      case EnsembleField::Momentum: return to_host(momentum_, chains_, dim_, layout, out);
    }
  }

  // Two passes: the centres per coordinate, then each chain's terms per slice of coordinates
  // and their sum per chain; only the chains' terms come back to the host.
  double chees_gradient(const double* accept, double jitter) override {
    thrust::copy(accept, accept + chains_, accept_.begin());
    double* previous_mean = raw(chees_centres_);
    double* proposal_mean = previous_mean + dim_;
    const std::size_t blocks = (dim_ + kCoordinateBlock - 1) / kCoordinateBlock;
    for_each_item(blocks,
                  hmc::CheesCentres{arrays(), raw(accept_), previous_mean, proposal_mean,
                                    kCoordinateBlock},
                  chains_ * kCoordinateBlock);
    for_each_item(chains_ * chees_slicing_.slices,
                  hmc::CheesSliceTerms{arrays(), chees_slicing_, raw(mass_), previous_mean,
                                       proposal_mean, raw(chees_partials_)},
                  chees_slicing_.run_length());
    for_each_item(chains_,
                  hmc::CheesChainTerms{chees_slicing_.slices, raw(chees_partials_),
                                       raw(chees_terms_)},
                  chees_slicing_.slices);
    std::vector<double> terms(chees_terms_.size());
    thrust::copy(chees_terms_.begin(), chees_terms_.end(), terms.begin());
    return hmc::chees_gradient_from_terms(accept, terms.data(), chains_, jitter);
  }

  void accumulate_moments() override {
    const std::size_t blocks = (dim_ + kCoordinateBlock - 1) / kCoordinateBlock;
    for_each_item(blocks,
                  hmc::AccumulateMoments{arrays(), moment_draws_, raw(moments_), kCoordinateBlock},
                  chains_ * kCoordinateBlock);
    moment_draws_ += chains_;
  }

  std::size_t read_moments(double* position_mean, double* position_variance,
                           double* gradient_mean, double* gradient_variance) const override {
    // The moments only, not the scratch fields after them.
    std::vector<double> moments(hmc::kMomentFields * dim_);
    thrust::copy(moments_.begin(), moments_.begin() + moments.size(), moments.begin());
    const double divisor = static_cast<double>(moment_draws_) - 1.0;
    for (std::size_t k = 0; k < dim_; ++k) {
      position_mean[k] = moments[hmc::kPositionMean * dim_ + k];
      position_variance[k] = moments[hmc::kPositionSquares * dim_ + k] / divisor;
      gradient_mean[k] = moments[hmc::kGradientMean * dim_ + k];
      gradient_variance[k] = moments[hmc::kGradientSquares * dim_ + k] / divisor;
    }
    return moment_draws_;
  }

  void reset_moments() override {
    thrust::fill(moments_.begin(), moments_.end(), 0.0);
    moment_draws_ = 0;
  }

 private:
  const hmc::GroupData* data() const { return thrust::raw_pointer_cast(data_.data()); }
  hmc::EnsembleArrays arrays() {
    const bool parameter_major = config_.layout == EnsembleLayout::ParameterMajor;
    const std::size_t chain_stride = parameter_major ? 1 : dim_;
    const std::size_t param_stride = parameter_major ? chains_ : 1;
    return hmc::EnsembleArrays{chains_,          dim_,           chain_stride,
                               param_stride,     raw(position_), raw(gradient_),
                               raw(log_density_), raw(previous_), raw(proposal_),
                               raw(proposal_gradient_), raw(momentum_)};
  }
  hmc::SlicedEnsemble sliced() {
    return hmc::SlicedEnsemble{model_,
                               data(),
                               hmc::GroupSlicing{groups_, config_.slices, config_.interleaved},
                               arrays(),
                               thrust::raw_pointer_cast(inverse_metric_.data()),
                               thrust::raw_pointer_cast(momentum_scale_.data()),
                               raw(partials_),
                               raw(chain_state_)};
  }
  std::size_t slice_groups() const { return (groups_ + config_.slices - 1) / config_.slices; }

  // One transition as sliced_transition.hpp's sequence of dispatches; records: this
  // iteration's chains x width block.
  void sliced_transition(const hmc::TransitionSettings& settings, double* records,
                         std::size_t width) {
    const hmc::SlicedEnsemble e = sliced();
    const std::size_t items = chains_ * config_.slices;
    for_each_item(items, hmc::SliceStart{e, settings}, slice_groups());
    for_each_item(chains_, hmc::ChainStart{e, settings}, config_.slices);
    for (int step = 1; step <= settings.leapfrog_steps; ++step) {
      for_each_item(items, hmc::SliceStep{e, settings, step}, slice_groups());
      for_each_item(chains_, hmc::ChainStep{e, settings, step, records, width}, config_.slices);
    }
    for_each_item(items, hmc::SliceFinish{e, settings, records, width}, slice_groups());
  }

  EnsembleConfig config_;
  hmc::HierModel model_;
  std::size_t groups_;
  std::size_t chains_;
#if defined(__CUDACC__)
  thrust::device_vector<hmc::GroupData> data_;
#else
  std::vector<hmc::GroupData> data_;
#endif
  Buffer position_, gradient_, log_density_, previous_, proposal_, proposal_gradient_,
      momentum_, inverse_metric_, mass_, momentum_scale_, partials_, chain_state_, records_;
  // Warmup statistics: the ChEES gradient's slicing of the coordinates, the acceptance
  // probabilities (chains), the centres (previous then proposal means, dim each), the slices'
  // and the chains' terms; the running moments and their scratch (kMomentBufferFields x dim)
  // and their draws.
  hmc::GroupSlicing chees_slicing_;
  Buffer accept_, chees_centres_, chees_partials_, chees_terms_, moments_;
  std::size_t moment_draws_ = 0;
#if defined(__CUDACC__)
  thrust::device_vector<hmc::TransitionSettings> settings_;
#else
  std::vector<hmc::TransitionSettings> settings_;
#endif
};

}  // namespace

std::unique_ptr<Ensemble> make_ensemble(const hmc::HierModel& model, const hmc::GroupData* data,
                                        std::size_t groups, std::size_t chains,
                                        const EnsembleConfig& config) {
  return std::make_unique<BackendEnsemble>(model, data, groups, chains, config);
}

}  // namespace hbayes::kernels::HBAYES_BACKEND_NS
