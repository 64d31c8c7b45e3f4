#include "cli/catalog_fit.hpp"

#include <omp.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <vector>

#include "cli/catalog_columns.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

template <class FamilyFit>
CatalogFit done(const FamilyFit& fit, std::size_t rejected) {
  return {fit_json(fit), fit.report, rejected};
}

// The library's column type for a family, passed to visitors as a tag.
template <class Columns>
struct Family {
  using type = Columns;
};

// Reads the family's two data columns (and the `by` column when given) from `input` and calls
// visit(data, Family<XColumns>{}): the one place that maps a model to its columns and row rules.
template <class Visit>
auto read_family(const std::string& model, const std::string& input, const ColumnNames& columns,
                 bool skip_bad_rows, const DataColumn* by, Visit visit) {
  if (model == "beta-binomial") {
    const DataColumn a{columns.successes, "--successes-column"};
    const DataColumn b{columns.trials, "--trials-column"};
    auto data = read_columns<std::int64_t, std::int64_t>(
        input, a, b,
        [&](std::int64_t y, std::int64_t n) {
          return validation::binomial_row(y, n, a.name, b.name);
        },
        skip_bad_rows, by);
    return visit(data, Family<BinomialColumns>{});
  }
  if (model == "gamma-poisson") {
    const DataColumn a{columns.count, "--count-column"};
    const DataColumn b{columns.exposure, "--exposure-column"};
    auto data = read_columns<std::int64_t, double>(
        input, a, b,
        [&](std::int64_t count, double exposure) {
          return validation::poisson_row(count, exposure, a.name, b.name);
        },
        skip_bad_rows, by);
    return visit(data, Family<PoissonColumns>{});
  }
  const DataColumn a{columns.estimate, "--estimate-column"};
  const DataColumn b{columns.std_error, "--std-error-column"};
  auto data = read_columns<double, double>(
      input, a, b,
      [&](double estimate, double std_error) {
        return validation::normal_row(estimate, std_error, a.name, b.name);
      },
      skip_bad_rows, by);
  return visit(data, Family<NormalColumns>{});
}

// One chain's outcome: its entry, or why the data cannot fit it.
struct ChainOutcome {
  Json entry;
  std::optional<std::string> failure;
  bool converged = true;
};

// Fits every chain of `data` on its own rows (gathered in file order, so a chain's fit sees the
// same columns as a fit of that chain's rows alone).
template <class Columns, class First, class Second>
std::vector<ChainOutcome> fit_chains(const DataColumns<First, Second>& data,
                                     const FitOptions& options) {
  const std::size_t chains = data.chain_values.size();
  // Counting sort of the rows by chain, stable: offsets[c] .. offsets[c + 1] are chain c's.
  std::vector<std::size_t> offsets(chains + 1, 0);
  for (const std::size_t c : data.chain) ++offsets[c + 1];
  for (std::size_t c = 0; c < chains; ++c) offsets[c + 1] += offsets[c];
  std::vector<First> first(data.first.size());
  std::vector<Second> second(data.second.size());
  {
    std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
    for (std::size_t i = 0; i < data.chain.size(); ++i) {
      const std::size_t at = next[data.chain[i]]++;
      first[at] = data.first[i];
      second[at] = data.second[i];
    }
  }

  std::vector<ChainOutcome> outcomes(chains);
  std::vector<std::exception_ptr> crashes(chains);
  // Chains are independent: on the CPU one chain per thread, each fit on that one thread (the
  // library sizes its parallel regions by omp_get_max_threads(), which is per thread). A CUDA
  // fit already spreads each reduction over the device, so chains take turns there.
  const int threads = options.backend == Backend::Cpu ? omp_get_max_threads() : 1;
  const auto count = static_cast<std::int64_t>(chains);
#pragma omp parallel num_threads(threads)
  {
    omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t k = 0; k < count; ++k) {
      const auto c = static_cast<std::size_t>(k);
      const std::size_t begin = offsets[c], rows = offsets[c + 1] - begin;
      try {
        const auto fit =
            hbayes::fit(Columns{first.data() + begin, second.data() + begin, rows}, options);
        outcomes[c].entry = fit_json(fit);
        outcomes[c].entry.erase("model");
        outcomes[c].entry.erase("method");
        outcomes[c].converged = fit.report.method == FitMethod::Moments || fit.report.converged;
      } catch (const InputError& e) {
        outcomes[c].failure = e.reason();
        outcomes[c].entry = Json{{"error", e.reason()}};
      } catch (...) {
        crashes[c] = std::current_exception();  // no exception may leave a parallel region
      }
    }
  }
  for (const std::exception_ptr& crash : crashes) {
    if (crash) std::rethrow_exception(crash);
  }
  return outcomes;
}

}  // namespace

CatalogFit fit_catalog(const std::string& model, const std::string& input,
                       const ColumnNames& columns, const FitOptions& options, bool skip_bad_rows) {
  return read_family(model, input, columns, skip_bad_rows, nullptr, [&](auto& data, auto family) {
    using Columns = typename decltype(family)::type;
    return done(
        hbayes::fit(Columns{data.first.data(), data.second.data(), data.first.size()}, options),
        data.rejected);
  });
}

ChainFits fit_catalog_by(const std::string& model, const std::string& input,
                         const ColumnNames& columns, const std::string& by,
                         const FitOptions& options) {
  const DataColumn by_column{by, "--by"};
  return read_family(model, input, columns, false, &by_column, [&](auto& data, auto family) {
    using Columns = typename decltype(family)::type;
    const std::vector<ChainOutcome> outcomes = fit_chains<Columns>(data, options);
    ChainFits result;
    result.chains = outcomes.size();
    result.groups = data.first.size();
    result.backend = BackendChoice{options.backend, ""};
    Json chains = Json::object();
    for (std::size_t c = 0; c < outcomes.size(); ++c) {
      const ChainOutcome& outcome = outcomes[c];
      if (outcome.failure) {
        if (result.failed++ == 0) {
          result.first_failure = "chain '" + data.chain_values[c] + "': " + *outcome.failure;
        }
      } else if (!outcome.converged) {
        ++result.not_converged;
      }
      chains[data.chain_values[c]] = outcome.entry;
    }
    result.json["model"] = model;
    result.json["method"] = fit_method_name(options.method);
    result.json["by"] = by;
    result.json["chains"] = std::move(chains);
    return result;
  });
}

}  // namespace hbayes::cli
