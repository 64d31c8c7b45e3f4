// The CUDA backend of the HMC ensemble in a build made without the CUDA toolkit: it refuses
// (resolve_backend never routes work here).
#include "hbayes/errors.hpp"
#include "sample_kernels.hpp"

namespace hbayes::kernels::cuda {

EnsembleConfig default_config(std::size_t, std::size_t) {
  throw BackendUnavailable("this hbayes was built without CUDA");
}

std::unique_ptr<Ensemble> make_ensemble(const hmc::HierModel&, const hmc::GroupData*,
                                        std::size_t, std::size_t, const EnsembleConfig&) {
  throw BackendUnavailable("this hbayes was built without CUDA");
}

}  // namespace hbayes::kernels::cuda
