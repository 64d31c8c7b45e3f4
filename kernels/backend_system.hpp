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
// HBAYES_HD StorePosterior posterior(std::size_t i) const, a member `writer`, and kBlockRows: where
// that is above one, also posteriors(rows, count, out) for the rows rows[0 .. count - 1],
// count <= kBlockRows, at once (with the same results as row by row).
template <class Row>
struct WriteRow {
  Row row;
  HBAYES_HD void operator()(std::size_t i) const { row.writer.write(i, row.posterior(i)); }
};

// How many rows a CPU thread scores at once where a family solves its rows in lanes
// (beta_quantile_lanes.hpp): 8 stores are 16 quantiles, two AVX-512 vectors. A GPU thread takes
// one row.
#if defined(__CUDACC__)
constexpr int kScoreBlockRows = 1;
#else
constexpr int kScoreBlockRows = 8;
#endif

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

// The posteriors of rows[0 .. count - 1] (count <= Row::kBlockRows) into out, at once where the
// row functor has a block form.
template <class Row>
void score_rows(const Row& row, const std::size_t* rows, int count, StorePosterior* out) {
  if constexpr (Row::kBlockRows > 1) {
    row.posteriors(rows, count, out);
  } else {
    for (int j = 0; j < count; ++j) out[j] = row.posterior(rows[j]);
  }
}

// Writes block b of Row::kBlockRows rows (the last one possibly shorter) of n.
template <class Row>
struct WriteBlock {
  Row row;
  std::size_t n;
  void operator()(std::size_t b) const {
    std::size_t rows[Row::kBlockRows];
    int count = 0;
    for (std::size_t i = b * Row::kBlockRows; i < n && count < Row::kBlockRows; ++i) {
      rows[count++] = i;
    }
    StorePosterior out[Row::kBlockRows];
    score_rows(row, rows, count, out);
    for (int j = 0; j < count; ++j) row.writer.write(rows[j], out[j]);
  }
};

// The cached dispatch of for_each_row (below). Each thread keeps its cache for the life of the
// thread (OpenMP reuses its threads across calls), so a call pays no allocation or clearing:
// entries carry the number of the call that wrote them, and only the current call's count.
// A probe usually misses the core's caches (the table is 2 MiB), about 110 ns against ~200 for
// a beta-binomial posterior in lanes (~600 alone), so a thread that finds under one repeat in
// five among its first 4,096 rows stops probing for the rest of the call: a catalog of distinct
// stores then pays almost nothing for the cache. Misses are scored a block at a time.
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
  constexpr int kBlock = Row::kBlockRows;
  const auto blocks = static_cast<std::int64_t>((n + kBlock - 1) / kBlock);
  const auto slot_of = [](const RowKey& key) {
    const std::uint64_t hash =
        (key.first * 0x9E3779B97F4A7C15ull) ^ (key.second * 0xC2B2AE3D27D4EB4Full);
    return static_cast<std::size_t>(hash >> (64 - kCacheBits));
  };
#pragma omp parallel num_threads(cpu_threads_for(n, kMinScoreRowsPerThread))
  {
    thread_local std::vector<Entry> cache(std::size_t{1} << kCacheBits, Entry{{0, 0}, 0, {}});
    std::int64_t probes = 0;
    std::int64_t hits = 0;
    bool caching = true;
    // Misses wait until a block's worth has gathered and are then scored together (for a
    // family that solves its rows in lanes, one miss alone costs about as much as a block).
    std::size_t pending[kBlock];
    int waiting = 0;
    const auto score_pending = [&]() {
      if (waiting == 0) return;
      StorePosterior out[kBlock];
      score_rows(row, pending, waiting, out);
      for (int j = 0; j < waiting; ++j) {
        const RowKey key = row.key(pending[j]);
        cache[slot_of(key)] = Entry{key, call, out[j]};
        row.writer.write(pending[j], out[j]);
      }
      waiting = 0;
    };
    // Dynamic chunks of 2,048 rows: a thread slowed by the machine does not hold up the call.
#pragma omp for schedule(dynamic, 2048 / kBlock)
    for (std::int64_t b = 0; b < blocks; ++b) {
      if (!caching) {
        WriteBlock<Row>{row, n}(static_cast<std::size_t>(b));
        continue;
      }
      const std::size_t first = static_cast<std::size_t>(b) * kBlock;
      for (std::size_t i = first; i < first + kBlock && i < n; ++i) {
        const RowKey key = row.key(i);
        const Entry& slot = cache[slot_of(key)];
        if (slot.call == call && slot.key.first == key.first && slot.key.second == key.second) {
          ++hits;
          row.writer.write(i, slot.posterior);
        } else {
          pending[waiting++] = i;
          if (waiting == kBlock) score_pending();
        }
        if (++probes == kTrialRows && hits * 5 < probes) caching = false;
      }
    }
    score_pending();
  }
}

// Rows whose Row::kRepeatsWorthCaching is false (cheap posteriors, or priors per store) are one
// work item per block of Row::kBlockRows rows. Otherwise each OpenMP thread takes a run of rows and
// keeps the posteriors it has computed in a small direct-mapped cache keyed by Row::key(i): a
// catalog in which many stores share their inputs (the same successes and trials, say) is scored at
// the cost of a hash probe and a copy per repeated row, while a catalog of distinct rows pays only
// the probe (a few ns against several hundred for a posterior) and, once it stops probing, scores a
// block of rows at a time. Results are identical either way.
template <class Row>
void for_each_row(std::size_t n, const Row& row) {
  if constexpr (!Row::kRepeatsWorthCaching) {
    const thrust::counting_iterator<std::size_t> first(0);
    const std::size_t blocks = (n + Row::kBlockRows - 1) / Row::kBlockRows;
    if (cpu_threads_for(n, kMinScoreRowsPerThread) == 1) {
      thrust::for_each_n(thrust::seq, first, blocks, WriteBlock<Row>{row, n});  // cpu_threads.hpp
    } else {
      thrust::for_each_n(execution_policy(), first, blocks, WriteBlock<Row>{row, n});
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
