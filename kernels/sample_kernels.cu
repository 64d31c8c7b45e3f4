// The HMC ensemble on a backend (see sample_kernels.hpp). The per-chain math is transition.hpp's
// HBAYES_HD code; what differs by backend is where the chains' vectors live and how chains are
// dispatched:
//  - CUDA: one GPU thread per chain, vectors in device memory (sample() asks for the
//    parameter-major layout, so that a warp's 32 chains read and write consecutive addresses).
//  - CPU: vectors in host memory (sample() asks for chain-major: a chain's vector contiguous,
//    which is what a core's cache wants) and an OpenMP loop over chains.
// Either build takes either layout; the host always reads and writes chain-major copies.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "backend_system.hpp"
#include "hmc/transition.hpp"
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
void for_each_chain(std::size_t chains, const Functor& functor, std::size_t) {
  thrust::for_each_n(thrust::cuda::par, thrust::counting_iterator<std::size_t>(0), chains,
                     functor);
}


#else

using Buffer = std::vector<double>;
double* raw(Buffer& buffer) {
  return buffer.data();
}

// Group terms (~10-40 ns each) a thread should get per dispatch, at least: a parallel region
// costs a wake-up and a barrier, and on a loaded machine a barrier can cost a scheduler time
// slice (see cpu_threads.hpp). Measured on the 2-core VM under load: eight schools with 64
// chains took 11 s on 2 threads with one dispatch per iteration, 0.26 s on 1.
constexpr std::size_t kMinGroupTermsPerThread = std::size_t{1} << 16;

// Every thread gets whole chains; group_terms_per_chain (group terms times iterations, a
// stand-in for the work per chain, leapfrog steps aside) decides how many threads are worth it.
template <class Functor>
void for_each_chain(std::size_t chains, const Functor& functor,
                    std::size_t group_terms_per_chain) {
  const auto n = static_cast<std::ptrdiff_t>(chains);
  const int threads = cpu_threads_for(chains * (group_terms_per_chain + 1),
                                      kMinGroupTermsPerThread);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::ptrdiff_t c = 0; c < n; ++c) functor(static_cast<std::size_t>(c));
}


#endif

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
                  std::size_t chains, EnsembleLayout layout)
      : Ensemble(hmc::kFirstGroupIndex + groups),
        layout_(layout),
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
        inverse_metric_(dim_, 1.0) {}

  void set_positions(const double* positions, double* log_densities) override {
    to_device(positions, chains_, dim_, layout_, &position_);
    for_each_chain(chains_, hmc::ChainLogDensity{model_, data(), groups_, arrays()}, groups_);
    thrust::copy(log_density_.begin(), log_density_.end(), log_densities);
  }

  void set_inverse_metric(const double* inverse_metric) override {
    thrust::copy(inverse_metric, inverse_metric + dim_, inverse_metric_.begin());
  }

  void transition(const hmc::TransitionSettings* settings, std::size_t iterations,
                  double* records) override {
    settings_.assign(settings, settings + iterations);
    records_.resize(iterations * chains_ * record_width());
    const hmc::ChainTransition one{model_, data(), groups_, arrays(),
                                   thrust::raw_pointer_cast(inverse_metric_.data())};
    std::size_t group_terms = 0;
    for (std::size_t t = 0; t < iterations; ++t) {
      group_terms += static_cast<std::size_t>(settings[t].leapfrog_steps) * groups_;
    }
    for_each_chain(chains_, hmc::ChainTransitions{one, thrust::raw_pointer_cast(settings_.data()),
                                                  iterations, raw(records_), record_width()},
                   group_terms);
    thrust::copy(records_.begin(), records_.end(), records);
  }

  void read(EnsembleField field, double* out) const override {
    switch (field) {
      case EnsembleField::Position: return to_host(position_, chains_, dim_, layout_, out);
      case EnsembleField::Gradient: return to_host(gradient_, chains_, dim_, layout_, out);
      case EnsembleField::Previous: return to_host(previous_, chains_, dim_, layout_, out);
      case EnsembleField::Proposal: return to_host(proposal_, chains_, dim_, layout_, out);
      case EnsembleField::Momentum: return to_host(momentum_, chains_, dim_, layout_, out);
    }
  }

 private:
  const hmc::GroupData* data() const { return thrust::raw_pointer_cast(data_.data()); }
  hmc::EnsembleArrays arrays() {
    const bool parameter_major = layout_ == EnsembleLayout::ParameterMajor;
    const std::size_t chain_stride = parameter_major ? 1 : dim_;
    const std::size_t param_stride = parameter_major ? chains_ : 1;
    return hmc::EnsembleArrays{chains_,          dim_,           chain_stride,
                               param_stride,     raw(position_), raw(gradient_),
                               raw(log_density_), raw(previous_), raw(proposal_),
                               raw(proposal_gradient_), raw(momentum_)};
  }

  EnsembleLayout layout_;
  hmc::HierModel model_;
  std::size_t groups_;
  std::size_t chains_;
#if defined(__CUDACC__)
  thrust::device_vector<hmc::GroupData> data_;
#else
  std::vector<hmc::GroupData> data_;
#endif
  Buffer position_, gradient_, log_density_, previous_, proposal_, proposal_gradient_,
      momentum_, inverse_metric_, records_;
#if defined(__CUDACC__)
  thrust::device_vector<hmc::TransitionSettings> settings_;
#else
  std::vector<hmc::TransitionSettings> settings_;
#endif
};

}  // namespace

std::unique_ptr<Ensemble> make_ensemble(const hmc::HierModel& model, const hmc::GroupData* data,
                                        std::size_t groups, std::size_t chains,
                                        EnsembleLayout layout) {
  return std::make_unique<BackendEnsemble>(model, data, groups, chains, layout);
}

}  // namespace hbayes::kernels::HBAYES_BACKEND_NS
