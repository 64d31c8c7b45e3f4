// Scoring kernels without I/O: stores per second for each conjugate family and backend.
// Names: score/<family>/<backend>/<stores>. A /cuda variant reports an error when no GPU is usable.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "catalogs.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"

namespace {

using hbayes::Backend;

bool backend_usable(Backend backend, benchmark::State& state) {
  try {
    hbayes::resolve_backend(backend);
    return true;
  } catch (const hbayes::BackendUnavailable& e) {
    state.SkipWithError(e.what());
    return false;
  }
}

void report(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["stores_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

void beta_binomial(benchmark::State& state, Backend backend, bool repeated) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto catalog = repeated ? hbayes::bench::repeated_binomial_catalog(n)
                                : hbayes::bench::distinct_binomial_catalog(n);
  hbayes::ScoreOptions options;
  options.backend = backend;
  hbayes::PosteriorTable table =
      hbayes::score(hbayes::BinomialColumns{catalog.successes.data(), catalog.trials.data(), n},
                    hbayes::BetaBinomialPrior{5, 95}, options);
  for (auto _ : state) {
    hbayes::score(hbayes::BinomialColumns{catalog.successes.data(), catalog.trials.data(), n},
                  hbayes::BetaBinomialPrior{5, 95}, options, table.columns());
    benchmark::DoNotOptimize(table.lower.data());
  }
  report(state, n);
}

// The same catalog with a prior per store (as a fit with covariates gives): priors vary with the
// store, so the cache of repeated stores is not used.
void beta_binomial_per_store(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto catalog = hbayes::bench::distinct_binomial_catalog(n);
  std::vector<hbayes::BetaBinomialPrior> priors(n);
  for (std::size_t i = 0; i < n; ++i) {
    priors[i] = {4.0 + static_cast<double>(i % 5) * 0.5, 95.0 - static_cast<double>(i % 7)};
  }
  hbayes::ScoreOptions options;
  options.backend = backend;
  const hbayes::BinomialColumns data{catalog.successes.data(), catalog.trials.data(), n};
  hbayes::PosteriorTable table = hbayes::score(data, priors.data(), options);
  for (auto _ : state) {
    hbayes::score(data, priors.data(), options, table.columns());
    benchmark::DoNotOptimize(table.lower.data());
  }
  report(state, n);
}

// Little data per store under a weak prior: up to 50 trials at a 6% rate, priors near
// Beta(2, 30) that differ from store to store (so that every store is scored, none cached). The
// posterior shapes are small, where the interval solver takes more work per quantile.
void beta_binomial_small_data(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::int64_t> successes(n), trials(n);
  std::vector<hbayes::BetaBinomialPrior> priors(n);
  std::mt19937_64 rng(3);
  for (std::size_t i = 0; i < n; ++i) {
    trials[i] = std::uniform_int_distribution<std::int64_t>(0, 50)(rng);
    successes[i] = std::binomial_distribution<std::int64_t>(trials[i], 0.06)(rng);
    priors[i] = {2.0 + static_cast<double>(i % 97) * 0.01,
                 30.0 + static_cast<double>(i % 89) * 0.1};
  }
  hbayes::ScoreOptions options;
  options.backend = backend;
  const hbayes::BinomialColumns data{successes.data(), trials.data(), n};
  hbayes::PosteriorTable table = hbayes::score(data, priors.data(), options);
  for (auto _ : state) {
    hbayes::score(data, priors.data(), options, table.columns());
    benchmark::DoNotOptimize(table.lower.data());
  }
  report(state, n);
}

void gamma_poisson(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto catalog = hbayes::bench::distinct_binomial_catalog(n);
  std::vector<double> exposure(n);
  for (std::size_t i = 0; i < n; ++i) exposure[i] = 0.5 * static_cast<double>(catalog.trials[i]);
  hbayes::ScoreOptions options;
  options.backend = backend;
  const hbayes::PoissonColumns data{catalog.successes.data(), exposure.data(), n};
  hbayes::PosteriorTable table = hbayes::score(data, hbayes::GammaPoissonPrior{2, 40}, options);
  for (auto _ : state) {
    hbayes::score(data, hbayes::GammaPoissonPrior{2, 40}, options, table.columns());
    benchmark::DoNotOptimize(table.lower.data());
  }
  report(state, n);
}

void normal_normal(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> estimate(n), se(n);
  for (std::size_t i = 0; i < n; ++i) {
    estimate[i] = std::sin(static_cast<double>(i)) * 10.0;
    se[i] = 1.0 + static_cast<double>(i % 97) / 10.0;
  }
  hbayes::ScoreOptions options;
  options.backend = backend;
  const hbayes::NormalColumns data{estimate.data(), se.data(), n};
  hbayes::PosteriorTable table = hbayes::score(data, hbayes::NormalNormalPrior{0, 5}, options);
  for (auto _ : state) {
    hbayes::score(data, hbayes::NormalNormalPrior{0, 5}, options, table.columns());
    benchmark::DoNotOptimize(table.lower.data());
  }
  report(state, n);
}

void register_all() {
  for (Backend backend : {Backend::Cpu, Backend::Cuda}) {
    const std::string b = hbayes::backend_name(backend);
    benchmark::RegisterBenchmark(("score/beta_binomial/" + b).c_str(), beta_binomial, backend,
                                 false)
        ->Arg(1'000'000)
        ->Arg(10'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("score/beta_binomial_repeated/" + b).c_str(), beta_binomial,
                                 backend, true)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("score/beta_binomial_per_store/" + b).c_str(),
                                 beta_binomial_per_store, backend)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("score/beta_binomial_small_data/" + b).c_str(),
                                 beta_binomial_small_data, backend)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("score/gamma_poisson/" + b).c_str(), gamma_poisson, backend)
        ->Arg(1'000'000)
        ->Arg(10'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("score/normal_normal/" + b).c_str(), normal_normal, backend)
        ->Arg(1'000'000)
        ->Arg(10'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
