// `hbayes score`: streams a catalog CSV through a conjugate family's scoring kernel.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/catalog_fit.hpp"
#include "cli/fit_json.hpp"
#include "hbayes/backend.hpp"

namespace hbayes::cli {

// Everything `hbayes score` was asked to do, as parsed from the command line.
struct ScoreSettings {
  std::string model;
  double alpha = 0, beta = 0, shape = 0, rate = 0, mu = 0, tau = 0;
  std::string input, output, rejects;
  std::string prior_file;        // --prior: a fit JSON
  bool empirical_bayes = false;  // --empirical-bayes: fit on the input, then score
  FitRequest fit;                // --method, --information, --max-iterations (with the above)
  std::string fit_output;        // --fit-output (with --empirical-bayes)
  std::string by;                // --by: the grouping column of a per-chain prior (file or fit)
  std::vector<std::string> covariates;  // --covariates: per-store priors linear in these columns
  std::string on_bad_row = "error";
  std::string id_column;
  std::string successes_column = "successes", trials_column = "trials";
  std::string count_column = "count", exposure_column = "exposure";
  std::string estimate_column = "estimate", std_error_column = "std_error";
  double level = 0.95;
  std::int64_t predict_trials = 0;
  double predict_exposure = 0;
  std::string backend = "auto";
  int threads = 0;
  bool id_column_given = false;
};

class ScoreCommand {
 public:
  // Registers the subcommand and its options on app.
  explicit ScoreCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // Runs the command; returns the exit code (kExitNotConverged when an --empirical-bayes fit
  // did not converge: nothing is then scored). Throws InputError / BackendUnavailable.
  int run();

 private:
  // Checks how the prior is given (options, --prior or --empirical-bayes) and reads a --prior
  // file, setting the model from it; nullopt when the options give the prior or a fit will.
  std::optional<SavedPrior> prior_source();
  // --empirical-bayes: fits the prior on the input (a first read), one fit or one per chain of
  // --by, and reports it on stderr and in --fit-output. nullopt when the fit (any chain's) did
  // not converge, said on stderr; throws InputError where the fit cannot be scored (at its
  // boundary; with --by, only when no chain can be).
  std::optional<SavedPrior> fit_input(Backend backend);

  CLI::App* command_;
  ScoreSettings settings_;
};

}  // namespace hbayes::cli
