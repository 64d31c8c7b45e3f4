// Empirical Bayes: the chain-level hyperparameters that maximise the marginal likelihood of a
// catalog (ML-II; REML for normal-normal), or the method of moments.
//
// Inputs are the same structure-of-arrays columns as hbayes::score (n rows = stores). Every fit
// is built from reductions over stores that shards of a catalog can compute separately and
// combine exactly: for the beta-binomial one histogram pass (BinomialSummary, merged by adding
// histograms), for the other families per-iteration sums (PoissonCatalog, NormalCatalog, whose
// results add). Fits run on the host from those reductions; the reductions run on the backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hbayes/backend.hpp"
#include "hbayes/score.hpp"

namespace hbayes {

// mom: the method of moments on raw rates (the seed's weighted mean and tau^2 = max(0, ...));
// ml: maximum marginal likelihood (ML-II, the default); reml: restricted ML (normal-normal only).
enum class FitMethod { Moments, MaximumLikelihood, RestrictedMaximumLikelihood };

// Parses "mom" / "ml" / "reml"; throws InputError(source = option_name) otherwise.
FitMethod parse_fit_method(const std::string& text, const std::string& option_name = "--method");

// "mom", "ml" or "reml".
const char* fit_method_name(FitMethod method);

// Which information matrix the standard errors come from. Expected (Fisher) information is
// available for normal-normal only, where it reproduces metafor's reported SEs.
enum class Information { Observed, Expected };

struct FitOptions {
  FitMethod method = FitMethod::MaximumLikelihood;
  Backend backend = Backend::Auto;  // where the reductions over stores run
  Information information = Information::Observed;
  int max_iterations = 100;           // Newton iterations before giving up (reported, not hidden)
  double gradient_tolerance = 1e-10;  // converged when max |gradient| / max(1, |loglik|) is below
};

// One fitted quantity with its standard error (from the information matrix, by the delta method
// on the reported scale). std_error is empty where it is undefined: for a parameter on its
// boundary or infinite there, and for the method of moments.
struct Estimate {
  double value = 0.0;
  std::optional<double> std_error;
};

// How a fit ended.
struct FitReport {
  FitMethod method = FitMethod::MaximumLikelihood;
  std::size_t groups = 0;  // stores in the catalog
  // The maximised criterion: the log marginal likelihood (ml), the restricted log likelihood with
  // metafor's constants (reml), or the log marginal likelihood at the moment estimates (mom).
  double log_marginal_likelihood = 0.0;
  int iterations = 0;              // Newton iterations (0 for mom and for answers in closed form)
  double gradient_norm = 0.0;      // Euclidean norm of the gradient in the unconstrained
                                   // parameters (logit/log of mean, log of dispersion); at a
                                   // boundary, over the free parameters only
  double relative_gradient = 0.0;  // max |gradient| / max(1, |criterion|)
  bool converged = false;          // relative_gradient < FitOptions::gradient_tolerance
  // The dispersion is exactly 0 (tau^2 = 0, theta = 0, 1/shape = 0): no between-store variation
  // is detectable, every store is pooled completely. Then boundary_score <= 0.
  bool boundary = false;
  // d criterion / d dispersion at dispersion = 0 with the other parameter at its maximiser there
  // (in tau^2, theta or phi): the score test of the boundary, reported for every ML/REML fit.
  double boundary_score = 0.0;
  std::string note;  // why a fit stopped without converging, or what a boundary means
  BackendChoice backend{Backend::Cpu, ""};  // where the reductions ran
};

// Beta-binomial: theta_j ~ Beta(alpha, beta), in the mean/dispersion form mean = alpha / (alpha +
// beta) and dispersion = 1 / (alpha + beta). At the boundary dispersion = 0 the prior is a point
// mass at the mean: alpha and beta are +infinity (with no standard errors).
struct BetaBinomialFit {
  Estimate alpha, beta;
  Estimate mean, dispersion;
  FitReport report;
};

// Gamma-Poisson: lambda_j ~ Gamma(shape, rate), mean = shape / rate (events per unit exposure),
// dispersion = 1 / shape. At dispersion = 0 (the Poisson) shape and rate are +infinity.
struct GammaPoissonFit {
  Estimate shape, rate;
  Estimate mean, dispersion;
  FitReport report;
};

// Normal-normal: theta_j ~ N(mu, tau^2). mu's standard error is 1 / sqrt(sum w) (REML, and at
// the boundary) or from the full (mu, tau^2) information (ML).
struct NormalNormalFit {
  Estimate mu, tau, tau2;
  FitReport report;
};

// ---- Reductions over stores, combinable across shards
// ---------------------------------------------

// Counts of counts: multiplicities[i] stores have count values[i]; values strictly increasing,
// multiplicities > 0. Shards merge exactly (integer addition).
struct CountHistogram {
  std::vector<std::int64_t> values;
  std::vector<std::int64_t> multiplicities;

  void merge(const CountHistogram& other);
  std::int64_t stores() const;  // sum of multiplicities
};

// Everything a beta-binomial fit needs from a catalog, from one pass over its stores: histograms
// of successes y, failures n - y and trials n, and the method-of-moments sums over stores with
// n > 0 (rate p = y / n).
struct BinomialSummary {
  CountHistogram successes, failures, trials;
  std::size_t groups = 0;                   // all stores, including those with 0 trials
  double rate_stores = 0.0;                 // stores with trials > 0
  double sum_rate = 0.0;                    // sum p
  double sum_rate_sq = 0.0;                 // sum p^2
  double sum_inv_trials = 0.0;              // sum 1 / n
  BackendChoice backend{Backend::Cpu, ""};  // where the pass ran (the last shard's, after merge)

