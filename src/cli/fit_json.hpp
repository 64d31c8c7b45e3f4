// The fit JSON document: written by `hbayes fit` (and `hbayes score --empirical-bayes
// --fit-output`), read back as a prior by `hbayes score --prior`.
//
// Shape: {"model", "method", "hyperparameters": {two names}, "std_errors", ...} with the names
// `hbayes score` uses (alpha/beta, shape/rate, mu/tau). A hyperparameter that is infinite (alpha
// and beta at theta = 0, shape and rate at phi = 0) is written as null.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hbayes/fit.hpp"

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

// A saved fit as a prior for scoring: the model and its two hyperparameters, in score's names
// and order (alpha, beta / shape, rate / mu, tau). A per-chain fit sets `by` (the grouping
// column) and `chains` (one prior per chain, file order) instead of `values`.
struct SavedPrior {
  std::string model;
  std::array<double, 2> values{};
  bool converged = true;  // false: the fit stopped early; its values are its last iterate
  std::string by;         // non-empty: a per-chain fit
  std::vector<ChainPrior> chains;
};

// Reads a prior from a fit document. `source` names it in messages (the file name). Throws
// InputError(source) for a missing or mistyped key (naming it), an unknown model, values
// hbayes::score does not accept, and a fit on its boundary (theta = 0, phi = 0, tau = 0): a
// point-mass prior, which the scoring kernels do not take — refused, naming the boundary.
// A per-chain document ({"model","method","by","chains"}) is read chain by chain: a chain
// whose entry is {"error": ...}, on its boundary or otherwise unusable keeps the reason in its
// `problem` (its rows cannot be scored); only a document with no scorable chain is refused.
// Keys not needed for scoring ("information", diagnostics) are not read, so documents written
// before they existed read the same.
SavedPrior prior_from_json(const Json& fit, const std::string& source);

// The hyperparameter names of `model` in score's order ("alpha", "beta" ...).
std::array<const char*, 2> hyperparameter_names(const std::string& model);

}  // namespace hbayes::cli
