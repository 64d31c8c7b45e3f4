// The hbayes command-line tool: subcommands, exit codes, and error reporting.
//
// Exit codes: 0 success, 2 bad input or usage (the message names file:line), 3 the requested
// backend cannot run here, 4 a fit did not converge (`hbayes fit` and `hbayes score
// --empirical-bayes` return cli::kExitNotConverged after writing the fit JSON), 1 anything else
// (I/O failure, internal error).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/fit_command.hpp"
#include "cli/sample_command.hpp"
#include "cli/score_command.hpp"
#include "hbayes/errors.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "hbayes: hierarchical Bayesian inference at catalog scale.\n"
      "Scores each group's partially pooled posterior under a chain-level prior, and fits that\n"
      "prior to a catalog by empirical Bayes."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hbayes 0.1.0");
  hbayes::cli::ScoreCommand score(app);
  hbayes::cli::FitCommand fit(app);
  hbayes::cli::SampleCommand sample(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (score.selected()) return score.run();
    if (fit.selected()) return fit.run();
    if (sample.selected()) return sample.run();
  } catch (const hbayes::InputError& e) {
    std::fprintf(stderr, "hbayes: error: %s\n", e.what());
    return 2;
  } catch (const hbayes::BackendUnavailable& e) {
    std::fprintf(stderr, "hbayes: error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hbayes: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
