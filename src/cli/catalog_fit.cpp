#include "cli/catalog_fit.hpp"

#include <cstdint>

#include "cli/catalog_columns.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

template <class FamilyFit>
CatalogFit done(const FamilyFit& fit, std::size_t rejected) {
  return {fit_json(fit), fit.report, rejected};
}

}  // namespace

CatalogFit fit_catalog(const std::string& model, const std::string& input,
                       const ColumnNames& columns, const FitOptions& options, bool skip_bad_rows) {
  if (model == "beta-binomial") {
    const DataColumn a{columns.successes, "--successes-column"};
    const DataColumn b{columns.trials, "--trials-column"};
    const auto data = read_columns<std::int64_t, std::int64_t>(
        input, a, b,
        [&](std::int64_t y, std::int64_t n) {
          return validation::binomial_row(y, n, a.name, b.name);
        },
        skip_bad_rows);
    return done(
        hbayes::fit(BinomialColumns{data.first.data(), data.second.data(), data.first.size()},
                    options),
        data.rejected);
  }
  if (model == "gamma-poisson") {
    const DataColumn a{columns.count, "--count-column"};
    const DataColumn b{columns.exposure, "--exposure-column"};
    const auto data = read_columns<std::int64_t, double>(
        input, a, b,
        [&](std::int64_t count, double exposure) {
          return validation::poisson_row(count, exposure, a.name, b.name);
        },
        skip_bad_rows);
    return done(
        hbayes::fit(PoissonColumns{data.first.data(), data.second.data(), data.first.size()},
                    options),
        data.rejected);
  }
  const DataColumn a{columns.estimate, "--estimate-column"};
  const DataColumn b{columns.std_error, "--std-error-column"};
  const auto data = read_columns<double, double>(
      input, a, b,
      [&](double estimate, double std_error) {
        return validation::normal_row(estimate, std_error, a.name, b.name);
      },
      skip_bad_rows);
  return done(
      hbayes::fit(NormalColumns{data.first.data(), data.second.data(), data.first.size()}, options),
      data.rejected);
}

}  // namespace hbayes::cli
