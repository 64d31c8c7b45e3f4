// From the public model description to the kernels' plain values, with the data checked.
#pragma once

#include <vector>

#include "hbayes/sample.hpp"
#include "hmc/hier_model.hpp"

namespace hbayes::sampling {

// The kernels' model (assumes the priors were checked by the caller or parse_prior).
kernels::hmc::HierModel kernel_model(const HierModelSpec& spec);

// The per-group data as the kernels read it. Throws InputError("group j", ...) for data that
// break the family's rules: estimates finite and std_error > 0 (normal); successes and trials
// non-negative integers with successes <= trials (binomial); counts non-negative integers and
// exposure > 0 (Poisson); at least one group; equal-length columns.
std::vector<kernels::hmc::GroupData> validated_groups(HierFamily family, const HierDataset& data);

}  // namespace hbayes::sampling
