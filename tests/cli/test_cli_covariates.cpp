// End-to-end covariates in the prior mean: `hbayes fit --covariates` against the peers of
// tests/data (metafor, VGAM, MASS; see make_regression_fixtures.R), the JSON contract, scoring
// each store with its own prior (`score --prior`, `score --empirical-bayes --covariates`) against
// the conjugate update by hand, and refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "fit/fit_data.hpp"
#include "support/csv_lines.hpp"
#include "support/tolerances.hpp"

namespace hbayes::test {
namespace {

using Json = nlohmann::json;

std::map<std::string, double> expected(const std::string& name) {
  std::map<std::string, double> values;
  for (const auto& row : read_data_csv(name)) values[row[0]] = std::stod(row[1]);
  return values;
}

// A fixture's rows as a CLI catalog: the header, then its rows unchanged.
std::string fixture_csv(const std::string& name, const std::string& header) {
  std::string csv = header + "\n";
  for (const auto& row : read_data_csv(name)) {
    for (std::size_t i = 0; i < row.size(); ++i) csv += (i ? "," : "") + row[i];
    csv += "\n";
  }
  return csv;
}

// Column name -> index in a header line.
std::map<std::string, std::size_t> header_index(const std::string& line) {
  std::map<std::string, std::size_t> index;
  const std::vector<std::string> names = fields_of(line);
  for (std::size_t i = 0; i < names.size(); ++i) index[names[i]] = i;
  return index;
}

TEST(CliCovariates, BetaBinomialFitIsVgamsAndScoresEachStoreWithItsPrior) {
  ScratchDir dir;
  write_file(dir / "stores.csv",
             fixture_csv("regression_betabinomial_catalog.csv", "store_id,x,successes,trials"));
  CliResult r = run_cli(dir,
                        "fit --model beta-binomial --covariates x --backend cpu "
                        "--input stores.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  EXPECT_EQ(fit["covariates"]["names"], Json::array({"x"}));
  EXPECT_EQ(fit["covariates"]["link"], "logit");
  EXPECT_EQ(fit["dispersion"]["name"], "theta");
  EXPECT_FALSE(fit.contains("hyperparameters"));
  EXPECT_TRUE(fit["converged"].get<bool>());
  EXPECT_TRUE(fit["boundary"].is_null());
  EXPECT_GT(fit["covariates"]["std_errors"]["x"].get<double>(), 0.0);
  EXPECT_GT(fit["dispersion"]["std_error"].get<double>(), 0.0);
  const auto vgam = expected("regression_betabinomial_vgam.csv");
  const double b0 = fit["covariates"]["coefficients"]["intercept"].get<double>();
  const double b1 = fit["covariates"]["coefficients"]["x"].get<double>();
  const double theta = fit["dispersion"]["value"].get<double>();
  EXPECT_TRUE(close(b0, vgam.at("intercept"), test::kPeerEstimate)) << b0;
  EXPECT_TRUE(close(b1, vgam.at("x"), test::kPeerEstimate)) << b1;
  EXPECT_TRUE(close(theta, vgam.at("theta"), test::kPeerEstimate)) << theta;
  EXPECT_TRUE(
      close(fit["log_marginal_likelihood"].get<double>(), vgam.at("loglik"), test::kPeerEstimate));

  r = run_cli(dir, "score --prior fit.json --backend cpu --input stores.csv --output post.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines_of(read_file(dir / "post.csv"));
  const auto rows = read_data_csv("regression_betabinomial_catalog.csv");
  ASSERT_EQ(out.size(), rows.size() + 1);
  const auto col = header_index(out[0]);
  for (std::size_t j : {std::size_t{0}, std::size_t{1}, std::size_t{417}, rows.size() - 1}) {
    const double x = std::stod(rows[j][1]);
    const double y = std::stod(rows[j][2]), n = std::stod(rows[j][3]);
    const double mu = 1.0 / (1.0 + std::exp(-(b0 + b1 * x)));
    const double alpha = mu / theta + y, beta = (1.0 - mu) / theta + n - y;
    const std::vector<std::string> f = fields_of(out[j + 1]);
    EXPECT_EQ(f[col.at("store_id")], rows[j][0]);
    EXPECT_TRUE(close(std::stod(f[col.at("post_alpha")]), alpha, test::kByHand)) << out[j + 1];
    EXPECT_TRUE(close(std::stod(f[col.at("post_beta")]), beta, test::kByHand)) << out[j + 1];
    EXPECT_TRUE(close(std::stod(f[col.at("post_mean")]), alpha / (alpha + beta), test::kByHand));
  }

  // Fit and score in one run: the same fit, the same scores.
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --covariates x --backend cpu "
              "--input stores.csv --output eb.csv --fit-output eb.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "eb.csv"), read_file(dir / "post.csv"));
  EXPECT_EQ(Json::parse(read_file(dir / "eb.json"))["covariates"], fit["covariates"]);
}

TEST(CliCovariates, GammaPoissonFitIsMasssGlmNb) {
  ScratchDir dir;
  write_file(dir / "stores.csv",
             fixture_csv("regression_gammapoisson_catalog.csv", "store_id,x,count,exposure"));
  CliResult r = run_cli(dir,
                        "fit --model gamma-poisson --covariates x --backend cpu "
                        "--input stores.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  const auto mass = expected("regression_gammapoisson_mass.csv");
  EXPECT_EQ(fit["covariates"]["link"], "log");
  EXPECT_EQ(fit["dispersion"]["name"], "phi");
  EXPECT_TRUE(close(fit["covariates"]["coefficients"]["intercept"].get<double>(),
                    mass.at("intercept"), test::kPeerEstimate));
  EXPECT_TRUE(
      close(fit["covariates"]["coefficients"]["x"].get<double>(), mass.at("x"), test::kPeerEstimate));
  EXPECT_TRUE(close(fit["dispersion"]["value"].get<double>(), mass.at("phi"), test::kPeerEstimate));

  r = run_cli(dir, "score --prior fit.json --input stores.csv --output post.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines_of(read_file(dir / "post.csv"));
  const auto rows = read_data_csv("regression_gammapoisson_catalog.csv");
  const auto col = header_index(out[0]);
  const double b0 = fit["covariates"]["coefficients"]["intercept"].get<double>();
  const double b1 = fit["covariates"]["coefficients"]["x"].get<double>();
  const double shape = 1.0 / fit["dispersion"]["value"].get<double>();
  for (std::size_t j : {std::size_t{0}, std::size_t{5}, rows.size() - 1}) {
    const double mean = std::exp(b0 + b1 * std::stod(rows[j][1]));
    const double y = std::stod(rows[j][2]), e = std::stod(rows[j][3]);
    const std::vector<std::string> f = fields_of(out[j + 1]);
    EXPECT_TRUE(close(std::stod(f[col.at("post_shape")]), shape + y, test::kByHand)) << out[j + 1];
    EXPECT_TRUE(close(std::stod(f[col.at("post_rate")]), shape / mean + e, test::kByHand)) << out[j + 1];
  }
}

TEST(CliCovariates, NormalMetaRegressionIsMetaforsAndShrinksTowardsTheLine) {
  ScratchDir dir;
  // The fixture holds variances: the CLI takes standard errors.
  std::string csv = "trial,ablat,estimate,std_error\n";
  for (const auto& row : read_data_csv("regression_bcg_metafor_data.csv")) {
    char se[32];
    std::snprintf(se, sizeof se, "%.17g", std::sqrt(std::stod(row[3])));
    csv += row[0] + "," + row[1] + "," + row[2] + "," + se + "\n";
  }
  write_file(dir / "bcg.csv", csv);
  CliResult r = run_cli(dir,
                        "fit --model normal-normal --method reml --covariates ablat --backend cpu "
                        "--input bcg.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  const auto metafor = expected("regression_bcg_metafor.csv");
  EXPECT_EQ(fit["method"], "reml");
  EXPECT_EQ(fit["dispersion"]["name"], "tau2");
  const double b0 = fit["covariates"]["coefficients"]["intercept"].get<double>();
  const double b1 = fit["covariates"]["coefficients"]["ablat"].get<double>();
  const double tau2 = fit["dispersion"]["value"].get<double>();
  EXPECT_TRUE(close(b0, metafor.at("reml_intercept"), test::kPeerEstimate));
  EXPECT_TRUE(close(b1, metafor.at("reml_ablat"), test::kPeerEstimate));
  EXPECT_TRUE(close(tau2, metafor.at("reml_tau2"), test::kPeerEstimate));
  EXPECT_TRUE(close(fit["covariates"]["std_errors"]["ablat"].get<double>(),
                    metafor.at("reml_ablat_se"), test::kPeerEstimate));
  EXPECT_TRUE(close(fit["tau"].get<double>(), std::sqrt(tau2), test::kByHand));

  r = run_cli(dir, "score --prior fit.json --id-column trial --input bcg.csv --output post.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> out = lines_of(read_file(dir / "post.csv"));
  const auto col = header_index(out[0]);
  const auto rows = read_data_csv("regression_bcg_metafor_data.csv");
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const double line = b0 + b1 * std::stod(rows[j][1]);
    const double y = std::stod(rows[j][2]), v = std::stod(rows[j][3]);
    const double weight = tau2 / (tau2 + v);
    const std::vector<std::string> f = fields_of(out[j + 1]);
    EXPECT_TRUE(close(std::stod(f[col.at("data_weight")]), weight, test::kByHand)) << out[j + 1];
    EXPECT_TRUE(
        close(std::stod(f[col.at("post_mean")]), weight * y + (1 - weight) * line, {1e-12, 1e-15}))
        << out[j + 1];
  }
}

TEST(CliCovariates, RefusesWhatItCannotFitOrScore) {
  ScratchDir dir;
  // Rates that vary far beyond binomial noise: both fits are interior (scorable).
  write_file(dir / "stores.csv",
             "store_id,successes,trials,size,flag\n"
             "a,1,50,1.5,0\nb,25,50,2.5,1\nc,3,60,0.5,0\nd,40,60,3.0,1\ne,0,40,1.0,0\n"
             "f,30,45,2.0,0\ng,2,70,0.7,1\nh,50,70,2.2,1\ni,4,30,1.8,0\nj,20,30,0.9,1\n");
  const std::string fit = "fit --model beta-binomial --backend cpu --input stores.csv ";
  CliResult r = run_cli(dir, fit + "--covariates size,missing --output f.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--covariates"), std::string::npos) << r.err;

  r = run_cli(dir, fit + "--covariates size --method mom --output f.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--covariates needs --method ml or reml"), std::string::npos) << r.err;

  r = run_cli(dir, fit + "--covariates size --by flag --output f.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exclude each other"), std::string::npos) << r.err;

  write_file(dir / "bad.csv", "store_id,successes,trials,size\na,3,40,1.5\nb,5,60,oops\n");
  r = run_cli(dir,
              "fit --model beta-binomial --backend cpu --covariates size --input bad.csv "
              "--output f.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'size'"), std::string::npos) << r.err;

  // A plain fit keeps its shape, and is no prior for --covariates.
  r = run_cli(dir, fit + "--output plain.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json plain = Json::parse(read_file(dir / "plain.json"));
  EXPECT_TRUE(plain.contains("hyperparameters"));
  EXPECT_FALSE(plain.contains("covariates"));
  r = run_cli(dir, "score --prior plain.json --covariates size --input stores.csv --output p.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs a fit with covariates"), std::string::npos) << r.err;

  r = run_cli(dir,
              "score --model beta-binomial --alpha 1 --beta 9 --covariates size "
              "--input stores.csv --output p.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--covariates needs --empirical-bayes"), std::string::npos) << r.err;

  // The scoring input must carry the fit's covariates.
  r = run_cli(dir, fit + "--covariates size,flag --output cov.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_file(dir / "nosize.csv", "store_id,successes,trials,flag\na,3,40,0\n");
  r = run_cli(dir, "score --prior cov.json --input nosize.csv --output p.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("size"), std::string::npos) << r.err;
  r = run_cli(dir,
              "score --prior cov.json --covariates flag,size --input stores.csv --output p.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the fit's covariates are size,flag"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hbayes::test
