#include "cli/fit_json.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "hbayes/backend.hpp"
#include "hbayes/errors.hpp"
#include "io/atomic_output.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

// A number, or null where it is not finite (alpha and beta at theta = 0 are +infinity).
Json number(double value) {
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}
Json number(const std::optional<double>& value) {
  return value ? number(*value) : Json(nullptr);
}

// The report's keys, in the documented order after the estimates; `boundary_name` is the
// dispersion parameter that can reach 0.
void add_report_keys(Json& out, const FitReport& report, Information information,
                     const char* boundary_name) {
  out["log_marginal_likelihood"] = number(report.log_marginal_likelihood);
  out["groups"] = report.groups;
  out["converged"] = report.converged;
  out["iterations"] = report.iterations;
  out["boundary"] = report.boundary ? Json(boundary_name) : Json(nullptr);
  // Which information matrix the standard errors come from; the moments have none.
  out["information"] = report.method == FitMethod::Moments
                           ? Json(nullptr)
                           : Json(information == Information::Expected ? "expected" : "observed");
}

// The keys every family writes, in the documented order.
Json documented_keys(const std::string& model, const FitReport& report, Information information,
                     const Estimate& first, const Estimate& second, const char* boundary_name) {
  const std::array<const char*, 2> names = hyperparameter_names(model);
  Json out;
  out["model"] = model;
  out["method"] = fit_method_name(report.method);
  out["hyperparameters"] = {{names[0], number(first.value)}, {names[1], number(second.value)}};
  out["std_errors"] = {{names[0], number(first.std_error)}, {names[1], number(second.std_error)}};
  add_report_keys(out, report, information, boundary_name);
  return out;
}

// A regression's keys: the coefficients by name and the shared dispersion, then the report's.
Json regression_keys(const std::string& model, const char* link,
                     const RegressionCoefficients& coefficients, const FitReport& report,
                     const char* dispersion_name, const Estimate& dispersion,
                     const char* boundary_name) {
  Json out;
  out["model"] = model;
  out["method"] = fit_method_name(report.method);
  Json values = Json::object(), errors = Json::object();
  for (std::size_t k = 0; k < coefficients.names.size(); ++k) {
    values[coefficients.names[k]] = number(coefficients.estimates[k].value);
    errors[coefficients.names[k]] = number(coefficients.estimates[k].std_error);
  }
  out["covariates"] = {
      {"names", std::vector<std::string>(coefficients.names.begin() + 1, coefficients.names.end())},
      {"link", link},
      {"coefficients", std::move(values)},
      {"std_errors", std::move(errors)}};
  out["dispersion"] = {{"name", dispersion_name},
                       {"value", number(dispersion.value)},
                       {"std_error", number(dispersion.std_error)}};
  add_report_keys(out, report, Information::Observed, boundary_name);
  return out;
}

// Diagnostics after the documented keys: how close to a stationary point, the score test of
// the boundary (ML/REML), why a fit stopped, and where the reductions ran.
void add_diagnostics(Json& out, const FitReport& report) {
  out["gradient_norm"] = number(report.gradient_norm);
  out["relative_gradient"] = number(report.relative_gradient);
  if (report.method != FitMethod::Moments) out["boundary_score"] = number(report.boundary_score);
  if (!report.note.empty()) out["note"] = report.note;
  out["backend"] = backend_name(report.backend.backend);
}

// The mean/dispersion form of the beta-binomial and gamma-Poisson fits, under extra keys.
template <class FamilyFit>
void add_mean_dispersion(Json& out, const FamilyFit& fit) {
  out["mean_dispersion"] = {{"mean", number(fit.mean.value)},
                            {"dispersion", number(fit.dispersion.value)}};
  out["mean_dispersion_std_errors"] = {{"mean", number(fit.mean.std_error)},
                                       {"dispersion", number(fit.dispersion.std_error)}};
}

// fit[key] when it is present and of the given kind, else InputError naming the key.
const Json& require(const Json& object, const std::string& key, const std::string& path,
                    Json::value_t kind, const char* kind_name, const std::string& source) {
  const auto it = object.find(key);
  if (it == object.end()) throw InputError(source, 0, "missing key \"" + path + "\"");
  const bool ok = kind == Json::value_t::number_float ? it->is_number() : it->type() == kind;
  if (!ok) throw InputError(source, 0, "key \"" + path + "\" must be " + kind_name);
  return *it;
}

// The point the prior collapses to at a boundary, for the message ("at mean 0.25").
std::string point_text(const Json& fit, const char* key, const char* name) {
  const auto it = fit.find(key);
  if (it == fit.end() || !it->is_object()) return "";
  const auto value = it->find("mean");
  if (value == it->end() || !value->is_number()) return "";
  return std::string(" at ") + name + " = " + value->dump();
}

