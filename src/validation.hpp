// The data rules of each conjugate family, in one place for the library API and the CLI.
//
// Each check returns nothing when the value is valid, else the reason in the user's words,
// naming the column as the caller calls it ("successes (57) exceeds trials (40)").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hbayes/score.hpp"

namespace hbayes::validation {

std::optional<std::string> binomial_row(std::int64_t successes, std::int64_t trials,
                                        std::string_view successes_name,
                                        std::string_view trials_name);
std::optional<std::string> poisson_row(std::int64_t count, double exposure,
                                       std::string_view count_name, std::string_view exposure_name);
std::optional<std::string> normal_row(double estimate, double std_error,
                                      std::string_view estimate_name,
                                      std::string_view std_error_name);

std::optional<std::string> prior(const BetaBinomialPrior& prior);
std::optional<std::string> prior(const GammaPoissonPrior& prior);
std::optional<std::string> prior(const NormalNormalPrior& prior);

// level in (0, 1), predictive sizes finite and >= 0 and only for the family that has them.
enum class Family { BetaBinomial, GammaPoisson, NormalNormal };
std::optional<std::string> options(const ScoreOptions& options, Family family);

// "(got x)" text for a double, with full precision.
std::string describe(double value);

}  // namespace hbayes::validation
