// Reads a catalog's two data columns for a model and fits the prior: the whole of `hbayes fit`
// before its output, shared with `hbayes score --empirical-bayes`; and the per-chain fits of
// `hbayes fit --by` (and `hbayes score --empirical-bayes --by`).
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "cli/fit_json.hpp"
#include "hbayes/fit.hpp"

namespace hbayes::cli {

// The exit code of a run whose fit (or any chain's fit) did not converge: its JSON is still
// written, with "converged": false and the note, but nothing is scored (see main.cpp).
constexpr int kExitNotConverged = 4;

// The data columns' names in the file, per family (as --successes-column etc. set them).
struct ColumnNames {
  std::string successes, trials, count, exposure, estimate, std_error;
};

// The fit options `hbayes fit` and `hbayes score --empirical-bayes` share, as given.
struct FitRequest {
  std::string method = "ml";                         // --method: ml, mom or reml
  std::string information = "observed";              // --information: observed or expected
  int max_iterations = FitOptions{}.max_iterations;  // --max-iterations
};

// Registers --method, --information and --max-iterations on `command`; `context` starts each
// help text (e.g. "With --empirical-bayes: ").
void add_fit_options(CLI::App* command, FitRequest& request, const std::string& context);

// The library's options for a request (backend left at its default).
FitOptions fit_options(const FitRequest& request);

// Refuses, before any input is read, what the library would refuse for `model` after reading
// it: --method reml and --information expected for a model other than normal-normal.
// `command` names the refusing command in the message.
void check_fit_options(const std::string& model, const FitOptions& options,
                       const std::string& command);

// Refuses, before any input is read, what a fit with covariates cannot do: --method mom,
// --information expected, and --by (one regression over the whole catalog).
void check_covariate_options(const FitOptions& options, bool by, const std::string& command);

// A fit of a catalog: its JSON document (fit_json) and its report.
struct CatalogFit {
  Json json;
  FitReport report;
  std::size_t rejected = 0;  // rows passed over (skip_bad_rows only)
};

// Reads `input` (a CSV catalog, read once) and fits `model` ("beta-binomial", "gamma-poisson" or
// "normal-normal"). Bad rows throw InputError naming file:line, or are passed over when
// skip_bad_rows.
CatalogFit fit_catalog(const std::string& model, const std::string& input,
                       const ColumnNames& columns, const FitOptions& options,
                       bool skip_bad_rows = false);

// Reads `input` once (the model's two columns and the named covariate columns, each a finite
// number; a bad covariate value is a bad row) and fits the model with the covariates in its
// prior mean (`hbayes fit --covariates`; hbayes::fit_regression). A missing covariate column is
// named with --covariates.
CatalogFit fit_catalog_regression(const std::string& model, const std::string& input,
                                  const ColumnNames& columns,
                                  const std::vector<std::string>& covariates,
                                  const FitOptions& options, bool skip_bad_rows = false);

// "1000 groups, method ml, converged in 4 iterations" (and ", at the boundary theta"): the
// stderr summary of a fit.
std::string fit_summary(const CatalogFit& fit);

// Separate fits per value of a grouping column (`hbayes fit --by`): the document and a tally.
struct ChainFits {
  // {"model", "method", "by": column, "chains": {value: entry}}, chains in order of first
  // appearance in the input. An entry holds the keys fit_json writes other than model and
  // method, or {"error": reason} for a chain the data cannot fit (InputError from hbayes::fit).
  Json json;
  std::string by;  // the grouping column
  FitMethod method = FitMethod::MaximumLikelihood;
  std::size_t chains = 0, failed = 0;
  std::size_t groups = 0;                // stores over all chains
  std::string first_failure;             // "chain 'x': reason" for the first failed chain, if any
  std::vector<std::string> unconverged;  // chains whose fit did not converge, in file order
  std::string first_unconverged;         // "chain 'x': note" for the first of them, if any
  BackendChoice backend{Backend::Cpu, ""};
};

// Reads `input` once (the model's two columns and the `by` column, whose values are strings;
// an empty value is a bad row) and fits each chain's stores on their own, rows in file order.
// Chains run in parallel on the CPU backend, each fit on one thread, so a chain's entry equals
// `hbayes fit --threads 1` on that chain's rows; on CUDA they run one after another. Bad rows
// throw InputError naming file:line, or are passed over when skip_bad_rows; a missing `by`
// column names it and --by. A catalog none of whose chains can be fitted has no answer:
// InputError naming the first chain's reason.
ChainFits fit_catalog_by(const std::string& model, const std::string& input,
                         const ColumnNames& columns, const std::string& by,
                         const FitOptions& options, bool skip_bad_rows = false);

// "3 chains by chain_id, 3 fitted, 0 failed, 2 NOT converged, 9000 groups, method ml" (with the
// first failure, if any): the stderr summary of a per-chain fit.
std::string fit_summary(const ChainFits& fits);

// Why the fit cannot be used, for stderr, when it did not converge: "the fit did not converge
// (note)"; "2 of 3 chains did not converge ('a', 'b'; first: chain 'a': note)". Empty when
// it converged (every chain that could be fitted did).
std::string not_converged_message(const CatalogFit& fit);
std::string not_converged_message(const ChainFits& fits);

}  // namespace hbayes::cli