// A per-chain document: the model, the grouping column, and each chain's prior or its problem.
SavedPrior chain_priors_from_json(const Json& fit, const std::string& source) {
  SavedPrior prior;
  prior.model =
      require(fit, "model", "model", Json::value_t::string, "a string", source).get<std::string>();
  prior.by = require(fit, "by", "by", Json::value_t::string, "a string", source).get<std::string>();
  if (prior.by.empty()) throw InputError(source, 0, "key \"by\" must name a column");
  const Json& chains = require(fit, "chains", "chains", Json::value_t::object, "an object", source);
  std::string first_problem;
  for (const auto& item : chains.items()) {
    ChainPrior chain;
    chain.value = item.key();
    const Json& entry = item.value();
    const auto error = entry.is_object() ? entry.find("error") : entry.end();
    if (entry.is_object() && error != entry.end()) {
      chain.problem =
          "its fit failed: " + (error->is_string() ? error->get<std::string>() : error->dump());
    } else {
      // A chain's entry is a plain fit document less the shared model and method.
      Json single = entry.is_object() ? entry : Json(nullptr);
      if (single.is_object()) single["model"] = prior.model;
      try {
        const SavedPrior one = prior_from_json(single, source);
        chain.values = one.values;
        chain.converged = one.converged;
      } catch (const InputError& e) {
        chain.problem = e.reason();
      }
    }
    if (!chain.problem.empty() && first_problem.empty()) {
      first_problem = "chain '" + chain.value + "': " + chain.problem;
    }
    prior.chains.push_back(std::move(chain));
  }
  const bool any = std::any_of(prior.chains.begin(), prior.chains.end(),
                               [](const ChainPrior& c) { return c.problem.empty(); });
  if (!any) {
    throw InputError(source, 0,
                     prior.chains.empty()
                         ? std::string("the per-chain fit holds no chains")
                         : "no chain of the per-chain fit can be scored; first: " + first_problem);
  }
  return prior;
}

// A fit with covariates: its covariate names, coefficients by name (intercept first) and the
// shared dispersion, which must be positive (0 is the boundary: point-mass priors).
RegressionPrior regression_prior_from_json(const Json& fit, const std::string& source) {
  const Json& covariates =
      require(fit, "covariates", "covariates", Json::value_t::object, "an object", source);
  const Json& names = require(covariates, "names", "covariates.names", Json::value_t::array,
                              "an array of column names", source);
  const Json& values = require(covariates, "coefficients", "covariates.coefficients",
                               Json::value_t::object, "an object", source);
  RegressionPrior prior;
  std::vector<std::string> keys{"intercept"};
  for (const Json& name : names) {
    if (!name.is_string()) {
      throw InputError(source, 0, "key \"covariates.names\" must be an array of column names");
    }
    prior.names.push_back(name.get<std::string>());
    keys.push_back(prior.names.back());
  }
  for (const std::string& key : keys) {
    const Json& value = require(values, key, "covariates.coefficients." + key,
                                Json::value_t::number_float, "a number", source);
    prior.coefficients.push_back(value.get<double>());
  }
  const Json& dispersion =
      require(fit, "dispersion", "dispersion", Json::value_t::object, "an object", source);
  const Json& value = require(dispersion, "value", "dispersion.value", Json::value_t::number_float,
                              "a number", source);
  prior.dispersion = value.get<double>();
  if (prior.dispersion == 0.0) {
    throw InputError(source, 0,
                     "the fit is on its boundary (dispersion 0: every store's prior is a point "
                     "mass at its own mean): hbayes score needs a proper prior (dispersion > 0) "
                     "and does not score a point-mass prior");
  }
  if (!(prior.dispersion > 0.0) || !std::isfinite(prior.dispersion)) {
    throw InputError(source, 0, "key \"dispersion.value\" must be a positive number");
  }
  return prior;
}

}  // namespace

std::array<const char*, 2> hyperparameter_names(const std::string& model) {
  if (model == "beta-binomial") return {"alpha", "beta"};
  if (model == "gamma-poisson") return {"shape", "rate"};
  return {"mu", "tau"};
}

Json fit_json(const BetaBinomialFit& fit, Information information) {
  Json out =
      documented_keys("beta-binomial", fit.report, information, fit.alpha, fit.beta, "theta");
  add_mean_dispersion(out, fit);
  add_diagnostics(out, fit.report);
  return out;
}

Json fit_json(const GammaPoissonFit& fit, Information information) {
  Json out = documented_keys("gamma-poisson", fit.report, information, fit.shape, fit.rate, "phi");
  add_mean_dispersion(out, fit);
  add_diagnostics(out, fit.report);
  return out;
}

Json fit_json(const NormalNormalFit& fit, Information information) {
  Json out = documented_keys("normal-normal", fit.report, information, fit.mu, fit.tau, "tau");
  out["tau2"] = number(fit.tau2.value);
  out["tau2_std_error"] = number(fit.tau2.std_error);
  add_diagnostics(out, fit.report);
  return out;
}

