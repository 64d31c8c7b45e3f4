// End-to-end `hbayes fit`: published fits through the CLI, the JSON contract, bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "fit/fit_data.hpp"
#include "support/tolerances.hpp"
#include "hbayes/fit.hpp"

namespace hbayes::test {
namespace {

using Json = nlohmann::json;

std::string full_precision(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// tests/data/eight_schools.csv without its comment lines: school,y,sigma.
std::string eight_schools_csv() {
  std::string csv = "school,y,sigma\n";
  for (const auto& row : read_data_csv("eight_schools.csv")) {
    csv += row[0] + "," + row[1] + "," + row[2] + "\n";
  }
  return csv;
}

// The BCG trials as metafor's escalc(measure = "RR") log risk ratios: estimate,std_error.
std::string bcg_log_risk_ratios_csv() {
  std::string csv = "trial,estimate,std_error\n";
  for (const auto& row : read_data_csv("bcg.csv")) {
    const double tpos = std::stod(row[3]), tneg = std::stod(row[4]);
    const double cpos = std::stod(row[5]), cneg = std::stod(row[6]);
    const double yi = std::log(tpos / (tpos + tneg)) - std::log(cpos / (cpos + cneg));
    const double vi = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg);
    csv += row[0] + "," + full_precision(yi) + "," + full_precision(std::sqrt(vi)) + "\n";
  }
  return csv;
}

TEST(CliFit, EightSchoolsRemlIsOnTheTauBoundary) {
  ScratchDir dir;
  write_file(dir / "schools.csv", eight_schools_csv());
  const CliResult r = run_cli(dir,
                              "fit --model normal-normal --method reml --backend cpu "
                              "--estimate-column y --std-error-column sigma "
                              "--input schools.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  EXPECT_EQ(fit["model"], "normal-normal");
  EXPECT_EQ(fit["method"], "reml");
  EXPECT_EQ(fit["hyperparameters"]["tau"].get<double>(), 0.0);  // exactly, not 1e-9
  EXPECT_EQ(fit["boundary"], "tau");
  const double mu = fit["hyperparameters"]["mu"].get<double>();
  EXPECT_TRUE(matches_published(mu, 7.686, 3)) << mu;
  EXPECT_TRUE(matches_published(fit["std_errors"]["mu"].get<double>(), 4.072, 3)) << fit;
  EXPECT_EQ(fit["groups"], 8);
  EXPECT_TRUE(fit["converged"].get<bool>()) << fit;
  EXPECT_NE(r.err.find("hbayes fit: 8 groups, method reml"), std::string::npos) << r.err;
}

TEST(CliFit, BcgRemlMatchesMetafor) {
  ScratchDir dir;
  write_file(dir / "bcg.csv", bcg_log_risk_ratios_csv());
  const CliResult r = run_cli(
      dir, "fit --model normal-normal --method reml --backend cpu --input bcg.csv --output f.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "f.json"));
  const double tau = fit["hyperparameters"]["tau"].get<double>();
  EXPECT_TRUE(matches_published(tau * tau, 0.3132, 4)) << tau;
  EXPECT_TRUE(matches_published(tau, std::sqrt(0.3132), 4)) << tau;
  EXPECT_TRUE(matches_published(fit["tau2"].get<double>(), 0.3132, 4)) << fit;
  EXPECT_TRUE(matches_published(fit["hyperparameters"]["mu"].get<double>(), -0.7145, 4)) << fit;
  EXPECT_TRUE(matches_published(fit["std_errors"]["mu"].get<double>(), 0.1798, 4)) << fit;
  EXPECT_TRUE(fit["boundary"].is_null());
  EXPECT_TRUE(fit["converged"].get<bool>());
  EXPECT_EQ(fit["groups"], 13);
}

// metafor's rma(yi, vi, data = dat.bcg) prints SE = 0.1664 for tau^2, from the expected (Fisher)
// information. The observed information (the REML criterion's curvature at the optimum) is not
// its expectation, so its SE differs at the printed digits.
TEST(CliFit, BcgRemlExpectedInformationGivesMetaforsTau2StandardError) {
  ScratchDir dir;
  write_file(dir / "bcg.csv", bcg_log_risk_ratios_csv());
  const std::string fit = "fit --model normal-normal --method reml --backend cpu --input bcg.csv";
  CliResult r = run_cli(dir, fit + " --information expected --output expected.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, fit + " --information observed --output observed.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json expected = Json::parse(read_file(dir / "expected.json"));
  const Json observed = Json::parse(read_file(dir / "observed.json"));
  EXPECT_EQ(expected["information"], "expected");
  EXPECT_EQ(observed["information"], "observed");
  const double se_expected = expected["tau2_std_error"].get<double>();
  const double se_observed = observed["tau2_std_error"].get<double>();
  EXPECT_TRUE(matches_published(se_expected, 0.1664, 4)) << se_expected;
  EXPECT_FALSE(matches_published(se_observed, 0.1664, 4)) << se_observed;
  // The information changes the standard errors only, not the estimates.
  EXPECT_EQ(expected["hyperparameters"], observed["hyperparameters"]);

  // Observed is the default.
  r = run_cli(dir, fit + " --output default.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "default.json"), read_file(dir / "observed.json"));
}

TEST(CliFit, ExpectedInformationWithBetaBinomialIsAClearError) {
  ScratchDir dir;
  write_file(dir / "s.csv", "successes,trials\n1,10\n2,10\n");
  const CliResult r = run_cli(
      dir, "fit --model beta-binomial --information expected --input s.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--information expected is available for --model normal-normal only"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "fit.json"));
}

// examples/stores.csv needs 4 Newton iterations (README); stopped after 1, the fit is written
// with "converged": false and its note, stderr says why, and the run exits 4.
TEST(CliFit, NotConvergedFitIsWrittenAndExitsFour) {
  ScratchDir dir;
  const std::string catalog = std::string(HBAYES_TEST_DATA_DIR) + "/../../examples/stores.csv";
  const std::string fit = "fit --model beta-binomial --backend cpu --input '" + catalog + "'";
  CliResult r = run_cli(dir, fit + " --max-iterations 1 --output fit.json");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const Json stopped = Json::parse(read_file(dir / "fit.json"));
  EXPECT_FALSE(stopped["converged"].get<bool>()) << stopped;
  EXPECT_EQ(stopped["iterations"], 1);
  ASSERT_TRUE(stopped["note"].is_string()) << stopped;
  const std::string note = stopped["note"].get<std::string>();
  EXPECT_NE(note.find("iteration limit (1)"), std::string::npos) << note;
  EXPECT_NE(r.err.find("did not converge (" + note + ")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exit code 4"), std::string::npos) << r.err;

  // With the default limit the same catalog converges, in more than one iteration.
  r = run_cli(dir, fit + " --output converged.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json converged = Json::parse(read_file(dir / "converged.json"));
  EXPECT_TRUE(converged["converged"].get<bool>());
  EXPECT_GT(converged["iterations"].get<int>(), 1);

  r = run_cli(dir, fit + " --max-iterations 0 --output zero.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-iterations"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "zero.json"));
}

// The documented keys come first, in the documented order, and every number reads back to
// the library's double exactly.
TEST(CliFit, BetaBinomialCatalogRoundTripsThroughJson) {
  ScratchDir dir;
  const std::string catalog = std::string(HBAYES_TEST_DATA_DIR) + "/../../examples/stores.csv";
  const CliResult r = run_cli(
      dir, "fit --model beta-binomial --backend cpu --input '" + catalog + "' --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::ordered_json fit = nlohmann::ordered_json::parse(read_file(dir / "fit.json"));
  const std::vector<std::string> documented{
      "model",  "method",    "hyperparameters", "std_errors", "log_marginal_likelihood",
      "groups", "converged", "iterations",      "boundary",   "information"};
  std::vector<std::string> keys;
  for (const auto& item : fit.items()) keys.push_back(item.key());
  ASSERT_GE(keys.size(), documented.size());
  EXPECT_EQ(std::vector<std::string>(keys.begin(), keys.begin() + documented.size()), documented);

  // The same catalog through the library.
  std::vector<std::int64_t> successes, trials;
  std::istringstream rows(read_file(catalog));
  std::string line;
  std::getline(rows, line);  // header: store_id,region,successes,trials
  while (std::getline(rows, line)) {
    const std::size_t c2 = line.find(',', line.find(',') + 1), c3 = line.find(',', c2 + 1);
    successes.push_back(std::stoll(line.substr(c2 + 1, c3 - c2 - 1)));
    trials.push_back(std::stoll(line.substr(c3 + 1)));
  }
  FitOptions options;
  options.backend = Backend::Cpu;
  const BetaBinomialFit expected =
      hbayes::fit(BinomialColumns{successes.data(), trials.data(), successes.size()}, options);

  EXPECT_EQ(fit["model"], "beta-binomial");
  EXPECT_EQ(fit["method"], "ml");
  EXPECT_EQ(fit["groups"], successes.size());
  EXPECT_EQ(fit["hyperparameters"]["alpha"].get<double>(), expected.alpha.value);
  EXPECT_EQ(fit["hyperparameters"]["beta"].get<double>(), expected.beta.value);
  EXPECT_EQ(fit["std_errors"]["alpha"].get<double>(), *expected.alpha.std_error);
  EXPECT_EQ(fit["std_errors"]["beta"].get<double>(), *expected.beta.std_error);
  EXPECT_EQ(fit["log_marginal_likelihood"].get<double>(), expected.report.log_marginal_likelihood);
  EXPECT_EQ(fit["mean_dispersion"]["mean"].get<double>(), expected.mean.value);
  EXPECT_EQ(fit["mean_dispersion"]["dispersion"].get<double>(), expected.dispersion.value);
  EXPECT_EQ(fit["iterations"].get<int>(), expected.report.iterations);
  EXPECT_TRUE(fit["converged"].get<bool>());
  EXPECT_TRUE(fit["boundary"].is_null());
  EXPECT_EQ(fit["information"], "observed");
  // The catalog was drawn from Beta(5, 95): the fit should land in its neighbourhood.
  EXPECT_NEAR(fit["mean_dispersion"]["mean"].get<double>(), 0.05, 0.01);
}

TEST(CliFit, BinomialCatalogAtThetaZeroWritesNullAlphaBeta) {
  ScratchDir dir;
  // Rates identical to the binomial expectation: no overdispersion detectable.
  write_file(dir / "s.csv", "successes,trials\n10,100\n10,100\n10,100\n10,100\n");
  const CliResult r =
      run_cli(dir, "fit --model beta-binomial --backend cpu --input s.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  EXPECT_EQ(fit["boundary"], "theta");
  EXPECT_TRUE(fit["hyperparameters"]["alpha"].is_null()) << fit;
  EXPECT_TRUE(fit["hyperparameters"]["beta"].is_null()) << fit;
  EXPECT_EQ(fit["mean_dispersion"]["dispersion"].get<double>(), 0.0);
  EXPECT_EQ(fit["mean_dispersion"]["mean"].get<double>(), 0.1);
}

TEST(CliFit, GammaPoissonMomentsFromStdinToStdout) {
  ScratchDir dir;
  write_file(dir / "p.csv", "events,days\n3,1.5\n0,2\n7,2\n12,3\n1,1\n5,4\n");
  const CliResult r = run_cli(dir,
                              "fit --model gamma-poisson --method mom --backend cpu "
                              "--count-column events --exposure-column days --input - --output -",
                              (dir / "p.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(r.out);
  EXPECT_EQ(fit["method"], "mom");
  EXPECT_TRUE(fit["hyperparameters"].contains("shape"));
  EXPECT_TRUE(fit["hyperparameters"].contains("rate"));
  EXPECT_EQ(fit["groups"], 6);
  EXPECT_TRUE(fit["information"].is_null()) << fit;  // the moments have no standard errors
}

TEST(CliFit, RemlWithBetaBinomialIsAClearError) {
  ScratchDir dir;
  write_file(dir / "s.csv", "successes,trials\n1,10\n2,10\n");
  const CliResult r =
      run_cli(dir, "fit --model beta-binomial --method reml --input s.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--method reml is available for --model normal-normal only"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "fit.json"));
}

// Each bad input exits 2 naming file (and line where one applies) and leaves no output file,
// not even over an existing one.
struct BadInput {
  const char* name;
  const char* csv;
  const char* message;
};

class CliFitBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(CliFitBadInput, ExitsTwoAndWritesNothing) {
  const BadInput& bad = GetParam();
  ScratchDir dir;
  write_file(dir / "stores.csv", bad.csv);
  write_file(dir / "fit.json", "previous");
  const CliResult r =
      run_cli(dir, "fit --model beta-binomial --backend cpu --input stores.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(bad.message), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "fit.json"), "previous");
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 2u) << "a temporary file was left behind";
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CliFitBadInput,
    ::testing::Values(BadInput{"MissingColumn", "successes,visits\n1,10\n",
                               "stores.csv:1: no column named 'trials'"},
                      BadInput{"SuccessesExceedTrials", "successes,trials\n1,10\n57,40\n",
                               "stores.csv:3: successes (57) exceeds trials (40)"},
                      BadInput{"NotACount", "successes,trials\n1,10\n2,1x\n",
                               "stores.csv:3: column 'trials': '1x'"},
                      BadInput{"WrongFieldCount", "successes,trials\n1,10\n2\n", "stores.csv:3: "},
                      BadInput{"EmptyFile", "", "stores.csv: empty input"},
                      BadInput{"HeaderOnly", "successes,trials\n", "stores.csv: no data rows"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CliFit, MissingColumnNamesTheOption) {
  ScratchDir dir;
  write_file(dir / "s.csv", "successes,visits\n1,10\n");
  const CliResult r = run_cli(dir, "fit --model beta-binomial --input s.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--trials-column"), std::string::npos) << r.err;
}

TEST(CliFit, HelpListsEveryOption) {
  ScratchDir dir;
  const CliResult r = run_cli(dir, "fit --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--model", "--input", "--output", "--method", "--information", "--max-iterations", "--by",
        "--backend", "--threads", "--successes-column", "--trials-column", "--count-column",
        "--exposure-column", "--estimate-column", "--std-error-column"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option << "\n" << r.out;
  }
}

}  // namespace
}  // namespace hbayes::test
