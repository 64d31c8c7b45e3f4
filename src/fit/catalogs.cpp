// In-memory catalogs: validated columns, resident on the chosen backend, reduced on demand.
#include <cmath>
#include <string>
#include <utility>

#include "cpu_threads.hpp"
#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"
#include "marginal_kernels.hpp"
#include "validation.hpp"

namespace hbayes {
namespace {

class ColumnsPoissonCatalog : public PoissonCatalog {
 public:
  ColumnsPoissonCatalog(const PoissonColumns& data, BackendChoice choice)
      : backend_(std::move(choice)) {
    // The columns go to the backend once: the summary is the resident reducer's.
    reducer_ = backend_.backend == Backend::Cuda ? kernels::cuda::make_exposure_reducer(data)
                                                 : kernels::cpu::make_exposure_reducer(data);
    std::int64_t invalid = 0;
    summary_ = reducer_->summarize(&invalid);
    if (invalid > 0) {
      fit_detail::throw_first_invalid(data.size, [&](std::size_t i) {
        return validation::poisson_row(data.counts[i], data.exposures[i], "count", "exposure");
      });
    }
  }

  PoissonSummary summary() const override { return summary_; }
  MarginalDerivatives exposure_terms(double mean, double dispersion) const override {
    return fit_detail::to_public(reducer_->reduce(mean, dispersion));
  }
  BackendChoice backend() const override { return backend_; }

 private:
  BackendChoice backend_;
  PoissonSummary summary_;
  std::unique_ptr<kernels::ExposureReducer> reducer_;
};

class ColumnsNormalCatalog : public NormalCatalog {
 public:
  ColumnsNormalCatalog(const NormalColumns& data, BackendChoice choice) : backend_(choice) {
    reducer_ = choice.backend == Backend::Cuda ? kernels::cuda::make_normal_reducer(data)
                                               : kernels::cpu::make_normal_reducer(data);
  }

  NormalSums sums(double tau2, double centre) const override {
    return fit_detail::to_public(reducer_->reduce(tau2, centre));
  }
  BackendChoice backend() const override { return backend_; }

 private:
  BackendChoice backend_;
  std::unique_ptr<kernels::NormalReducer> reducer_;
};

// True when a normal row obeys the data rules (the full check, with its message, is
// validation::normal_row).
bool valid_normal_row(double estimate, double std_error) {
  return std::isfinite(estimate) && std_error > 0.0 && std_error < INFINITY;
}

}  // namespace

std::unique_ptr<PoissonCatalog> make_catalog(const PoissonColumns& data, Backend backend) {
  // Rows are validated by the catalog's histogram pass.
  return std::make_unique<ColumnsPoissonCatalog>(data, resolve_backend(backend));
}

std::unique_ptr<NormalCatalog> make_catalog(const NormalColumns& data, Backend backend) {
  // One parallel scan for bad rows (the reductions would turn them into NaN sums).
  const std::int64_t rows = static_cast<std::int64_t>(data.size);
  std::int64_t invalid = 0;
#pragma omp parallel for reduction(+ : invalid) schedule(static) \
    num_threads(kernels::cpu_threads_for(data.size, kernels::kMinReduceRowsPerThread))
  for (std::int64_t i = 0; i < rows; ++i) {
    if (!valid_normal_row(data.estimates[i], data.std_errors[i])) ++invalid;
  }
  if (invalid > 0) {
    fit_detail::throw_first_invalid(data.size, [&](std::size_t i) {
      return validation::normal_row(data.estimates[i], data.std_errors[i], "estimate", "std_error");
    });
  }
  return std::make_unique<ColumnsNormalCatalog>(data, resolve_backend(backend));
}

}  // namespace hbayes
