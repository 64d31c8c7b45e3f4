#include "cli/fit_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "hbayes/backend.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit.hpp"
#include "io/atomic_output.hpp"
#include "io/csv_reader.hpp"
#include "io/parse_number.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

// Keys in the order written, not sorted: the file reads in the documented order.
using Json = nlohmann::ordered_json;

// One of the two data columns of a family: its name in the file and the option renaming it.
struct DataColumn {
  const std::string& name;
  const char* option;
};

// Parses one data field; on failure returns the reason naming the column and the value (the
// same words as `hbayes score`).
std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                       std::int64_t* out) {
  const io::Parsed<std::int64_t> parsed = io::parse_count(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::count_problem(parsed.status, field);
}

std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                       double* out) {
  const io::Parsed<double> parsed = io::parse_finite(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::finite_problem(parsed.status, field);
}

// A family's two data columns, read whole: a fit needs every store before its first step.
template <class First, class Second>
struct DataColumns {
  std::vector<First> first;
  std::vector<Second> second;
};

// Reads and validates every row; the first bad row throws InputError naming file:line, the
// column and the value. `check(first, second)` is the family's row rule from validation.hpp.
template <class First, class Second, class Check>
DataColumns<First, Second> read_columns(const std::string& input, const DataColumn& a,
                                        const DataColumn& b, Check check) {
  io::CsvReader reader(input);
  const std::size_t ia = reader.require_column(a.name, a.option);
  const std::size_t ib = reader.require_column(b.name, b.option);
  DataColumns<First, Second> data;
  io::CsvRecord record;
  while (reader.next(record)) {
    First x{};
    Second y{};
    std::optional<std::string> problem = parse_field(record.fields[ia], a, &x);
    if (!problem) problem = parse_field(record.fields[ib], b, &y);
    if (!problem) problem = check(x, y);
    if (problem) throw InputError(reader.source_name(), record.line, *problem);
    data.first.push_back(x);
    data.second.push_back(y);
  }
  if (data.first.empty()) throw InputError(reader.source_name(), 0, "no data rows");
  return data;
}

// A number, or null where it is not finite (alpha and beta at theta = 0 are +infinity).
Json number(double value) {
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}
Json number(const std::optional<double>& value) {
  return value ? number(*value) : Json(nullptr);
}

// The keys every family writes, in the documented order; `names` are the two hyperparameters
// as `hbayes score` calls them, `boundary_name` the dispersion parameter that can reach 0.
Json fit_json(const std::string& model, const FitReport& report, const char* const names[2],
              const Estimate* const estimates[2], const char* boundary_name) {
  Json out;
  out["model"] = model;
  out["method"] = fit_method_name(report.method);
  Json values = Json::object(), errors = Json::object();
  for (int i = 0; i < 2; ++i) {
    values[names[i]] = number(estimates[i]->value);
    errors[names[i]] = number(estimates[i]->std_error);
  }
  out["hyperparameters"] = values;
  out["std_errors"] = errors;
  out["log_marginal_likelihood"] = number(report.log_marginal_likelihood);
  out["groups"] = report.groups;
  out["converged"] = report.converged;
  out["iterations"] = report.iterations;
  out["boundary"] = report.boundary ? Json(boundary_name) : Json(nullptr);
  return out;
}

// Diagnostics after the documented keys: how close to a stationary point, the score test of
// the boundary (ML/REML), why a fit stopped, and where the reductions ran.
void add_diagnostics(Json& out, const FitReport& report) {
  out["gradient_norm"] = number(report.gradient_norm);
  out["relative_gradient"] = number(report.relative_gradient);
  if (report.method != FitMethod::Moments) out["boundary_score"] = number(report.boundary_score);
  if (!report.note.empty()) out["note"] = report.note;
  out["backend"] = backend_name(report.backend.backend);
}

// The mean/dispersion form of the beta-binomial and gamma-Poisson fits, under extra keys.
template <class FamilyFit>
void add_mean_dispersion(Json& out, const FamilyFit& fit) {
  out["mean_dispersion"] = {{"mean", number(fit.mean.value)},
                            {"dispersion", number(fit.dispersion.value)}};
  out["mean_dispersion_std_errors"] = {{"mean", number(fit.mean.std_error)},
                                       {"dispersion", number(fit.dispersion.std_error)}};
}

// Writes the JSON atomically: a run that fails before commit() leaves no file.
void write_json(const std::string& path, const Json& out) {
  io::AtomicOutputFile file(path);
  file.write(out.dump(2));
  file.write("\n");
  file.commit();
}

}  // namespace

