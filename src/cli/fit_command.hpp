// `hbayes fit`: reads a catalog CSV and writes the empirical-Bayes hyperparameters as JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "cli/catalog_fit.hpp"

namespace hbayes::cli {

// Everything `hbayes fit` was asked to do, as parsed from the command line.
struct FitSettings {
  std::string model;
  std::string input, output;
  FitRequest fit;  // --method, --information, --max-iterations
  std::string successes_column = "successes", trials_column = "trials";
  std::string count_column = "count", exposure_column = "exposure";
  std::string estimate_column = "estimate", std_error_column = "std_error";
  std::string by;  // --by: the grouping column, one fit per value; empty = one fit
  std::vector<std::string> covariates;  // --covariates: columns linear in the prior mean
  std::string backend = "auto";
  int threads = 0;
};

class FitCommand {
 public:
  // Registers the subcommand and its options on app.
  explicit FitCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // Runs the command; returns the exit code (kExitNotConverged when a fit did not converge,
  // after writing its JSON). Throws InputError / BackendUnavailable.
  int run();

 private:
  // `--by`: one fit per chain, written as one document; the summary counts failed chains and
  // chains that did not converge.
  int run_by(const ColumnNames& columns, const FitOptions& options,
             std::chrono::steady_clock::time_point start);
  // The exit code after the output is written: 0, or kExitNotConverged with `message` (from
  // not_converged_message; empty when the fit converged) on stderr.
  int not_converged(const std::string& message) const;

  CLI::App* command_;
  FitSettings settings_;
};

}  // namespace hbayes::cli
