#include "cli/sample_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/catalog_columns.hpp"
#include "hbayes/backend.hpp"
#include "hbayes/errors.hpp"
#include "sample/cmdstan_csv.hpp"
#include "sample/prior_text.hpp"
#include "sample/predictive_csv.hpp"
#include "sample/sample_summary.hpp"
#include "sample/sample_warnings.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

// Reads the model's two data columns: every row checked by the family's rule (validation.hpp),
// the first bad one an InputError naming file:line and the column.
HierDataset read_dataset(const SampleSettings& s) {
  HierDataset data;
  const auto take = [&](const auto& columns) {
    data.first.assign(columns.first.begin(), columns.first.end());
    data.second.assign(columns.second.begin(), columns.second.end());
  };
  if (s.model == "hier-binomial") {
    take(read_columns<std::int64_t, std::int64_t>(
        s.input, {s.successes_column, "--successes-column"}, {s.trials_column, "--trials-column"},
        [&](std::int64_t y, std::int64_t n) {
          return validation::binomial_row(y, n, s.successes_column, s.trials_column);
        }));
  } else if (s.model == "hier-poisson") {
    take(read_columns<std::int64_t, double>(
        s.input, {s.count_column, "--count-column"}, {s.exposure_column, "--exposure-column"},
        [&](std::int64_t count, double exposure) {
          return validation::poisson_row(count, exposure, s.count_column, s.exposure_column);
        }));
  } else {
    take(read_columns<double, double>(
        s.input, {s.estimate_column, "--estimate-column"},
        {s.std_error_column, "--std-error-column"}, [&](double estimate, double std_error) {
          return validation::normal_row(estimate, std_error, s.estimate_column, s.std_error_column);
        }));
  }
  return data;
}

// The model from the options; the priors' texts are checked before any input is read.
HierModelSpec model_spec(const SampleSettings& s) {
  HierModelSpec spec;
  spec.family = s.model == "hier-binomial"  ? HierFamily::Binomial
                : s.model == "hier-poisson" ? HierFamily::Poisson
                                            : HierFamily::Normal;
  spec.parameterization =
      s.parameterization == "centered" ? Parameterization::Centered : Parameterization::NonCentered;
  spec.mu_prior = parse_prior(s.prior_mu, "--prior-mu");
  require_location_prior(spec.mu_prior, "--prior-mu");
  spec.tau_prior = parse_prior(s.prior_tau, "--prior-tau");
  require_scale_prior(spec.tau_prior, "--prior-tau");
  spec.group_prior = parse_group_prior(s.group_prior, "--group-prior");
  return spec;
}

// Whether `file` would sit in directory `dir` (both as given, resolved as far as they exist).
bool is_inside(const std::string& file, const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(file).parent_path();
  return fs::weakly_canonical(parent.empty() ? fs::path(".") : parent) ==
         fs::weakly_canonical(fs::path(dir));
}

}  // namespace

