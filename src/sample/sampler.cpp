// hbayes::sample: validation, initialisation, warmup with cross-chain adaptation, and sampling.
// The chains live on a backend (kernels/sample_kernels.hpp); this file only steers them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "hbayes/errors.hpp"
#include "hbayes/sample.hpp"
#include "hmc/philox.hpp"
#include "sample/adaptation.hpp"
#include "sample/hier_model_mapping.hpp"
#include "sample/streaming_summary.hpp"
#include "sample_kernels.hpp"

namespace hbayes {
namespace {

using sampling::harmonic_mean;
using sampling::halton_jitter;
using sampling::MetricAdapter;
using sampling::StepSizeAdapter;
using sampling::TrajectoryLengthAdapter;

using kernels::Ensemble;
namespace hmc = kernels::hmc;
using Clock = std::chrono::steady_clock;

// Stan's divergence threshold on the energy error.
constexpr double kMaxEnergyError = 1000.0;
// Stan's number of attempts to find a starting point with a finite log density.
constexpr int kInitAttempts = 100;
// Iteration numbers at and above this one key the random streams of the initial step-size
// search, so they never collide with warmup or sampling iterations.
constexpr std::uint64_t kStepSearchIterations = std::uint64_t{1} << 40;
// Sampling hands the backend runs of iterations whose records fit in this many doubles (32 MiB).
constexpr std::size_t kMaxRecordBlockValues = std::size_t{1} << 22;

void validate_options(const SampleOptions& options) {
  auto require = [](bool ok, const char* option, const std::string& why) {
    if (!ok) throw InputError(option, 0, why);
  };
  require(options.chains >= 2, "--chains",
          "at least 2 chains are needed (the adaptation and R-hat compare chains)");
  require(options.warmup >= 0, "--warmup", "must be >= 0");
  require(options.draws >= 1, "--draws", "must be >= 1");
  require(options.thin >= 1, "--thin", "must be >= 1");
  require(options.target_accept > 0.0 && options.target_accept < 1.0, "--target-accept",
          "must lie in (0, 1)");
  require(options.max_leapfrog >= 1, "--max-leapfrog", "must be >= 1");
  require(options.init_radius > 0.0 && std::isfinite(options.init_radius), "--init-radius",
          "must be positive");
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Uniform(-r, r) starting points; chains whose log density is not finite draw again.
std::vector<double> initial_positions(Ensemble& ensemble, std::size_t chains, std::size_t dim,
                                      const SampleOptions& options) {
  std::vector<double> positions(chains * dim), log_densities(chains);
  std::vector<bool> done(chains, false);
  for (int attempt = 0; attempt < kInitAttempts; ++attempt) {
    for (std::size_t c = 0; c < chains; ++c) {
      if (done[c]) continue;
      const hmc::ChainStream stream{options.seed, c, static_cast<std::uint64_t>(attempt),
                                    hmc::RandomPurpose::Initial};
      for (std::size_t k = 0; k < dim; ++k) {
        const double u = hmc::open_uniform(stream.block(k / 4).v[k % 4]);
        positions[c * dim + k] = options.init_radius * (2.0 * u - 1.0);
      }
    }
    ensemble.set_positions(positions.data(), log_densities.data());
    bool all_done = true;
    for (std::size_t c = 0; c < chains; ++c) {
      done[c] = std::isfinite(log_densities[c]);
      all_done = all_done && done[c];
    }
    if (all_done) return positions;
  }
  throw InputError("hbayes sample", 0,
                   "no starting point with a finite log density after " +
                       std::to_string(kInitAttempts) + " attempts; check the data and priors");
}

std::vector<double> column(const std::vector<double>& records, std::size_t chains,
                           std::size_t width, int col) {
  std::vector<double> values(chains);
  for (std::size_t c = 0; c < chains; ++c) values[c] = records[c * width + col];
  return values;
}

// Stan's heuristic for a first step size: double or halve it until the one-step acceptance
// (here the chains' harmonic mean) crosses 0.8. Positions are restored afterwards.
double initial_step_size(Ensemble& ensemble, const std::vector<double>& start, std::size_t chains,
                         const SampleOptions& options) {
  std::vector<double> records(chains * ensemble.record_width()), log_densities(chains);
  double step = 1.0;
  int direction = 0;
  for (int tries = 0; tries < 60; ++tries) {
    ensemble.set_positions(start.data(), log_densities.data());
    const hmc::TransitionSettings settings{step, 1, options.seed,
                                           kStepSearchIterations + static_cast<std::uint64_t>(tries),
                                           false, false, kMaxEnergyError};
    ensemble.transition(&settings, 1, records.data());
    const double accept = harmonic_mean(
        column(records, chains, ensemble.record_width(), hmc::kAcceptStat));
    const int wanted = accept > 0.8 ? 1 : -1;
    if (direction == 0) direction = wanted;
    if (wanted != direction) break;
    step = direction > 0 ? step * 2.0 : step / 2.0;
    if (step > 1e7 || step < 1e-10) break;
  }
  ensemble.set_positions(start.data(), log_densities.data());
  return step;
}

// Moves every chain that stranded_chains finds (from the last transition's lp__ column) to the
// position of a chain that is not stranded, chosen uniformly by the chain's Philox stream at
// this iteration. The chains' own momenta then take them apart again. Returns the moved chains.
std::vector<std::size_t> restart_stranded_chains(Ensemble& ensemble,
                                                 const std::vector<double>& records,
                                                 std::size_t chains, std::size_t dim,
                                                 std::uint64_t seed, int iteration) {
  const std::vector<std::size_t> stranded = sampling::stranded_chains(
      column(records, chains, ensemble.record_width(), hmc::kLogDensity), dim);
  if (stranded.empty()) return stranded;
  std::vector<std::size_t> sources;
  for (std::size_t c = 0, s = 0; c < chains; ++c) {
    if (s < stranded.size() && stranded[s] == c) {
      ++s;
    } else {
      sources.push_back(c);
    }
  }
  std::vector<double> positions(chains * dim), log_densities(chains);
  ensemble.read(kernels::EnsembleField::Position, positions.data());
  for (std::size_t c : stranded) {
    const hmc::ChainStream stream{seed, c, static_cast<std::uint64_t>(iteration),
                                  hmc::RandomPurpose::Restart};
    const std::size_t source = sources[stream.block(0).v[0] % sources.size()];
    std::copy_n(positions.begin() + source * dim, dim, positions.begin() + c * dim);
  }
  ensemble.set_positions(positions.data(), log_densities.data());
  return stranded;
}

int leapfrog_steps(double length, double step, double jitter, int max_steps) {
  const double steps = std::ceil(jitter * length / step);
  return static_cast<int>(std::clamp(steps, 1.0, static_cast<double>(max_steps)));
}

}  // namespace

SampleResult sample(const HierModelSpec& spec, const HierDataset& data,
                    const SampleOptions& options) {
  const auto start = Clock::now();
  validate_options(options);
  const std::vector<hmc::GroupData> groups = sampling::validated_groups(spec.family, data);
  const hmc::HierModel model = sampling::kernel_model(spec);
  const BackendChoice backend = resolve_backend(options.backend);
  const auto chains = static_cast<std::size_t>(options.chains);
  const std::size_t dim = hmc::kFirstGroupIndex + groups.size();
  std::unique_ptr<Ensemble> ensemble =
      backend.backend == Backend::Cuda
          ? kernels::cuda::make_ensemble(model, groups.data(), groups.size(), chains,
                                         kernels::cuda::default_config(chains, groups.size()))
          : kernels::cpu::make_ensemble(model, groups.data(), groups.size(), chains,
                                        kernels::cpu::default_config(chains, groups.size()));
  const std::size_t width = ensemble->record_width();

  SampleResult result;
  result.backend = backend.backend;
  result.chains = chains;
  result.draws = static_cast<std::size_t>((options.draws + options.thin - 1) / options.thin);
  result.columns = {"lp__", "accept_stat__", "stepsize__", "n_leapfrog__", "divergent__",
                    "energy__", "mu", "tau"};
  for (std::size_t j = 1; j <= groups.size(); ++j) {
    result.columns.push_back("theta." + std::to_string(j));
  }
  // Without kept draws, the summary is built as the draws arrive (streaming_summary.hpp).
  std::optional<sampling::StreamingSummary> streaming;
  if (options.keep_draws) {
    result.values.resize(chains * result.draws * width);
  } else {
    streaming.emplace(chains, result.draws, width, sampling::summary_columns(result.columns),
                      hmc::kEnergy, hmc::kDivergent);
  }
  result.divergences.assign(chains, 0);
  result.warmup_divergences.assign(chains, 0);
  result.warmup_restarts.assign(chains, 0);

  const std::vector<double> start_positions = initial_positions(*ensemble, chains, dim, options);
  double step = initial_step_size(*ensemble, start_positions, chains, options);

  // Warmup.
  // The cross-chain statistics (the ChEES gradient, the metric windows' moments) are computed
  // on the backend: per iteration only the records come back, and per window 4 x dim moments.
  std::vector<double> records(chains * width);
  std::vector<double> position_mean(dim), position_variance(dim), gradient_mean(dim),
      gradient_variance(dim);
  double length = step;  // one leapfrog step to start with; ChEES grows it
  TrajectoryLengthAdapter trajectory(length);
  StepSizeAdapter step_adapter(step, options.target_accept);
  MetricAdapter metric(dim, options.warmup);
  for (int it = 0; it < options.warmup; ++it) {
    const double jitter = halton_jitter(it);
    const hmc::TransitionSettings settings{step,
                                           leapfrog_steps(length, step, jitter,
                                                          options.max_leapfrog),
                                           options.seed,
                                           static_cast<std::uint64_t>(it),
                                           true,
                                           false,
                                           kMaxEnergyError};
    ensemble->transition(&settings, 1, records.data());
    const std::vector<double> accept = column(records, chains, width, hmc::kAcceptStat);
    for (std::size_t c = 0; c < chains; ++c) {
      result.warmup_divergences[c] += records[c * width + hmc::kDivergent] > 0.0;
      result.gradient_evaluations +=
          static_cast<std::uint64_t>(records[c * width + hmc::kLeapfrogSteps]);
    }
    const double next_step = step_adapter.update(harmonic_mean(accept));
    trajectory.update(ensemble->chees_gradient(accept.data(), jitter), next_step,
                      next_step * options.max_leapfrog);
    length = trajectory.length();
    step = next_step;
    if (metric.collecting(it)) {
      // Stranded chains are restarted while the metric is being learned, in the first half of
      // warmup, so that a restarted chain has at least half of warmup to move away from the
      // chain it was copied from before sampling starts.
      if (2 * it < options.warmup) {
        const std::vector<std::size_t> restarted =
            restart_stranded_chains(*ensemble, records, chains, dim, options.seed, it);
        for (std::size_t c : restarted) ++result.warmup_restarts[c];
        // (Setting the positions evaluates every chain's gradient once.)
        if (!restarted.empty()) result.gradient_evaluations += chains;
      }
      ensemble->accumulate_moments();
      if (metric.window_ends(it)) {
        const std::size_t draws = ensemble->read_moments(
            position_mean.data(), position_variance.data(), gradient_mean.data(),
            gradient_variance.data());
        ensemble->reset_moments();
        metric.end_window(position_variance, gradient_variance, draws);
        ensemble->set_inverse_metric(metric.inverse_metric().data());
        step_adapter.restart(step);
      }
    }
  }
  if (options.warmup > 0) {
    step = step_adapter.final_step_size();
    length = trajectory.final_length();
  }
  result.step_size = step;
  result.trajectory_length = length;
  result.inverse_metric = metric.inverse_metric();
  result.warmup_seconds = seconds_since(start);

  // Sampling: the settings no longer change with what the chains do, so the chains run through
  // blocks of iterations without waiting for each other. Blocks start small (the first draw
  // arrives quickly) and double up to a bounded record buffer.
  const auto sampling_start = Clock::now();
  const std::size_t max_block =
      std::max<std::size_t>(1, kMaxRecordBlockValues / (chains * width));
  std::size_t block = 1;
  std::vector<hmc::TransitionSettings> settings;
  for (int first = 0; first < options.draws;) {
    const int count = static_cast<int>(std::min<std::size_t>(block, options.draws - first));
    settings.clear();
    for (int i = first; i < first + count; ++i) {
      const int it = options.warmup + i;
      settings.push_back(hmc::TransitionSettings{
          step, leapfrog_steps(length, step, halton_jitter(it), options.max_leapfrog),
          options.seed, static_cast<std::uint64_t>(it), false, i % options.thin == 0,
          kMaxEnergyError});
    }
    records.resize(static_cast<std::size_t>(count) * chains * width);
    ensemble->transition(settings.data(), settings.size(), records.data());
    for (int t = 0; t < count; ++t) {
      const int i = first + t;
      const double* iteration_records = records.data() + static_cast<std::size_t>(t) * chains * width;
      for (std::size_t c = 0; c < chains; ++c) {
        const double* record = iteration_records + c * width;
        result.divergences[c] += record[hmc::kDivergent] > 0.0;
        result.gradient_evaluations += static_cast<std::uint64_t>(record[hmc::kLeapfrogSteps]);
        if (i % options.thin != 0 || !options.keep_draws) continue;
        const std::size_t draw = static_cast<std::size_t>(i / options.thin);
        std::copy(record, record + width, result.values.begin() + (c * result.draws + draw) * width);
      }
    }
    if (streaming) {
      // The block's kept iterations: every thin-th, from the first that is a multiple of thin.
      const int skip = (options.thin - first % options.thin) % options.thin;
      if (skip < count) {
        const auto kept = static_cast<std::size_t>((count - 1 - skip) / options.thin + 1);
        const std::size_t iteration_values = chains * width;
        streaming->add(records.data() + static_cast<std::size_t>(skip) * iteration_values, kept,
                       static_cast<std::size_t>(options.thin) * iteration_values);
      }
    }
    if (first == 0) result.first_draw_seconds = seconds_since(start);
    first += count;
    block = std::min(2 * block, max_block);
  }
  result.sampling_seconds = seconds_since(sampling_start);
  if (streaming) result.streamed = streaming->finish();
  return result;
}

}  // namespace hbayes
