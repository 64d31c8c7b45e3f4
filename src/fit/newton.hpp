// Damped Newton ascent on unconstrained parameters: the optimiser behind every ML/REML fit.
//
// Each iteration solves (-H + lambda I) step = g, with lambda = 0 (a pure Newton step) whenever
// -H is positive definite and the step raises the criterion, and grows lambda (towards a short
// gradient step: a trust region in the Levenberg-Marquardt form) until it does. Steps are capped
// in the infinity norm, since the parameters are logs and logits.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hbayes::fit_detail {

using Vector = std::vector<double>;

// A criterion and its derivatives at one point; hessian is n x n, row-major. A non-finite value
// marks a point outside the domain (the step to it is rejected).
struct Evaluation {
  double value = 0.0;
  Vector gradient;
  Vector hessian;
};

using Objective = std::function<Evaluation(const Vector& x)>;

struct NewtonSettings {
  int max_iterations = 100;
  double gradient_tolerance = 1e-10;
  double max_step = 4.0;  // largest change of any coordinate in one step
};

struct NewtonResult {
  Vector x;
  Evaluation at;  // the criterion at x
  int iterations = 0;
  bool converged = false;
  std::string note;  // why it stopped, when it did not converge
};

// max_i |g_i| / max(1, |value|): the convergence measure of FitOptions::gradient_tolerance.
double relative_gradient(const Evaluation& e);

// Euclidean norm.
double norm(const Vector& v);

// Maximises f from x0 (f(x0) must be finite).
NewtonResult maximize(const Objective& f, Vector x0, const NewtonSettings& settings);

// Solves a x = b for a symmetric positive definite n x n matrix a (row-major) by Cholesky;
// false when a is not numerically positive definite.
bool cholesky_solve(const Vector& a, const Vector& b, Vector* x);

// The inverse of a symmetric positive definite matrix, or false.
bool spd_inverse(const Vector& a, std::size_t n, Vector* inverse);

// log det of a symmetric positive definite n x n matrix (row-major) from its Cholesky factor, or
// NaN when it is not numerically positive definite.
double spd_log_det(const Vector& a, std::size_t n);

}  // namespace hbayes::fit_detail
