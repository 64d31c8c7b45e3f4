// The streaming posterior summary; streaming_summary.hpp says what each number is.
#include "sample/streaming_summary.hpp"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "hbayes/errors.hpp"

namespace hbayes::sampling {
namespace {

// Draws per chain below which ESS is NA, as in posterior (at least 3 per split half).
constexpr std::size_t kMinEssDraws = 6;
// Columns updated together by one thread, a draw of all chains at a time: their records are
// read as contiguous runs and their state (~1 KB each for 4 chains) stays in cache.
constexpr std::size_t kColumnsPerTask = 64;
// Below this many values in a call, add() stays on one thread.
constexpr std::size_t kMinParallelValues = std::size_t{1} << 14;
// Bisection steps for the MAD: each halves the bracket, which starts at the draws' range.
constexpr int kMadBisections = 100;

// Running count, mean and sum of squared deviations of a group of draws.
struct Pooled {
  double count = 0.0, mean = 0.0, m2 = 0.0;
  // Chan, Golub & LeVeque's update for merging two groups.
  void merge(double n, double other_mean, double other_m2) {
    if (n == 0.0) return;
    const double total = count + n, delta = other_mean - mean;
    mean += delta * n / total;
    m2 += other_m2 + delta * delta * count * n / total;
    count = total;
  }
};

// The prob quantile of sorted values, R's type 7.
double type7_quantile(const std::vector<double>& sorted, double prob) {
  const double h = (static_cast<double>(sorted.size()) - 1.0) * prob;
  const auto low = static_cast<std::size_t>(std::floor(h));
  const std::size_t high = std::min(low + 1, sorted.size() - 1);
  return sorted[low] + (h - static_cast<double>(low)) * (sorted[high] - sorted[low]);
}

// The histogram's CDF, in draws: linear between knots, from 0 at the smallest draw to the count
// of draws at the largest.
class HistogramCdf {
 public:
  // counts: below the grid, bins..., above it; the grid starts at low in steps of width.
  HistogramCdf(const std::uint32_t* counts, std::size_t bins, double low, double width, double min,
               double max) {
    const double high = low + static_cast<double>(bins) * width;
    x_.push_back(std::min(min, low));
    cum_.push_back(0.0);
    double total = counts[0];
    for (std::size_t b = 0; b <= bins; ++b) {
      x_.push_back(low + static_cast<double>(b) * width);
      cum_.push_back(total);
      if (b < bins) total += counts[b + 1];
    }
    total += counts[bins + 1];
    x_.push_back(std::max(max, high));
    cum_.push_back(total);
  }

  double total() const { return cum_.back(); }

  // Draws at or below x.
  double at(double x) const {
    if (x <= x_.front()) return 0.0;
    if (x >= x_.back()) return total();
    const std::size_t j = static_cast<std::size_t>(std::upper_bound(x_.begin(), x_.end(), x) -
                                                   x_.begin());  // x_[j - 1] <= x < x_[j]
    const double share = (x - x_[j - 1]) / (x_[j] - x_[j - 1]);
    return cum_[j - 1] + share * (cum_[j] - cum_[j - 1]);
  }

  // The point below which a fraction prob of the draws lie.
  double quantile(double prob) const {
    const double target = prob * total();
    const std::size_t j = static_cast<std::size_t>(
        std::lower_bound(cum_.begin() + 1, cum_.end(), target) - cum_.begin());
    if (j >= cum_.size()) return x_.back();
    const double mass = cum_[j] - cum_[j - 1];
    const double share = mass > 0.0 ? (target - cum_[j - 1]) / mass : 0.0;
    return x_[j - 1] + share * (x_[j] - x_[j - 1]);
  }

 private:
  std::vector<double> x_, cum_;
};

// 1.4826 * the median of |x - median|, which the CDF gives as the d where
// F(median + d) - F(median - d) reaches half the draws (bisection; F is monotone).
double median_absolute_deviation(const HistogramCdf& cdf, double median, double min, double max) {
  double low = 0.0, high = std::max(max - median, median - min);
  for (int step = 0; step < kMadBisections && high > low; ++step) {
    const double d = 0.5 * (low + high);
    (cdf.at(median + d) - cdf.at(median - d) < 0.5 * cdf.total() ? low : high) = d;
  }
  // 1.4826 (R's constant) makes the MAD estimate the sd of normal draws.
  return 1.4826 * 0.5 * (low + high);
}

// The ESS of draws whose variance is `variance`, from the sum of squared deviations m2 of
// `batches` batch means of `batch_size` draws each, capped at draws * log10(draws) as posterior
// caps it.
double batch_means_ess(double draws, double variance, double m2, std::size_t batches,
                       std::size_t batch_size) {
  if (batches < 2) return NAN;
  const double long_run_variance =
      static_cast<double>(batch_size) * m2 / static_cast<double>(batches - 1);
  if (!(variance > 0.0) || !(long_run_variance > 0.0)) return NAN;
  return std::min(draws * variance / long_run_variance, draws * std::log10(draws));
}

}  // namespace

std::vector<std::size_t> summary_columns(const std::vector<std::string>& columns) {
  std::vector<std::size_t> chosen;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const std::string& name = columns[k];
    const bool sampler = name.size() >= 2 && name.compare(name.size() - 2, 2, "__") == 0;
    if (name == "lp__" || !sampler) chosen.push_back(k);
  }
  return chosen;
}

