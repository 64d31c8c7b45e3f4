// End-to-end `hbayes fit --by`: one fit per chain in one run, each equal to a fit of that
// chain's rows alone; failing chains, bad rows and a missing grouping column.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"

namespace hbayes::test {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::uint64_t kSeed = 20261125;  // every catalog below is drawn from this seed

std::string full_precision(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// A catalog whose rows belong to chains in shuffled order, and each chain's rows alone (same
// header, same order) as separate CSVs.
struct ChainCatalog {
  std::string header;
  std::vector<std::string> chain_order;         // chain values in order of first appearance
  std::map<std::string, std::string> by_chain;  // chain value -> its rows (no header)
  std::string all;                              // every row, chains interleaved

  void add(const std::string& chain, const std::string& row) {
    if (by_chain.find(chain) == by_chain.end()) chain_order.push_back(chain);
    by_chain[chain] += row;
    all += row;
  }
  void write(const ScratchDir& dir) const {
    write_file(dir / "catalog.csv", header + all);
    for (const auto& [chain, rows] : by_chain) write_file(dir / (chain + ".csv"), header + rows);
  }
};

// Beta-binomial stores from three chains with distinct priors, rows interleaved at random.
ChainCatalog binomial_catalog(std::size_t stores_per_chain) {
  struct Prior {
    const char* chain;
    double alpha, beta;
  };
  const std::vector<Prior> priors{{"north", 2.0, 30.0}, {"south", 12.0, 40.0}, {"east", 0.8, 6.0}};
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<std::int64_t> trials(5, 200);
  std::uniform_int_distribution<std::size_t> pick(0, priors.size() - 1);
  std::vector<std::size_t> left(priors.size(), stores_per_chain);
  ChainCatalog catalog;
  catalog.header = "store_id,chain_id,successes,trials\n";
  for (std::size_t id = 0; id < stores_per_chain * priors.size(); ++id) {
    std::size_t c = pick(rng);
    while (left[c] == 0) c = (c + 1) % priors.size();
    --left[c];
    std::gamma_distribution<double> ga(priors[c].alpha, 1.0), gb(priors[c].beta, 1.0);
    const double x = ga(rng), p = x / (x + gb(rng));
    const std::int64_t n = trials(rng);
    const std::int64_t y = std::binomial_distribution<std::int64_t>(n, p)(rng);
    catalog.add(priors[c].chain, std::to_string(id) + "," + priors[c].chain + "," +
                                     std::to_string(y) + "," + std::to_string(n) + "\n");
  }
  return catalog;
}

// Normal-normal estimates from three chains with distinct (mu, tau), rows interleaved.
ChainCatalog normal_catalog(std::size_t stores_per_chain) {
  struct Prior {
    const char* chain;
    double mu, tau;
  };
  const std::vector<Prior> priors{{"a", -1.0, 0.5}, {"b", 2.0, 1.5}, {"c", 0.3, 0.1}};
  std::mt19937_64 rng(kSeed + 1);
  std::uniform_real_distribution<double> se(0.1, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  ChainCatalog catalog;
  catalog.header = "store_id,chain_id,estimate,std_error\n";
  for (std::size_t id = 0; id < stores_per_chain * priors.size(); ++id) {
    const Prior& prior = priors[(id * 7 + id / 5) % priors.size()];
    const double s = se(rng), theta = prior.mu + prior.tau * z(rng);
    catalog.add(prior.chain, std::to_string(id) + "," + prior.chain + "," +
                                 full_precision(theta + s * z(rng)) + "," + full_precision(s) +
                                 "\n");
  }
  return catalog;
}

// Gamma-Poisson counts from three chains with distinct (shape, rate), rows interleaved.
ChainCatalog poisson_catalog(std::size_t stores_per_chain) {
  struct Prior {
    const char* chain;
    double shape, rate;
  };
  const std::vector<Prior> priors{{"p", 3.0, 1.0}, {"q", 0.7, 0.2}, {"r", 20.0, 10.0}};
  std::mt19937_64 rng(kSeed + 2);
  std::uniform_real_distribution<double> exposure(0.5, 5.0);
  ChainCatalog catalog;
  catalog.header = "store_id,chain_id,count,exposure\n";
  for (std::size_t id = 0; id < stores_per_chain * priors.size(); ++id) {
    const Prior& prior = priors[(id * 5 + id / 3) % priors.size()];
    const double e = exposure(rng);
    const double lambda = std::gamma_distribution<double>(prior.shape, 1.0 / prior.rate)(rng);
    const std::int64_t y = std::poisson_distribution<std::int64_t>(lambda * e)(rng);
    catalog.add(prior.chain, std::to_string(id) + "," + prior.chain + "," + std::to_string(y) +
                                 "," + full_precision(e) + "\n");
  }
  return catalog;
}

// The per-fit keys of a plain `hbayes fit` document: all but the shared model and method.
Json per_fit_keys(Json fit) {
  fit.erase("model");
  fit.erase("method");
  return fit;
}

// Each chain's entry of `hbayes fit --by chain_id` equals, number for number, `hbayes fit` run
// on that chain's rows alone (--threads 1: a --by fit runs each chain on one thread).
void expect_chains_match_separate_fits(const std::string& model_args, const ChainCatalog& catalog) {
  ScratchDir dir;
  catalog.write(dir);
  const CliResult r =
      run_cli(dir, "fit " + model_args + " --by chain_id --input catalog.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("3 chains by chain_id, 3 fitted, 0 failed"), std::string::npos) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));

  std::vector<std::string> keys;
  for (const auto& item : fit.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"model", "method", "by", "chains"}));
  EXPECT_EQ(fit["by"], "chain_id");
  std::vector<std::string> chains;
  for (const auto& item : fit["chains"].items()) chains.push_back(item.key());
  EXPECT_EQ(chains, catalog.chain_order);  // first-appearance order

  for (const std::string& chain : catalog.chain_order) {
    const CliResult alone = run_cli(dir, "fit " + model_args + " --threads 1 --input " + chain +
                                             ".csv --output " + chain + ".json");
    ASSERT_EQ(alone.exit_code, 0) << alone.err;
    const Json expected = Json::parse(read_file(dir / (chain + ".json")));
    EXPECT_EQ(fit["model"], expected["model"]);
    EXPECT_EQ(fit["method"], expected["method"]);
    // Json equality compares every number as a double: bit for bit.
    EXPECT_EQ(fit["chains"][chain], per_fit_keys(expected))
        << "chain " << chain << " (seed " << kSeed << ")";
    EXPECT_TRUE(fit["chains"][chain]["converged"].get<bool>()) << fit["chains"][chain];
  }
}

TEST(CliFitBy, BetaBinomialChainsEqualSeparateFits) {
  const ChainCatalog catalog = binomial_catalog(3000);
  expect_chains_match_separate_fits("--model beta-binomial --backend cpu", catalog);
}

TEST(CliFitBy, BetaBinomialChainsRecoverDistinctPriors) {
  ScratchDir dir;
  binomial_catalog(3000).write(dir);
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input catalog.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  const std::map<std::string, double> true_mean{
      {"north", 2.0 / 32.0}, {"south", 12.0 / 52.0}, {"east", 0.8 / 6.8}};
  for (const auto& [chain, mean] : true_mean) {
    const double fitted = fit["chains"][chain]["mean_dispersion"]["mean"].get<double>();
    EXPECT_NEAR(fitted, mean, 0.1 * mean) << chain << " (seed " << kSeed << ")";
    EXPECT_EQ(fit["chains"][chain]["groups"], 3000);
  }
}

TEST(CliFitBy, NormalNormalRemlChainsEqualSeparateFits) {
  const ChainCatalog catalog = normal_catalog(2000);
  expect_chains_match_separate_fits("--model normal-normal --method reml --backend cpu", catalog);
}

TEST(CliFitBy, GammaPoissonChainsEqualSeparateFits) {
  const ChainCatalog catalog = poisson_catalog(2000);
  expect_chains_match_separate_fits("--model gamma-poisson --backend cpu", catalog);
}

// A chain the data cannot fit (every store without successes) is reported in its entry, with
// the reason a plain fit of its rows gives, and the other chains are still fitted.
TEST(CliFitBy, FailingChainIsReportedAndOthersStillFit) {
  ScratchDir dir;
  ChainCatalog catalog = binomial_catalog(500);
  for (int i = 0; i < 4; ++i) catalog.add("dry", "x" + std::to_string(i) + ",dry,0,30\n");
  catalog.write(dir);
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input catalog.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("4 chains by chain_id, 3 fitted, 1 failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chain 'dry'"), std::string::npos) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  const Json& dry = fit["chains"]["dry"];
  ASSERT_EQ(dry.size(), 1u) << dry;
  ASSERT_TRUE(dry["error"].is_string()) << dry;
  const std::string reason = dry["error"].get<std::string>();
  EXPECT_FALSE(reason.empty());

  const CliResult alone =
      run_cli(dir, "fit --model beta-binomial --backend cpu --input dry.csv --output dry.json");
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find(reason), std::string::npos) << alone.err << " vs " << reason;

