// Reductions over stores for the empirical Bayes fits: the histogram pass ("counts of counts" plus
// method-of-moments sums), the per-iteration sums of the gamma-Poisson and normal families, and
// those of the regression fits (covariates in the prior mean).
// Built twice (see backend_system.hpp): by nvcc for CUDA and, through marginal_kernels_cpu.cpp,
// by g++ for Thrust's OpenMP system. The per-store math is the HBAYES_HD code in marginal/*.hpp;
// what differs by backend is how it is driven: Thrust (transform_reduce, sort, reduce_by_key) and
// atomics for the histogram's dense bins on the GPU; OpenMP loops on the CPU, where Thrust has no
// histogram primitive and its reduce is unusable under the sanitizers (see reduce_stores).
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backend_system.hpp"
#include "marginal/beta_binomial_marginal.hpp"
#include "marginal/gamma_poisson_marginal.hpp"
#include "marginal/normal_normal_marginal.hpp"
#include "marginal/regression_terms.hpp"
#include "marginal_kernels.hpp"

#if defined(__CUDACC__)
#include <thrust/copy.h>
#include <thrust/count.h>
#include <thrust/device_vector.h>
#include <thrust/for_each.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sort.h>
#include <thrust/transform.h>
#include <thrust/transform_reduce.h>
#else
#include <omp.h>
#endif

