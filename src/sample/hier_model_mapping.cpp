// The public model description as the kernels' plain values; see hier_model_mapping.hpp.
#include "sample/hier_model_mapping.hpp"

#include <cmath>
#include <string>

#include "hbayes/errors.hpp"

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

bool is_count(double x) {
  return std::isfinite(x) && x >= 0.0 && x == std::floor(x);
}

std::string shown(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
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
    switch (family) {
      case HierFamily::Normal:
        if (!std::isfinite(a)) throw InputError(where, 0, "estimate must be finite");
        if (!(b > 0.0) || !std::isfinite(b)) {
          throw InputError(where, 0, "std_error (" + shown(b) + ") must be positive and finite");
        }
        break;
      case HierFamily::Binomial:
        if (!is_count(a) || !is_count(b)) {
          throw InputError(where, 0, "successes and trials must be non-negative integers");
        }
        if (a > b) {
          throw InputError(where, 0,
                           "successes (" + shown(a) + ") exceeds trials (" + shown(b) + ")");
        }
        break;
      case HierFamily::Poisson:
        if (!is_count(a)) throw InputError(where, 0, "count must be a non-negative integer");
        if (!(b > 0.0) || !std::isfinite(b)) {
          throw InputError(where, 0, "exposure (" + shown(b) + ") must be positive and finite");
        }
        break;
    }
    groups[j] = hmc::GroupData{a, b};
  }
  return groups;
}

}  // namespace hbayes::sampling