StreamingSummary::StreamingSummary(std::size_t chains, std::size_t draws, std::size_t width,
                                   std::vector<std::size_t> columns, std::size_t energy_column,
                                   std::size_t divergent_column)
    : chains_(chains),
      draws_(draws),
      width_(width),
      columns_(std::move(columns)),
      energy_column_(energy_column),
      divergent_column_(divergent_column),
      half_(draws / 2) {
  assert(chains >= 1 && draws >= 1);
  // The histogram counts draws in 32 bits, which halves its memory.
  if (static_cast<double>(chains) * static_cast<double>(draws) >=
      static_cast<double>(std::numeric_limits<std::uint32_t>::max())) {
    throw InputError("--no-draws", 0,
                     "the streaming summary counts at most 2^32 - 1 kept draws in all; keep "
                     "fewer (--draws, --thin) or keep the draws");
  }
  const auto per_chain_target = (kTargetBatches + chains - 1) / chains;
  const auto root = static_cast<std::size_t>(std::sqrt(static_cast<double>(draws)));
  batches_ = std::max<std::size_t>(1, std::min(per_chain_target, root));
  batch_size_ = draws / batches_;
  pilot_draws_ = std::min(draws, std::max<std::size_t>(1, (kPilotValues + chains - 1) / chains));

  const std::size_t n = columns_.size();
  chain_state_.resize(n * chains);
  column_state_.resize(n);
  for (ColumnState& s : column_state_) {
    s.min = std::numeric_limits<double>::infinity();
    s.max = -std::numeric_limits<double>::infinity();
  }
  histogram_.assign(n * (kHistogramBins + 2), 0);
  pilot_.resize(n * pilot_draws_ * chains);
  last_energy_.assign(chains, 0.0);
  energy_jumps_.assign(chains, 0.0);
  energy_.resize(chains);
  divergent_.assign(chains, 0);
}

void StreamingSummary::add(const double* records, std::size_t iterations, std::size_t stride) {
  assert(seen_ + iterations <= draws_);
  const std::size_t n = columns_.size();
  const auto tasks = static_cast<std::ptrdiff_t>((n + kColumnsPerTask - 1) / kColumnsPerTask);
  // Each column's state sees its draws in (draw, chain) order on whichever thread runs it, so
  // the summary does not depend on the thread count.
#pragma omp parallel for schedule(static) if (n * chains_ * iterations >= kMinParallelValues)
  for (std::ptrdiff_t task = 0; task < tasks; ++task) {
    const std::size_t first = static_cast<std::size_t>(task) * kColumnsPerTask;
    const std::size_t last = std::min(n, first + kColumnsPerTask);
    for (std::size_t t = 0; t < iterations; ++t) {
      const DrawPosition at = position(seen_ + t);
      for (std::size_t c = 0; c < chains_; ++c) {
        const double* record = records + t * stride + c * width_;
        for (std::size_t k = first; k < last; ++k) add_draw(k, c, at, record[columns_[k]]);
      }
      if (at.i + 1 == pilot_draws_) {
        for (std::size_t k = first; k < last; ++k) finish_pilot(k);
      }
    }
  }
  add_sampler_columns(records, iterations, stride);
  seen_ += iterations;
  if (seen_ >= pilot_draws_) std::vector<double>().swap(pilot_);
}

StreamingSummary::DrawPosition StreamingSummary::position(std::size_t i) const {
  DrawPosition at{};
  at.i = i;
  // Split halves as posterior::split_chains cuts them: an odd chain's middle draw is in neither.
  if (i < half_) {
    at.half = 0;
    at.inverse_half_count = 1.0 / static_cast<double>(i + 1);
  } else if (i >= draws_ - half_) {
    at.half = 1;
    at.inverse_half_count = 1.0 / static_cast<double>(i - (draws_ - half_) + 1);
  } else {
    at.half = -1;
  }
  at.batches_before = i / batch_size_;
  at.batched = at.batches_before < batches_;
  at.batch_ends = at.batched && (i + 1) % batch_size_ == 0;
  return at;
}

