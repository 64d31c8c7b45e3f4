// Whether this process can run the CUDA backend (tests skip GPU-only checks otherwise).
#pragma once

#include "hbayes/backend.hpp"
#include "hbayes/errors.hpp"

namespace hbayes::test {

inline bool cuda_usable() {
  try {
    resolve_backend(Backend::Cuda);
    return true;
  } catch (const BackendUnavailable&) {
    return false;
  }
}

}  // namespace hbayes::test
