// A function of two parameters (a, b) with its gradient and Hessian: the unit that every
// marginal-likelihood reduction returns, so that value, gradient and Hessian come out of one pass.
#pragma once

#include "device_macros.hpp"

namespace hbayes::kernels {

// f(a, b) and its first and second partial derivatives at one point.
struct Derivs2 {
  double value = 0.0;
  double da = 0.0, db = 0.0;
  double daa = 0.0, dab = 0.0, dbb = 0.0;
};

// Sums of derivatives are derivatives of sums: reductions over stores and shards add these.
HBAYES_HD inline Derivs2 operator+(const Derivs2& x, const Derivs2& y) {
  Derivs2 r;
  r.value = x.value + y.value;
  r.da = x.da + y.da;
  r.db = x.db + y.db;
  r.daa = x.daa + y.daa;
  r.dab = x.dab + y.dab;
  r.dbb = x.dbb + y.dbb;
  return r;
}

// w * f, for histogram weights.
HBAYES_HD inline Derivs2 scaled(const Derivs2& x, double w) {
  Derivs2 r;
  r.value = w * x.value;
  r.da = w * x.da;
  r.db = w * x.db;
  r.daa = w * x.daa;
  r.dab = w * x.dab;
  r.dbb = w * x.dbb;
  return r;
}

}  // namespace hbayes::kernels