void StreamingSummary::add_draw(std::size_t k, std::size_t c, const DrawPosition& at, double x) {
  ColumnState& s = column_state_[k];
  ChainState& chain = chain_state_[k * chains_ + c];
  s.finite = s.finite && std::isfinite(x);
  s.min = std::min(s.min, x);
  s.max = std::max(s.max, x);

  // An odd chain's middle draw goes to `middle` (one draw per chain, in chain order), for the
  // mean and sd.
  if (at.half >= 0) {
    chain.half[at.half].add(x, at.inverse_half_count);
  } else {
    s.middle.add(x, 1.0 / static_cast<double>(c + 1));
  }

  // Batch means: when a chain's batch is complete, its mean joins the pool. Every chain
  // completes its batch at the same draw, so the pool's order is (batch, chain).
  if (at.batched) {
    chain.batch_sum += x;
    if (at.batch_ends) {
      s.batch_means.add(chain.batch_sum / static_cast<double>(batch_size_),
                        1.0 / static_cast<double>(at.batches_before * chains_ + c + 1));
      chain.batch_sum = 0.0;
    }
  }

  // The histogram and the tail indicators need the pilot's grid: until it is complete, draws
  // wait in the pilot buffer and are replayed, in the same order, by finish_pilot.
  if (at.i < pilot_draws_) {
    pilot_[(k * pilot_draws_ + at.i) * chains_ + c] = x;
  } else {
    add_to_histogram(k, c, at, x);
  }
}

void StreamingSummary::add_to_histogram(std::size_t k, std::size_t c, const DrawPosition& at,
                                        double x) {
  ColumnState& s = column_state_[k];
  ChainState& chain = chain_state_[k * chains_ + c];
  // The bin, found before any conversion to an integer: NaN and draws below the grid go to the
  // lower outer bin, draws at or above its end to the upper one.
  const double position = (x - s.grid_low) * s.bins_per_unit;
  std::size_t bin = 0;
  if (position >= static_cast<double>(kHistogramBins)) {
    bin = kHistogramBins + 1;
  } else if (position >= 0.0) {
    bin = 1 + static_cast<std::size_t>(position);
  }
  ++histogram_[k * (kHistogramBins + 2) + bin];

  if (!at.batched) return;
  for (int q = 0; q < 2; ++q) chain.batch_below[q] += x <= s.threshold[q] ? 1.0 : 0.0;
  if (at.batch_ends) {
    const double inverse_count = 1.0 / static_cast<double>(at.batches_before * chains_ + c + 1);
    for (int q = 0; q < 2; ++q) {
      s.batch_below_means[q].add(chain.batch_below[q] / static_cast<double>(batch_size_),
                                 inverse_count);
      chain.batch_below[q] = 0.0;
    }
  }
}

void StreamingSummary::finish_pilot(std::size_t k) {
  ColumnState& s = column_state_[k];
  const double* pilot = pilot_.data() + k * pilot_draws_ * chains_;
  const std::size_t values = pilot_draws_ * chains_;
  if (s.finite) {
    std::vector<double> sorted(pilot, pilot + values);
    std::sort(sorted.begin(), sorted.end());
    s.threshold[0] = type7_quantile(sorted, 0.05);
    s.threshold[1] = type7_quantile(sorted, 0.95);
    // A constant pilot has no range to scale the grid by: a unit grid around it, the outer
    // bins taking whatever falls outside.
    const double range = sorted.back() - sorted.front();
    const double span = range > 0.0 ? range * (1.0 + 2.0 * kGridMargin) : 1.0;
    s.grid_low = range > 0.0 ? sorted.front() - kGridMargin * range : sorted.front() - 0.5;
    s.bins_per_unit = static_cast<double>(kHistogramBins) / span;
  }
  for (std::size_t i = 0; i < pilot_draws_; ++i) {
    const DrawPosition at = position(i);
    for (std::size_t c = 0; c < chains_; ++c) add_to_histogram(k, c, at, pilot[i * chains_ + c]);
  }
}

void StreamingSummary::add_sampler_columns(const double* records, std::size_t iterations,
                                           std::size_t stride) {
  for (std::size_t t = 0; t < iterations; ++t) {
    const std::size_t i = seen_ + t;
    for (std::size_t c = 0; c < chains_; ++c) {
      const double* record = records + t * stride + c * width_;
      divergent_[c] += record[divergent_column_] > 0.0;
      const double energy = record[energy_column_];
      if (i > 0) energy_jumps_[c] += (energy - last_energy_[c]) * (energy - last_energy_[c]);
      last_energy_[c] = energy;
      energy_[c].add(energy, 1.0 / static_cast<double>(i + 1));
    }
  }
}

