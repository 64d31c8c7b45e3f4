// Reads a catalog's two data columns for a model and fits the prior: the whole of `hbayes fit`
// before its output, shared with `hbayes score --empirical-bayes`.
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

}  // namespace hbayes::cli
