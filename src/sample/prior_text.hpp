// Checks on parsed priors that depend on the parameter they are for (the parsing itself is
// declared in include/hbayes/sample.hpp and implemented in prior_text.cpp).
#pragma once

#include <string>

#include "hbayes/sample.hpp"

namespace hbayes {

// Throws InputError naming `option` unless the prior is on the real line (normal, student-t,
// cauchy), as a prior on mu must be.
void require_location_prior(const PriorSpec& prior, const std::string& option);

// Throws InputError naming `option` unless the prior is on tau > 0 (half-normal,
// half-student-t, half-cauchy), as a prior on a scale must be.
void require_scale_prior(const PriorSpec& prior, const std::string& option);

}  // namespace hbayes
