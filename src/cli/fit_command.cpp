#include "cli/fit_command.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include "cli/catalog_fit.hpp"
#include "cli/fit_json.hpp"
#include "hbayes/backend.hpp"
#include "hbayes/fit.hpp"

namespace hbayes::cli {

FitCommand::FitCommand(CLI::App& app) {
  auto& s = settings_;
  command_ = app.add_subcommand(
      "fit",
      "Fit the chain-level prior by empirical Bayes (ML-II, REML or moments).\n"
      "Reads a CSV catalog (header required; '-' = stdin; .gz read through zlib) and writes\n"
      "the hyperparameters, their standard errors, the maximised log marginal likelihood,\n"
      "the number of groups, convergence and any boundary (dispersion exactly 0) as JSON.");
  command_->add_option("--model", s.model, "Conjugate family")
      ->required()
      ->check(CLI::IsMember({"beta-binomial", "gamma-poisson", "normal-normal"}));
  command_->add_option("--input", s.input, "Input CSV catalog ('-' = stdin)")->required();
  command_->add_option("--output", s.output, "Output JSON ('-' = stdout)")->required();
  add_fit_options(command_, s.fit, "");
  command_->add_option("--successes-column", s.successes_column, "beta-binomial successes column")
      ->capture_default_str();
  command_->add_option("--trials-column", s.trials_column, "beta-binomial trials column")
      ->capture_default_str();
  command_->add_option("--count-column", s.count_column, "gamma-poisson count column")
      ->capture_default_str();
  command_->add_option("--exposure-column", s.exposure_column, "gamma-poisson exposure column")
      ->capture_default_str();
  command_->add_option("--estimate-column", s.estimate_column, "normal-normal estimate column")
      ->capture_default_str();
  command_
      ->add_option("--std-error-column", s.std_error_column, "normal-normal standard-error column")
      ->capture_default_str();
  command_->add_option("--by", s.by,
                       "Grouping column (e.g. chain_id): fit each of its values' stores on their "
                       "own; the JSON holds one entry per value under \"chains\"");
  command_
      ->add_option("--covariates", s.covariates,
                   "Comma-separated columns (e.g. region_size,urban) that the prior mean is "
                   "linear in, with an intercept, on the link scale (logit mu, log mean, mu); "
                   "the dispersion is shared. The JSON holds the coefficients and their SEs")
      ->delimiter(',');
  command_->add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command_->add_option("--threads", s.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

int FitCommand::run() {
  const auto& s = settings_;
  const auto start = std::chrono::steady_clock::now();
  FitOptions options = fit_options(s.fit);
  // Refused before reading the input, so a long catalog is not read for nothing.
  check_fit_options(s.model, options, "hbayes fit");
  if (!s.covariates.empty()) check_covariate_options(options, !s.by.empty(), "hbayes fit");
  set_cpu_threads(s.threads);
  // Resolve once so the fallback notice is printed once.
  const BackendChoice choice = resolve_backend(parse_backend(s.backend));
  if (!choice.notice.empty()) std::fprintf(stderr, "%s\n", choice.notice.c_str());
  options.backend = choice.backend;
  const ColumnNames columns{s.successes_column, s.trials_column,   s.count_column,
                            s.exposure_column,  s.estimate_column, s.std_error_column};
  if (!s.by.empty()) return run_by(columns, options, start);

  const CatalogFit fit = s.covariates.empty() ? fit_catalog(s.model, s.input, columns, options)
                                              : fit_catalog_regression(s.model, s.input, columns,
                                                                       s.covariates, options);
  // Written even when the fit did not converge: its last iterate and note are the evidence.
  write_json(s.output, fit.json);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "hbayes fit: %s, %.3f s, backend %s\n", fit_summary(fit).c_str(), seconds,
               backend_name(fit.report.backend.backend));
  return not_converged(not_converged_message(fit));
}

int FitCommand::run_by(const ColumnNames& columns, const FitOptions& options,
                       std::chrono::steady_clock::time_point start) {
  const auto& s = settings_;
  const ChainFits fits = fit_catalog_by(s.model, s.input, columns, s.by, options);
  write_json(s.output, fits.json);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "hbayes fit: %s, %.3f s, backend %s\n", fit_summary(fits).c_str(), seconds,
               backend_name(fits.backend.backend));
  return not_converged(not_converged_message(fits));
}

int FitCommand::not_converged(const std::string& message) const {
  if (message.empty()) return 0;
  const std::string output = settings_.output == "-" ? "stdout" : settings_.output;
  std::fprintf(stderr,
               "hbayes fit: error: %s; %s holds the last iterate with \"converged\": false "
               "(raise --max-iterations, or check the data); exit code %d\n",
               message.c_str(), output.c_str(), kExitNotConverged);
  return kExitNotConverged;
}

}  // namespace hbayes::cli
