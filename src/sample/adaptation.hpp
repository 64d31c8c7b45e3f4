// Warmup adaptation across chains (host side; every chain shares one step size, one trajectory
// length and one diagonal metric):
//  - StepSizeAdapter: Nesterov dual averaging (Hoffman & Gelman 2014, as in Stan, with half
//    Stan's gain; adaptation.cpp says why) driven by the harmonic mean of the chains' acceptance
//    probabilities (Hoffman, Radul & Sountsov 2021): the harmonic mean punishes the few chains
//    that reject everything, which an arithmetic mean would hide.
//  - TrajectoryLengthAdapter: gradient ascent on the ChEES criterion (change in the estimator of
//    the expected square) in log trajectory length, with an RMSProp step, clipped log updates and
//    iterate averaging.
//  - MetricAdapter: over Stan's expanding windows, the variance of every chain's positions and
//    of their log-density gradients (accumulated where the chains live, by
//    kernels::Ensemble::accumulate_moments, and read back once per window); the inverse metric
//    is sqrt(var(q) / var(grad)), the gradient-based estimate nutpie uses (Seyboldt et al.),
//    regularised toward 1e-3 as Stan does. For a Gaussian target var(grad) = 1 / var(q), so both
//    halves estimate the variance; early in warmup, when the chains still drift toward the typical
//    set, the position variance alone overestimates it by orders of magnitude (measured on a
//    1,000-group hier-binomial with 64 chains: log tau's variance 1.44 at iteration 150 against
//    0.0009 at the end, which forced step sizes of 0.005 and 300-step trajectories), while the
//    gradients' variance errs the other way and the geometric mean of the two stays close.
//  - stranded_chains: chains whose log density lies far below the others', which the sampler
//    restarts from other chains during the slow windows of warmup's first half (see the
//    function).
#pragma once

#include <cstddef>
#include <vector>

namespace hbayes::sampling {

class StepSizeAdapter {
 public:
  StepSizeAdapter(double initial_step_size, double target_accept);
  // Restarts the averaging around a new step size (after the metric changes).
  void restart(double step_size);
  // Feeds one iteration's harmonic-mean acceptance; returns the next step size.
  double update(double harmonic_mean_accept);
  // The step size to keep for sampling: the averaged iterate.
  double final_step_size() const;

 private:
  double target_;
  double shrink_target_;  // log(10 * step size): where the iterates are pulled toward
  double error_sum_ = 0.0;
  double log_averaged_ = 0.0;
  int iteration_ = 0;
};

class TrajectoryLengthAdapter {
 public:
  explicit TrajectoryLengthAdapter(double initial_length);
  // One iteration's ChEES gradient. The length stays within [min_length, max_length]: at least
  // one step (below that every trajectory is one step whatever the length says, and the
  // gradient no longer describes what the chains do) and at most the leapfrog cap.
  void update(double gradient, double min_length, double max_length);
  double length() const { return length_; }
  // The length to keep for sampling: the iterate average (in log space).
  double final_length() const;

 private:
  double length_;
  double mean_square_gradient_ = 0.0;
  double log_averaged_ = 0.0;
  int iteration_ = 0;
};

// Stan's warmup schedule: an initial fast interval, slow windows that double in length (the
// metric is re-estimated at the end of each), and a final fast interval. The caller collects
// the moments of the positions and gradients over a window's iterations and hands over their
// variances when it closes.
class MetricAdapter {
 public:
  MetricAdapter(std::size_t dim, int warmup_iterations);
  // Whether iteration collects positions (it lies in a slow window).
  bool collecting(int iteration) const;
  // Whether iteration is the last of a slow window (after it, end_window).
  bool window_ends(int iteration) const;
  // Closes the window: the inverse metric from the window's variances of the positions and of
  // the gradients (dim values each, over `draws` draws of all chains pooled); moves on to the
  // next window.
  void end_window(const std::vector<double>& position_variance,
                  const std::vector<double>& gradient_variance, std::size_t draws);
  const std::vector<double>& inverse_metric() const { return inverse_metric_; }

 private:
  int window_start_;
  int window_end_;  // exclusive
  int last_slow_end_;
  std::vector<double> inverse_metric_;
};

// The chains (ascending indices) stranded far below the others: log density more than
// kStrandedSpreads spreads below the chains' median, where the spread is the larger of the
// interquartile range / 1.349 (a standard deviation if the values are normal; robust to the
// stranded chains themselves) and sqrt(dim / 2) (the standard deviation of the log density
// over a dim-dimensional normal posterior's typical set, so that chains that have converged
// to the same narrow spread are never cut). The rule tolerates fewer than a quarter of the
// chains stranded (more move the quartiles). The quartiles are those of the finite log
// densities, and need 4 of them; with fewer no chain is stranded. A NaN or -inf log density
// (which no accepted state has) counts as stranded.
//
// Why: early in warmup, with a unit metric, a few chains of a hierarchical model can be thrown
// into a region the posterior gives no mass, e.g. tau -> 0 of a non-centered model, where the
// data no longer move the group effects and one chain needs hundreds of iterations to crawl
// back. Meanwhile the shared step size shrinks to suit it (the harmonic mean of the acceptance
// punishes it), every chain pays with longer trajectories, and the metric windows take in its
// far-off positions. Measured on a simulated 1,000-group hier-binomial catalog with 64 chains:
// seed 2 had a chain stranded ~1,500 below the others' median log density (70 spreads; tau
// ~ 1e-8) until iteration ~575, and the run cost 22,260 warmup gradients per chain against
// 7,200-9,500 for seeds 1, 3 and 4.
constexpr double kStrandedSpreads = 10.0;
std::vector<std::size_t> stranded_chains(const std::vector<double>& log_densities, std::size_t dim);

// Harmonic mean of acceptance probabilities (0 when any is 0).
double harmonic_mean(const std::vector<double>& values);

// The Halton (base 2) van der Corput number of iteration + 1, in (0, 1): the trajectory jitter.
// A low-discrepancy sequence spreads the lengths evenly, which steadies the ChEES gradient.
double halton_jitter(int iteration);

}  // namespace hbayes::sampling
