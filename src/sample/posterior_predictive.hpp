// The pieces of hbayes::posterior_predictive_check (include/hbayes/predictive.hpp) that tests
// pin down on their own: where a replicate's random words come from, and how it is drawn.
#pragma once

#include <cstddef>
#include <cstdint>

#include "hbayes/sample.hpp"
#include "hmc/replicate.hpp"

namespace hbayes::sampling {

// The words for group `group`'s replicate at kept draw `draw` of chain `chain`: the Philox
// stream (seed, chain, draw, Predictive), from block group * 2^32 on, so that each group's
// replicate is independent of how many words the other groups' rejection loops took.
kernels::hmc::WordCounter replicate_words(std::uint64_t seed, std::size_t chain, std::size_t draw,
                                          std::size_t group);

// One replicate of a group's observation given its effect theta (link scale) and the group's
// second data column `size` (std_error, trials or exposure).
double replicate_observation(HierFamily family, double theta, double size,
                             kernels::hmc::WordCounter& words);

}  // namespace hbayes::sampling
