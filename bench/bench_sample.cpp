// Benchmarks of the HMC sampler's hot paths.
//   sample/<model>/<backend>/<chains>: a whole hbayes::sample run (warmup + sampling); counters
//     give gradient evaluations per second (all chains). A /cuda variant reports an error when
//     no GPU is usable.
//   gradient/<likelihood>/cpu/<groups>: one chain's log-density gradient, the inner loop of every
//     leapfrog step (the gradient-only form the trajectory uses), in group terms per second.
//   transition/binomial/<backend>/<dispatch>/<chains>/<groups>: transitions of 8 leapfrog steps
//     for a shape (4 chains x 1e6 groups, 64 x 1000, 4096 x 8), dispatched as the backend's
//     default_config says ("default") or forced to one thread per chain ("per_chain"), in
//     group terms per second.
// The peer comparison (rstan, NumPyro: ESS per second) is bench/run_peer_hmc.sh.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/sample.hpp"
#include "hmc/log_density_gradient.hpp"
#include "sample_kernels.hpp"

namespace {

using hbayes::Backend;

hbayes::HierDataset eight_schools() {
  return {{28, 8, -3, 7, -1, 1, 18, 12}, {15, 10, 16, 11, 9, 11, 10, 18}};
}

// 1,000 groups x 50 trials, theta ~ N(-1, 0.6^2) on the logit scale (fixed seed).
hbayes::HierDataset binomial_catalog(std::size_t groups) {
  std::mt19937_64 rng(20240611);
  std::normal_distribution<double> effect(-1.0, 0.6);
  hbayes::HierDataset data;
  for (std::size_t j = 0; j < groups; ++j) {
    std::binomial_distribution<int> successes(50, 1.0 / (1.0 + std::exp(-effect(rng))));
    data.first.push_back(successes(rng));
    data.second.push_back(50);
  }
  return data;
}

void sample_run(benchmark::State& state, hbayes::HierModelSpec spec, hbayes::HierDataset data,
                Backend backend, int warmup, int draws) {
  hbayes::SampleOptions options;
  options.chains = static_cast<int>(state.range(0));
  options.warmup = warmup;
  options.draws = draws;
  options.backend = backend;
  std::uint64_t gradients = 0;
  try {
    for (auto _ : state) {
      const hbayes::SampleResult result = hbayes::sample(spec, data, options);
      gradients += result.gradient_evaluations;
      benchmark::DoNotOptimize(result.values.data());
    }
  } catch (const hbayes::BackendUnavailable& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.counters["gradients_per_s"] =
      benchmark::Counter(static_cast<double>(gradients), benchmark::Counter::kIsRate);
}

namespace hmc = hbayes::kernels::hmc;

// The kernel-level benchmarks' model: hier-binomial, non-centered, the default priors.
const hmc::HierModel kBinomialModel{hmc::Likelihood::Binomial, hmc::Parameterization::NonCentered,
                                    hmc::Prior{hmc::PriorKind::Normal, 0, 0, 5},
                                    hmc::Prior{hmc::PriorKind::HalfCauchy, 0, 0, 5},
                                    hmc::GroupPrior{false, 0}};

// binomial_catalog(groups) as the kernels take it.
std::vector<hmc::GroupData> binomial_groups(std::size_t groups) {
  const hbayes::HierDataset catalog = binomial_catalog(groups);
  std::vector<hmc::GroupData> data(groups);
  for (std::size_t j = 0; j < groups; ++j) data[j] = {catalog.first[j], catalog.second[j]};
  return data;
}

void gradient_binomial(benchmark::State& state) {
  const auto groups = static_cast<std::size_t>(state.range(0));
  const std::vector<hmc::GroupData> data = binomial_groups(groups);
  const hmc::HierModel& model = kBinomialModel;
  std::vector<double> q(hmc::kFirstGroupIndex + groups, 0.1), grad(q.size());
  q[hmc::kMuIndex] = -1.0;
  q[hmc::kLogTauIndex] = std::log(0.6);
  for (auto _ : state) {
    hmc::log_density_gradient<false>(model, data.data(), groups, {q.data(), 1},
                                     {grad.data(), 1});
    benchmark::DoNotOptimize(grad.data());
    benchmark::ClobberMemory();
  }
  state.counters["group_terms_per_s"] = benchmark::Counter(
      static_cast<double>(groups), benchmark::Counter::kIsIterationInvariantRate);
}

// Transitions of a fixed length on an ensemble of the given shape (no adaptation).
void transition_binomial(benchmark::State& state, Backend backend, bool per_chain) {
  namespace kernels = hbayes::kernels;
  const auto chains = static_cast<std::size_t>(state.range(0));
  const auto groups = static_cast<std::size_t>(state.range(1));
  const std::vector<hmc::GroupData> data = binomial_groups(groups);
  const hmc::HierModel& model = kBinomialModel;
  constexpr int kSteps = 8;
  try {
    const bool cuda = backend == Backend::Cuda;
    if (cuda) hbayes::resolve_backend(Backend::Cuda);  // a clear skip without a GPU
    kernels::EnsembleConfig config = cuda ? kernels::cuda::default_config(chains, groups)
                                          : kernels::cpu::default_config(chains, groups);
    if (per_chain) {
      config = kernels::EnsembleConfig{cuda ? kernels::EnsembleLayout::ParameterMajor
                                            : kernels::EnsembleLayout::ChainMajor,
                                       false, 1, false};
    }
    const auto ensemble = cuda ? kernels::cuda::make_ensemble(model, data.data(), groups, chains, config)
                               : kernels::cpu::make_ensemble(model, data.data(), groups, chains, config);
    const std::size_t dim = hmc::kFirstGroupIndex + groups;
    std::vector<double> start(chains * dim, 0.0), log_densities(chains);
    for (std::size_t c = 0; c < chains; ++c) start[c * dim + hmc::kMuIndex] = -1.0;
    ensemble->set_positions(start.data(), log_densities.data());
    std::vector<double> records(chains * ensemble->record_width());
    std::uint64_t iteration = 0;
    for (auto _ : state) {
      const hmc::TransitionSettings settings{0.05, kSteps, 1, iteration++, false, false, 1000.0};
      ensemble->transition(&settings, 1, records.data());
      benchmark::DoNotOptimize(records.data());
    }
  } catch (const hbayes::BackendUnavailable& e) {
    state.SkipWithError(e.what());
    return;
  }
  state.counters["group_terms_per_s"] = benchmark::Counter(
      static_cast<double>(chains * groups * kSteps), benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (Backend backend : {Backend::Cpu, Backend::Cuda}) {
    const std::string b = hbayes::backend_name(backend);
    benchmark::RegisterBenchmark(("sample/eight_schools/" + b).c_str(), sample_run,
                                 hbayes::HierModelSpec{}, eight_schools(), backend, 1000, 1000)
        ->Arg(64)
        ->Arg(4096)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    hbayes::HierModelSpec binomial;
    binomial.family = hbayes::HierFamily::Binomial;
    benchmark::RegisterBenchmark(("sample/hier_binomial_1000/" + b).c_str(), sample_run, binomial,
                                 binomial_catalog(1000), backend, 200, 200)
        ->Arg(64)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  for (Backend backend : {Backend::Cpu, Backend::Cuda}) {
    for (bool per_chain : {false, true}) {
      const std::string name = std::string("transition/binomial/") +
                               hbayes::backend_name(backend) +
                               (per_chain ? "/per_chain" : "/default");
      benchmark::RegisterBenchmark(name.c_str(), transition_binomial, backend, per_chain)
          ->Args({4, 1000000})
          ->Args({64, 1000})
          ->Args({4096, 8})
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  benchmark::RegisterBenchmark("gradient/binomial/cpu", gradient_binomial)
      ->Arg(1000)
      ->Arg(100000);
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
