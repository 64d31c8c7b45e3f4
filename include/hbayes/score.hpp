// Batch scoring of a catalog: each store's conjugate posterior under a chain-level prior.
//
// Inputs and outputs are structure-of-arrays columns owned by the caller (pointer + length);
// no CSV is involved. All columns of one call have the same length n (rows = stores).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hbayes/backend.hpp"

namespace hbayes {

// theta_j ~ Beta(alpha, beta), successes_j ~ Binomial(trials_j, theta_j). alpha, beta > 0.
struct BetaBinomialPrior {
  double alpha;
  double beta;
};

// lambda_j ~ Gamma(shape, rate), count_j ~ Poisson(exposure_j * lambda_j). shape, rate > 0.
struct GammaPoissonPrior {
  double shape;
  double rate;
};

// theta_j ~ N(mu, tau^2), estimate_j ~ N(theta_j, std_error_j^2). tau > 0 is an SD.
struct NormalNormalPrior {
  double mu;
  double tau;
};

// successes[i] <= trials[i], both non-negative; n rows.
struct BinomialColumns {
  const std::int64_t* successes;
  const std::int64_t* trials;
  std::size_t size;
};

// counts[i] >= 0 events over exposures[i] > 0 (finite); n rows.
struct PoissonColumns {
  const std::int64_t* counts;
  const double* exposures;
  std::size_t size;
};

// estimates[i] finite, std_errors[i] > 0 finite; n rows.
struct NormalColumns {
  const double* estimates;
  const double* std_errors;
  std::size_t size;
};

// Options shared by every family.
struct ScoreOptions {
  double level = 0.95;  // credible level of the equal-tailed interval, in (0, 1)
  Backend backend = Backend::Auto;
  // Posterior predictive of a future batch: > 0 adds pred_* columns. Beta-binomial only.
  std::int64_t predict_trials = 0;
  // Posterior predictive of a future exposure: > 0 adds pred_* columns. Gamma-Poisson only.
  double predict_exposure = 0.0;
};

// Caller-provided output columns, each of length n. Optional columns may be null.
struct PosteriorColumns {
  double* raw;          // no-pooling estimate: y/n, count/exposure, estimate (NaN if n = 0)
  double* post_mean;    // posterior mean of the store's parameter
  double* post_sd;      // posterior standard deviation
  double* lower;        // equal-tailed credible interval, lower end (exact inverse CDF)
  double* upper;        // equal-tailed credible interval, upper end
  double* data_weight;  // weight on the store's own data: n/(a+b+n), e/(b+e), tau^2/(tau^2+se^2)
  double* post_param1;  // post_alpha or post_shape (may be null; unused for normal-normal)
  double* post_param2;  // post_beta or post_rate (may be null; unused for normal-normal)
  double* pred_mean;    // predictive mean of the future count (null unless predicting)
  double* pred_lower;   // predictive equal-tailed interval of the future count, integer-valued
  double* pred_upper;
};

// Owned output columns; `columns()` views them as PosteriorColumns.
struct PosteriorTable {
  std::vector<double> raw, post_mean, post_sd, lower, upper, data_weight;
  std::vector<double> post_param1, post_param2;           // empty for normal-normal
  std::vector<double> pred_mean, pred_lower, pred_upper;  // empty unless predicting
  PosteriorColumns columns();
};

// What ran: the backend used (after Auto resolution) and its fallback notice, if any.
struct ScoreReport {
  BackendChoice backend;
};

// Scores n stores into caller-provided columns. Throws InputError (source "row i", 1-based)
// on invalid data or hyperparameters, BackendUnavailable for an unusable explicit backend.
ScoreReport score(const BinomialColumns& data, const BetaBinomialPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out);
ScoreReport score(const PoissonColumns& data, const GammaPoissonPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out);
ScoreReport score(const NormalColumns& data, const NormalNormalPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out);

// Scores store i with its own prior priors[i] (data.size entries): the per-store priors of a fit
// with covariates in the prior mean (store_priors, fit_regression.hpp). The same checks, a bad
// prior failing with its row; the cache of repeated stores (CPU) is not used.
ScoreReport score(const BinomialColumns& data, const BetaBinomialPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out);
ScoreReport score(const PoissonColumns& data, const GammaPoissonPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out);
ScoreReport score(const NormalColumns& data, const NormalNormalPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out);

// Convenience forms returning owned columns.
PosteriorTable score(const BinomialColumns& data, const BetaBinomialPrior& prior,
                     const ScoreOptions& options = {});
PosteriorTable score(const PoissonColumns& data, const GammaPoissonPrior& prior,
                     const ScoreOptions& options = {});
PosteriorTable score(const NormalColumns& data, const NormalNormalPrior& prior,
                     const ScoreOptions& options = {});

// ... and with a prior per store.
PosteriorTable score(const BinomialColumns& data, const BetaBinomialPrior* priors,
                     const ScoreOptions& options = {});
PosteriorTable score(const PoissonColumns& data, const GammaPoissonPrior* priors,
                     const ScoreOptions& options = {});
PosteriorTable score(const NormalColumns& data, const NormalNormalPrior* priors,
                     const ScoreOptions& options = {});

}  // namespace hbayes
