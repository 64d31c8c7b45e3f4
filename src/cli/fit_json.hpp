// The fit JSON document: written by `hbayes fit` (and `hbayes score --empirical-bayes
// --fit-output`), read back as a prior by `hbayes score --prior`.
//
// Shape: {"model", "method", "hyperparameters": {two names}, "std_errors", ...} with the names
// `hbayes score` uses (alpha/beta, shape/rate, mu/tau). A hyperparameter that is infinite (alpha
// and beta at theta = 0, shape and rate at phi = 0) is written as null.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hbayes/fit.hpp"
#include "hbayes/fit_regression.hpp"

namespace hbayes::cli {

// Keys in the order written, not sorted: the file reads in the documented order.
using Json = nlohmann::ordered_json;

// The document for a fit: documented keys first, then mean/dispersion (or tau2) and diagnostics.
// `information` is the FitOptions::information the fit ran with (the fit does not record it):
// written as "information", "observed" or "expected" (null for mom, which has no standard
// errors).
Json fit_json(const BetaBinomialFit& fit, Information information);
Json fit_json(const GammaPoissonFit& fit, Information information);
Json fit_json(const NormalNormalFit& fit, Information information);

// The document for a fit with covariates in the prior mean (`hbayes fit --covariates`):
// {"model", "method", "covariates": {"names", "link", "coefficients", "std_errors"},
// "dispersion": {"name", "value", "std_error"}, ...} with the report keys and diagnostics of the
// other fits; normal-normal adds "tau" and "tau_std_error". Coefficients are keyed by name,
// "intercept" first.
Json fit_json(const BetaBinomialRegression& fit);
Json fit_json(const GammaPoissonRegression& fit);
Json fit_json(const NormalNormalRegression& fit);

// Writes the JSON atomically to `path` ('-' = stdout): a run that fails first leaves no file.
void write_json(const std::string& path, const Json& out);

// Parses the JSON file at `path`; InputError(path) when it cannot be read or is not JSON.
Json read_json(const std::string& path);

// One chain's entry of a per-chain fit (`hbayes fit --by`): its prior, or why it cannot score.
struct ChainPrior {
  std::string value;               // the chain's value in the --by column
  std::array<double, 2> values{};  // as SavedPrior::values; meaningful only when problem is empty
  std::string problem;             // non-empty: the chain's fit failed or is on its boundary
  bool converged = true;
};

// A fit with covariates as a prior: each store's prior follows from its covariates (see
// hbayes::store_priors).
struct RegressionPrior {
  std::vector<std::string> names;    // the covariates, in the fit's order
  std::vector<double> coefficients;  // intercept first, then one per name
  double dispersion = 0.0;           // theta, phi or tau^2 (> 0)
};

// A saved fit as a prior for scoring: the model and its two hyperparameters, in score's names
// and order (alpha, beta / shape, rate / mu, tau). A per-chain fit sets `by` (the grouping
// column) and `chains` (one prior per chain, file order) instead of `values`; a fit with
// covariates sets `regression` instead.
struct SavedPrior {
  std::string model;
  std::array<double, 2> values{};
  bool converged = true;  // false: the fit stopped early; its values are its last iterate
  std::string by;         // non-empty: a per-chain fit
  std::vector<ChainPrior> chains;
  std::optional<RegressionPrior> regression;
};

// Reads a prior from a fit document. `source` names it in messages (the file name). Throws
// InputError(source) for a missing or mistyped key (naming it), an unknown model, values
// hbayes::score does not accept, and a fit on its boundary (theta = 0, phi = 0, tau = 0): a
// point-mass prior, which the scoring kernels do not take — refused, naming the boundary.
// A document with "covariates" is read as a RegressionPrior (refused on its boundary, as above).
// A per-chain document ({"model","method","by","chains"}) is read chain by chain: a chain
// whose entry is {"error": ...}, on its boundary or otherwise unusable keeps the reason in its
// `problem` (its rows cannot be scored); only a document with no scorable chain is refused.
// Keys not needed for scoring ("information", diagnostics) are not read, so documents written
// before they existed read the same.
SavedPrior prior_from_json(const Json& fit, const std::string& source);

// The hyperparameter names of `model` in score's order ("alpha", "beta" ...).
std::array<const char*, 2> hyperparameter_names(const std::string& model);

}  // namespace hbayes::cli
