// Batch scoring: one thread of work per store, for every conjugate family.
// Built twice (see backend_system.hpp): by nvcc for CUDA and, through score_kernels_cpu.cpp,
// by g++ for Thrust's OpenMP system.
#include <cstring>

#include "backend_system.hpp"
#include "families/beta_binomial.hpp"
#include "families/gamma_poisson.hpp"
#include "families/normal_normal.hpp"
#include "score_kernels.hpp"

namespace hbayes::kernels::HBAYES_BACKEND_NS {
// Named rather than anonymous: the CPU build uses members (key, kRepeatsWorthCaching) that the
// CUDA build does not, which nvcc would report as unused in an anonymous namespace.
namespace rows {

// The eleven output columns as the kernel sees them (null = not wanted).
struct RowWriter {
  PosteriorColumns out;

  HBAYES_HD void write(std::size_t i, const StorePosterior& r) const {
    out.raw[i] = r.raw;
    out.post_mean[i] = r.post_mean;
    out.post_sd[i] = r.post_sd;
    out.lower[i] = r.lower;
    out.upper[i] = r.upper;
    out.data_weight[i] = r.data_weight;
    if (out.post_param1) out.post_param1[i] = r.post_param1;
    if (out.post_param2) out.post_param2[i] = r.post_param2;
    if (out.pred_mean) out.pred_mean[i] = r.pred_mean;
    if (out.pred_lower) out.pred_lower[i] = r.pred_lower;
    if (out.pred_upper) out.pred_upper[i] = r.pred_upper;
  }
};

// Stages the caller's output columns for the kernel and copies them back afterwards.
class StagedOutputs {
 public:
  StagedOutputs(const PosteriorColumns& host, std::size_t n)
      : raw_(host.raw, n),
        mean_(host.post_mean, n),
        sd_(host.post_sd, n),
        lower_(host.lower, n),
        upper_(host.upper, n),
        weight_(host.data_weight, n),
        param1_(host.post_param1, n),
        param2_(host.post_param2, n),
        pred_mean_(host.pred_mean, n),
        pred_lower_(host.pred_lower, n),
        pred_upper_(host.pred_upper, n) {}

  RowWriter writer() {
    return RowWriter{PosteriorColumns{raw_.get(), mean_.get(), sd_.get(), lower_.get(),
                                      upper_.get(), weight_.get(), param1_.get(), param2_.get(),
                                      pred_mean_.get(), pred_lower_.get(), pred_upper_.get()}};
  }

  void copy_back() {
    for (OutputColumn* c : {&raw_, &mean_, &sd_, &lower_, &upper_, &weight_, &param1_, &param2_,
                            &pred_mean_, &pred_lower_, &pred_upper_}) {
      c->copy_back();
    }
  }

 private:
  OutputColumn raw_, mean_, sd_, lower_, upper_, weight_, param1_, param2_;
  OutputColumn pred_mean_, pred_lower_, pred_upper_;
};

// Where a row's prior comes from: one for every store, or one per store (in backend memory).
template <class Prior>
struct SharedPrior {
  static constexpr bool kShared = true;
  Prior prior;
  HBAYES_HD Prior at(std::size_t) const { return prior; }
};

template <class Prior>
struct PerStorePrior {
  static constexpr bool kShared = false;
  const Prior* priors;
  HBAYES_HD Prior at(std::size_t i) const { return priors[i]; }
};

// The row functors: each store's posterior from its inputs (beta-binomial rows also a block of
// rows at once, see for_each_row), and (for the CPU backend's cache of repeated stores) the key
// that determines it. The key holds the data alone, so the cache serves shared priors only.
template <class Priors>
struct BetaBinomialRow {
  static constexpr bool kRepeatsWorthCaching = Priors::kShared;
  static constexpr int kBlockRows = kScoreBlockRows;  // intervals are solved a block at a time
  const std::int64_t* successes;
  const std::int64_t* trials;
  Priors priors;
  ScoreParams params;
  RowWriter writer;

  RowKey key(std::size_t i) const {
    return {static_cast<std::uint64_t>(successes[i]), static_cast<std::uint64_t>(trials[i])};
  }
  HBAYES_HD StorePosterior posterior(std::size_t i) const {
    const BetaBinomialPrior prior = priors.at(i);
    return beta_binomial_posterior(static_cast<double>(successes[i]),
                                   static_cast<double>(trials[i]), prior.alpha, prior.beta,
                                   params.tail, params.predict);
  }
  // The posteriors of rows[0 .. count - 1] (count <= kBlockRows) into out.
  HBAYES_HD void posteriors(const std::size_t* rows, int count, StorePosterior* out) const {
    double y[kBlockRows] = {}, n[kBlockRows] = {}, alpha[kBlockRows] = {}, beta[kBlockRows] = {};
    for (int j = 0; j < count; ++j) {
      const BetaBinomialPrior prior = priors.at(rows[j]);
      y[j] = static_cast<double>(successes[rows[j]]);
      n[j] = static_cast<double>(trials[rows[j]]);
      alpha[j] = prior.alpha;
      beta[j] = prior.beta;
    }
    beta_binomial_posteriors<kBlockRows>(y, n, alpha, beta, count, params.tail, params.predict,
                                         out);
  }
};

template <class Priors>
struct GammaPoissonRow {
  static constexpr bool kRepeatsWorthCaching = Priors::kShared;
  static constexpr int kBlockRows = 1;
  const std::int64_t* counts;
  const double* exposures;
  Priors priors;
  ScoreParams params;
  RowWriter writer;

