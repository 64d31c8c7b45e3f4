// Posterior predictive p-values; see include/hbayes/predictive.hpp.
#include "sample/posterior_predictive.hpp"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "cpu_threads.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/predictive.hpp"
#include "sample/hier_model_mapping.hpp"

namespace hbayes {
namespace sampling {

namespace hmc = kernels::hmc;

hmc::WordCounter replicate_words(std::uint64_t seed, std::size_t chain, std::size_t draw,
                                 std::size_t group) {
  return hmc::WordCounter{hmc::ChainStream{seed, chain, draw, hmc::RandomPurpose::Predictive},
                          std::uint64_t{group} << 32};
}

double replicate_observation(HierFamily family, double theta, double size,
                             hmc::WordCounter& words) {
  if (family == HierFamily::Normal) return hmc::normal_variate(theta, size, words);
  if (family == HierFamily::Binomial) {
    // logistic(theta) without overflow of exp for theta of either sign.
    const double e = std::exp(-std::fabs(theta));
    const double p = theta >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    return hmc::binomial_variate(size, p, words);
  }
  return hmc::poisson_variate(size * std::exp(theta), words);
}

}  // namespace sampling

namespace {

// Replicates per thread at least (each costs ~50-100 ns), so small checks stay on one thread.
constexpr std::size_t kMinReplicatesPerThread = std::size_t{1} << 15;

// Two statistics closer than this many epsilons per summed term count as equal: a discrete
// replicate can have exactly the observed rates in another order, and the summation's rounding
// must not decide on which side of T(y) it falls.
constexpr double kTieEpsilonsPerTerm = 8.0;

bool has_rate(HierFamily family, double size) {
  return family != HierFamily::Binomial || size > 0.0;
}

// The observation on the data scale: the estimate itself, or a count per trial or per exposure.
double rate(HierFamily family, double value, double size) {
  return family == HierFamily::Normal ? value : value / size;
}

// Sample variance, divisor n - 1, by two passes: the mean's rounding error cancels to first order.
double sample_variance(const std::vector<double>& x) {
  double sum = 0.0;
  for (double v : x) sum += v;
  const double mean = sum / static_cast<double>(x.size());
  double squares = 0.0;
  for (double v : x) squares += (v - mean) * (v - mean);
  return squares / static_cast<double>(x.size() - 1);
}

// Twice the mid-p indicator, [rep > obs] + [rep == obs] / 2, as an integer so that the totals
// are exact and do not depend on the order in which threads add them. Values within
// relative_tie of each other (relative to the larger) count as equal.
std::uint64_t half_exceedances(double rep, double obs, double relative_tie) {
  if (std::fabs(rep - obs) <= relative_tie * std::max(std::fabs(rep), std::fabs(obs))) return 1;
  return rep > obs ? 2 : 0;
}

}  // namespace

PredictiveCheck posterior_predictive_check(const HierModelSpec& spec, const HierDataset& data,
                                           const SampleResult& result, std::uint64_t seed) {
  const std::vector<kernels::hmc::GroupData> groups = sampling::validated_groups(spec.family, data);
  const std::size_t group_count = groups.size();
  const std::size_t first_theta = SampleResult::kSamplerColumns + 2;  // after mu and tau
  const std::size_t width = result.columns.size();
  if (width != first_theta + group_count) {
    throw InputError("posterior predictive check", 0,
                     "the draws have " + std::to_string(width - std::min(width, first_theta)) +
                         " theta columns but the data have " + std::to_string(group_count) +
                         " groups");
  }
  if (result.chains * result.draws == 0) {
    throw InputError("posterior predictive check", 0, "there are no draws to replicate from");
  }
  assert(result.values.size() == result.chains * result.draws * width);

  std::vector<double> observed_rates;
  for (const auto& g : groups) {
    if (has_rate(spec.family, g.second))
      observed_rates.push_back(rate(spec.family, g.first, g.second));
  }
  const std::size_t rate_count = observed_rates.size();
  const double nan = std::nan("");
  const double observed_variance = rate_count >= 2 ? sample_variance(observed_rates) : nan;
  const double variance_tie = kTieEpsilonsPerTerm * static_cast<double>(rate_count) * DBL_EPSILON;

  std::vector<std::uint64_t> group_counts(group_count, 0);
  std::uint64_t variance_count = 0;
  const int threads = static_cast<int>(std::min<std::size_t>(
      result.chains, kernels::cpu_threads_for(result.chains * result.draws * group_count,
                                              kMinReplicatesPerThread)));
#pragma omp parallel num_threads(threads)
  {
    // Per thread: the counts and one draw's replicated rates, O(J) whatever the draw count.
    std::vector<std::uint64_t> counts(group_count, 0);
    std::vector<double> rates(rate_count);
    std::uint64_t variance_half = 0;
#pragma omp for schedule(static)
    for (std::size_t c = 0; c < result.chains; ++c) {
      for (std::size_t i = 0; i < result.draws; ++i) {
        const double* theta = &result.values[(c * result.draws + i) * width + first_theta];
        std::size_t r = 0;
        for (std::size_t j = 0; j < group_count; ++j) {
          kernels::hmc::WordCounter words = sampling::replicate_words(seed, c, i, j);
          const double y_rep =
              sampling::replicate_observation(spec.family, theta[j], groups[j].second, words);
          // Exact comparison: counts are integers, and a normal replicate ties with probability 0.
          counts[j] += half_exceedances(y_rep, groups[j].first, 0.0);
          if (has_rate(spec.family, groups[j].second)) {
            rates[r++] = rate(spec.family, y_rep, groups[j].second);
          }
        }
        if (rate_count >= 2) {
          variance_half +=
              half_exceedances(sample_variance(rates), observed_variance, variance_tie);
        }
      }
    }
#pragma omp critical
    {
      for (std::size_t j = 0; j < group_count; ++j) group_counts[j] += counts[j];
      variance_count += variance_half;
    }
  }

  const double halves = 2.0 * static_cast<double>(result.chains * result.draws);
  PredictiveCheck check;
  check.group_p_value.resize(group_count);
  for (std::size_t j = 0; j < group_count; ++j) {
    check.group_p_value[j] = static_cast<double>(group_counts[j]) / halves;
  }
  check.variance_p_value = rate_count >= 2 ? static_cast<double>(variance_count) / halves : nan;
  check.observed_variance = observed_variance;
  return check;
}

}  // namespace hbayes
