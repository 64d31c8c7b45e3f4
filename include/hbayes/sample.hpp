// Full posterior sampling of hierarchical models with many-chain HMC (`hbayes sample`).
//
// Chains run in lockstep: every chain takes the same number of leapfrog steps in an iteration
// (a jittered trajectory length), so thousands of chains advance together on either backend.
// Warmup adapts across chains: the step size by dual averaging on the chains' harmonic-mean
// acceptance, the trajectory length by the ChEES criterion (Hoffman, Radul & Sountsov 2021) and
// a diagonal inverse metric from the pooled variance of all chains' positions. Random numbers
// come from Philox keyed by (seed, chain, iteration), so a run reproduces exactly for a given
// seed, chain count and backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hbayes/backend.hpp"
#include "hbayes/diagnostics.hpp"
#include "hbayes/draw_storage.hpp"

namespace hbayes {

// A prior for mu (normal, student-t, cauchy) or tau (half-normal, half-student-t, half-cauchy).
struct PriorSpec {
  enum class Kind { Normal, StudentT, Cauchy, HalfNormal, HalfStudentT, HalfCauchy };
  Kind kind = Kind::Normal;
  double nu = 0.0;  // degrees of freedom (Student-t kinds only)
  double location = 0.0;
  double scale = 1.0;
};

// Parses Stan-like text: "normal(0, 5)", "student-t(3, 0, 2.5)", "cauchy(0, 1)",
// "half-normal(0, 5)", "half-student-t(3, 0, 5)", "half-cauchy(0, 5)". Throws InputError naming
// option_name and the offending character position.
PriorSpec parse_prior(std::string_view text, const std::string& option_name);
// The canonical text of a prior, which parse_prior reads back to the same value.
std::string format_prior(const PriorSpec& prior);

// The group effects' distribution around mu: "normal" or "student-t(nu)".
struct GroupPriorSpec {
  bool student_t = false;
  double nu = 0.0;
};
GroupPriorSpec parse_group_prior(std::string_view text, const std::string& option_name);
std::string format_group_prior(const GroupPriorSpec& prior);

enum class HierFamily { Normal, Binomial, Poisson };  // hier-normal, hier-binomial, hier-poisson
enum class Parameterization { NonCentered, Centered };

struct HierModelSpec {
  HierFamily family = HierFamily::Normal;
  Parameterization parameterization = Parameterization::NonCentered;
  PriorSpec mu_prior{PriorSpec::Kind::Normal, 0.0, 0.0, 5.0};
  PriorSpec tau_prior{PriorSpec::Kind::HalfCauchy, 0.0, 0.0, 5.0};
  GroupPriorSpec group_prior;
};

// Per-group data, J entries each: (estimate, std_error), (successes, trials) or
// (count, exposure), by family. sample() validates them (throws InputError naming the row).
struct HierDataset {
  std::vector<double> first;
  std::vector<double> second;
};

struct SampleOptions {
  int chains = 4;
  int warmup = 1000;  // iterations per chain, not kept
  int draws = 1000;   // iterations per chain after warmup; every thin-th is kept
  int thin = 1;
  std::uint64_t seed = 1;
  Backend backend = Backend::Auto;
  // The step size's target: the harmonic mean of the chains' acceptance probabilities. ChEES
  // (Hoffman, Radul & Sountsov 2021) uses 0.651; at 0.651 non-centered eight schools showed a
  // divergent transition in 2 of 40 seeds at 64 chains (in 21 of 40 at 4 chains; Stan's NUTS
  // at its defaults: 19 of 40), at 0.7 in none (11 of 40 at 4 chains), while tau's ESS per
  // gradient rose on eight schools and on a 1,000-group binomial catalog (bench/RESULTS.md).
  double target_accept = 0.7;
  int max_leapfrog = 1024;       // cap on leapfrog steps per iteration
  double init_radius = 2.0;      // chains start uniform in (-r, r) on the unconstrained scale
  // false: SampleResult::values stays empty and SampleResult::streamed summarises the draws as
  // they arrive, in memory that does not grow with draws (for very many groups).
  bool keep_draws = true;
};

// The summary of a run that kept no draws (SampleOptions::keep_draws = false). mean, sd, the
// classic split R-hat of the raw draws (rhat_basic, not rank-normalized), E-BFMI and divergences
// are exact; median, mad, q5 and q95 come from a histogram per column and ess_bulk, ess_tail
// from batch means (README, "hbayes sample --no-draws").
struct StreamedSummary {
  std::vector<std::size_t> columns;             // summarised columns: lp__ and the parameters
  std::vector<diagnostics::Summary> summaries;  // one per entry of columns
  std::vector<double> ebfmi;                    // per chain, of the kept energy__ draws
  std::vector<std::size_t> divergent;           // per chain, kept draws with divergent__ set
};

// The draws and what the adaptation settled on.
struct SampleResult {
  // CmdStan's sampler columns, then mu, tau, theta.1 .. theta.J.
  std::vector<std::string> columns;
  static constexpr std::size_t kSamplerColumns = 6;  // lp__ .. energy__
  std::size_t chains = 0;
  std::size_t draws = 0;       // kept draws per chain
  DrawStorage values;          // values[(c * draws + i) * columns.size() + k]; empty when
                               // SampleOptions::keep_draws is false
  StreamedSummary streamed;    // filled instead of values when keep_draws is false

  double step_size = 0.0;
  double trajectory_length = 0.0;      // mean of the jittered lengths, in time units
  std::vector<double> inverse_metric;  // diagonal, on the unconstrained scale (mu, log tau, u_j)
  std::vector<std::size_t> divergences;         // per chain, kept iterations
  std::vector<std::size_t> warmup_divergences;  // per chain
  // Per chain: how often warmup moved it to another chain's position because its log density
  // lay far below the others' (stranded in a region the posterior gives no mass; README,
  // "Warmup"). Warmup draws are not kept, so this changes the adaptation, not the target.
  std::vector<std::size_t> warmup_restarts;
  // All chains, warmup and sampling: every leapfrog step's gradient and the evaluations of
  // warmup's restarts (not those of the search for starting points and a first step size).
  std::uint64_t gradient_evaluations = 0;
  double warmup_seconds = 0.0;
  double sampling_seconds = 0.0;
  double first_draw_seconds = 0.0;  // from the call to the first kept draw
  Backend backend = Backend::Cpu;

  double value(std::size_t chain, std::size_t draw, std::size_t column) const {
    return values[(chain * draws + draw) * columns.size() + column];
  }
};

// Runs warmup and sampling. Throws InputError on invalid data or options and BackendUnavailable
// when the CUDA backend is requested but unusable.
SampleResult sample(const HierModelSpec& model, const HierDataset& data,
                    const SampleOptions& options);

}  // namespace hbayes
