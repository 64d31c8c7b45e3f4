// What differs between the two builds of a kernel source file, and nothing else:
// the namespace, Thrust's execution policy, how host columns reach the kernel, and how rows are
// dispatched.
//
// nvcc (__CUDACC__) builds the CUDA backend: columns are copied to and from device memory and
// every row is one Thrust work item.
// g++ builds the CPU backend on Thrust's OpenMP system: kernels read and write the caller's
// columns in place, and each thread remembers the posteriors it computed recently (see
// for_each_row below).
#pragma once

#include <thrust/copy.h>
#include <thrust/execution_policy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__)
#include <thrust/device_vector.h>
#include <thrust/system/cuda/execution_policy.h>
#define HBAYES_BACKEND_NS cuda
#else
#include <thrust/system/omp/execution_policy.h>

#include <atomic>
#include <vector>

#include "cpu_threads.hpp"
#define HBAYES_BACKEND_NS cpu
#endif

#include "device_macros.hpp"
#include "families/store_posterior.hpp"

namespace hbayes::kernels::HBAYES_BACKEND_NS {

// The inputs that determine a row's posterior, as two 64-bit words (integers as they are,
// doubles by their bits): rows with equal keys have identical posteriors.
struct RowKey {
  std::uint64_t first;
  std::uint64_t second;
};

// Writes one row: what every row functor's posterior is handed to. Row provides
// HBAYES_HD StorePosterior posterior(std::size_t i) const and a member `writer`.
template <class Row>
struct WriteRow {
  Row row;
  HBAYES_HD void operator()(std::size_t i) const { row.writer.write(i, row.posterior(i)); }
};

#if defined(__CUDACC__)

inline auto execution_policy() {
  return thrust::cuda::par;
}

// One GPU thread per row.
template <class Row>
void for_each_row(std::size_t n, const Row& row) {
  thrust::for_each_n(execution_policy(), thrust::counting_iterator<std::size_t>(0), n,
                     WriteRow<Row>{row});
}

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

inline auto execution_policy() {
  return thrust::omp::par;
}

// The cached dispatch of for_each_row (below). Each thread keeps its cache for the life of the
// thread (OpenMP reuses its threads across calls), so a call pays no allocation or clearing:
// entries carry the number of the call that wrote them, and only the current call's count.
// A probe usually misses the core's caches (the table is 2 MiB), about 110 ns against ~600 for
// a beta-binomial posterior, so a thread that finds under one repeat in five among its first
// 4,096 rows stops probing for the rest of the call: a catalog of distinct stores then pays
// almost nothing for the cache.
template <class Row>
void for_each_row_cached(std::size_t n, const Row& row) {
  constexpr int kCacheBits = 14;  // 16,384 entries of 128 bytes (2 MiB, in L2/L3) per thread
  constexpr std::int64_t kTrialRows = 4096;
  struct Entry {
    RowKey key;
    std::uint64_t call;  // 0: never written
    StorePosterior posterior;
  };
  static std::atomic<std::uint64_t> calls{0};
  const std::uint64_t call = ++calls;
  const auto rows = static_cast<std::int64_t>(n);
#pragma omp parallel num_threads(cpu_threads_for(n, kMinScoreRowsPerThread))
  {
    thread_local std::vector<Entry> cache(std::size_t{1} << kCacheBits, Entry{{0, 0}, 0, {}});
    std::int64_t probes = 0;
    std::int64_t hits = 0;
    bool caching = true;
    // Dynamic chunks: a thread slowed by the machine does not hold up the whole call.
#pragma omp for schedule(dynamic, 2048)
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto i = static_cast<std::size_t>(r);
      if (!caching) {
        row.writer.write(i, row.posterior(i));
        continue;
      }
      const RowKey key = row.key(i);
      const std::uint64_t hash =
          (key.first * 0x9E3779B97F4A7C15ull) ^ (key.second * 0xC2B2AE3D27D4EB4Full);
      Entry& slot = cache[hash >> (64 - kCacheBits)];
      if (slot.call == call && slot.key.first == key.first && slot.key.second == key.second) {
        ++hits;
      } else {
        slot = Entry{key, call, row.posterior(i)};
      }
      row.writer.write(i, slot.posterior);
      if (++probes == kTrialRows && hits * 5 < probes) caching = false;
    }
  }
}

// Rows whose Row::kRepeatsWorthCaching is false (cheap posteriors) are one work item each.
// Otherwise each OpenMP thread takes a contiguous block of rows and keeps the posteriors it has
// computed in a small direct-mapped cache keyed by Row::key(i): a catalog in which many stores
// share their inputs (the same successes and trials, say) is scored at the cost of a hash probe
// and a copy per repeated row, while a catalog of distinct rows pays only the probe (a few ns
// against several hundred for a posterior). Results are identical either way.
template <class Row>
void for_each_row(std::size_t n, const Row& row) {
  if constexpr (!Row::kRepeatsWorthCaching) {
    const thrust::counting_iterator<std::size_t> first(0);
    if (cpu_threads_for(n, kMinScoreRowsPerThread) == 1) {
      thrust::for_each_n(thrust::seq, first, n, WriteRow<Row>{row});  // see cpu_threads.hpp
    } else {
      thrust::for_each_n(execution_policy(), first, n, WriteRow<Row>{row});
    }
  } else {
    for_each_row_cached(n, row);
  }
}

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
