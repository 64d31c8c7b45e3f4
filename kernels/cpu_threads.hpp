// How many OpenMP threads a CPU loop over n rows should use.
//
// A parallel region costs a wake-up and a barrier; on a loaded machine a descheduled thread turns
// that barrier into a scheduler time slice (milliseconds). Measured on the 2-core VM under load:
// a 5,000-store beta-binomial fit took 12 ms on 2 threads and 0.28 ms on 1. So each thread is
// given at least a few tens of microseconds of work, and small calls run on the calling thread.
#pragma once

#include <omp.h>

#include <cstddef>

namespace hbayes::kernels {

// Threads for n rows when each thread should get at least min_rows of them (>= 1).
inline int cpu_threads_for(std::size_t n, std::size_t min_rows) {
  const std::size_t wanted = n / min_rows;
  const auto most = static_cast<std::size_t>(omp_get_max_threads());
  return static_cast<int>(wanted < 1 ? 1 : (wanted < most ? wanted : most));
}

// Rows per thread at least: scoring a store costs ~0.1-1 us, a reduction term ~5 ns.
constexpr std::size_t kMinScoreRowsPerThread = 256;
constexpr std::size_t kMinReduceRowsPerThread = 16384;

}  // namespace hbayes::kernels
