// Reads a catalog's two data columns for a model and fits the prior: the whole of `hbayes fit`
// before its output, shared with `hbayes score --empirical-bayes`; and the per-chain fits of
// `hbayes fit --by`.
#pragma once

#include <cstddef>
#include <string>

#include "cli/fit_json.hpp"
#include "hbayes/fit.hpp"

namespace hbayes::cli {

// The data columns' names in the file, per family (as --successes-column etc. set them).
struct ColumnNames {
  std::string successes, trials, count, exposure, estimate, std_error;
};

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

// Separate fits per value of a grouping column (`hbayes fit --by`): the document and a tally.
struct ChainFits {
  // {"model", "method", "by": column, "chains": {value: entry}}, chains in order of first
  // appearance in the input. An entry holds the keys fit_json writes other than model and
  // method, or {"error": reason} for a chain the data cannot fit (InputError from hbayes::fit).
  Json json;
  std::size_t chains = 0, failed = 0, not_converged = 0;
  std::size_t groups = 0;     // stores over all chains
  std::string first_failure;  // "chain 'x': reason" for the first failed chain, if any
  BackendChoice backend{Backend::Cpu, ""};
};

// Reads `input` once (the model's two columns and the `by` column, whose values are strings;
// an empty value is a bad row) and fits each chain's stores on their own, rows in file order.
// Chains run in parallel on the CPU backend, each fit on one thread, so a chain's entry equals
// `hbayes fit --threads 1` on that chain's rows; on CUDA they run one after another. Bad rows
// throw InputError naming file:line; a missing `by` column names it and --by.
ChainFits fit_catalog_by(const std::string& model, const std::string& input,
                         const ColumnNames& columns, const std::string& by,
                         const FitOptions& options);

}  // namespace hbayes::cli
