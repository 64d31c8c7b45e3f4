#include "cli/catalog_fit.hpp"

#include <omp.h>

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cli/catalog_columns.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit_regression.hpp"
#include "io/csv_reader.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

template <class FamilyFit>
CatalogFit done(const FamilyFit& fit, Information information, std::size_t rejected) {
  return {fit_json(fit, information), fit.report, rejected};
}

// The library's column type for a family, passed to visitors as a tag.
template <class Columns>
struct Family {
  using type = Columns;
};

// Reads the family's two data columns (and the `by` column, or the covariate columns, when
// given) from `input` and calls visit(data, Family<XColumns>{}): the one place that maps a
// model to its columns and row rules.
template <class Visit>
auto read_family(const std::string& model, const std::string& input, const ColumnNames& columns,
                 bool skip_bad_rows, const DataColumn* by, Visit visit,
                 CovariateColumns* covariates = nullptr) {
  if (model == "beta-binomial") {
    const DataColumn a{columns.successes, "--successes-column"};
    const DataColumn b{columns.trials, "--trials-column"};
    auto data = read_columns<std::int64_t, std::int64_t>(
        input, a, b,
        [&](std::int64_t y, std::int64_t n) {
          return validation::binomial_row(y, n, a.name, b.name);
        },
        skip_bad_rows, by, covariates);
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
        skip_bad_rows, by, covariates);
    return visit(data, Family<PoissonColumns>{});
  }
  const DataColumn a{columns.estimate, "--estimate-column"};
  const DataColumn b{columns.std_error, "--std-error-column"};
  auto data = read_columns<double, double>(
      input, a, b,
      [&](double estimate, double std_error) {
        return validation::normal_row(estimate, std_error, a.name, b.name);
      },
      skip_bad_rows, by, covariates);
  return visit(data, Family<NormalColumns>{});
}

// One chain's outcome: its entry, or why the data cannot fit it.
struct ChainOutcome {
  Json entry;
  std::optional<std::string> failure;
  bool converged = true;
  std::string note;  // why the fit stopped, where it did not converge
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
        outcomes[c].entry = fit_json(fit, options.information);
        outcomes[c].entry.erase("model");
        outcomes[c].entry.erase("method");
        outcomes[c].converged = fit.report.converged;
        outcomes[c].note = fit.report.note;
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
        options.information, data.rejected);
  });
}

CatalogFit fit_catalog_regression(const std::string& model, const std::string& input,
                                  const ColumnNames& columns,
                                  const std::vector<std::string>& covariates,
                                  const FitOptions& options, bool skip_bad_rows) {
  CovariateColumns read{covariates, {}};
  return read_family(
      model, input, columns, skip_bad_rows, nullptr,
      [&](auto& data, auto family) {
        using Columns = typename decltype(family)::type;
        const auto fit =
            fit_regression(Columns{data.first.data(), data.second.data(), data.first.size()},
                           read.design(data.first.size()), options);
        return CatalogFit{fit_json(fit), fit.report, data.rejected};
      },
      &read);
}

ChainFits fit_catalog_by(const std::string& model, const std::string& input,
                         const ColumnNames& columns, const std::string& by,
                         const FitOptions& options, bool skip_bad_rows) {
  const DataColumn column{by, "--by"};
  return read_family(model, input, columns, skip_bad_rows, &column, [&](auto& data, auto family) {
    using Columns = typename decltype(family)::type;
    const std::vector<ChainOutcome> outcomes = fit_chains<Columns>(data, options);
    ChainFits result;
    result.by = by;
    result.method = options.method;
    result.chains = outcomes.size();
    result.groups = data.first.size();
    result.backend = BackendChoice{options.backend, ""};
    Json chains = Json::object();
    for (std::size_t c = 0; c < outcomes.size(); ++c) {
      const ChainOutcome& outcome = outcomes[c];
      const std::string& value = data.chain_values[c];
      if (outcome.failure) {
        if (result.failed++ == 0) {
          result.first_failure = "chain '" + value + "': " + *outcome.failure;
        }
      } else if (!outcome.converged) {
        if (result.unconverged.empty()) {
          result.first_unconverged = "chain '" + value + "': " + outcome.note;
        }
        result.unconverged.push_back(value);
      }
      chains[value] = outcome.entry;
    }
    if (result.failed == result.chains) {
      throw InputError(input, 0,
                       "no chain of --by " + by + " could be fitted (" +
                           std::to_string(result.chains) +
                           " chains); first: " + result.first_failure);
    }
    result.json["model"] = model;
    result.json["method"] = fit_method_name(options.method);
    result.json["by"] = by;
    result.json["chains"] = std::move(chains);
    return result;
  });
}

