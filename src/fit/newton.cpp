#include "fit/newton.hpp"

#include <algorithm>
#include <cmath>

namespace hbayes::fit_detail {
namespace {

// Cholesky factor (lower, row-major) of a symmetric n x n matrix, or false if not positive
// definite to working precision.
bool cholesky(const Vector& a, std::size_t n, Vector* l) {
  l->assign(n * n, 0.0);
  double scale = 0.0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::fabs(a[i * n + i]));
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= (*l)[j * n + k] * (*l)[j * n + k];
    if (!(d > 1e-14 * scale) || !std::isfinite(d)) return false;
    const double ljj = std::sqrt(d);
    (*l)[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= (*l)[i * n + k] * (*l)[j * n + k];
      (*l)[i * n + j] = s / ljj;
    }
  }
  return true;
}

// Solves L L^T x = b.
Vector cholesky_substitute(const Vector& l, std::size_t n, Vector b) {
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < i; ++k) b[i] -= l[i * n + k] * b[k];
    b[i] /= l[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t k = i + 1; k < n; ++k) b[i] -= l[k * n + i] * b[k];
    b[i] /= l[i * n + i];
  }
  return b;
}

bool finite(const Evaluation& e) {
  if (!std::isfinite(e.value)) return false;
  for (double g : e.gradient) {
    if (!std::isfinite(g)) return false;
  }
  for (double h : e.hessian) {
    if (!std::isfinite(h)) return false;
  }
  return true;
}

}  // namespace

double relative_gradient(const Evaluation& e) {
  double g = 0.0;
  for (double v : e.gradient) g = std::max(g, std::fabs(v));
  return g / std::max(1.0, std::fabs(e.value));
}

double norm(const Vector& v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

bool cholesky_solve(const Vector& a, const Vector& b, Vector* x) {
  const std::size_t n = b.size();
  Vector l;
  if (!cholesky(a, n, &l)) return false;
  *x = cholesky_substitute(l, n, b);
  return true;
}

double spd_log_det(const Vector& a, std::size_t n) {
  Vector l;
  if (!cholesky(a, n, &l)) return std::nan("");
  double sum = 0.0;
  for (std::size_t j = 0; j < n; ++j) sum += 2.0 * std::log(l[j * n + j]);
  return sum;
}

bool spd_inverse(const Vector& a, std::size_t n, Vector* inverse) {
  Vector l;
  if (!cholesky(a, n, &l)) return false;
  inverse->assign(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    Vector e(n, 0.0);
    e[j] = 1.0;
    const Vector column = cholesky_substitute(l, n, e);
    for (std::size_t i = 0; i < n; ++i) (*inverse)[i * n + j] = column[i];
  }
  return true;
}

NewtonResult maximize(const Objective& f, Vector x0, const NewtonSettings& settings) {
  const std::size_t n = x0.size();
  NewtonResult r;
  r.x = std::move(x0);
  r.at = f(r.x);
  if (!finite(r.at)) {
    r.note = "the criterion is not finite at the starting point";
    return r;
  }
  double lambda = 0.0;
  while (true) {
    const double rel = relative_gradient(r.at);
    if (rel < settings.gradient_tolerance) {
      r.converged = true;
      return r;
    }
    if (r.iterations >= settings.max_iterations) {
      r.note = "iteration limit (" + std::to_string(settings.max_iterations) +
               ") reached with relative gradient " + std::to_string(rel);
      return r;
    }
    // Scale of the curvature, so that lambda's steps are meaningful for any units.
    double curvature = 0.0;
    for (std::size_t i = 0; i < n; ++i)
      curvature = std::max(curvature, std::fabs(r.at.hessian[i * n + i]));
    curvature = std::max(curvature, 1e-300);
    // Near the optimum the rise of a Newton step falls below the rounding of the criterion
    // itself (a catalog's log likelihood sums terms far larger than the result, e.g. the
    // beta-binomial's failures and trials histograms, each ~ sum n log n): there a step that keeps
    // the value within `flat` and halves the gradient is taken on the gradient's word.
    const double flat = 1e-9 * std::max(1.0, std::fabs(r.at.value));
    bool accepted = false;
    for (int attempt = 0; attempt < 80 && !accepted; ++attempt) {
      Vector a(n * n);
      for (std::size_t i = 0; i < n * n; ++i) a[i] = -r.at.hessian[i];
      for (std::size_t i = 0; i < n; ++i) a[i * n + i] += lambda;
      Vector step;
      if (cholesky_solve(a, r.at.gradient, &step)) {
        double largest = 0.0;
        for (double s : step) largest = std::max(largest, std::fabs(s));
        if (largest > settings.max_step) {
          for (double& s : step) s *= settings.max_step / largest;
        }
        Vector x = r.x;
        for (std::size_t i = 0; i < n; ++i) x[i] += step[i];
        Evaluation e = f(x);
        if (finite(e) && (e.value > r.at.value ||
                          (e.value >= r.at.value - flat && relative_gradient(e) < 0.5 * rel))) {
          r.x = std::move(x);
          r.at = std::move(e);
          accepted = true;
          break;
        }
      }
      lambda = lambda == 0.0 ? 1e-6 * curvature : lambda * 4.0;
    }
    if (!accepted) {
      r.note = "no step raises the criterion (relative gradient " + std::to_string(rel) +
               "): the optimum is not resolvable in double precision";
      return r;
    }
    ++r.iterations;
    lambda = lambda < 1e-3 * curvature ? 0.0 : lambda / 16.0;
  }
}

}  // namespace hbayes::fit_detail
