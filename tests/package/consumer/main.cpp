// Scores three stores from in-memory columns with the hbayes library (no CSV involved).
#include <cstdint>
#include <cstdio>
#include <hbayes/score.hpp>
#include <vector>

int main() {
  const std::vector<std::int64_t> successes = {2, 0, 40};
  const std::vector<std::int64_t> trials = {20, 0, 400};

  hbayes::ScoreOptions options;  // level 0.95, backend auto
  options.backend = hbayes::Backend::Cpu;
  const hbayes::PosteriorTable posterior =
      hbayes::score(hbayes::BinomialColumns{successes.data(), trials.data(), successes.size()},
                    hbayes::BetaBinomialPrior{5.0, 95.0}, options);

  for (std::size_t i = 0; i < successes.size(); ++i) {
    std::printf("store %zu: mean %.6f, 95%% interval [%.6f, %.6f], weight on own data %.3f\n", i,
                posterior.post_mean[i], posterior.lower[i], posterior.upper[i],
                posterior.data_weight[i]);
  }
  return 0;
}