Json fit_json(const BetaBinomialRegression& fit) {
  Json out = regression_keys("beta-binomial", "logit", fit.coefficients, fit.report, "theta",
                             fit.dispersion, "theta");
  add_diagnostics(out, fit.report);
  return out;
}

Json fit_json(const GammaPoissonRegression& fit) {
  Json out = regression_keys("gamma-poisson", "log", fit.coefficients, fit.report, "phi",
                             fit.dispersion, "phi");
  add_diagnostics(out, fit.report);
  return out;
}

Json fit_json(const NormalNormalRegression& fit) {
  Json out = regression_keys("normal-normal", "identity", fit.coefficients, fit.report, "tau2",
                             fit.tau2, "tau");
  out["tau"] = number(fit.tau.value);
  out["tau_std_error"] = number(fit.tau.std_error);
  add_diagnostics(out, fit.report);
  return out;
}

void write_json(const std::string& path, const Json& out) {
  io::AtomicOutputFile file(path);
  file.write(out.dump(2));
  file.write("\n");
  file.commit();
}

Json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path, 0, std::string("cannot open the fit file: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    throw InputError(path, 0, std::string("not a valid fit JSON file: ") + e.what());
  }
}

SavedPrior prior_from_json(const Json& fit, const std::string& source) {
  if (!fit.is_object()) throw InputError(source, 0, "a fit file must hold a JSON object");
  if (fit.contains("chains")) return chain_priors_from_json(fit, source);
  SavedPrior prior;
  prior.model =
      require(fit, "model", "model", Json::value_t::string, "a string", source).get<std::string>();
  if (prior.model != "beta-binomial" && prior.model != "gamma-poisson" &&
      prior.model != "normal-normal") {
    throw InputError(source, 0,
                     "unknown model \"" + prior.model +
                         "\" (expected beta-binomial, gamma-poisson or normal-normal)");
  }
  const auto converged = fit.find("converged");
  prior.converged = converged == fit.end() || !converged->is_boolean() || converged->get<bool>();
  if (fit.contains("covariates")) {
    prior.regression = regression_prior_from_json(fit, source);
    return prior;
  }
  const Json& values = require(fit, "hyperparameters", "hyperparameters", Json::value_t::object,
                               "an object", source);
  const std::array<const char*, 2> names = hyperparameter_names(prior.model);
  std::array<std::optional<double>, 2> read;
  for (int i = 0; i < 2; ++i) {
    const std::string path = std::string("hyperparameters.") + names[i];
    const auto it = values.find(names[i]);
    if (it == values.end()) throw InputError(source, 0, "missing key \"" + path + "\"");
    if (it->is_number()) {
      read[i] = it->get<double>();
    } else if (!it->is_null()) {
      throw InputError(source, 0, "key \"" + path + "\" must be a number");
    }
  }

  // At the boundary the prior is a point mass: every store's posterior is that point whatever
  // its data. The scoring kernels need a proper prior (alpha, beta, shape, rate, tau > 0), so
  // the fit is refused, naming the boundary, rather than scored with a nearby proper prior.
  const char* const refusal =
      ": hbayes score needs a proper prior (dispersion > 0) and does not score a point-mass "
      "prior; report the pooled estimate from the fit file instead";
  if (prior.model == "beta-binomial" && (!read[0] || !read[1])) {
    throw InputError(source, 0,
                     "the fit is on the boundary theta = 0 (no overdispersion: alpha and beta "
                     "are infinite, every store's posterior is the point mass" +
                         point_text(fit, "mean_dispersion", "mean") + ")" + refusal);
  }
  if (prior.model == "gamma-poisson" && (!read[0] || !read[1])) {
    throw InputError(source, 0,
                     "the fit is on the boundary phi = 0 (no overdispersion: shape and rate are "
                     "infinite, every store's posterior is the point mass" +
                         point_text(fit, "mean_dispersion", "mean") + ")" + refusal);
  }
  if (prior.model == "normal-normal") {
    if (!read[0]) throw InputError(source, 0, "key \"hyperparameters.mu\" must be a number");
    if (!read[1]) throw InputError(source, 0, "key \"hyperparameters.tau\" must be a number");
    if (*read[1] == 0.0) {
      throw InputError(source, 0,
                       "the fit is on the boundary tau = 0 (complete pooling: every store's "
                       "posterior is the point mass at mu = " +
                           values["mu"].dump() + ")" + refusal);
    }
  }
  prior.values = {*read[0], *read[1]};
  std::optional<std::string> problem;
  if (prior.model == "beta-binomial") {
    problem = validation::prior(BetaBinomialPrior{prior.values[0], prior.values[1]});
  } else if (prior.model == "gamma-poisson") {
    problem = validation::prior(GammaPoissonPrior{prior.values[0], prior.values[1]});
  } else {
    problem = validation::prior(NormalNormalPrior{prior.values[0], prior.values[1]});
  }
  if (problem) throw InputError(source, 0, "hyperparameters: " + *problem);
  return prior;
}

}  // namespace hbayes::cli
