// Writes `hbayes sample` draws in CmdStan's output CSV format, so that what reads CmdStan's files
// reads ours: ArviZ's from_cmdstan, rstan's read_stan_csv, cmdstanpy's from_csv.
//
// A file is: '#' lines with the run's configuration (CmdStan 2.32's layout, whose booleans are
// 0/1 as rstan parses them), the header row, '#' lines with the adaptation's result (step size,
// diagonal inverse metric), the draws, and CmdStan's elapsed-time block. Numbers are written with
// the shortest text that reads back as the same double; NaN and infinities as CmdStan writes
// them ("nan", "inf", "-inf").
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "hbayes/sample.hpp"

namespace hbayes::sample_output {

// What a file's leading comments say about the run, beside what the SampleResult holds.
struct CmdStanRun {
  std::string model;  // "hier-normal": the model = line, and per-chain file names
  // The model's own settings ("parameterization", "noncentered"), written under "# hbayes".
  std::vector<std::pair<std::string, std::string>> model_settings;
  SampleOptions options;  // num_warmup, num_samples (= draws, before thinning), thin, seed, ...
  std::string data_file;  // the input as given on the command line
};

// All chains in one file at `path` ("-" = stdout): columns chain__ and iter__ (both 1-based;
// iter__ counts kept draws), then result.columns; rows grouped by chain. Atomic: a failure
// leaves no file and any existing file at `path` untouched.
void write_draws_csv(const std::string& path, const SampleResult& result, const CmdStanRun& run);

// "<model>_<chain>.csv", chain 1-based and zero-padded to the digits of `chains`, so that a
// sorted glob (ArviZ's, R's Sys.glob) lists chains in order: cmdstanpy's "_<chain>.csv" ending
// (without its timestamp, so that a run reproduces byte for byte), which rstan strips to name
// the model.
std::string chain_file_name(const std::string& model, std::size_t chain, std::size_t chains);

// Throws InputError unless `dir` is, or can become, a directory holding only this run's chain
// files: any other *.csv there would be taken for a chain by readers of the directory
// (cmdstanpy reads every *.csv; ArviZ what a glob such as "dir/*.csv" finds).
void check_output_dir(const std::string& dir, const std::string& model, std::size_t chains);

// One CmdStan file per chain in `dir` (created if missing), named by chain_file_name, with no
// chain__/iter__ columns; returns their paths. All or nothing: files are written to a staging
// directory inside `dir` and moved into place only once every chain is written.
std::vector<std::string> write_chain_csvs(const std::string& dir, const SampleResult& result,
                                          const CmdStanRun& run);

}  // namespace hbayes::sample_output