  void merge(const BinomialSummary& other);
};

// The histogram pass over n stores (validated: throws InputError naming the row).
BinomialSummary summarize(const BinomialColumns& data, Backend backend = Backend::Auto);

// Everything a gamma-Poisson fit needs that does not change between iterations: the histogram of
// counts and the method-of-moments sums (rate r = count / exposure).
struct PoissonSummary {
  CountHistogram counts;
  std::size_t groups = 0;
  double sum_exposure = 0.0;      // sum e
  double sum_rate = 0.0;          // sum r
  double sum_rate_sq = 0.0;       // sum r^2
  double sum_inv_exposure = 0.0;  // sum 1 / e

  void merge(const PoissonSummary& other);
};

// Value, gradient and Hessian of a log-likelihood in two parameters (a, b).
struct MarginalDerivatives {
  double value = 0.0;
  double d_a = 0.0, d_b = 0.0;
  double d_aa = 0.0, d_ab = 0.0, d_bb = 0.0;

  MarginalDerivatives& operator+=(const MarginalDerivatives& other);
};

// A gamma-Poisson catalog as a fit sees it. A sharded catalog implements this by merging the
// shards' summaries and adding their exposure_terms.
class PoissonCatalog {
 public:
  virtual ~PoissonCatalog() = default;
  virtual PoissonSummary summary() const = 0;
  // sum_j [y_j log(e_j m) - (y_j + 1/phi) log1p(e_j m phi)] and derivatives in (a, b) = (m, phi),
  // m = mean > 0, phi = dispersion >= 0 (phi = 0: sum_j [y_j log(e_j m) - e_j m]).
  virtual MarginalDerivatives exposure_terms(double mean, double dispersion) const = 0;
  virtual BackendChoice backend() const = 0;
};

// Power sums over stores at one tau^2 and centre c, with w = 1 / (tau^2 + se^2), d = y - c.
// Shards evaluated at the same (tau^2, c) add.
struct NormalSums {
  double stores = 0.0;
  double sum_log_v = 0.0;                  // sum log(tau^2 + se^2)
  double w1 = 0.0, w1d = 0.0, w1dd = 0.0;  // sum w, sum w d, sum w d^2
  double w2 = 0.0, w2d = 0.0, w2dd = 0.0;  // sum w^2, sum w^2 d, sum w^2 d^2
  double w3 = 0.0, w3d = 0.0, w3dd = 0.0;  // sum w^3, sum w^3 d, sum w^3 d^2
  double d = 0.0, dd = 0.0;                // sum d, sum d^2 (unweighted)
  double se2 = 0.0;                        // sum se^2

  NormalSums& operator+=(const NormalSums& other);
};

// A normal-normal catalog as a fit sees it; a sharded catalog adds its shards' sums.
class NormalCatalog {
 public:
  virtual ~NormalCatalog() = default;
  virtual NormalSums sums(double tau2, double centre) const = 0;
  virtual BackendChoice backend() const = 0;
};

// Catalogs over in-memory columns (validated: InputError naming the row). The CPU backend reads
// the caller's columns in place, so they must outlive the catalog; CUDA keeps a device copy.
std::unique_ptr<PoissonCatalog> make_catalog(const PoissonColumns& data,
                                             Backend backend = Backend::Auto);
std::unique_ptr<NormalCatalog> make_catalog(const NormalColumns& data,
                                            Backend backend = Backend::Auto);

// ---- Fits
// ------------------------------------------------------------------------------------------ Throw
// InputError when the data cannot identify the hyperparameters (no stores; every store without
// successes, or without failures, or without events; no store with 2 or more trials; REML or mom
// with fewer than 2 stores; a dispersion that grows without bound), naming why.

BetaBinomialFit fit(const BinomialColumns& data, const FitOptions& options = {});
BetaBinomialFit fit(const BinomialSummary& summary, const FitOptions& options = {});
GammaPoissonFit fit(const PoissonColumns& data, const FitOptions& options = {});
GammaPoissonFit fit(const PoissonCatalog& catalog, const FitOptions& options = {});
NormalNormalFit fit(const NormalColumns& data, const FitOptions& options = {});
NormalNormalFit fit(const NormalCatalog& catalog, const FitOptions& options = {});

// ---- Log marginal likelihoods (likelihood-ratio tests, profiles, tests of the fits) -------------

// sum_j log BetaBinomial(y_j | n_j, mu / theta, (1 - mu) / theta) and derivatives in
// (a, b) = (mu, theta); 0 < mu < 1, theta >= 0 (theta = 0: the binomial).
MarginalDerivatives log_marginal(const BinomialSummary& summary, double mean, double dispersion);
// sum_j log NegBinomial(y_j | mean e_j m, shape 1/phi) and derivatives in (a, b) = (m, phi).
MarginalDerivatives log_marginal(const PoissonCatalog& catalog, double mean, double dispersion);
// sum_j log N(y_j | mu, tau^2 + se_j^2) and derivatives in (a, b) = (mu, tau^2), tau^2 >= 0.
MarginalDerivatives log_marginal(const NormalCatalog& catalog, double mu, double tau2);
// The REML criterion (metafor's constants) in tau^2: value, d_a, d_aa (the b entries are 0).
MarginalDerivatives restricted_log_marginal(const NormalCatalog& catalog, double tau2);

}  // namespace hbayes
