// The CUDA backend of a build made without the CUDA toolkit: it reports itself unusable, and
// its kernels refuse to run (resolve_backend never routes work here).
#include "hbayes/errors.hpp"
#include "score_kernels.hpp"

namespace hbayes::kernels::cuda {

bool device_usable(std::string* why) {
  *why = "this hbayes was built without CUDA";
  return false;
}

namespace {
[[noreturn]] void refuse() {
  throw BackendUnavailable("this hbayes was built without CUDA");
}
}  // namespace

void score_beta_binomial(const BinomialColumns&, const BetaBinomialPrior&, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}
void score_gamma_poisson(const PoissonColumns&, const GammaPoissonPrior&, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}
void score_normal_normal(const NormalColumns&, const NormalNormalPrior&, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}
void score_beta_binomial(const BinomialColumns&, const BetaBinomialPrior*, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}
void score_gamma_poisson(const PoissonColumns&, const GammaPoissonPrior*, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}
void score_normal_normal(const NormalColumns&, const NormalNormalPrior*, const ScoreParams&,
                         const PosteriorColumns&) {
  refuse();
}

}  // namespace hbayes::kernels::cuda