namespace hbayes::kernels::HBAYES_BACKEND_NS {
namespace {

// Counts below this land in dense bins (per CPU thread: 3 histograms x 16384 x 4-byte counters,
// within a core's L2); larger counts, rare in catalogs of stores, are collected, sorted and
// run-length encoded.
constexpr std::int64_t kDenseBins = 16384;

// The rows of a catalog as the histogram pass sees them: whether a row obeys the data rules
// (invalid rows are counted, not summarised, so that validation costs no extra pass), its
// histogram values, and its share of the method-of-moments sums.
struct BinomialRows {
  const std::int64_t* successes;
  const std::int64_t* trials;
  static constexpr int kHistograms = 3;  // successes, failures, trials
  using Moments = BinomialMoments;
  HBAYES_HD bool valid(std::size_t i) const {
    return successes[i] >= 0 && successes[i] <= trials[i];
  }
  HBAYES_HD std::int64_t value(std::size_t i, int h) const {
    return h == 0 ? successes[i] : (h == 1 ? trials[i] - successes[i] : trials[i]);
  }
  HBAYES_HD Moments moments(std::size_t i) const {
    return binomial_moments(successes[i], trials[i]);
  }
#if !defined(__CUDACC__)  // the joint table is the CPU pass's (nvcc rejects unused members here)
  // Stores with fewer trials than this can be counted as (trials, successes) pairs in a table
  // (the CPU pass, for large catalogs): cell n (n + 1) / 2 + y.
  static constexpr std::int64_t kJointTrials = 512;
  // Counts rows [begin, end) into the table, handing the others (more trials, or invalid) to
  // other_row; the loop reads the two columns through local pointers, which the compiler need
  // not reload after each store to the table.
  template <class OtherRow>
  void count_joint(std::size_t begin, std::size_t end, std::uint32_t* table,
                   OtherRow other_row) const {
    const std::int64_t* y = successes;
    const std::int64_t* n = trials;
    for (std::size_t i = begin; i < end; ++i) {
      const std::int64_t yi = y[i], ni = n[i];
      // 0 <= y <= n < kJointTrials in one unsigned comparison each.
      if (static_cast<std::uint64_t>(ni) < kJointTrials &&
          static_cast<std::uint64_t>(yi) <= static_cast<std::uint64_t>(ni)) {
        ++table[ni * (ni + 1) / 2 + yi];
      } else {
        other_row(i);
      }
    }
  }
  // Adds the table's stores to the three dense histograms (kDenseBins each) and the moment sums,
  // in table order: the same counts as store by store, the sums rounded in another order.
  static void add_joint(const std::vector<std::int64_t>& table, std::int64_t* dense,
                        Moments* moments) {
    Moments from_table;
    for (std::int64_t n = 0; n < kJointTrials; ++n) {
      const double inv_n = n > 0 ? 1.0 / static_cast<double>(n) : 0.0;
      for (std::int64_t y = 0; y <= n; ++y) {
        const std::int64_t m = table[static_cast<std::size_t>(n * (n + 1) / 2 + y)];
        if (m == 0) continue;
        dense[y] += m;
        dense[kDenseBins + (n - y)] += m;
        dense[2 * kDenseBins + n] += m;
        if (n == 0) continue;
        const double stores = static_cast<double>(m);
        const double p = static_cast<double>(y) * inv_n;
        from_table = from_table + Moments{stores, stores * p, stores * p * p, stores * inv_n};
      }
    }
    *moments = *moments + from_table;
  }
#endif
};

struct PoissonRows {
  const std::int64_t* counts;
  const double* exposures;
  static constexpr int kHistograms = 1;
  using Moments = PoissonMoments;
  HBAYES_HD bool valid(std::size_t i) const {
    return counts[i] >= 0 && exposures[i] > 0.0 && exposures[i] < INFINITY;
  }
  HBAYES_HD std::int64_t value(std::size_t i, int) const { return counts[i]; }
  HBAYES_HD Moments moments(std::size_t i) const {
    return poisson_moments(counts[i], exposures[i]);
  }
#if !defined(__CUDACC__)
  static constexpr std::int64_t kJointTrials = 0;  // no joint table
  template <class OtherRow>
  void count_joint(std::size_t begin, std::size_t end, std::uint32_t*, OtherRow other_row) const {
    for (std::size_t i = begin; i < end; ++i) other_row(i);
  }
  static void add_joint(const std::vector<std::int64_t>&, std::int64_t*, Moments*) {}
#endif
};

template <class Rows>
struct PassResult {
  typename Rows::Moments moments{};
  std::int64_t invalid = 0;  // rows that break the data rules
};

struct ExposureTermOf {
  const std::int64_t* counts;
  const double* exposures;
  double mean, dispersion;
  HBAYES_HD Derivs2 operator()(std::size_t i) const {
    return exposure_term(static_cast<double>(counts[i]), exposures[i], mean, dispersion);
  }
};

struct NormalSumsOf {
  const double* estimates;
  const double* std_errors;
  double tau2, centre;
  HBAYES_HD NormalPowerSums operator()(std::size_t i) const {
    return normal_power_sums(estimates[i], std_errors[i], tau2, centre);
  }
};

// Store i's covariates and linear predictor x_i' b, read from the column-major design.
struct DesignRow {
  const double* values;
  std::size_t rows;
  int columns;
  HBAYES_HD double x(std::size_t i, int k) const {
    return values[static_cast<std::size_t>(k) * rows + i];
  }
  HBAYES_HD double eta(std::size_t i, const Coefficients& b) const {
    double sum = 0.0;
    for (int k = 0; k < columns; ++k) sum += x(i, k) * b.b[k];
    return sum;
  }
};

// The store terms of the three families, as functors of (first column, second column, eta, d)
// (types, not function pointers, so that device code calls them directly).
struct BetaBinomialTerm {
  HBAYES_HD Derivs2 operator()(double y, double n, double eta, double theta) const {
    return beta_binomial_store_term(y, n, eta, theta);
  }
};
struct GammaPoissonTerm {
  HBAYES_HD Derivs2 operator()(double y, double e, double eta, double phi) const {
    return gamma_poisson_store_term(y, e, eta, phi);
  }
};
struct NormalTerm {
  HBAYES_HD Derivs2 operator()(double y, double se, double eta, double tau2) const {
    return normal_store_term(y, se, eta, tau2);
  }
};

// Store i's term in (eta_i, d).
template <class First, class Second, class Term>
struct StoreTermOf {
  const First* first;
  const Second* second;
  DesignRow design;
  Coefficients b;
  double dispersion;
  HBAYES_HD Derivs2 operator()(std::size_t i) const {
    return Term{}(static_cast<double>(first[i]), static_cast<double>(second[i]), design.eta(i, b),
                  dispersion);
  }
};

// Store i's REML residual at tau^2 and b.
struct StoreResidualOf {
  const double* estimates;
  const double* std_errors;
  DesignRow design;
  Coefficients b;
  double tau2;
  HBAYES_HD StoreResidual operator()(std::size_t i) const {
    return store_residual(estimates[i], std_errors[i], design.eta(i, b), tau2);
  }
};

// a + b for any of the reduction types above (each defines operator+ as HBAYES_HD).
struct Plus {
  template <class T>
  HBAYES_HD T operator()(const T& a, const T& b) const {
    return a + b;
  }
};

#if defined(__CUDACC__)
template <class T, class Of>
T reduce_stores(std::size_t n, const Of& of) {
  return thrust::transform_reduce(execution_policy(), thrust::counting_iterator<std::size_t>(0),
                                  thrust::counting_iterator<std::size_t>(n), of, T{}, Plus{});
}
#else
// Thrust's OpenMP reduce binds a reference through a null execution-policy pointer, undefined
// behaviour that the sanitizer build stops on (NVIDIA/cccl#1645; fixed in CCCL 3.1), so the CPU
// build reduces with OpenMP itself: per-thread partial sums added in thread order, which also
// makes the result independent of scheduling.
template <class T, class Of>
T reduce_stores(std::size_t n, const Of& of) {
  const int threads = cpu_threads_for(n, kMinReduceRowsPerThread);  // see cpu_threads.hpp
  std::vector<T> partial(threads);
  const std::int64_t rows = static_cast<std::int64_t>(n);
#pragma omp parallel num_threads(threads)
  {
    T sum{};
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < rows; ++i) sum = sum + of(static_cast<std::size_t>(i));
    partial[omp_get_thread_num()] = sum;
  }
  T total{};
  for (const T& p : partial) total = total + p;
  return total;
}
#endif

#if defined(__CUDACC__)
// On the GPU the regression sums are reduced one entry at a time: the stores' terms first (one
// transform), then one reduction of doubles per entry of RegressionSums / RemlSums. Reducing
// the structs themselves (up to 132 doubles) through CUB's block and warp reductions tripled the
// file's device code and multiplied nvcc's time by six; a double reduction is one small kernel.

// Which member of a store's Derivs2 an entry sums.
enum class TermField { Value, Da, Db, Daa, Dab, Dbb };

// Entry of RegressionSums for store j: a field of its term, times covariates i and k where
// they are >= 0.
struct RegressionEntryOf {
  const Derivs2* terms;
  DesignRow design;
  TermField field;
  int i, k;
  HBAYES_HD double operator()(std::size_t j) const {
    const Derivs2& t = terms[j];
    double v = field == TermField::Value ? t.value
               : field == TermField::Da  ? t.da
               : field == TermField::Db  ? t.db
               : field == TermField::Daa ? t.daa
               : field == TermField::Dab ? t.dab
                                         : t.dbb;
    if (i >= 0) v *= design.x(j, i);
    if (k >= 0) v *= design.x(j, k);
    return v;
  }
};

// Entry of RemlSums for store j: log v, or w^power r^r_power times covariates i and k where
// they are >= 0.
struct RemlEntryOf {
  const StoreResidual* residuals;
  DesignRow design;
  bool log_v;
  int power, r_power, i, k;
  HBAYES_HD double operator()(std::size_t j) const {
    const StoreResidual& s = residuals[j];
    if (log_v) return s.log_v;
    double v = 1.0;
    for (int m = 0; m < power; ++m) v *= s.w;
    for (int m = 0; m < r_power; ++m) v *= s.r;
    if (i >= 0) v *= design.x(j, i);
    if (k >= 0) v *= design.x(j, k);
    return v;
  }
};

template <class TermOf>
RegressionSums reduce_regression(std::size_t n, const TermOf& term_of, const DesignRow& design) {
  thrust::device_vector<Derivs2> terms(n);
  thrust::transform(execution_policy(), thrust::counting_iterator<std::size_t>(0),
                    thrust::counting_iterator<std::size_t>(n), terms.begin(), term_of);
  const Derivs2* t = thrust::raw_pointer_cast(terms.data());
  const auto sum = [&](TermField field, int i, int k) {
    return reduce_stores<double>(n, RegressionEntryOf{t, design, field, i, k});
  };
  RegressionSums s;
  s.value = sum(TermField::Value, -1, -1);
  s.gd = sum(TermField::Db, -1, -1);
  s.hdd = sum(TermField::Dbb, -1, -1);
  for (int i = 0; i < design.columns; ++i) {
    s.g[i] = sum(TermField::Da, i, -1);
    s.hd[i] = sum(TermField::Dab, i, -1);
    for (int k = 0; k <= i; ++k) s.h[packed_index(i, k)] = sum(TermField::Daa, i, k);
  }
  return s;
}

RemlSums reduce_reml(std::size_t n, const StoreResidualOf& residual_of, const DesignRow& design) {
  thrust::device_vector<StoreResidual> residuals(n);
  thrust::transform(execution_policy(), thrust::counting_iterator<std::size_t>(0),
                    thrust::counting_iterator<std::size_t>(n), residuals.begin(), residual_of);
  const StoreResidual* r = thrust::raw_pointer_cast(residuals.data());
  const auto sum = [&](int power, int r_power, int i, int k) {
    return reduce_stores<double>(n, RemlEntryOf{r, design, false, power, r_power, i, k});
  };
  RemlSums s;
  s.sum_log_v = reduce_stores<double>(n, RemlEntryOf{r, design, true, 0, 0, -1, -1});
  for (int power = 1; power <= 3; ++power) {
    s.w[power - 1] = sum(power, 0, -1, -1);
    s.wrr[power - 1] = sum(power, 2, -1, -1);
    for (int i = 0; i < design.columns; ++i) {
      for (int c = 0; c <= i; ++c) s.xwx[power - 1][packed_index(i, c)] = sum(power, 0, i, c);
      if (power < 3) s.xwr[power - 1][i] = sum(power, 1, i, -1);
    }
  }
  return s;
}

#else
// On the CPU one pass per evaluation: each store's share of the whole struct, summed per thread.

template <class TermOf>
struct RegressionSumsOf {
  TermOf term_of;
  DesignRow design;
  RegressionSums operator()(std::size_t i) const {
    double x[kMaxCoefficients];
    for (int k = 0; k < design.columns; ++k) x[k] = design.x(i, k);
    return regression_sums(term_of(i), x, design.columns);
  }
};

struct RemlSumsOf {
  StoreResidualOf residual_of;
  DesignRow design;
  RemlSums operator()(std::size_t i) const {
    double x[kMaxCoefficients];
    for (int k = 0; k < design.columns; ++k) x[k] = design.x(i, k);
    return reml_sums(residual_of(i), x, design.columns);
  }
};

template <class TermOf>
RegressionSums reduce_regression(std::size_t n, const TermOf& term_of, const DesignRow& design) {
  return reduce_stores<RegressionSums>(n, RegressionSumsOf<TermOf>{term_of, design});
}

RemlSums reduce_reml(std::size_t n, const StoreResidualOf& residual_of, const DesignRow& design) {
  return reduce_stores<RemlSums>(n, RemlSumsOf{residual_of, design});
}
#endif

// Dense bins plus the sorted large values of one histogram, as a CountHistogram.
CountHistogram to_histogram(const std::int64_t* dense,
                            const std::vector<std::int64_t>& large_values,
                            const std::vector<std::int64_t>& large_counts) {
  CountHistogram h;
  for (std::int64_t v = 0; v < kDenseBins; ++v) {
    if (dense[v] > 0) {
      h.values.push_back(v);
      h.multiplicities.push_back(dense[v]);
    }
  }
  h.values.insert(h.values.end(), large_values.begin(), large_values.end());
  h.multiplicities.insert(h.multiplicities.end(), large_counts.begin(), large_counts.end());
  return h;
}

#if defined(__CUDACC__)

// Device-only: one atomic increment per valid store and histogram for counts in the dense range.
template <class Rows>
struct CountDense {
  Rows rows;
  unsigned long long* bins;
  __device__ void operator()(std::size_t i) const {
    if (!rows.valid(i)) return;
    for (int h = 0; h < Rows::kHistograms; ++h) {
      const std::int64_t v = rows.value(i, h);
      if (v < kDenseBins) atomicAdd(bins + h * kDenseBins + v, 1ull);
    }
  }
};

// Histogram value h of row i, or -1 (never large) for an invalid row.
template <class Rows>
struct ValueAt {
  Rows rows;
  int h;
  HBAYES_HD std::int64_t operator()(std::size_t i) const {
    return rows.valid(i) ? rows.value(i, h) : -1;
  }
};

struct IsLarge {
  HBAYES_HD bool operator()(std::int64_t v) const { return v >= kDenseBins; }
};

template <class Rows>
struct ValidMoments {
  Rows rows;
  HBAYES_HD typename Rows::Moments operator()(std::size_t i) const {
    return rows.valid(i) ? rows.moments(i) : typename Rows::Moments{};
  }
};

template <class Rows>
struct IsInvalid {
  Rows rows;
  HBAYES_HD bool operator()(std::size_t i) const { return !rows.valid(i); }
};

// The histograms of the stores' values: dense bins by atomics, large values by sort and
// run-length encoding on the device; moments and the invalid count by Thrust reductions.
template <class Rows>
PassResult<Rows> histogram_pass(std::size_t n, const Rows& rows, CountHistogram* out) {
  constexpr int H = Rows::kHistograms;
  thrust::device_vector<unsigned long long> bins(H * kDenseBins, 0ull);
  thrust::for_each_n(execution_policy(), thrust::counting_iterator<std::size_t>(0), n,
                     CountDense<Rows>{rows, thrust::raw_pointer_cast(bins.data())});
  std::vector<unsigned long long> host_bins(bins.size());
  thrust::copy(bins.begin(), bins.end(), host_bins.begin());
  for (int h = 0; h < H; ++h) {
    const auto first = thrust::make_transform_iterator(thrust::counting_iterator<std::size_t>(0),
                                                       ValueAt<Rows>{rows, h});
    const std::size_t large =
        static_cast<std::size_t>(thrust::count_if(execution_policy(), first, first + n, IsLarge{}));
    std::vector<std::int64_t> keys, counts;
    if (large > 0) {
      thrust::device_vector<std::int64_t> v(large);
      thrust::copy_if(execution_policy(), first, first + n, v.begin(), IsLarge{});
      thrust::sort(execution_policy(), v.begin(), v.end());
      thrust::device_vector<std::int64_t> k(large), c(large);
      const auto ends =
          thrust::reduce_by_key(execution_policy(), v.begin(), v.end(),
                                thrust::constant_iterator<std::int64_t>(1), k.begin(), c.begin());
      const std::size_t distinct = static_cast<std::size_t>(ends.first - k.begin());
      keys.resize(distinct);
      counts.resize(distinct);
      thrust::copy(k.begin(), k.begin() + distinct, keys.begin());
      thrust::copy(c.begin(), c.begin() + distinct, counts.begin());
    }
    std::vector<std::int64_t> dense(host_bins.begin() + h * kDenseBins,
                                    host_bins.begin() + (h + 1) * kDenseBins);
    out[h] = to_histogram(dense.data(), keys, counts);
  }
  PassResult<Rows> result;
  result.moments = reduce_stores<typename Rows::Moments>(n, ValidMoments<Rows>{rows});
  result.invalid = static_cast<std::int64_t>(
      thrust::count_if(execution_policy(), thrust::counting_iterator<std::size_t>(0),
                       thrust::counting_iterator<std::size_t>(n), IsInvalid<Rows>{rows}));
  return result;
}

#else

// Catalogs of at least this many stores count beta-binomial stores of few trials in a joint
// (trials, successes) table: one increment per store instead of three scattered histogram
// increments and a division, which made the pass compute-bound (measured on one core over 1e7
// stores: 31 ms against 12 ms, one read of the columns 6 ms). Below it the table (131,328
// counters per thread) costs more to clear, merge and expand than it saves (2 threads, 1e6
// stores: 2.15 ms with the table, 1.53 ms without).
constexpr std::size_t kJointMinRows = std::size_t{1} << 21;

// One pass over the stores on all threads: per-thread dense bins (32-bit counters, so rows go
// in blocks of 2^31), large values, moment sums and invalid rows, merged in thread order so that
// the result does not depend on scheduling.
template <class Rows>
PassResult<Rows> histogram_pass(std::size_t n, const Rows& rows, CountHistogram* out) {
  constexpr int H = Rows::kHistograms;
  constexpr std::size_t kBlock = std::size_t{1} << 31;
  const int threads = cpu_threads_for(n, kMinReduceRowsPerThread);  // see cpu_threads.hpp
  const bool use_joint = Rows::kJointTrials > 0 && n >= kJointMinRows;
  const std::size_t joint_cells =
      use_joint ? static_cast<std::size_t>(Rows::kJointTrials * (Rows::kJointTrials + 1) / 2) : 0;
  std::vector<std::int64_t> joint(joint_cells, 0);
  std::vector<std::vector<std::uint32_t> > joint_bins(threads);
  std::vector<std::int64_t> dense(static_cast<std::size_t>(H) * kDenseBins, 0);
  std::vector<std::vector<std::uint32_t> > bins(threads);
  std::vector<std::vector<std::int64_t> > large(static_cast<std::size_t>(threads) * H);
  std::vector<typename Rows::Moments> moments(threads);
  std::vector<std::int64_t> invalid(threads, 0);
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::int64_t first = static_cast<std::int64_t>(start);
    const std::int64_t last = static_cast<std::int64_t>(std::min(n, start + kBlock));
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      std::vector<std::uint32_t>& local = bins[t];
      local.assign(static_cast<std::size_t>(H) * kDenseBins, 0);
      std::vector<std::uint32_t>& local_joint = joint_bins[t];
      local_joint.assign(joint_cells, 0);
      typename Rows::Moments sum = moments[t];
      std::int64_t bad = 0;
      // Every store but those the joint table takes.
      const auto count_row = [&](std::size_t row) {
        if (!rows.valid(row)) {
          ++bad;
          return;
        }
        for (int h = 0; h < H; ++h) {
          const std::int64_t v = rows.value(row, h);
          if (v < kDenseBins) {
            ++local[h * kDenseBins + v];
          } else {
            large[static_cast<std::size_t>(t) * H + h].push_back(v);
          }
        }
        sum = sum + rows.moments(row);
      };
      // The thread's share of rows, as schedule(static) would give it: a contiguous range, so
      // the joint table's loop can run over plain column pointers.
      const std::int64_t share = (last - first + threads - 1) / threads;
      const std::int64_t begin = std::min(last, first + t * share);
      const std::int64_t end = std::min(last, begin + share);
      if (use_joint) {
        rows.count_joint(static_cast<std::size_t>(begin), static_cast<std::size_t>(end),
                         local_joint.data(), count_row);
      } else {
        for (std::int64_t i = begin; i < end; ++i) count_row(static_cast<std::size_t>(i));
      }
      moments[t] = sum;
      invalid[t] += bad;
    }
    for (int t = 0; t < threads; ++t) {
      if (bins[t].empty()) continue;  // the runtime may start fewer threads than asked for
      for (std::size_t k = 0; k < dense.size(); ++k) dense[k] += bins[t][k];
      for (std::size_t k = 0; k < joint_cells; ++k) joint[k] += joint_bins[t][k];
    }
  }
  PassResult<Rows> result;
  for (int t = 0; t < threads; ++t) {
    result.moments = result.moments + moments[t];
    result.invalid += invalid[t];
  }
  if (use_joint) Rows::add_joint(joint, dense.data(), &result.moments);
  for (int h = 0; h < H; ++h) {
    std::vector<std::int64_t> all;
    for (int t = 0; t < threads; ++t) {
      const auto& l = large[static_cast<std::size_t>(t) * H + h];
      all.insert(all.end(), l.begin(), l.end());
    }
    std::sort(all.begin(), all.end());
    std::vector<std::int64_t> keys, counts;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (keys.empty() || keys.back() != all[i]) {
        keys.push_back(all[i]);
        counts.push_back(0);
      }
      ++counts.back();
    }
    out[h] = to_histogram(dense.data() + h * kDenseBins, keys, counts);
  }
  return result;
}

