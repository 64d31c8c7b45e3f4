// `hbayes sample`: full posterior draws of a hierarchical model by many-chain HMC, written in
// CmdStan's CSV format, with posterior's summary and Stan's convergence warnings.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "hbayes/sample.hpp"

namespace hbayes::cli {

// Everything `hbayes sample` was asked to do, as parsed from the command line.
struct SampleSettings {
  std::string model;
  std::string parameterization = "noncentered";
  std::string group_prior = "normal";
  std::string prior_mu = "normal(0, 5)", prior_tau = "half-cauchy(0, 5)";
  std::string input;
  std::string output;      // --output: every chain in one file
  std::string output_dir;  // --output-dir: one CmdStan file per chain
  std::string summary;     // --summary: summary.csv
  bool no_draws = false;   // --no-draws: the summary only
  std::string ppc;         // --ppc: posterior predictive p-values
  std::string successes_column = "successes", trials_column = "trials";
  std::string count_column = "count", exposure_column = "exposure";
  std::string estimate_column = "estimate", std_error_column = "std_error";
  SampleOptions options;  // chains, warmup, draws, thin, seed, target_accept, max_leapfrog
  std::string backend = "auto";
  int threads = 0;
};

class SampleCommand {
 public:
  // Registers the subcommand and its options on app.
  explicit SampleCommand(CLI::App& app);
  bool selected() const { return command_->parsed(); }
  // Runs the command; returns the exit code. Throws InputError / BackendUnavailable.
  int run();

 private:
  // Refuses option combinations that cannot make a run, before any input is read.
  void check_outputs() const;

  CLI::App* command_;
  SampleSettings settings_;
};

}  // namespace hbayes::cli
