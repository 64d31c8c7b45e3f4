// The transforms posterior applies to a chains x draws matrix before computing R-hat or ESS, and
// the pooled statistics they need. Shared by the diagnostics' .cpp files; not public.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "hbayes/diagnostics.hpp"

namespace hbayes::diagnostics::detail {

// An owned chains x draws matrix, row-major like DrawsView.
struct ChainMatrix {
  std::size_t chains = 0;
  std::size_t draws = 0;
  std::vector<double> values;

  const double* chain(std::size_t c) const { return values.data() + c * draws; }
  DrawsView view() const { return DrawsView{values.data(), chains, draws}; }
};

// Throws InputError unless x has at least one chain and one draw and non-null values.
void check_shape(DrawsView x, const char* function);

ChainMatrix copy(DrawsView x);
// Each chain's first and second halves as two chains; an odd middle draw is dropped. A single
// draw per chain is left as is.
ChainMatrix split_chains(DrawsView x);
// |x - median(x)|, the median over all draws.
ChainMatrix fold(DrawsView x);
// |x - centre|.
ChainMatrix fold_about(DrawsView x, double centre);
// Phi^{-1}((r - 3/8) / (S + 1/4)) of each draw's average rank r among all S draws (Blom).
ChainMatrix rank_normalize(const ChainMatrix& x);

// Values sorted ascending, each with its position in the input: the one sort a summary needs.
using SortedDraws = std::vector<std::pair<double, std::size_t>>;
SortedDraws sort_with_positions(const double* values, std::size_t n);
// rank_normalize's scores of sorted draws (ties share their average rank), at their positions.
std::vector<double> normal_scores(const SortedDraws& sorted);
// |value - centre| of sorted draws, sorted, with positions: the two runs either side of centre
// are already monotone in |value - centre|, so a merge replaces a second sort.
SortedDraws sorted_deviations(const SortedDraws& sorted, double centre);
// 1 where the draw is <= threshold, else 0.
ChainMatrix indicator_at_most(DrawsView x, double threshold);

// True where posterior returns NA: a non-finite value, or max - min below machine epsilon.
bool degenerate(DrawsView x);

// Pooled statistics with R's definitions (mean with a correction pass, n - 1 variances,
// type-7 quantiles, the median as the mean of the middle two).
double mean(const double* v, std::size_t n);
double variance(const double* v, std::size_t n);
double sorted_quantile(const std::vector<double>& sorted, double prob);
double sorted_median(const std::vector<double>& sorted);
std::vector<double> sorted_values(DrawsView x);

// The classic R-hat and the Geyer-truncated ESS of the chains as given (posterior's .rhat and
// .ess); NaN where posterior returns NA.
double rhat_of(DrawsView x);
double ess_of(DrawsView x);

}  // namespace hbayes::diagnostics::detail