#endif

// The histogram pass over a gamma-Poisson catalog's columns (already on the backend): the
// histogram of counts and the moment sums of the valid rows; *invalid_rows counts the others.
PoissonSummary summarize_poisson_rows(const PoissonRows& rows, std::size_t n,
                                      std::int64_t* invalid_rows) {
  PoissonSummary summary;
  summary.groups = n;
  *invalid_rows = 0;
  if (n == 0) return summary;
  CountHistogram histogram[1];
  const auto pass = histogram_pass(n, rows, histogram);
  *invalid_rows = pass.invalid;
  summary.counts = std::move(histogram[0]);
  summary.sum_exposure = pass.moments.sum_exposure;
  summary.sum_rate = pass.moments.sum_rate;
  summary.sum_rate_sq = pass.moments.sum_rate_sq;
  summary.sum_inv_exposure = pass.moments.sum_inv_exposure;
  return summary;
}

class ResidentExposureReducer : public ExposureReducer {
 public:
  explicit ResidentExposureReducer(const PoissonColumns& data)
      : n_(data.size), counts_(data.counts, data.size), exposures_(data.exposures, data.size) {}

  Derivs2 reduce(double mean, double dispersion) const override {
    return reduce_stores<Derivs2>(
        n_, ExposureTermOf{counts_.get(), exposures_.get(), mean, dispersion});
  }