SampleCommand::SampleCommand(CLI::App& app) {
  auto& s = settings_;
  auto& o = s.options;
  command_ = app.add_subcommand(
      "sample",
      "Draw from the full posterior of a hierarchical model (mu, tau, theta.1 .. theta.J) by\n"
      "many-chain HMC with ChEES adaptation. Reads a CSV catalog of J groups (header required;\n"
      "'-' = stdin; .gz read through zlib); writes the draws as CmdStan CSV, which ArviZ\n"
      "(from_cmdstan), rstan (read_stan_csv) and cmdstanpy (from_csv) read; prints posterior's\n"
      "summary (on stdout, or on stderr when stdout carries a file) and Stan's convergence\n"
      "warnings (on stderr).");
  command_
      ->add_option("--model", s.model,
                   "hier-normal (estimate, std_error), hier-binomial (successes, trials) or "
                   "hier-poisson (count, exposure)")
      ->required()
      ->check(CLI::IsMember({"hier-normal", "hier-binomial", "hier-poisson"}));
  command_->add_option("--parameterization", s.parameterization, "noncentered or centered")
      ->check(CLI::IsMember({"noncentered", "centered"}))
      ->capture_default_str();
  command_
      ->add_option("--group-prior", s.group_prior,
                   "The groups' distribution around mu: normal or student-t(nu)")
      ->capture_default_str();
  command_
      ->add_option("--prior-mu", s.prior_mu,
                   "Prior of mu: normal, student-t or cauchy, e.g. "
                   "\"student-t(3, 0, 2.5)\"")
      ->capture_default_str();
  command_
      ->add_option("--prior-tau", s.prior_tau,
                   "Prior of tau: half-normal, half-student-t or half-cauchy")
      ->capture_default_str();
  command_->add_option("--input", s.input, "Input CSV catalog ('-' = stdin)")->required();
  command_->add_option("--successes-column", s.successes_column, "hier-binomial successes column")
      ->capture_default_str();
  command_->add_option("--trials-column", s.trials_column, "hier-binomial trials column")
      ->capture_default_str();
  command_->add_option("--count-column", s.count_column, "hier-poisson count column")
      ->capture_default_str();
  command_->add_option("--exposure-column", s.exposure_column, "hier-poisson exposure column")
      ->capture_default_str();
  command_->add_option("--estimate-column", s.estimate_column, "hier-normal estimate column")
      ->capture_default_str();
  command_
      ->add_option("--std-error-column", s.std_error_column, "hier-normal standard-error column")
      ->capture_default_str();
  command_->add_option("--chains", o.chains, "Chains, run in lockstep")->capture_default_str();
  command_->add_option("--warmup", o.warmup, "Warmup iterations per chain (adaptation, not kept)")
      ->capture_default_str();
  command_->add_option("--draws", o.draws, "Iterations per chain after warmup")
      ->capture_default_str();
  command_->add_option("--thin", o.thin, "Keep every thin-th draw")->capture_default_str();
  command_
      ->add_option("--seed", o.seed,
                   "Random seed: the same seed, chains and backend give "
                   "the same draws")
      ->capture_default_str();
  command_
      ->add_option("--target-accept", o.target_accept,
                   "Step-size adaptation's target: the harmonic mean of the chains' "
                   "acceptance probabilities")
      ->capture_default_str();
  command_->add_option("--max-leapfrog", o.max_leapfrog, "Cap on leapfrog steps per iteration")
      ->capture_default_str();
  auto* output = command_->add_option(
      "--output", s.output,
      "Every chain in one CmdStan CSV ('-' = stdout): columns chain__, iter__, the sampler's, "
      "then mu, tau, theta.1 .. theta.J; rows grouped by chain");
  auto* output_dir = command_->add_option(
      "--output-dir", s.output_dir,
      "One CmdStan CSV per chain, DIR/<model>_<chain>.csv (cmdstanpy's ending; chain numbers "
      "zero-padded to sort in order): load with "
      "arviz.from_cmdstan(\"DIR/*.csv\") or rstan::read_stan_csv(Sys.glob(\"DIR/*.csv\")). DIR "
      "must hold no other .csv file");
  command_->add_flag(
      "--no-draws", s.no_draws,
      "Write no draws, only the summary, and keep none in memory: the summary is then computed "
      "as the draws arrive (exact mean, sd and classic split R-hat; quantiles, mad and ESS "
      "estimated; see the README). With --ppc the draws are still kept in memory");
  output->excludes(output_dir);
  command_->add_option("--summary", s.summary,
                       "Also write the summary as CSV ('-' = stdout): variable, mean, median, "
                       "sd, mad, q5, q95, rhat, ess_bulk, ess_tail");
  command_->add_option("--ppc", s.ppc,
                       "Write posterior predictive checks as CSV ('-' = stdout): per group the "
                       "mid-p-value of its observation, and of the across-group variance of the "
                       "observed rates (quantity,observed,p_value)");
  command_->add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command_->add_option("--threads", s.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

void SampleCommand::check_outputs() const {
  const auto& s = settings_;
  if (s.output.empty() && s.output_dir.empty() && !s.no_draws) {
    throw InputError("hbayes sample", 0,
                     "say where the draws go: --output FILE, --output-dir DIR, or --no-draws "
                     "(summary only)");
  }
  if (s.no_draws && !(s.output.empty() && s.output_dir.empty())) {
    throw InputError("--no-draws", 0,
                     "keeps no draws, so there are none for --output or --output-dir to write: "
                     "drop --no-draws to write them, or drop the output for the summary only");
  }
  if ((s.output == "-") + (s.summary == "-") + (s.ppc == "-") > 1) {
    throw InputError("hbayes sample", 0,
                     "only one of --output, --summary and --ppc can be stdout ('-')");
  }
  if (!s.output_dir.empty()) {
    sample_output::check_output_dir(s.output_dir, s.model,
                                    static_cast<std::size_t>(std::max(s.options.chains, 0)));
    for (const auto& [option, path] : {std::pair{"--summary ", s.summary},
                                       std::pair{"--ppc ", s.ppc}}) {
      if (!path.empty() && path != "-" && is_inside(path, s.output_dir) &&
          std::filesystem::path(path).extension() == ".csv") {
        throw InputError(option + path, 0,
                         "is inside --output-dir " + s.output_dir +
                             ", where readers of the directory would take it for a chain: write "
                             "it elsewhere");
      }
    }
  }
}

int SampleCommand::run() {
  const auto& s = settings_;
  const auto start = std::chrono::steady_clock::now();
  check_outputs();
  const HierModelSpec spec = model_spec(s);
  set_cpu_threads(s.threads);
  // Resolved here so that the fallback notice is printed once.
  const BackendChoice choice = resolve_backend(parse_backend(s.backend));
  if (!choice.notice.empty()) std::fprintf(stderr, "%s\n", choice.notice.c_str());
  SampleOptions options = s.options;
  options.backend = choice.backend;
  // --no-draws streams the summary and keeps no draws, unless --ppc needs them: the predictive
  // check replicates the data from every draw.
  options.keep_draws = !s.no_draws || !s.ppc.empty();

  const HierDataset data = read_dataset(s);
  const SampleResult result = sample(spec, data, options);

  sample_output::CmdStanRun run{s.model,
                                {{"parameterization", s.parameterization},
                                 {"group_prior", format_group_prior(spec.group_prior)},
                                 {"prior_mu", format_prior(spec.mu_prior)},
                                 {"prior_tau", format_prior(spec.tau_prior)}},
                                options,
                                s.input};
  if (!s.output.empty()) sample_output::write_draws_csv(s.output, result, run);
  if (!s.output_dir.empty()) sample_output::write_chain_csvs(s.output_dir, result, run);
  const auto summaries = sample_output::summarise_draws(result);
  if (!s.summary.empty()) sample_output::write_summary_csv(s.summary, summaries);
  if (!s.ppc.empty()) {
    sample_output::write_predictive_csv(
        s.ppc, data, posterior_predictive_check(spec, data, result, options.seed));
  }

  // The table goes where a person reads it: stdout, unless a file is being written there.
  std::FILE* table = s.output == "-" || s.summary == "-" || s.ppc == "-" ? stderr : stdout;
  std::fputs(sample_output::summary_table(summaries).c_str(), table);
  if (sample_output::summary_is_streamed(result)) {
    std::fputs(sample_output::streamed_summary_note().c_str(), table);
  }
  std::fflush(table);
  for (const std::string& warning : sample_output::convergence_warnings(result, summaries)) {
    std::fprintf(stderr, "hbayes sample: warning: %s\n", warning.c_str());
  }
  std::size_t restarts = 0;
  for (std::size_t n : result.warmup_restarts) restarts += n;
  if (restarts > 0) {
    std::fprintf(stderr,
                 "hbayes sample: warmup made %zu restart(s) of stranded chains from other "
                 "chains' positions (log density far below the others'; README, \"Warmup\")\n",
                 restarts);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "hbayes sample: %zu groups, %zu chains x %zu draws, warmup %.3f s, sampling "
               "%.3f s, %.3f s in all, %llu gradient evaluations, backend %s\n",
               data.first.size(), result.chains, result.draws, result.warmup_seconds,
               result.sampling_seconds, seconds,
               static_cast<unsigned long long>(result.gradient_evaluations),
               backend_name(result.backend));
  return 0;
}

}  // namespace hbayes::cli
