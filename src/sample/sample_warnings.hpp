// The convergence warnings Stan gives after sampling, with Stan's thresholds: R-hat above 1.01,
// bulk or tail ESS below 100 per chain, divergent transitions after warmup, E-BFMI below 0.3.
#pragma once

#include <string>
#include <vector>

#include "hbayes/sample.hpp"
#include "sample/sample_summary.hpp"

namespace hbayes::sample_output {

constexpr double kRhatLimit = 1.01;     // Vehtari et al. (2021)
constexpr double kEssPerChain = 100.0;  // rstan: bulk and tail ESS below 100 * chains
constexpr double kEbfmiLimit = 0.3;     // Betancourt (2016)

// One line per problem found (no prefix, no newline), in the order R-hat, bulk ESS, tail ESS,
// divergences, E-BFMI; empty when the run shows none. R-hat and ESS come from `summaries`
// (summarise_draws of result), where NA (constant or non-finite draws) counts as a failure;
// divergences and E-BFMI from the draws' divergent__ and energy__ columns, when present, or
// from the exact per-chain counts and sums of a run that streamed its summary (keep_draws false).
std::vector<std::string> convergence_warnings(const SampleResult& result,
                                              const std::vector<VariableSummary>& summaries);

}  // namespace hbayes::sample_output
