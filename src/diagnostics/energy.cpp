// E-BFMI, the energy Bayesian fraction of missing information of one chain (Betancourt 2016).
#include <cmath>

#include "diagnostics/chain_matrix.hpp"
#include "hbayes/errors.hpp"

namespace hbayes::diagnostics {

double ebfmi(const double* energy, std::size_t n) {
  if (energy == nullptr && n > 0) throw InputError("ebfmi", 0, "null energy series");
  if (n < 2) return NAN;
  const double m = detail::mean(energy, n);
  long double jumps = 0, spread = 0;
  for (std::size_t i = 0; i < n; ++i) {
    spread += (energy[i] - m) * (energy[i] - m);
    if (i > 0) jumps += (energy[i] - energy[i - 1]) * (energy[i] - energy[i - 1]);
  }
  // A constant series gives 0 / 0: no energy variation to judge.
  return static_cast<double>(jumps / spread);
}

}  // namespace hbayes::diagnostics
