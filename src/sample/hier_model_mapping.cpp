// The public model description as the kernels' plain values; see hier_model_mapping.hpp.
#include "sample/hier_model_mapping.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "hbayes/errors.hpp"
#include "validation.hpp"

namespace hbayes::sampling {
namespace {

namespace hmc = kernels::hmc;

hmc::PriorKind kernel_kind(PriorSpec::Kind kind) {
  switch (kind) {
    case PriorSpec::Kind::Normal: return hmc::PriorKind::Normal;
    case PriorSpec::Kind::StudentT: return hmc::PriorKind::StudentT;
    case PriorSpec::Kind::Cauchy: return hmc::PriorKind::Cauchy;
    case PriorSpec::Kind::HalfNormal: return hmc::PriorKind::HalfNormal;
    case PriorSpec::Kind::HalfStudentT: return hmc::PriorKind::HalfStudentT;
    case PriorSpec::Kind::HalfCauchy: return hmc::PriorKind::HalfCauchy;
  }
  return hmc::PriorKind::Normal;
}

hmc::Prior kernel_prior(const PriorSpec& prior) {
  return hmc::Prior{kernel_kind(prior.kind), prior.nu, prior.location, prior.scale};
}

// A count held in a double: a non-negative whole number that converts to int64 exactly.
bool is_count(double x) {
  return std::isfinite(x) && x >= 0.0 && x == std::floor(x) && x <= 9007199254740992.0;
}

}  // namespace

hmc::HierModel kernel_model(const HierModelSpec& spec) {
  const hmc::Likelihood likelihood = spec.family == HierFamily::Normal     ? hmc::Likelihood::Normal
                                     : spec.family == HierFamily::Binomial ? hmc::Likelihood::Binomial
                                                                           : hmc::Likelihood::Poisson;
  const hmc::Parameterization parameterization =
      spec.parameterization == Parameterization::NonCentered ? hmc::Parameterization::NonCentered
                                                             : hmc::Parameterization::Centered;
  return hmc::HierModel{likelihood, parameterization, kernel_prior(spec.mu_prior),
                        kernel_prior(spec.tau_prior),
                        hmc::GroupPrior{spec.group_prior.student_t, spec.group_prior.nu}};
}

std::vector<hmc::GroupData> validated_groups(HierFamily family, const HierDataset& data) {
  if (data.first.size() != data.second.size()) {
    throw InputError("hbayes sample", 0, "the two data columns differ in length");
  }
  if (data.first.empty()) throw InputError("hbayes sample", 0, "no groups in the data");
  std::vector<hmc::GroupData> groups(data.first.size());
  for (std::size_t j = 0; j < groups.size(); ++j) {
    const double a = data.first[j];
    const double b = data.second[j];
    const std::string where = "group " + std::to_string(j + 1);
    // The data rules are validation.hpp's, shared with hbayes score; counts arrive as doubles
    // here, so their integrality is checked first.
    std::optional<std::string> problem;
    switch (family) {
      case HierFamily::Normal:
        problem = validation::normal_row(a, b, "estimate", "std_error");
        break;
      case HierFamily::Binomial:
        problem = !is_count(a) || !is_count(b)
                      ? std::optional<std::string>(
                            "successes and trials must be non-negative integers")
                      : validation::binomial_row(static_cast<std::int64_t>(a),
                                                 static_cast<std::int64_t>(b), "successes",
                                                 "trials");
        break;
      case HierFamily::Poisson:
        problem = !is_count(a)
                      ? std::optional<std::string>("count must be a non-negative integer")
                      : validation::poisson_row(static_cast<std::int64_t>(a), b, "count",
                                                "exposure");
        break;
    }
    if (problem) throw InputError(where, 0, *problem);
    groups[j] = hmc::GroupData{a, b};
  }
  return groups;
}

}  // namespace hbayes::sampling
