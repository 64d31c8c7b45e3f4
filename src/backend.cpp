#include "hbayes/backend.hpp"

#include <omp.h>

#include "hbayes/errors.hpp"
#include "score_kernels.hpp"

namespace hbayes {
namespace {

struct CudaProbe {
  bool usable;
  std::string why;
};

// Probing the driver is slow and its answer cannot change within a process: ask once.
const CudaProbe& cuda_probe() {
  static const CudaProbe probe = [] {
    CudaProbe p;
    p.usable = kernels::cuda::device_usable(&p.why);
    return p;
  }();
  return probe;
}

}  // namespace

BackendChoice resolve_backend(Backend requested) {
  switch (requested) {
    case Backend::Cpu:
      return {Backend::Cpu, ""};
    case Backend::Cuda:
      if (!cuda_probe().usable) {
        throw BackendUnavailable("--backend cuda: " + cuda_probe().why);
      }
      return {Backend::Cuda, ""};
    case Backend::Auto:
      break;
  }
  if (cuda_probe().usable) return {Backend::Cuda, ""};
  return {Backend::Cpu, "hbayes: " + cuda_probe().why + "; running on the CPU backend"};
}

Backend parse_backend(const std::string& text, const std::string& option_name) {
  if (text == "auto") return Backend::Auto;
  if (text == "cpu") return Backend::Cpu;
  if (text == "cuda") return Backend::Cuda;
  throw InputError(option_name, 0, "expected auto, cpu or cuda, got '" + text + "'");
}

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::Cpu:
      return "cpu";
    case Backend::Cuda:
      return "cuda";
    case Backend::Auto:
      break;
  }
  return "auto";
}

void set_cpu_threads(int threads) {
  omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs());
}

}  // namespace hbayes
