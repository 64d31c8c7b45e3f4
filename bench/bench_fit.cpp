// Empirical Bayes fits without I/O: columns in memory, the reductions over stores and the Newton
// iterations included (for the beta-binomial: the histogram pass, then Newton on the histograms).
// Names: fit/<family>/<backend>/<stores> and fit_regression/beta_binomial/<backend>/<stores>
// (two covariates in the prior mean); a /cuda variant reports an error when no GPU is usable.
// read_pass/beta_binomial/cpu/<stores> is the yardstick of issue 3's target (a 1e7-store fit in
// at most twice its time): one OpenMP pass that reads the two input columns and sums them.
// The peer scripts time the fit on their own catalog, read from CSV before timing:
//   bench_fit --fit_csv=beta-binomial:PATH (columns successes, trials)
//   bench_fit --fit_csv=normal-normal-reml:PATH (columns estimate, std_error)
// registers fit/<family>/cpu/csv.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalogs.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit.hpp"
#include "hbayes/fit_regression.hpp"

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

// Draws from Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
double beta_draw(std::mt19937_64& rng, double a, double b) {
  const double x = std::gamma_distribution<double>(a, 1.0)(rng);
  const double y = std::gamma_distribution<double>(b, 1.0)(rng);
  return x / (x + y);
}

// n simulated stores, fixed seed: trials log-uniform on 1..500, rates from Beta(5, 95),
// successes ~ Binomial(trials, rate). Built once per size and kept for every benchmark.
const hbayes::bench::BinomialCatalog& simulated_binomial_catalog(std::size_t n) {
  static std::map<std::size_t, hbayes::bench::BinomialCatalog> cache;
  auto found = cache.find(n);
  if (found != cache.end()) return found->second;
  hbayes::bench::BinomialCatalog c;
  c.successes.resize(n), c.trials.resize(n);
  std::mt19937_64 rng(20261125);
  std::uniform_real_distribution<double> log_trials(0.0, std::log(500.0));
  for (std::size_t i = 0; i < n; ++i) {
    const auto t = static_cast<std::int64_t>(std::lround(std::exp(log_trials(rng))));
    const double p = beta_draw(rng, 5.0, 95.0);
    c.trials[i] = t;
    c.successes[i] = std::binomial_distribution<std::int64_t>(t, p)(rng);
  }
  return cache.emplace(n, std::move(c)).first->second;
}

void fit_beta_binomial(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& catalog = simulated_binomial_catalog(n);
  const hbayes::BinomialColumns data{catalog.successes.data(), catalog.trials.data(), n};
  hbayes::FitOptions options;
  options.backend = backend;
  hbayes::BetaBinomialFit fit = hbayes::fit(data, options);  // warm-up (CUDA context, pages)
  for (auto _ : state) {
    fit = hbayes::fit(data, options);
    benchmark::DoNotOptimize(fit);  // not a double: 1.7.1 "+m,r" corrupts doubles (GCC)
  }
  if (!fit.report.converged) state.SkipWithError("beta-binomial fit did not converge");
  state.counters["alpha"] = fit.alpha.value;
  state.counters["beta"] = fit.beta.value;
  state.counters["iterations"] = fit.report.iterations;
  report(state, n);
}

// A beta-binomial fit with two covariates in the prior mean (logit link): the simulated catalog
// above with a covariate that moves the rate and one that does not. One reduction over stores
// per Newton iteration (no histogram shortcut: each store has its own prior mean).
void fit_regression_beta_binomial(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& catalog = simulated_binomial_catalog(n);
  std::vector<double> size(n), noise(n);
  std::vector<std::int64_t> successes(catalog.successes);
  std::mt19937_64 rng(20261127);
  std::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    size[i] = normal(rng);
    noise[i] = normal(rng);
    // Stores with a larger `size` convert more: thin their successes less.
    if (size[i] < 0.0) successes[i] = successes[i] / 2;
  }
  const hbayes::BinomialColumns data{successes.data(), catalog.trials.data(), n};
  const hbayes::CovariateDesign design{{"size", "noise"}, {size.data(), noise.data()}, n};
  hbayes::FitOptions options;
  options.backend = backend;
  hbayes::BetaBinomialRegression fit = hbayes::fit_regression(data, design, options);
  for (auto _ : state) {
    fit = hbayes::fit_regression(data, design, options);
    benchmark::DoNotOptimize(fit);
  }
  if (!fit.report.converged) state.SkipWithError("regression fit did not converge");
  state.counters["iterations"] = fit.report.iterations;
  report(state, n);
}