StreamedSummary StreamingSummary::finish() const {
  assert(seen_ == draws_);
  StreamedSummary out;
  out.columns = columns_;
  out.summaries.resize(columns_.size());
  const auto n = static_cast<std::ptrdiff_t>(columns_.size());
#pragma omp parallel for schedule(static) if (columns_.size() >= 64)
  for (std::ptrdiff_t k = 0; k < n; ++k) {
    out.summaries[static_cast<std::size_t>(k)] = summarise(static_cast<std::size_t>(k));
  }
  for (std::size_t c = 0; c < chains_; ++c) {
    // As diagnostics::ebfmi: squared jumps over squared deviations; NaN below 2 draws.
    out.ebfmi.push_back(draws_ < 2 ? NAN : energy_jumps_[c] / energy_[c].m2);
  }
  out.divergent = divergent_;
  return out;
}

diagnostics::Summary StreamingSummary::summarise(std::size_t k) const {
  const ColumnState& s = column_state_[k];
  diagnostics::Summary out{NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
  if (!s.finite) return out;  // as posterior: a non-finite draw makes every measure NA

  // Every draw: the halves in chain order, then the middle draws.
  Pooled all;
  const auto half = static_cast<double>(half_);
  for (std::size_t c = 0; c < chains_; ++c) {
    for (const Moments& h : chain_state_[k * chains_ + c].half) all.merge(half, h.mean, h.m2);
  }
  if (draws_ % 2 == 1) all.merge(static_cast<double>(chains_), s.middle.mean, s.middle.m2);
  out.mean = all.mean;
  const double variance = all.m2 / (all.count - 1.0);
  out.sd = std::sqrt(variance);

  const HistogramCdf cdf(&histogram_[k * (kHistogramBins + 2)], kHistogramBins, s.grid_low,
                         1.0 / s.bins_per_unit, s.min, s.max);
  const auto clamp = [&](double x) { return std::clamp(x, s.min, s.max); };
  out.median = clamp(cdf.quantile(0.5));
  out.q5 = clamp(cdf.quantile(0.05));
  out.q95 = clamp(cdf.quantile(0.95));
  out.mad = median_absolute_deviation(cdf, out.median, s.min, s.max);

  // posterior's NA cases: constant draws (to machine epsilon), too few draws.
  if (std::fabs(s.max - s.min) < DBL_EPSILON) return out;
  if (half_ >= 2) {
    // Classic R-hat of the 2 * chains split halves (posterior's .rhat): the halves' mean
    // variance against the variance of their means.
    Pooled means;
    double within = 0.0;
    for (std::size_t c = 0; c < chains_; ++c) {
      for (const Moments& h : chain_state_[k * chains_ + c].half) {
        means.merge(1.0, h.mean, 0.0);
        within += h.m2 / (half - 1.0);
      }
    }
    within /= means.count;
    const double between = half * means.m2 / (means.count - 1.0);
    // Constant halves that differ give +infinity, as rhat_basic (stuck chains); identical
    // constant ones 0 / 0, NaN.
    out.rhat = std::sqrt((between / within + half - 1.0) / half);
  }
  if (draws_ < kMinEssDraws) return out;
  const std::size_t batches = batches_ * chains_;
  const double batched_draws = static_cast<double>(batches * batch_size_);
  out.ess_bulk = batch_means_ess(all.count, variance, s.batch_means.m2, batches, batch_size_);
  // The indicators' variance over the batched draws comes from their mean there.
  const auto tail_ess = [&](const Moments& below) {
    const double p = below.mean;
    return batch_means_ess(batched_draws, p * (1.0 - p), below.m2, batches, batch_size_);
  };
  const double low = tail_ess(s.batch_below_means[0]), high = tail_ess(s.batch_below_means[1]);
  out.ess_tail = std::isnan(low) || std::isnan(high) ? NAN : std::min(low, high);
  return out;
}

std::size_t StreamingSummary::state_bytes() const {
  return chain_state_.capacity() * sizeof(ChainState) +
         column_state_.capacity() * sizeof(ColumnState) +
         histogram_.capacity() * sizeof(std::uint32_t) + pilot_.capacity() * sizeof(double) +
         (last_energy_.capacity() + energy_jumps_.capacity()) * sizeof(double) +
         energy_.capacity() * sizeof(Moments) + divergent_.capacity() * sizeof(std::size_t);
}

}  // namespace hbayes::sampling
