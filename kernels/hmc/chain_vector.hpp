// Views of one chain's vector (position, gradient, momentum ...) inside the ensemble's arrays.
#pragma once

#include <cstddef>

#include "device_macros.hpp"

namespace hbayes::kernels::hmc {

// Element k of one chain's vector lives at data[k * stride]: the chains' vectors may be
// interleaved (the CUDA layout puts parameter k of all chains side by side).
struct ChainVector {
  double* data;
  std::size_t stride;
  HBAYES_HD double& operator[](std::size_t k) const { return data[k * stride]; }
};

// A chain vector known to be contiguous (the CPU's chain-major layout). Loops written against it
// compile to unit-stride vector loads, where ChainVector's run-time stride would make them
// gathers; it converts to the ChainVector of stride 1 where a function takes either.
struct ContiguousVector {
  double* data;
  HBAYES_HD double& operator[](std::size_t k) const { return data[k]; }
  HBAYES_HD operator ChainVector() const { return ChainVector{data, 1}; }
};

}  // namespace hbayes::kernels::hmc