// The yardstick: read both columns once with the same OpenMP threads as the CPU backend.
void read_pass_beta_binomial(benchmark::State& state) {
  const auto n = static_cast<std::int64_t>(state.range(0));
  const auto& catalog = simulated_binomial_catalog(static_cast<std::size_t>(n));
  const std::int64_t* y = catalog.successes.data();
  const std::int64_t* t = catalog.trials.data();
  for (auto _ : state) {
    std::int64_t sum_y = 0, sum_t = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum_y, sum_t)
    for (std::int64_t i = 0; i < n; ++i) {
      sum_y += y[i];
      sum_t += t[i];
    }
    benchmark::DoNotOptimize(sum_y);
    benchmark::DoNotOptimize(sum_t);
  }
  state.counters["threads"] = omp_get_max_threads();
  report(state, static_cast<std::size_t>(n));
}

// n stores, fixed seed: exposures log-uniform on 0.5..100, rates from Gamma(shape 2, rate 40),
// counts ~ Poisson(exposure * rate).
struct PoissonCatalogData {
  std::vector<std::int64_t> counts;
  std::vector<double> exposures;
};

PoissonCatalogData simulated_poisson_catalog(std::size_t n) {
  PoissonCatalogData c;
  c.counts.resize(n), c.exposures.resize(n);
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> log_exposure(std::log(0.5), std::log(100.0));
  std::gamma_distribution<double> rate(2.0, 1.0 / 40.0);
  for (std::size_t i = 0; i < n; ++i) {
    c.exposures[i] = std::exp(log_exposure(rng));
    c.counts[i] = std::poisson_distribution<std::int64_t>(c.exposures[i] * rate(rng))(rng);
  }
  return c;
}

void fit_gamma_poisson(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  const PoissonCatalogData catalog = simulated_poisson_catalog(n);
  const hbayes::PoissonColumns data{catalog.counts.data(), catalog.exposures.data(), n};
  hbayes::FitOptions options;
  options.backend = backend;
  hbayes::GammaPoissonFit fit = hbayes::fit(data, options);
  for (auto _ : state) {
    fit = hbayes::fit(data, options);
    benchmark::DoNotOptimize(fit);  // not a double: 1.7.1 "+m,r" corrupts doubles (GCC)
  }
  if (!fit.report.converged) state.SkipWithError("gamma-Poisson fit did not converge");
  state.counters["iterations"] = fit.report.iterations;
  report(state, n);
}

// n studies, fixed seed: standard errors uniform on 0.5..3, effects from N(0.3, 0.2^2), estimates
// ~ N(effect, se^2). REML, the metafor comparison's method.
void fit_normal_normal_reml(benchmark::State& state, Backend backend) {
  if (!backend_usable(backend, state)) return;
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<double> estimate(n), se(n);
  std::mt19937_64 rng(20261127);
  std::uniform_real_distribution<double> se_draw(0.5, 3.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    se[i] = se_draw(rng);
    estimate[i] = 0.3 + 0.2 * normal(rng) + se[i] * normal(rng);
  }
  const hbayes::NormalColumns data{estimate.data(), se.data(), n};
  hbayes::FitOptions options;
  options.backend = backend;
  options.method = hbayes::FitMethod::RestrictedMaximumLikelihood;
  hbayes::NormalNormalFit fit = hbayes::fit(data, options);
  for (auto _ : state) {
    fit = hbayes::fit(data, options);
    benchmark::DoNotOptimize(fit);  // not a double: 1.7.1 "+m,r" corrupts doubles (GCC)
  }
  if (!fit.report.converged) state.SkipWithError("normal-normal REML fit did not converge");
  state.counters["iterations"] = fit.report.iterations;
  report(state, n);
}

