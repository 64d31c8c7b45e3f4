// Library entry points for batch scoring: validate, resolve the backend, run the kernels.
#include "hbayes/score.hpp"

#include <string>

#include "hbayes/errors.hpp"
#include "score_kernels.hpp"
#include "validation.hpp"

namespace hbayes {
namespace {

using validation::Family;

void require(const std::optional<std::string>& problem, const char* source) {
  if (problem) throw InputError(source, 0, *problem);
}

void require_row(const std::optional<std::string>& problem, std::size_t index) {
  if (problem) throw InputError("row " + std::to_string(index + 1), 0, *problem);
}

void require_outputs(const PosteriorColumns& out, std::size_t n) {
  if (n == 0) return;
  if (!out.raw || !out.post_mean || !out.post_sd || !out.lower || !out.upper || !out.data_weight) {
    throw InputError("output", 0,
                     "raw, post_mean, post_sd, lower, upper and data_weight "
                     "columns are required");
  }
}

kernels::ScoreParams params_of(const ScoreOptions& options, double predict) {
  return {special::tail_probability((1.0 - options.level) / 2.0), predict};
}

// Runs one family's kernel on the resolved backend.
template <class CpuKernel, class CudaKernel>
ScoreReport run(const ScoreOptions& options, CpuKernel cpu, CudaKernel cuda) {
  ScoreReport report{resolve_backend(options.backend)};
  if (report.backend.backend == Backend::Cuda) {
    cuda();
  } else {
    cpu();
  }
  return report;
}

PosteriorTable allocate(std::size_t n, bool has_params, bool predicting) {
  PosteriorTable t;
  for (auto* column : {&t.raw, &t.post_mean, &t.post_sd, &t.lower, &t.upper, &t.data_weight}) {
    column->resize(n);
  }
  if (has_params) t.post_param1.resize(n), t.post_param2.resize(n);
  if (predicting) t.pred_mean.resize(n), t.pred_lower.resize(n), t.pred_upper.resize(n);
  return t;
}

}  // namespace

PosteriorColumns PosteriorTable::columns() {
  auto ptr = [](std::vector<double>& v) { return v.empty() ? nullptr : v.data(); };
  return {ptr(raw),       ptr(post_mean),   ptr(post_sd),     ptr(lower),
          ptr(upper),     ptr(data_weight), ptr(post_param1), ptr(post_param2),
          ptr(pred_mean), ptr(pred_lower),  ptr(pred_upper)};
}

ScoreReport score(const BinomialColumns& data, const BetaBinomialPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::prior(prior), "prior");
  require(validation::options(options, Family::BetaBinomial), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(validation::binomial_row(data.successes[i], data.trials[i], "successes", "trials"),
                i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, static_cast<double>(options.predict_trials));
  return run(
      options, [&] { kernels::cpu::score_beta_binomial(data, prior, params, out); },
      [&] { kernels::cuda::score_beta_binomial(data, prior, params, out); });
}

ScoreReport score(const PoissonColumns& data, const GammaPoissonPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::prior(prior), "prior");
  require(validation::options(options, Family::GammaPoisson), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(validation::poisson_row(data.counts[i], data.exposures[i], "count", "exposure"), i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, options.predict_exposure);
  return run(
      options, [&] { kernels::cpu::score_gamma_poisson(data, prior, params, out); },
      [&] { kernels::cuda::score_gamma_poisson(data, prior, params, out); });
}

ScoreReport score(const NormalColumns& data, const NormalNormalPrior& prior,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::prior(prior), "prior");
  require(validation::options(options, Family::NormalNormal), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(
        validation::normal_row(data.estimates[i], data.std_errors[i], "estimate", "std_error"), i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, 0.0);
  return run(
      options, [&] { kernels::cpu::score_normal_normal(data, prior, params, out); },
      [&] { kernels::cuda::score_normal_normal(data, prior, params, out); });
}

ScoreReport score(const BinomialColumns& data, const BetaBinomialPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::options(options, Family::BetaBinomial), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(validation::prior(priors[i]), i);
    require_row(validation::binomial_row(data.successes[i], data.trials[i], "successes", "trials"),
                i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, static_cast<double>(options.predict_trials));
  return run(
      options, [&] { kernels::cpu::score_beta_binomial(data, priors, params, out); },
      [&] { kernels::cuda::score_beta_binomial(data, priors, params, out); });
}

ScoreReport score(const PoissonColumns& data, const GammaPoissonPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::options(options, Family::GammaPoisson), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(validation::prior(priors[i]), i);
    require_row(validation::poisson_row(data.counts[i], data.exposures[i], "count", "exposure"), i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, options.predict_exposure);
  return run(
      options, [&] { kernels::cpu::score_gamma_poisson(data, priors, params, out); },
      [&] { kernels::cuda::score_gamma_poisson(data, priors, params, out); });
}

ScoreReport score(const NormalColumns& data, const NormalNormalPrior* priors,
                  const ScoreOptions& options, const PosteriorColumns& out) {
  require(validation::options(options, Family::NormalNormal), "options");
  for (std::size_t i = 0; i < data.size; ++i) {
    require_row(validation::prior(priors[i]), i);
    require_row(
        validation::normal_row(data.estimates[i], data.std_errors[i], "estimate", "std_error"), i);
  }
  require_outputs(out, data.size);
  const auto params = params_of(options, 0.0);
  return run(
      options, [&] { kernels::cpu::score_normal_normal(data, priors, params, out); },
      [&] { kernels::cuda::score_normal_normal(data, priors, params, out); });
}

PosteriorTable score(const BinomialColumns& data, const BetaBinomialPrior& prior,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, true, options.predict_trials > 0);
  score(data, prior, options, table.columns());
  return table;
}

PosteriorTable score(const PoissonColumns& data, const GammaPoissonPrior& prior,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, true, options.predict_exposure > 0.0);
  score(data, prior, options, table.columns());
  return table;
}

PosteriorTable score(const NormalColumns& data, const NormalNormalPrior& prior,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, false, false);
  score(data, prior, options, table.columns());
  return table;
}

PosteriorTable score(const BinomialColumns& data, const BetaBinomialPrior* priors,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, true, options.predict_trials > 0);
  score(data, priors, options, table.columns());
  return table;
}

PosteriorTable score(const PoissonColumns& data, const GammaPoissonPrior* priors,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, true, options.predict_exposure > 0.0);
  score(data, priors, options, table.columns());
  return table;
}

PosteriorTable score(const NormalColumns& data, const NormalNormalPrior* priors,
                     const ScoreOptions& options) {
  PosteriorTable table = allocate(data.size, false, false);
  score(data, priors, options, table.columns());
  return table;
}

}  // namespace hbayes
