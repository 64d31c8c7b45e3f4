// The posterior predictive check of a sampling run as CSV (`hbayes sample --ppc FILE`).
#pragma once

#include <string>

#include "hbayes/predictive.hpp"
#include "hbayes/sample.hpp"

namespace hbayes::sample_output {

// Writes quantity,observed,p_value: one row y.j per group (its observation and the mid-p
// posterior predictive p-value), then `variance` (the across-group variance of the observed
// rates and its p-value). NaN is written as nan. Atomic; "-" = stdout.
void write_predictive_csv(const std::string& path, const HierDataset& data,
                          const PredictiveCheck& check);

}  // namespace hbayes::sample_output