FitCommand::FitCommand(CLI::App& app) {
  auto& s = settings_;
  command_ = app.add_subcommand(
      "fit",
      "Fit the chain-level prior by empirical Bayes (ML-II, REML or moments).\n"
      "Reads a CSV catalog (header required; '-' = stdin; .gz read through zlib) and writes\n"
      "the hyperparameters, their standard errors, the maximised log marginal likelihood,\n"
      "the number of groups, convergence and any boundary (dispersion exactly 0) as JSON.");
  command_->add_option("--model", s.model, "Conjugate family")
      ->required()
      ->check(CLI::IsMember({"beta-binomial", "gamma-poisson", "normal-normal"}));
  command_->add_option("--input", s.input, "Input CSV catalog ('-' = stdin)")->required();
  command_->add_option("--output", s.output, "Output JSON ('-' = stdout)")->required();
  command_
      ->add_option("--method", s.method,
                   "ml: maximum marginal likelihood (ML-II); reml: restricted ML "
                   "(normal-normal only); mom: method of moments")
      ->check(CLI::IsMember({"ml", "mom", "reml"}))
      ->capture_default_str();
  command_->add_option("--successes-column", s.successes_column, "beta-binomial successes column")
      ->capture_default_str();
  command_->add_option("--trials-column", s.trials_column, "beta-binomial trials column")
      ->capture_default_str();
  command_->add_option("--count-column", s.count_column, "gamma-poisson count column")
      ->capture_default_str();
  command_->add_option("--exposure-column", s.exposure_column, "gamma-poisson exposure column")
      ->capture_default_str();
  command_->add_option("--estimate-column", s.estimate_column, "normal-normal estimate column")
      ->capture_default_str();
  command_
      ->add_option("--std-error-column", s.std_error_column, "normal-normal standard-error column")
      ->capture_default_str();
  command_->add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command_->add_option("--threads", s.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

int FitCommand::run() {
  const auto& s = settings_;
  const auto start = std::chrono::steady_clock::now();
  FitOptions options;
  options.method = parse_fit_method(s.method);
  // Refused before reading the input, so a long catalog is not read for nothing.
  if (options.method == FitMethod::RestrictedMaximumLikelihood && s.model != "normal-normal") {
    throw InputError("hbayes fit", 0,
                     "--method reml is available for --model normal-normal only (use ml or mom "
                     "for " +
                         s.model + ")");
  }
  set_cpu_threads(s.threads);
  // Resolve once so the fallback notice is printed once.
  const BackendChoice choice = resolve_backend(parse_backend(s.backend));
  if (!choice.notice.empty()) std::fprintf(stderr, "%s\n", choice.notice.c_str());
  options.backend = choice.backend;

  Json out;
  FitReport report;
  if (s.model == "beta-binomial") {
    const DataColumn a{s.successes_column, "--successes-column"};
    const DataColumn b{s.trials_column, "--trials-column"};
    const auto data = read_columns<std::int64_t, std::int64_t>(
        s.input, a, b, [&](std::int64_t y, std::int64_t n) {
          return validation::binomial_row(y, n, a.name, b.name);
        });
    const BetaBinomialFit fit = hbayes::fit(
        BinomialColumns{data.first.data(), data.second.data(), data.first.size()}, options);
    static const char* const names[2] = {"alpha", "beta"};
    const Estimate* const estimates[2] = {&fit.alpha, &fit.beta};
    out = fit_json(s.model, fit.report, names, estimates, "theta");
    add_mean_dispersion(out, fit);
    report = fit.report;
  } else if (s.model == "gamma-poisson") {
    const DataColumn a{s.count_column, "--count-column"};
    const DataColumn b{s.exposure_column, "--exposure-column"};
    const auto data =
        read_columns<std::int64_t, double>(s.input, a, b, [&](std::int64_t count, double exposure) {
          return validation::poisson_row(count, exposure, a.name, b.name);
        });
    const GammaPoissonFit fit = hbayes::fit(
        PoissonColumns{data.first.data(), data.second.data(), data.first.size()}, options);
    static const char* const names[2] = {"shape", "rate"};
    const Estimate* const estimates[2] = {&fit.shape, &fit.rate};
    out = fit_json(s.model, fit.report, names, estimates, "phi");
    add_mean_dispersion(out, fit);
    report = fit.report;
  } else {
    const DataColumn a{s.estimate_column, "--estimate-column"};
    const DataColumn b{s.std_error_column, "--std-error-column"};
    const auto data =
        read_columns<double, double>(s.input, a, b, [&](double estimate, double std_error) {
          return validation::normal_row(estimate, std_error, a.name, b.name);
        });
    const NormalNormalFit fit = hbayes::fit(
        NormalColumns{data.first.data(), data.second.data(), data.first.size()}, options);
    static const char* const names[2] = {"mu", "tau"};
    const Estimate* const estimates[2] = {&fit.mu, &fit.tau};
    out = fit_json(s.model, fit.report, names, estimates, "tau");
    out["tau2"] = number(fit.tau2.value);
    out["tau2_std_error"] = number(fit.tau2.std_error);
    report = fit.report;
  }
  add_diagnostics(out, report);
  write_json(s.output, out);

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string outcome =
      report.method == FitMethod::Moments ? "closed form"
      : report.converged
          ? "converged in " + std::to_string(report.iterations) + " iterations"
          : "NOT converged after " + std::to_string(report.iterations) + " iterations";
  if (report.boundary) outcome += ", at the boundary";
  std::fprintf(stderr, "hbayes fit: %zu groups, method %s, %s, %.3f s, backend %s\n", report.groups,
               fit_method_name(report.method), outcome.c_str(), seconds,
               backend_name(report.backend.backend));
  return 0;
}

}  // namespace hbayes::cli
