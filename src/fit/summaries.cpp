// Catalog summaries: the histogram pass, and exact merging of shards' summaries.
#include <string>

#include "fit/fit_internal.hpp"
#include "hbayes/errors.hpp"
#include "marginal_kernels.hpp"
#include "validation.hpp"

namespace hbayes {

void CountHistogram::merge(const CountHistogram& other) {
  CountHistogram merged;
  std::size_t i = 0, j = 0;
  merged.values.reserve(values.size() + other.values.size());
  merged.multiplicities.reserve(values.size() + other.values.size());
  while (i < values.size() || j < other.values.size()) {
    if (j == other.values.size() || (i < values.size() && values[i] < other.values[j])) {
      merged.values.push_back(values[i]);
      merged.multiplicities.push_back(multiplicities[i++]);
    } else if (i == values.size() || other.values[j] < values[i]) {
      merged.values.push_back(other.values[j]);
      merged.multiplicities.push_back(other.multiplicities[j++]);
    } else {
      merged.values.push_back(values[i]);
      merged.multiplicities.push_back(multiplicities[i++] + other.multiplicities[j++]);
    }
  }
  *this = std::move(merged);
}

std::int64_t CountHistogram::stores() const {
  std::int64_t n = 0;
  for (std::int64_t m : multiplicities) n += m;
  return n;
}

void BinomialSummary::merge(const BinomialSummary& other) {
  successes.merge(other.successes);
  failures.merge(other.failures);
  trials.merge(other.trials);
  groups += other.groups;
  rate_stores += other.rate_stores;
  sum_rate += other.sum_rate;
  sum_rate_sq += other.sum_rate_sq;
  sum_inv_trials += other.sum_inv_trials;
  backend = other.backend;
}

void PoissonSummary::merge(const PoissonSummary& other) {
  counts.merge(other.counts);
  groups += other.groups;
  sum_exposure += other.sum_exposure;
  sum_rate += other.sum_rate;
  sum_rate_sq += other.sum_rate_sq;
  sum_inv_exposure += other.sum_inv_exposure;
}

BinomialSummary summarize(const BinomialColumns& data, Backend backend) {
  const BackendChoice choice = resolve_backend(backend);
  std::int64_t invalid = 0;
  BinomialSummary summary = choice.backend == Backend::Cuda
                                ? kernels::cuda::summarize_binomial(data, &invalid)
                                : kernels::cpu::summarize_binomial(data, &invalid);
  // The pass only counts bad rows (validation costs no extra pass); name the first one.
  if (invalid > 0) {
    fit_detail::throw_first_invalid(data.size, [&](std::size_t i) {
      return validation::binomial_row(data.successes[i], data.trials[i], "successes", "trials");
    });
  }
  summary.backend = choice;
  return summary;
}

}  // namespace hbayes
