// Whether a CUDA device can run the kernels. A missing driver or device is an answer, not a crash.
#include <cuda_runtime.h>

#include <string>

#include "score_kernels.hpp"

namespace hbayes::kernels::cuda {

bool device_usable(std::string* why) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    *why = std::string("no usable CUDA device (") + cudaGetErrorString(status) + ")";
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return false;
  }
  if (count == 0) {
    *why = "no CUDA device found";
    return false;
  }
  return true;
}

}  // namespace hbayes::kernels::cuda
