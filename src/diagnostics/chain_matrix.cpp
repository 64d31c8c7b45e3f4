// Transforms and pooled statistics behind the diagnostics, following R and posterior 1.4.0 so
// that results agree to rounding: ties share their average rank, quantiles are R's type 7.
#include "diagnostics/chain_matrix.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>
#include <utility>

#include "hbayes/errors.hpp"
#include "hmc/group_lanes.hpp"
#include "special/normal_quantile.hpp"

namespace hbayes::diagnostics::detail {

void check_shape(DrawsView x, const char* function) {
  if (x.values == nullptr || x.chains == 0 || x.draws == 0) {
    throw InputError(function, 0,
                     "needs at least one chain of at least one draw (got " +
                         std::to_string(x.chains) + " chains x " + std::to_string(x.draws) +
                         " draws)");
  }
}

ChainMatrix copy(DrawsView x) {
  return ChainMatrix{x.chains, x.draws,
                     std::vector<double>(x.values, x.values + x.chains * x.draws)};
}

ChainMatrix split_chains(DrawsView x) {
  if (x.draws == 1) return copy(x);
  const std::size_t half = x.draws / 2;
  const std::size_t second = x.draws - half;  // start of the second half; skips an odd middle
  ChainMatrix out{2 * x.chains, half, {}};
  out.values.reserve(out.chains * half);
  for (std::size_t c = 0; c < x.chains; ++c) {
    const double* chain = x.values + c * x.draws;
    out.values.insert(out.values.end(), chain, chain + half);
  }
  for (std::size_t c = 0; c < x.chains; ++c) {
    const double* chain = x.values + c * x.draws;
    out.values.insert(out.values.end(), chain + second, chain + x.draws);
  }
  return out;
}

ChainMatrix fold(DrawsView x) {
  return fold_about(x, sorted_median(sorted_values(x)));
}

ChainMatrix fold_about(DrawsView x, double centre) {
  ChainMatrix out = copy(x);
  for (double& v : out.values) v = std::fabs(v - centre);
  return out;
}

SortedDraws sort_with_positions(const double* values, std::size_t n) {
  SortedDraws order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = {values[i], i};
  // Tied values share their average rank (normal_scores), so their order does not matter.
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return order;
}

std::vector<double> normal_scores(const SortedDraws& sorted) {
  const std::size_t n = sorted.size();
  std::vector<double> scores(n);
  const double offset = 3.0 / 8.0;
  const double scale = static_cast<double>(n) - 2.0 * offset + 1.0;
  const auto normal_score = [&](double rank) {
    return special::normal_quantile((rank - offset) / scale);
  };
  // A summary rank-normalizes every variable's draws, all of the same size, and untied draws have
  // the ranks 1..n: their normal scores are computed once per thread and size (the normal
  // quantile was a fifth of a summary's time). Ties take their average rank's score directly.
  thread_local std::vector<double> untied_scores;
  if (untied_scores.size() != n) {
    untied_scores.resize(n);
    for (std::size_t i = 0; i < n; ++i) untied_scores[i] = normal_score(static_cast<double>(i + 1));
  }
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && sorted[end].first == sorted[start].first) ++end;
    // 1-based ranks start+1 .. end share their average.
    const double z = end == start + 1
                         ? untied_scores[start]
                         : normal_score(0.5 * (static_cast<double>(start + 1) + static_cast<double>(end)));
    for (std::size_t k = start; k < end; ++k) scores[sorted[k].second] = z;
    start = end;
  }
  return scores;
}

ChainMatrix rank_normalize(const ChainMatrix& x) {
  return ChainMatrix{x.chains, x.draws,
                     normal_scores(sort_with_positions(x.values.data(), x.values.size()))};
}

