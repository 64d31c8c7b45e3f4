// The shared shape of every ML/REML fit here: a location (mean) and a dispersion d >= 0 whose
// boundary d = 0 (no between-store variation) is a legitimate answer, not a failure.
//
// The boundary candidate is solved in closed form by the family (location maximised at d = 0).
// Its score s = d criterion / dd decides: s > 0 means the criterion rises into the interior, so
// the maximum is interior and Newton finds it (on log d); s <= 0 makes d = 0 a local maximum,
// which is returned exactly unless Newton from the method-of-moments start finds a higher
// interior maximum.
#pragma once

#include <optional>
#include <string>

#include "fit/newton.hpp"

namespace hbayes::fit_detail {

struct DispersionProblem {
  Objective interior;        // criterion in eta = (location coordinates..., log d)
  Vector boundary_location;  // the location coordinates of the boundary solution
  double boundary_value = 0.0;
  double boundary_score = 0.0;          // d criterion / dd at d = 0
  double boundary_curvature = 0.0;      // d2 criterion / dd2 at d = 0
  std::optional<Vector> moments_start;  // eta of the moment estimates, when their d > 0
  double max_log_dispersion = 0.0;      // the edge of the searched domain
  std::string divergence_reason;        // InputError text when d grows without bound
};

struct DispersionOutcome {
  bool boundary = false;
  NewtonResult newton;  // the interior solution (meaningful when !boundary)
};

// Throws InputError("data", ...) with divergence_reason when the maximum lies beyond
// max_log_dispersion.
DispersionOutcome fit_dispersion(const DispersionProblem& problem, const NewtonSettings& settings);

}  // namespace hbayes::fit_detail