// Two named numeric columns of a CSV catalog (peer-script input: plain numbers, no quoting).
std::vector<std::vector<double>> read_csv_columns(const std::string& path,
                                                  const std::vector<std::string>& names) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line, field;
  std::getline(in, line);
  std::vector<std::size_t> index(names.size(), SIZE_MAX);
  std::stringstream header(line);
  for (std::size_t i = 0; std::getline(header, field, ','); ++i) {
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (field == names[k]) index[k] = i;
    }
  }
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (index[k] == SIZE_MAX) throw std::runtime_error(path + ": no column " + names[k]);
  }
  std::vector<std::vector<double>> columns(names.size());
  std::vector<std::string> fields;
  while (std::getline(in, line)) {
    fields.clear();
    std::stringstream row(line);
    while (std::getline(row, field, ',')) fields.push_back(field);
    for (std::size_t k = 0; k < names.size(); ++k) {
      columns[k].push_back(std::stod(fields.at(index[k])));
    }
  }
  return columns;
}

void fit_beta_binomial_csv(benchmark::State& state, const std::string& path) {
  const auto columns = read_csv_columns(path, {"successes", "trials"});
  std::vector<std::int64_t> y(columns[0].begin(), columns[0].end());
  std::vector<std::int64_t> t(columns[1].begin(), columns[1].end());
  const hbayes::BinomialColumns data{y.data(), t.data(), y.size()};
  hbayes::FitOptions options;
  options.backend = Backend::Cpu;
  hbayes::BetaBinomialFit fit = hbayes::fit(data, options);
  for (auto _ : state) {
    fit = hbayes::fit(data, options);
    benchmark::DoNotOptimize(fit);
  }
  state.counters["iterations"] = fit.report.iterations;
  report(state, y.size());
}

void fit_normal_normal_reml_csv(benchmark::State& state, const std::string& path) {
  const auto columns = read_csv_columns(path, {"estimate", "std_error"});
  const hbayes::NormalColumns data{columns[0].data(), columns[1].data(), columns[0].size()};
  hbayes::FitOptions options;
  options.backend = Backend::Cpu;
  options.method = hbayes::FitMethod::RestrictedMaximumLikelihood;
  hbayes::NormalNormalFit fit = hbayes::fit(data, options);
  for (auto _ : state) {
    fit = hbayes::fit(data, options);
    benchmark::DoNotOptimize(fit);
  }
  state.counters["iterations"] = fit.report.iterations;
  report(state, columns[0].size());
}

// Takes --fit_csv=FAMILY:PATH arguments out of argv and registers their benchmarks.
void register_csv(int* argc, char** argv) {
  const char* prefix = "--fit_csv=";
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(prefix, 0) != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    const std::string spec = arg.substr(std::strlen(prefix));
    const std::size_t colon = spec.find(':');
    const std::string family = spec.substr(0, colon);
    const std::string path = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (family == "beta-binomial") {
      benchmark::RegisterBenchmark("fit/beta_binomial/cpu/csv", fit_beta_binomial_csv, path)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    } else if (family == "normal-normal-reml") {
      benchmark::RegisterBenchmark("fit/normal_normal_reml/cpu/csv", fit_normal_normal_reml_csv,
                                   path)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    } else {
      throw std::runtime_error("--fit_csv: unknown family '" + family + "'");
    }
  }
  *argc = kept;
}

void register_all() {
  benchmark::RegisterBenchmark("read_pass/beta_binomial/cpu", read_pass_beta_binomial)
      ->Arg(1'000'000)
      ->Arg(10'000'000)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  for (Backend backend : {Backend::Cpu, Backend::Cuda}) {
    const std::string b = hbayes::backend_name(backend);
    benchmark::RegisterBenchmark(("fit/beta_binomial/" + b).c_str(), fit_beta_binomial, backend)
        ->Arg(1'000'000)
        ->Arg(10'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("fit_regression/beta_binomial/" + b).c_str(),
                                 fit_regression_beta_binomial, backend)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("fit/gamma_poisson/" + b).c_str(), fit_gamma_poisson, backend)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("fit/normal_normal_reml/" + b).c_str(), fit_normal_normal_reml,
                                 backend)
        ->Arg(1'000'000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  register_csv(&argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
