#include "validation.hpp"

#include <charconv>
#include <cmath>

namespace hbayes::validation {
namespace {

bool positive_finite(double x) {
  return std::isfinite(x) && x > 0.0;
}

std::string must_be_positive(std::string_view name, double value) {
  return std::string(name) + " must be a positive finite number (got " + describe(value) + ")";
}

}  // namespace

std::string describe(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::optional<std::string> binomial_row(std::int64_t successes, std::int64_t trials,
                                        std::string_view successes_name,
                                        std::string_view trials_name) {
  if (successes < 0) {
    return std::string(successes_name) + " (" + std::to_string(successes) + ") is negative";
  }
  if (trials < 0) {
    return std::string(trials_name) + " (" + std::to_string(trials) + ") is negative";
  }
  if (successes > trials) {
    return std::string(successes_name) + " (" + std::to_string(successes) + ") exceeds " +
           std::string(trials_name) + " (" + std::to_string(trials) + ")";
  }
  return std::nullopt;
}

std::optional<std::string> poisson_row(std::int64_t count, double exposure,
                                       std::string_view count_name,
                                       std::string_view exposure_name) {
  if (count < 0) {
    return std::string(count_name) + " (" + std::to_string(count) + ") is negative";
  }
  if (!positive_finite(exposure)) return must_be_positive(exposure_name, exposure);
  return std::nullopt;
}

std::optional<std::string> normal_row(double estimate, double std_error,
                                      std::string_view estimate_name,
                                      std::string_view std_error_name) {
  if (!std::isfinite(estimate)) {
    return std::string(estimate_name) + " must be a finite number (got " + describe(estimate) + ")";
  }
  if (!positive_finite(std_error)) return must_be_positive(std_error_name, std_error);
  return std::nullopt;
}

std::optional<std::string> prior(const BetaBinomialPrior& p) {
  if (!positive_finite(p.alpha)) return must_be_positive("alpha", p.alpha);
  if (!positive_finite(p.beta)) return must_be_positive("beta", p.beta);
  return std::nullopt;
}

std::optional<std::string> prior(const GammaPoissonPrior& p) {
  if (!positive_finite(p.shape)) return must_be_positive("shape", p.shape);
  if (!positive_finite(p.rate)) return must_be_positive("rate", p.rate);
  return std::nullopt;
}

std::optional<std::string> prior(const NormalNormalPrior& p) {
  if (!std::isfinite(p.mu)) return "mu must be a finite number (got " + describe(p.mu) + ")";
  if (!positive_finite(p.tau)) return must_be_positive("tau", p.tau);
  return std::nullopt;
}

std::optional<std::string> options(const ScoreOptions& o, Family family) {
  if (!(o.level > 0.0 && o.level < 1.0)) {
    return "level must be strictly between 0 and 1 (got " + describe(o.level) + ")";
  }
  if (o.predict_trials < 0) {
    return "predict-trials must be non-negative (got " + std::to_string(o.predict_trials) + ")";
  }
  if (!(std::isfinite(o.predict_exposure) && o.predict_exposure >= 0.0)) {
    return "predict-exposure must be a non-negative finite number (got " +
           describe(o.predict_exposure) + ")";
  }
  if (o.predict_trials > 0 && family != Family::BetaBinomial) {
    return "predict-trials applies to the beta-binomial model only";
  }
  if (o.predict_exposure > 0.0 && family != Family::GammaPoisson) {
    return "predict-exposure applies to the gamma-poisson model only";
  }
  return std::nullopt;
}

}  // namespace hbayes::validation