  PoissonSummary summarize(std::int64_t* invalid_rows) const override {
    return summarize_poisson_rows(PoissonRows{counts_.get(), exposures_.get()}, n_, invalid_rows);
  }

 private:
  std::size_t n_;
  InputColumn<std::int64_t> counts_;
  InputColumn<double> exposures_;
};

class ResidentNormalReducer : public NormalReducer {
 public:
  explicit ResidentNormalReducer(const NormalColumns& data)
      : n_(data.size),
        estimates_(data.estimates, data.size),
        std_errors_(data.std_errors, data.size) {}

  NormalPowerSums reduce(double tau2, double centre) const override {
    return reduce_stores<NormalPowerSums>(
        n_, NormalSumsOf{estimates_.get(), std_errors_.get(), tau2, centre});
  }

 private:
  std::size_t n_;
  InputColumn<double> estimates_;
  InputColumn<double> std_errors_;
};

// A catalog's two data columns and its design, resident on the backend, reduced through Term.
template <class First, class Second, class Term>
class ResidentRegressionReducer : public RegressionReducer {
 public:
  ResidentRegressionReducer(const First* first, const Second* second, const DesignView& design)
      : design_(design),
        first_(first, design.rows),
        second_(second, design.rows),
        values_(design.values, design.rows * static_cast<std::size_t>(design.columns)) {}

