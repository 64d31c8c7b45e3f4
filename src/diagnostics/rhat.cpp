// R-hat: classic split, rank-normalized (bulk and folded), and nested over superchains.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "diagnostics/chain_matrix.hpp"
#include "hbayes/errors.hpp"

namespace hbayes::diagnostics {

namespace detail {

double rhat_of(DrawsView x) {
  if (degenerate(x)) return NAN;
  const double n = static_cast<double>(x.draws);
  std::vector<double> chain_mean(x.chains);
  double within = 0;
  for (std::size_t c = 0; c < x.chains; ++c) {
    const double* chain = x.values + c * x.draws;
    chain_mean[c] = mean(chain, x.draws);
    within += variance(chain, x.draws);
  }
  within /= static_cast<double>(x.chains);
  // var() of one chain mean is NA in R, and so is R-hat.
  const double between = n * variance(chain_mean.data(), x.chains);
  return std::sqrt((between / within + n - 1.0) / n);
}

}  // namespace detail

double rhat_basic(DrawsView x, bool split) {
  detail::check_shape(x, "rhat_basic");
  if (!split) return detail::rhat_of(x);
  return detail::rhat_of(detail::split_chains(x).view());
}

double rhat(DrawsView x) {
  detail::check_shape(x, "rhat");
  // NaN draws would rank arbitrarily; posterior's NA propagates instead.
  if (detail::degenerate(x)) return NAN;
  const double bulk = detail::rhat_of(detail::rank_normalize(detail::split_chains(x)).view());
  const detail::ChainMatrix folded = detail::fold(x);
  const double tail =
      detail::rhat_of(detail::rank_normalize(detail::split_chains(folded.view())).view());
  if (std::isnan(bulk) || std::isnan(tail)) return NAN;
  return std::max(bulk, tail);
}

double rhat_nested(DrawsView x, const std::vector<std::size_t>& superchain_ids) {
  detail::check_shape(x, "rhat_nested");
  if (superchain_ids.size() != x.chains) {
    throw InputError("rhat_nested", 0,
                     std::to_string(superchain_ids.size()) + " superchain ids for " +
                         std::to_string(x.chains) + " chains");
  }
  std::map<std::size_t, std::vector<std::size_t>> members;  // superchain -> its chains
  for (std::size_t c = 0; c < x.chains; ++c) members[superchain_ids[c]].push_back(c);
  const std::size_t per_superchain = members.begin()->second.size();
  for (const auto& entry : members) {
    if (entry.second.size() != per_superchain) {
      throw InputError("rhat_nested", 0,
                       "superchain " + std::to_string(entry.first) + " has " +
                           std::to_string(entry.second.size()) + " chains, superchain " +
                           std::to_string(members.begin()->first) + " has " +
                           std::to_string(per_superchain) + "; all must be equal");
    }
  }
  if (detail::degenerate(x)) return NAN;

  std::vector<double> superchain_mean, within_superchain;
  for (const auto& entry : members) {
    std::vector<double> chain_mean, pooled;
    double chain_var_sum = 0;
    for (std::size_t c : entry.second) {
      const double* chain = x.values + c * x.draws;
      chain_mean.push_back(detail::mean(chain, x.draws));
      if (x.draws > 1) chain_var_sum += detail::variance(chain, x.draws);
      pooled.insert(pooled.end(), chain, chain + x.draws);
    }
    superchain_mean.push_back(detail::mean(pooled.data(), pooled.size()));
    // Within a superchain: the chains' own variance plus the spread of their means, which with
    // many short chains started together carries most of the signal (Margossian et al. eq. 18).
    const double between_chains =
        per_superchain > 1 ? detail::variance(chain_mean.data(), chain_mean.size()) : 0.0;
    within_superchain.push_back(chain_var_sum / per_superchain + between_chains);
  }
  const double between = detail::variance(superchain_mean.data(), superchain_mean.size());
  const double within = detail::mean(within_superchain.data(), within_superchain.size());
  return std::sqrt(1.0 + between / within);
}

}  // namespace hbayes::diagnostics
