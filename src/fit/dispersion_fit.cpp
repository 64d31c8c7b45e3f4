#include "fit/dispersion_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hbayes/errors.hpp"

namespace hbayes::fit_detail {
namespace {

// The objective restricted to log d <= max_log_dispersion (outside: not finite, step rejected).
Objective bounded(const DispersionProblem& p) {
  return [&p](const Vector& eta) {
    if (!(eta.back() <= p.max_log_dispersion)) {
      Evaluation outside;
      outside.value = std::numeric_limits<double>::quiet_NaN();
      return outside;
    }
    return p.interior(eta);
  };
}

// A first interior point when the moments give none: one Newton step in d from the boundary when
// the curvature there allows it, else a unit dispersion.
Vector start_from_boundary(const DispersionProblem& p) {
  double d = 1.0;
  if (p.boundary_curvature < 0.0) d = p.boundary_score / -p.boundary_curvature;
  d = std::clamp(d, 1e-8, std::exp(std::min(p.max_log_dispersion, 9.0)));
  Vector eta = p.boundary_location;
  eta.push_back(std::log(d));
  return eta;
}

}  // namespace

DispersionOutcome fit_dispersion(const DispersionProblem& p, const NewtonSettings& settings) {
  const Objective f = bounded(p);
  DispersionOutcome out;
  if (p.boundary_score > 0.0) {
    Vector start = p.moments_start ? *p.moments_start : start_from_boundary(p);
    if (!(start.back() <= p.max_log_dispersion)) start.back() = p.max_log_dispersion - 1.0;
    out.newton = maximize(f, start, settings);
    const NewtonResult& n = out.newton;
    if (!n.converged && n.x.back() > p.max_log_dispersion - 2.0 && !n.at.gradient.empty() &&
        n.at.gradient.back() > 0.0) {
      throw InputError("data", 0, p.divergence_reason);
    }
    return out;
  }
  // d = 0 is a local maximum. An interior maximum can exist only away from it: look from the
  // moment estimates, and keep it only if it is higher (by more than rounding).
  out.boundary = true;
  if (p.moments_start) {
    NewtonResult n = maximize(f, *p.moments_start, settings);
    const double margin = 1e-12 * std::max(1.0, std::fabs(p.boundary_value));
    if (n.converged && n.at.value > p.boundary_value + margin) {
      out.boundary = false;
      out.newton = std::move(n);
    }
  }
  return out;
}

}  // namespace hbayes::fit_detail