  RegressionSums reduce(const Coefficients& b, double dispersion) const override {
    const DesignRow row{values_.get(), design_.rows, design_.columns};
    return reduce_regression(
        design_.rows,
        StoreTermOf<First, Second, Term>{first_.get(), second_.get(), row, b, dispersion}, row);
  }

 private:
  DesignView design_;
  InputColumn<First> first_;
  InputColumn<Second> second_;
  InputColumn<double> values_;
};

class ResidentRemlReducer : public RemlReducer {
 public:
  ResidentRemlReducer(const NormalColumns& data, const DesignView& design)
      : design_(design),
        estimates_(data.estimates, data.size),
        std_errors_(data.std_errors, data.size),
        values_(design.values, design.rows * static_cast<std::size_t>(design.columns)) {}

  RemlSums reduce(const Coefficients& b, double tau2) const override {
    const DesignRow row{values_.get(), design_.rows, design_.columns};
    return reduce_reml(design_.rows,
                       StoreResidualOf{estimates_.get(), std_errors_.get(), row, b, tau2}, row);
  }

 private:
  DesignView design_;
  InputColumn<double> estimates_;
  InputColumn<double> std_errors_;
  InputColumn<double> values_;
};

}  // namespace

BinomialSummary summarize_binomial(const BinomialColumns& data, std::int64_t* invalid_rows) {
  BinomialSummary summary;
  summary.groups = data.size;
  *invalid_rows = 0;
  if (data.size == 0) return summary;
  const InputColumn<std::int64_t> successes(data.successes, data.size);
  const InputColumn<std::int64_t> trials(data.trials, data.size);
  CountHistogram histograms[3];
  const auto pass =
      histogram_pass(data.size, BinomialRows{successes.get(), trials.get()}, histograms);
  *invalid_rows = pass.invalid;
  summary.successes = std::move(histograms[0]);
  summary.failures = std::move(histograms[1]);
  summary.trials = std::move(histograms[2]);
  summary.rate_stores = pass.moments.stores;
  summary.sum_rate = pass.moments.sum_rate;
  summary.sum_rate_sq = pass.moments.sum_rate_sq;
  summary.sum_inv_trials = pass.moments.sum_inv_trials;
  return summary;
}