  RowKey key(std::size_t i) const {
    std::uint64_t exposure_bits;
    std::memcpy(&exposure_bits, &exposures[i], sizeof exposure_bits);
    return {static_cast<std::uint64_t>(counts[i]), exposure_bits};
  }
  HBAYES_HD StorePosterior posterior(std::size_t i) const {
    const GammaPoissonPrior prior = priors.at(i);
    return gamma_poisson_posterior(static_cast<double>(counts[i]), exposures[i], prior.shape,
                                   prior.rate, params.tail, params.predict);
  }
};

template <class Priors>
struct NormalNormalRow {
  static constexpr bool kRepeatsWorthCaching = false;  // closed form: cheaper than a probe
  static constexpr int kBlockRows = 1;
  const double* estimates;
  const double* std_errors;
  Priors priors;
  ScoreParams params;
  RowWriter writer;

  HBAYES_HD StorePosterior posterior(std::size_t i) const {
    const NormalNormalPrior prior = priors.at(i);
    return normal_normal_posterior(estimates[i], std_errors[i], prior.mu, prior.tau, params.tail);
  }
};

}  // namespace rows

using rows::BetaBinomialRow;
using rows::GammaPoissonRow;
using rows::NormalNormalRow;
using rows::PerStorePrior;
using rows::SharedPrior;
using rows::StagedOutputs;

namespace {

template <class Priors>
void run_beta_binomial(const BinomialColumns& data, Priors priors, const ScoreParams& params,
                       const PosteriorColumns& out) {
  const std::size_t n = data.size;
  const InputColumn<std::int64_t> successes(data.successes, n), trials(data.trials, n);
  StagedOutputs staged(out, n);
  for_each_row(n, BetaBinomialRow<Priors>{successes.get(), trials.get(), priors, params,
                                          staged.writer()});
  staged.copy_back();
}

template <class Priors>
void run_gamma_poisson(const PoissonColumns& data, Priors priors, const ScoreParams& params,
                       const PosteriorColumns& out) {
  const std::size_t n = data.size;
  const InputColumn<std::int64_t> counts(data.counts, n);
  const InputColumn<double> exposures(data.exposures, n);
  StagedOutputs staged(out, n);
  for_each_row(n, GammaPoissonRow<Priors>{counts.get(), exposures.get(), priors, params,
                                          staged.writer()});
  staged.copy_back();
}

template <class Priors>
void run_normal_normal(const NormalColumns& data, Priors priors, const ScoreParams& params,
                       const PosteriorColumns& out) {
  const std::size_t n = data.size;
  const InputColumn<double> estimates(data.estimates, n), std_errors(data.std_errors, n);
  StagedOutputs staged(out, n);
  for_each_row(n, NormalNormalRow<Priors>{estimates.get(), std_errors.get(), priors, params,
                                          staged.writer()});
  staged.copy_back();
}

}  // namespace

void score_beta_binomial(const BinomialColumns& data, const BetaBinomialPrior& prior,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  run_beta_binomial(data, SharedPrior<BetaBinomialPrior>{prior}, params, out);
}

void score_gamma_poisson(const PoissonColumns& data, const GammaPoissonPrior& prior,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  run_gamma_poisson(data, SharedPrior<GammaPoissonPrior>{prior}, params, out);
}

void score_normal_normal(const NormalColumns& data, const NormalNormalPrior& prior,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  run_normal_normal(data, SharedPrior<NormalNormalPrior>{prior}, params, out);
}

void score_beta_binomial(const BinomialColumns& data, const BetaBinomialPrior* priors,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  const InputColumn<BetaBinomialPrior> store_priors(priors, data.size);
  run_beta_binomial(data, PerStorePrior<BetaBinomialPrior>{store_priors.get()}, params, out);
}

void score_gamma_poisson(const PoissonColumns& data, const GammaPoissonPrior* priors,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  const InputColumn<GammaPoissonPrior> store_priors(priors, data.size);
  run_gamma_poisson(data, PerStorePrior<GammaPoissonPrior>{store_priors.get()}, params, out);
}

void score_normal_normal(const NormalColumns& data, const NormalNormalPrior* priors,
                         const ScoreParams& params, const PosteriorColumns& out) {
  if (data.size == 0) return;
  const InputColumn<NormalNormalPrior> store_priors(priors, data.size);
  run_normal_normal(data, PerStorePrior<NormalNormalPrior>{store_priors.get()}, params, out);
}

}  // namespace hbayes::kernels::HBAYES_BACKEND_NS
