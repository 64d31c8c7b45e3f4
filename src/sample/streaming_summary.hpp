// The posterior summary of a sampling run, computed as the draws arrive, for runs that keep no
// draws (SampleOptions::keep_draws = false, `hbayes sample --no-draws`). The state per
// summarised column is O(chains) doubles plus a fixed-size histogram: it does not grow with the
// number of draws. What each number is:
//
// - mean, sd: exact. Welford's running moments per split half-chain, combined (Chan, Golub &
//   LeVeque 1979) in a fixed order, so a run gives the same numbers on any thread count.
// - rhat: the classic split R-hat of the raw draws (posterior::rhat_basic), exact. It is NOT
//   summarise_draws' rank-normalized R-hat (max of bulk and folded), which needs every draw's
//   rank among all draws.
// - median, q5, q95, mad: read off a histogram of kHistogramBins equal bins per column, spanning
//   the range of a short pilot (the first kept draws of every chain, ~kPilotValues values)
//   widened by kGridMargin ranges on each side. Draws outside it fall in two outer bins bounded
//   by the exact minimum and maximum. The CDF is taken linear within a bin.
// - ess_bulk: the multi-chain batch-means ESS of the raw draws (the ESS of the mean), with the
//   same number of batches in every chain. Not rank-normalized.
// - ess_tail: the smaller of the batch-means ESS of the indicators I(x <= q) at the pilot's 5%
//   and 95% quantiles (summarise_draws uses the quantiles of all draws, unknown until the end).
// - E-BFMI per chain (from energy__) and divergent kept draws per chain: exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hbayes/sample.hpp"

namespace hbayes::sampling {

// Histogram bins per summarised column, inside the pilot's widened range.
constexpr std::size_t kHistogramBins = 128;
// About this many pilot draws per column, taken as the first kept draws of all chains.
constexpr std::size_t kPilotValues = 64;
// The histogram spans the pilot's range widened by this many ranges on each side.
constexpr double kGridMargin = 0.5;
// Batches in all chains together that batch means aims for (each chain has the same number,
// at most sqrt(draws) so that a batch stays long against the autocorrelation).
constexpr std::size_t kTargetBatches = 256;

// The columns a posterior summary covers: lp__ and the parameters (the names without a "__"
// ending, which ArviZ too takes for the posterior). Indices into `columns`, in order.
std::vector<std::size_t> summary_columns(const std::vector<std::string>& columns);

// Summarises chains x draws kept draws whose records are `width` values wide (a run's columns):
// `columns` (indices) get a summary row; energy__ and divergent__ at energy_column and
// divergent_column give E-BFMI and the divergence count per chain.
class StreamingSummary {
 public:
  StreamingSummary(std::size_t chains, std::size_t draws, std::size_t width,
                   std::vector<std::size_t> columns, std::size_t energy_column,
                   std::size_t divergent_column);

  // The next `iterations` kept draws of every chain: chain c's record of the t-th of them starts
  // at records + t * stride + c * width. Columns are updated in parallel, each in draw order.
  void add(const double* records, std::size_t iterations, std::size_t stride);

  // The summary of all chains x draws draws; call once every draw has been added.
  StreamedSummary finish() const;

  // Bytes of state held now, the pilot buffer included until the pilot is complete.
  std::size_t state_bytes() const;

 private:
  // Running mean and sum of squared deviations (Welford); the count is known from the draw
  // index, so the caller passes its reciprocal, computed once for every column.
  struct Moments {
    double mean = 0.0, m2 = 0.0;
    void add(double x, double inverse_count) {
      const double delta = x - mean;
      mean += delta * inverse_count;
      m2 += delta * (x - mean);
    }
  };
  // Where kept draw i of every chain falls, worked out once per draw for all columns.
  struct DrawPosition {
    std::size_t i;
    int half;                    // 0 or 1; -1 for an odd chain's middle draw
    double inverse_half_count;   // 1 / (draws of the half so far, this one included)
    bool batched;                // in one of the chain's batches
    bool batch_ends;             // the last draw of its batch
    std::size_t batches_before;  // completed batches per chain before this one's
  };
  DrawPosition position(std::size_t i) const;
  // One column in one chain.
  struct ChainState {
    Moments half[2];             // the chain's split halves (posterior::split_chains)
    double batch_sum = 0.0;      // the running batch's sum of draws
    double batch_below[2] = {};  // ... of I(x <= pilot q5) and I(x <= pilot q95)
  };
  // One column, over all chains.
  struct ColumnState {
    Moments middle;                // with an odd number of draws: each chain's middle draw
    Moments batch_means;           // every chain's completed batch means, pooled
    Moments batch_below_means[2];  // ... of the indicators
    double min, max;
    double grid_low = 0.0, bins_per_unit = 1.0;  // the histogram grid, from the pilot
    double threshold[2] = {};                    // the pilot's 5% and 95% quantiles
    bool finite = true;
  };

  void add_draw(std::size_t k, std::size_t c, const DrawPosition& at, double x);
  void add_to_histogram(std::size_t k, std::size_t c, const DrawPosition& at, double x);
  void finish_pilot(std::size_t k);
  void add_sampler_columns(const double* records, std::size_t iterations, std::size_t stride);
  diagnostics::Summary summarise(std::size_t k) const;

  std::size_t chains_, draws_, width_;
  std::vector<std::size_t> columns_;
  std::size_t energy_column_, divergent_column_;
  std::size_t half_;         // draws per split half (an odd chain's middle draw is in neither)
  std::size_t batches_;      // per chain
  std::size_t batch_size_;   // draws; the last draws % batches draws of a chain are in none
  std::size_t pilot_draws_;  // per chain
  std::size_t seen_ = 0;     // kept draws per chain added so far

  std::vector<ChainState> chain_state_;    // [k * chains + c]
  std::vector<ColumnState> column_state_;  // [k]
  std::vector<std::uint32_t> histogram_;   // [k * (bins + 2)]: below grid, bins, above grid
  std::vector<double> pilot_;              // [(k * pilot_draws + i) * chains + c], then freed

  // energy__ per chain: the previous value, its running moments and the squared jumps.
  std::vector<double> last_energy_, energy_jumps_;
  std::vector<Moments> energy_;
  std::vector<std::size_t> divergent_;
};

}  // namespace hbayes::sampling