std::unique_ptr<ExposureReducer> make_exposure_reducer(const PoissonColumns& data) {
  return std::make_unique<ResidentExposureReducer>(data);
}

std::unique_ptr<NormalReducer> make_normal_reducer(const NormalColumns& data) {
  return std::make_unique<ResidentNormalReducer>(data);
}

std::unique_ptr<RegressionReducer> make_regression_reducer(const BinomialColumns& data,
                                                           const DesignView& design) {
  return std::make_unique<ResidentRegressionReducer<std::int64_t, std::int64_t, BetaBinomialTerm> >(
      data.successes, data.trials, design);
}

std::unique_ptr<RegressionReducer> make_regression_reducer(const PoissonColumns& data,
                                                           const DesignView& design) {
  return std::make_unique<ResidentRegressionReducer<std::int64_t, double, GammaPoissonTerm> >(
      data.counts, data.exposures, design);
}

std::unique_ptr<RegressionReducer> make_regression_reducer(const NormalColumns& data,
                                                           const DesignView& design) {
  return std::make_unique<ResidentRegressionReducer<double, double, NormalTerm> >(
      data.estimates, data.std_errors, design);
}

std::unique_ptr<RemlReducer> make_reml_reducer(const NormalColumns& data,
                                               const DesignView& design) {
  return std::make_unique<ResidentRemlReducer>(data, design);
}

}  // namespace hbayes::kernels::HBAYES_BACKEND_NS