  for (const char* chain : {"north", "south", "east"}) {
    EXPECT_TRUE(fit["chains"][chain]["hyperparameters"]["alpha"].is_number()) << chain;
    EXPECT_EQ(fit["chains"][chain].find("error"), fit["chains"][chain].end()) << chain;
  }
}

// Stopped after one Newton iteration, the chains' fits do not converge: the document is still
// written, each such entry says "converged": false with its note, stderr counts and names them,
// and the run exits 4. The failed chain is not counted among them.
TEST(CliFitBy, NotConvergedChainsAreNamedAndExitFour) {
  ScratchDir dir;
  ChainCatalog catalog = binomial_catalog(2000);
  for (int i = 0; i < 4; ++i) catalog.add("dry", "x" + std::to_string(i) + ",dry,0,30\n");
  catalog.write(dir);
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--max-iterations 1 --input catalog.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  const Json fit = Json::parse(read_file(dir / "fit.json"));
  std::vector<std::string> unconverged;
  for (const std::string& chain : catalog.chain_order) {
    const Json& entry = fit["chains"][chain];
    if (entry.contains("error")) continue;
    if (!entry["converged"].get<bool>()) {
      unconverged.push_back(chain);
      EXPECT_TRUE(entry["note"].is_string()) << entry;
    }
  }
  ASSERT_FALSE(unconverged.empty()) << fit;
  EXPECT_NE(r.err.find(std::to_string(unconverged.size()) + " of 3 fitted chains did not converge"),
            std::string::npos)
      << r.err;
  for (const std::string& chain : unconverged) {
    EXPECT_NE(r.err.find("'" + chain + "'"), std::string::npos) << chain << "\n" << r.err;
  }
  EXPECT_NE(r.err.find("exit code 4"), std::string::npos) << r.err;

  // Each entry is still the plain fit of that chain's rows alone, which exits 4 too.
  const std::string& first = unconverged.front();
  const CliResult alone = run_cli(dir,
                                  "fit --model beta-binomial --backend cpu --threads 1 "
                                  "--max-iterations 1 --input " +
                                      first + ".csv --output alone.json");
  EXPECT_EQ(alone.exit_code, 4) << alone.err;
  EXPECT_EQ(fit["chains"][first], per_fit_keys(Json::parse(read_file(dir / "alone.json"))));
}

