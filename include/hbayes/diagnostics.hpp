// MCMC convergence diagnostics and posterior summaries of one scalar parameter, defined as R's
// `posterior` package (1.4.0) defines them: rank-normalized split R-hat and bulk/tail ESS
// (Vehtari, Gelman, Simpson, Carpenter & Buerkner 2021), MCSE of the mean and of quantiles,
// nested R-hat for many short chains (Margossian et al. 2024) and E-BFMI (Betancourt 2016).
//
// Every measure returns NaN where posterior returns NA: a non-finite draw, draws that are all
// equal, or too few draws (ESS needs at least 3 per split half).
#pragma once

#include <cstddef>
#include <vector>

namespace hbayes::diagnostics {

// Draws of one scalar: values[c * draws + i] is draw i of chain c (chains x draws, row-major).
struct DrawsView {
  const double* values;
  std::size_t chains;
  std::size_t draws;  // per chain
};

// Classic R-hat of split chains (posterior::rhat_basic); split = false uses whole chains.
double rhat_basic(DrawsView x, bool split = true);
// max(bulk, folded) rank-normalized split R-hat (posterior::rhat).
double rhat(DrawsView x);
// Nested R-hat (posterior::rhat_nested): superchain_ids[c] is chain c's superchain; every
// superchain must hold the same number of chains. Throws InputError on a bad id list.
double rhat_nested(DrawsView x, const std::vector<std::size_t>& superchain_ids);

// Effective sample sizes, in draws: of the rank-normalized split chains (bulk), the smaller of
// the 5% and 95% quantile indicators' (tail), of the raw split chains (basic = mean), and of the
// indicator draws <= the prob quantile.
double ess_bulk(DrawsView x);
double ess_tail(DrawsView x);
double ess_basic(DrawsView x, bool split = true);
double ess_mean(DrawsView x);
double ess_quantile(DrawsView x, double prob);

// Monte Carlo standard errors, in the parameter's units, of the mean and of the prob quantile.
double mcse_mean(DrawsView x);
double mcse_quantile(DrawsView x, double prob);

// The prob quantile of all draws pooled, R's default (type 7) definition.
double quantile(DrawsView x, double prob);

// posterior::summarise_draws' default columns for one parameter.
struct Summary {
  double mean, median, sd, mad, q5, q95, rhat, ess_bulk, ess_tail;
};
Summary summarise(DrawsView x);

// E-BFMI of one chain's energy series (n values): sum of squared successive differences over
// sum of squared deviations from the mean. Values below ~0.3 mean momentum resampling explores
// the energy distribution poorly. NaN for n < 2 or a constant series.
double ebfmi(const double* energy, std::size_t n);

}  // namespace hbayes::diagnostics
