// What differs between the two builds of a kernel source file, and nothing else:
// the namespace, Thrust's execution policy, and how host columns reach the kernel.
//
// nvcc (__CUDACC__) builds the CUDA backend: columns are copied to and from device memory.
// g++ builds the CPU backend on Thrust's OpenMP system: kernels read and write the caller's
// columns in place.
#pragma once

#include <cstddef>

#include <thrust/copy.h>
#include <thrust/execution_policy.h>

#if defined(__CUDACC__)
#include <thrust/device_vector.h>
#include <thrust/system/cuda/execution_policy.h>
#define HBAYES_BACKEND_NS cuda
#else
#include <thrust/system/omp/execution_policy.h>
#define HBAYES_BACKEND_NS cpu
#endif

namespace hbayes::kernels::HBAYES_BACKEND_NS {

#if defined(__CUDACC__)

inline auto execution_policy() { return thrust::cuda::par; }

// A read-only host column made visible to the kernel.
template <class T>
class InputColumn {
 public:
  InputColumn(const T* host, std::size_t n) : device_(host, host + n) {}
  const T* get() const { return thrust::raw_pointer_cast(device_.data()); }

 private:
  thrust::device_vector<T> device_;
};

// A host output column (possibly null = not wanted) that the kernel writes.
class OutputColumn {
 public:
  OutputColumn(double* host, std::size_t n) : host_(host), device_(host ? n : 0) {}
  double* get() { return host_ ? thrust::raw_pointer_cast(device_.data()) : nullptr; }
  void copy_back() {
    if (host_) thrust::copy(device_.begin(), device_.end(), host_);
  }

 private:
  double* host_;
  thrust::device_vector<double> device_;
};

#else

inline auto execution_policy() { return thrust::omp::par; }

template <class T>
class InputColumn {
 public:
  InputColumn(const T* host, std::size_t) : host_(host) {}
  const T* get() const { return host_; }

 private:
  const T* host_;
};

class OutputColumn {
 public:
  OutputColumn(double* host, std::size_t) : host_(host) {}
  double* get() { return host_; }
  void copy_back() {}

 private:
  double* host_;
};

#endif

}  // namespace hbayes::kernels::HBAYES_BACKEND_NS
