#include "cli/fit_command.hpp"

#include <chrono>
#include <cstdio>

#include "cli/catalog_fit.hpp"
#include "cli/fit_json.hpp"
#include "hbayes/backend.hpp"
#include "hbayes/errors.hpp"
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
  command_
      ->add_option("--method", s.method,
                   "ml: maximum marginal likelihood (ML-II); reml: restricted ML "
                   "(normal-normal only); mom: method of moments")
      ->check(CLI::IsMember({"ml", "mom", "reml"}))
      ->capture_default_str();
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
  command_->add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command_->add_option("--threads", s.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

int FitCommand::run() {
  const auto& s = settings_;
  const auto start = std::chrono::steady_clock::now();
  FitOptions options;
  options.method = parse_fit_method(s.method);
  // Refused before reading the input, so a long catalog is not read for nothing.
  check_method(s.model, options.method, "hbayes fit");
  set_cpu_threads(s.threads);
  // Resolve once so the fallback notice is printed once.
  const BackendChoice choice = resolve_backend(parse_backend(s.backend));
  if (!choice.notice.empty()) std::fprintf(stderr, "%s\n", choice.notice.c_str());
  options.backend = choice.backend;
  const ColumnNames columns{s.successes_column, s.trials_column,   s.count_column,
                            s.exposure_column,  s.estimate_column, s.std_error_column};
  if (!s.by.empty()) return run_by(columns, options, start);

  const CatalogFit fit = fit_catalog(s.model, s.input, columns, options);
  const FitReport& report = fit.report;
  write_json(s.output, fit.json);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string outcome =
      report.method == FitMethod::Moments ? "closed form"
      : report.converged
          ? "converged in " + std::to_string(report.iterations) + " iterations"
          : "NOT converged after " + std::to_string(report.iterations) + " iterations";
  if (report.boundary) outcome += ", at the boundary";
  std::fprintf(stderr, "hbayes fit: %zu groups, method %s, %s, %.3f s, backend %s\n", report.groups,
               fit_method_name(report.method), outcome.c_str(), seconds,
               backend_name(report.backend.backend));
  return 0;
}

int FitCommand::run_by(const ColumnNames& columns, const FitOptions& options,
                       std::chrono::steady_clock::time_point start) {
  const auto& s = settings_;
  const ChainFits fits = fit_catalog_by(s.model, s.input, columns, s.by, options);
  // A run in which no chain could be fitted has no answer: exit 2 and write nothing.
  if (fits.failed == fits.chains) {
    throw InputError(s.input, 0,
                     "no chain of --by " + s.by + " could be fitted (" +
                         std::to_string(fits.chains) + " chains); first: " + fits.first_failure);
  }
  write_json(s.output, fits.json);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string failures;
  if (fits.failed > 0) failures = " (first: " + fits.first_failure + ")";
  std::string not_converged;
  if (fits.not_converged > 0) {
    not_converged = ", " + std::to_string(fits.not_converged) + " NOT converged";
  }
  std::fprintf(stderr,
               "hbayes fit: %zu chains by %s, %zu fitted, %zu failed%s%s, %zu groups, method %s, "
               "%.3f s, backend %s\n",
               fits.chains, s.by.c_str(), fits.chains - fits.failed, fits.failed, failures.c_str(),
               not_converged.c_str(), fits.groups, fit_method_name(options.method), seconds,
               backend_name(fits.backend.backend));
  return 0;
}

}  // namespace hbayes::cli
