// Batch scoring entry points of the two backends: same signatures, same kernel source.
//
// The CPU versions are the g++ build of score_kernels.cu on Thrust's OpenMP system; the CUDA
// versions are the nvcc build of the same file (or, without the toolkit, cuda_unavailable.cpp).
// Inputs and outputs are host columns; the CUDA build stages them through device memory.
#pragma once

#include <string>

#include "hbayes/score.hpp"
#include "special/tail_probability.hpp"

namespace hbayes::kernels {

// Per-call settings derived from ScoreOptions.
struct ScoreParams {
  special::TailProbability tail;  // (1 - level) / 2, outside each end of the interval
  double predict;  // future trials (beta-binomial) or exposure (gamma-Poisson); 0 = none
};

// Each family with one prior for every store, and with a prior per store (priors: data.size
// entries on the host, e.g. from a fit with covariates).
#define HBAYES_DECLARE_SCORE_KERNELS                                                     \
  void score_beta_binomial(const BinomialColumns& data, const BetaBinomialPrior& prior,  \
                           const ScoreParams& params, const PosteriorColumns& out);      \
  void score_gamma_poisson(const PoissonColumns& data, const GammaPoissonPrior& prior,   \
                           const ScoreParams& params, const PosteriorColumns& out);      \
  void score_normal_normal(const NormalColumns& data, const NormalNormalPrior& prior,    \
                           const ScoreParams& params, const PosteriorColumns& out);      \
  void score_beta_binomial(const BinomialColumns& data, const BetaBinomialPrior* priors, \
                           const ScoreParams& params, const PosteriorColumns& out);      \
  void score_gamma_poisson(const PoissonColumns& data, const GammaPoissonPrior* priors,  \
                           const ScoreParams& params, const PosteriorColumns& out);      \
  void score_normal_normal(const NormalColumns& data, const NormalNormalPrior* priors,   \
                           const ScoreParams& params, const PosteriorColumns& out);

namespace cpu {
HBAYES_DECLARE_SCORE_KERNELS
}  // namespace cpu

namespace cuda {
HBAYES_DECLARE_SCORE_KERNELS
// True when a CUDA device can run kernels; otherwise false, with the reason in *why.
bool device_usable(std::string* why);
}  // namespace cuda

#undef HBAYES_DECLARE_SCORE_KERNELS

}  // namespace hbayes::kernels
