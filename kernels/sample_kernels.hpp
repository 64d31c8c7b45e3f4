// Many HMC chains resident on a backend: the same kernel source (sample_kernels.cu) built by nvcc
// for CUDA and, through sample_kernels_cpu.cpp, by g++ for the CPU; without the toolkit the CUDA
// factory refuses (sample_kernels_unavailable.cpp). The host side (src/sample/) drives warmup
// and sampling through this interface and never sees device memory.
#pragma once

#include <cstddef>
#include <memory>

#include "hmc/hier_model.hpp"
#include "hmc/sliced_transition.hpp"
#include "hmc/transition.hpp"

namespace hbayes::kernels {

// Per-chain vectors the host can read back, each as chains x dim values, chain-major.
enum class EnsembleField { Position, Gradient, Previous, Proposal, Momentum };

// How a backend stores the chains' vectors: entry k of chain c at c * dim + k (ChainMajor) or at
// k * chains + c (ParameterMajor, coalesced for a GPU warp of chains). The results do not
// depend on it; tests run both on the CPU so that the GPU's layout is exercised without a GPU.
enum class EnsembleLayout { ChainMajor, ParameterMajor };

// How a backend spreads a transition over its threads:
//  - one thread per chain for whole transitions (transition.hpp; group_slices false): right when
//    the chains alone fill the backend, e.g. 4096 chains x 8 groups;
//  - (chain, slice of groups) pairs in parallel, with a per-chain reduction after each gradient
//    (sliced_transition.hpp): for few chains with many groups, e.g. 4 chains x 1e6 groups.
// The choice moves the order in which group terms are summed, so results depend on it (never on
// the thread count); default_config picks it from the shape alone, so a run reproduces exactly
// for a given seed, chain count, data and backend.
struct EnsembleConfig {
  EnsembleLayout layout = EnsembleLayout::ChainMajor;
  bool group_slices = false;
  std::size_t slices = 1;    // per chain, when group_slices
  bool interleaved = false;  // slices of every slices-th group rather than contiguous runs
};

class Ensemble {
 public:
  virtual ~Ensemble() = default;
  // Sets every chain's position (host, chains x dim, chain-major) and evaluates its log
  // density and gradient; log_densities receives one value per chain.
  virtual void set_positions(const double* positions, double* log_densities) = 0;
  // The diagonal inverse metric (dim values) that later transitions use.
  virtual void set_inverse_metric(const double* inverse_metric) = 0;
  // Advances every chain through `iterations` transitions, one per settings entry (each of at
  // least one leapfrog step; std::invalid_argument otherwise); records
  // receives iterations x chains x record_width values (transition.hpp's RecordColumn layout;
  // parameter columns only where write_parameters). Chains do not wait for each other between
  // iterations, so a long run of fixed settings costs one dispatch.
  virtual void transition(const hmc::TransitionSettings* settings, std::size_t iterations,
                          double* records) = 0;
  // Copies one per-chain vector to the host (chains x dim, chain-major): how tests look at the
  // chains' state; the sampler itself reads only records and warmup's statistics.
  virtual void read(EnsembleField field, double* out) const = 0;

  // Warmup's cross-chain statistics (hmc/warmup_statistics.hpp), computed on the backend so that
  // warmup copies no chains x dim arrays to the host.
  // The ChEES criterion's derivative with respect to the trajectory length, as
  // reference::chees_gradient (the tests' oracle) computes it from the last transition's
  // previous positions, proposals and end momenta, in the current inverse metric's whitened
  // coordinates. accept: that transition's acceptance probabilities (chains values); jitter:
  // its jitter in (0, 1].
  virtual double chees_gradient(const double* accept, double jitter) = 0;
  // Adds every chain's current position and gradient to running moments per coordinate, pooled
  // over chains (chains draws per call).
  virtual void accumulate_moments() = 0;
  // The moments added since the last reset: means and variances (divisor draws - 1) of the
  // positions and of the gradients, dim values each. Returns the number of draws.
  virtual std::size_t read_moments(double* position_mean, double* position_variance,
                                   double* gradient_mean, double* gradient_variance) const = 0;
  // Empties the moments (at the end of a metric window).
  virtual void reset_moments() = 0;

  std::size_t record_width() const { return hmc::kFirstParameter + dim_; }

 protected:
  explicit Ensemble(std::size_t dim) : dim_(dim) {}
  std::size_t dim_;
};

#define HBAYES_DECLARE_SAMPLE_KERNELS                                                      \
  /* The backend's configuration for a shape (chains, groups). */                          \
  EnsembleConfig default_config(std::size_t chains, std::size_t groups);                   \
  /* data: groups entries on the host (copied); chains >= 1; groups >= config.slices. */   \
  std::unique_ptr<Ensemble> make_ensemble(const hmc::HierModel& model,                     \
                                          const hmc::GroupData* data, std::size_t groups,  \
                                          std::size_t chains, const EnsembleConfig& config);

namespace cpu {
HBAYES_DECLARE_SAMPLE_KERNELS
}  // namespace cpu

namespace cuda {
HBAYES_DECLARE_SAMPLE_KERNELS
}  // namespace cuda

#undef HBAYES_DECLARE_SAMPLE_KERNELS

}  // namespace hbayes::kernels