TEST(CliFitBy, EveryChainFailingExitsTwoAndWritesNothing) {
  ScratchDir dir;
  write_file(dir / "catalog.csv",
             "chain_id,successes,trials\nA,0,10\nA,0,12\nB,0,7\nB,0,9\nC,10,10\nC,4,4\n");
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input catalog.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no chain of --by chain_id could be fitted (3 chains)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "fit.json"));
}

TEST(CliFitBy, MissingByColumnExitsTwoNamingItAndTheOption) {
  ScratchDir dir;
  write_file(dir / "catalog.csv", "chain_id,successes,trials\nA,1,10\nA,2,12\n");
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by region "
                              "--input catalog.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("region"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--by"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "fit.json"));
}

TEST(CliFitBy, BadRowIsAnErrorNamingFileAndLine) {
  ScratchDir dir;
  write_file(dir / "catalog.csv", "chain_id,successes,trials\nA,1,10\nB,57,40\nA,2,12\nB,3,9\n");
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input catalog.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("catalog.csv:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exceeds"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "fit.json"));
}

TEST(CliFitBy, EmptyChainValueIsABadRow) {
  ScratchDir dir;
  write_file(dir / "catalog.csv", "chain_id,successes,trials\nA,1,10\n,2,12\nA,3,9\n");
  const CliResult r = run_cli(dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input catalog.csv --output fit.json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("catalog.csv:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty chain value"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hbayes::test