SortedDraws sorted_deviations(const SortedDraws& sorted, double centre) {
  // below: indices [0, split) hold values < centre, whose deviations centre - v grow as the
  // index falls; above: [split, n) hold values >= centre, whose deviations grow with the index.
  // fabs(v - centre) rounds like the subtraction either way, and rounding is monotone, so both
  // runs stay sorted in floating point.
  const std::size_t n = sorted.size();
  const std::size_t split = static_cast<std::size_t>(
      std::partition_point(sorted.begin(), sorted.end(),
                           [&](const auto& draw) { return draw.first < centre; }) -
      sorted.begin());
  SortedDraws out;
  out.reserve(n);
  std::size_t below = split, above = split;
  while (below > 0 || above < n) {
    const double down = below > 0 ? std::fabs(sorted[below - 1].first - centre) : INFINITY;
    const double up = above < n ? std::fabs(sorted[above].first - centre) : INFINITY;
    if (below == 0 || (above < n && up <= down)) {
      out.push_back({up, sorted[above].second});
      ++above;
    } else {
      out.push_back({down, sorted[below - 1].second});
      --below;
    }
  }
  return out;
}

ChainMatrix indicator_at_most(DrawsView x, double threshold) {
  ChainMatrix out = copy(x);
  for (double& v : out.values) v = v <= threshold ? 1.0 : 0.0;
  return out;
}

bool degenerate(DrawsView x) {
  const std::size_t n = x.chains * x.draws;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x.values[i])) return true;
    lo = std::min(lo, x.values[i]);
    hi = std::max(hi, x.values[i]);
  }
  return std::fabs(hi - lo) < DBL_EPSILON;
}

namespace {

// sum over i of term(v[i]) in the sampler's vector lanes (hmc/group_lanes.hpp): the loop
// vectorizes, and each lane sums an eighth of the draws, so rounding stays ~1e-16 relative for
// the thousands of draws a summary takes (long double sums, as R's mean uses, ran serially on the
// x87 unit and were a third of the exact summary's time at 64 chains x 1,000 draws).
template <class Term>
double sum_in_lanes(const double* v, std::size_t n, const Term& term) {
  kernels::hmc::LaneSums<1> sums;
  kernels::hmc::for_each_in_lanes(n, [&](std::size_t i, int l) { sums.lane[0][l] += term(v[i]); });
  return sums.total(0);
}

}  // namespace

double mean(const double* v, std::size_t n) {
  const auto count = static_cast<double>(n);
  const double m = sum_in_lanes(v, n, [](double x) { return x; }) / count;
  // R's second pass: the mean of the residuals corrects the rounding of the first.
  return m + sum_in_lanes(v, n, [m](double x) { return x - m; }) / count;
}

double variance(const double* v, std::size_t n) {
  const double m = mean(v, n);
  return sum_in_lanes(v, n, [m](double x) { return (x - m) * (x - m); }) /
         static_cast<double>(n - 1);
}

double sorted_quantile(const std::vector<double>& sorted, double prob) {
  // R's arithmetic: the 1-based index 1 + (n - 1) p, whose fraction rounds differently from the
  // 0-based (n - 1) p's (n = 8, p = 0.05: h = 0.3500000000000001 against 0.35000000000000003).
  const double index = 1.0 + static_cast<double>(sorted.size() - 1) * prob;
  const double lo = std::floor(index);
  const double hi = std::ceil(index);
  const double at_lo = sorted[static_cast<std::size_t>(lo) - 1];
  const double at_hi = sorted[static_cast<std::size_t>(hi) - 1];
  // R interpolates only between distinct neighbours, so ties give the tied value exactly.
  if (!(index > lo && at_hi != at_lo)) return at_lo;
  const double h = index - lo;
  return (1.0 - h) * at_lo + h * at_hi;
}

double sorted_median(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n % 2 == 1) return sorted[n / 2];
  return static_cast<double>((static_cast<long double>(sorted[n / 2 - 1]) + sorted[n / 2]) / 2);
}

std::vector<double> sorted_values(DrawsView x) {
  std::vector<double> v(x.values, x.values + x.chains * x.draws);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace hbayes::diagnostics::detail