std::string fit_summary(const CatalogFit& fit) {
  const FitReport& report = fit.report;
  std::string text =
      std::to_string(report.groups) + " groups, method " + fit_method_name(report.method) + ", ";
  text += report.method == FitMethod::Moments ? "closed form"
          : report.converged
              ? "converged in " + std::to_string(report.iterations) + " iterations"
              : "NOT converged after " + std::to_string(report.iterations) + " iterations";
  if (report.boundary) text += ", at the boundary " + fit.json["boundary"].get<std::string>();
  return text;
}

std::string fit_summary(const ChainFits& fits) {
  std::string text = std::to_string(fits.chains) + " chains by " + fits.by + ", " +
                     std::to_string(fits.chains - fits.failed) + " fitted, " +
                     std::to_string(fits.failed) + " failed";
  if (fits.failed > 0) text += " (first: " + fits.first_failure + ")";
  if (!fits.unconverged.empty()) {
    text += ", " + std::to_string(fits.unconverged.size()) + " NOT converged";
  }
  return text + ", " + std::to_string(fits.groups) + " groups, method " +
         fit_method_name(fits.method);
}

std::string not_converged_message(const CatalogFit& fit) {
  if (fit.report.converged) return "";
  return "the fit did not converge (" + fit.report.note + ")";
}

std::string not_converged_message(const ChainFits& fits) {
  if (fits.unconverged.empty()) return "";
  // Enough names to find the chains; the JSON marks every one ("converged": false).
  constexpr std::size_t kNamed = 10;
  std::string names;
  for (std::size_t i = 0; i < fits.unconverged.size() && i < kNamed; ++i) {
    names += (i > 0 ? ", '" : "'") + fits.unconverged[i] + "'";
  }
  if (fits.unconverged.size() > kNamed) {
    names += " and " + std::to_string(fits.unconverged.size() - kNamed) + " more";
  }
  return std::to_string(fits.unconverged.size()) + " of " +
         std::to_string(fits.chains - fits.failed) + " fitted chains did not converge (" + names +
         "; first: " + fits.first_unconverged + ")";
}

void add_fit_options(CLI::App* command, FitRequest& request, const std::string& context) {
  command
      ->add_option("--method", request.method,
                   context +
                       "ml: maximum marginal likelihood (ML-II); reml: restricted ML "
                       "(normal-normal only); mom: method of moments")
      ->check(CLI::IsMember({"ml", "mom", "reml"}))
      ->capture_default_str();
  command
      ->add_option("--information", request.information,
                   context +
                       "the information matrix of the standard errors: observed, or expected "
                       "(Fisher; normal-normal only, as metafor reports)")
      ->check(CLI::IsMember({"observed", "expected"}))
      ->capture_default_str();
  command
      ->add_option("--max-iterations", request.max_iterations,
                   context +
                       "Newton iterations before the fit gives up (it is then reported as not "
                       "converged, exit code 4)")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()))
      ->capture_default_str();
}

FitOptions fit_options(const FitRequest& request) {
  FitOptions options;
  options.method = parse_fit_method(request.method);
  options.information =
      request.information == "expected" ? Information::Expected : Information::Observed;
  options.max_iterations = request.max_iterations;
  return options;
}

void check_fit_options(const std::string& model, const FitOptions& options,
                       const std::string& command) {
  if (model == "normal-normal") return;
  if (options.method == FitMethod::RestrictedMaximumLikelihood) {
    throw InputError(command, 0,
                     "--method reml is available for --model normal-normal only (use ml or mom "
                     "for " +
                         model + ")");
  }
  if (options.information == Information::Expected) {
    throw InputError(command, 0,
                     "--information expected is available for --model normal-normal only (use "
                     "observed for " +
                         model + ")");
  }
}

void check_covariate_options(const FitOptions& options, bool by, const std::string& command) {
  if (options.method == FitMethod::Moments) {
    throw InputError(command, 0, "--covariates needs --method ml or reml (not mom)");
  }
  if (options.information == Information::Expected) {
    throw InputError(command, 0,
                     "--covariates reports standard errors from the observed information only");
  }
  if (by) throw InputError(command, 0, "--covariates and --by exclude each other");
}

}  // namespace hbayes::cli
