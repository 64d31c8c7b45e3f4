// End-to-end `hbayes score --prior` of a per-chain fit (`hbayes fit --by`): every row is scored
// with its own chain's prior, byte for byte as scoring that chain's rows alone with the same
// hyperparameters by hand; rows of unknown or failed chains are bad rows.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "support/csv_lines.hpp"

namespace hbayes::test {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::uint64_t kSeed = 20261126;  // every catalog below is drawn from this seed

std::string full_precision(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

struct Family {
  const char* model;
  const char* header;
  const char* names[2];
};

const Family kBinomial{"beta-binomial", "store_id,chain_id,successes,trials\n", {"alpha", "beta"}};
const Family kPoisson{"gamma-poisson", "store_id,chain_id,count,exposure\n", {"shape", "rate"}};
const Family kNormal{"normal-normal", "store_id,chain_id,estimate,std_error\n", {"mu", "tau"}};

// `chains` chains of `per_chain` stores each, rows interleaved at random; chain c has its own
// prior (mean and spread move with c).
struct Catalog {
  std::string all;                              // every row, no header
  std::vector<std::string> row_chain;           // each row's chain, in file order
  std::map<std::string, std::string> by_chain;  // chain -> its rows, no header
};

Catalog make_catalog(const Family& family, std::size_t chains, std::size_t per_chain) {
  std::mt19937_64 rng(kSeed);
  std::uniform_int_distribution<std::size_t> pick(0, chains - 1);
  std::vector<std::size_t> left(chains, per_chain);
  const std::string model = family.model;
  Catalog catalog;
  for (std::size_t id = 0; id < chains * per_chain; ++id) {
    std::size_t c = pick(rng);
    while (left[c] == 0) c = (c + 1) % chains;
    --left[c];
    const std::string chain = "ch" + std::to_string(c);
    std::string data;
    if (model == "beta-binomial") {
      std::gamma_distribution<double> ga(1.0 + c, 1.0), gb(10.0 + 3.0 * c, 1.0);
      const double x = ga(rng), p = x / (x + gb(rng));
      const std::int64_t n = std::uniform_int_distribution<std::int64_t>(5, 200)(rng);
      data = std::to_string(std::binomial_distribution<std::int64_t>(n, p)(rng)) + "," +
             std::to_string(n);
    } else if (model == "gamma-poisson") {
      const double e = std::uniform_real_distribution<double>(0.5, 5.0)(rng);
      const double lambda = std::gamma_distribution<double>(1.0 + c, 1.0 / (0.5 + c))(rng);
      data = std::to_string(std::poisson_distribution<std::int64_t>(lambda * e)(rng)) + "," +
             full_precision(e);
    } else {
      const double s = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
      std::normal_distribution<double> z(0.0, 1.0);
      const double theta = -1.0 + c + (0.3 + 0.4 * c) * z(rng);
      data = full_precision(theta + s * z(rng)) + "," + full_precision(s);
    }
    const std::string row = std::to_string(id) + "," + chain + "," + data + "\n";
    catalog.all += row;
    catalog.row_chain.push_back(chain);
    catalog.by_chain[chain] += row;
  }
  return catalog;
}

// fit --by, then score --prior; each output row equals the row of scoring its chain alone with
// --alpha/--beta (...) read back from the fit JSON, in input order.
void expect_rows_match_chains_alone(const Family& family, std::size_t chains, std::size_t per_chain,
                                    const std::string& extra = "") {
  ScratchDir dir;
  const Catalog catalog = make_catalog(family, chains, per_chain);
  write_file(dir / "catalog.csv", family.header + catalog.all);
  const std::string model = std::string(" --model ") + family.model + " --backend cpu";
  CliResult r =
      run_cli(dir, "fit" + model + " --by chain_id --input catalog.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, "score --prior fit.json --backend cpu" + extra +
                       " --input catalog.csv --output post.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> post = lines_of(read_file(dir / "post.csv"));
  ASSERT_EQ(post.size(), catalog.row_chain.size() + 1);

  const Json fit = Json::parse(read_file(dir / "fit.json"));
  std::map<std::string, std::vector<std::string>> alone;  // chain -> its output rows
  std::string header;
  for (const auto& [chain, rows] : catalog.by_chain) {
    const Json& values = fit["chains"][chain]["hyperparameters"];
    ASSERT_TRUE(values.is_object()) << chain << ": " << fit["chains"][chain];
    write_file(dir / (chain + ".csv"), family.header + rows);
    std::string by_hand = "score" + model + extra;
    for (const char* name : family.names) {
      by_hand += std::string(" --") + name + " " + full_precision(values[name].get<double>());
    }
    r = run_cli(dir, by_hand + " --input " + chain + ".csv --output " + chain + ".out");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    alone[chain] = lines_of(read_file(dir / (chain + ".out")));
    header = alone[chain].front();
  }
  EXPECT_EQ(post.front(), header);  // the column contract is unchanged
  std::map<std::string, std::size_t> next;
  for (std::size_t i = 0; i < catalog.row_chain.size(); ++i) {
    const std::string& chain = catalog.row_chain[i];
    const std::size_t k = ++next[chain];
    ASSERT_LT(k, alone[chain].size());
    ASSERT_EQ(post[i + 1], alone[chain][k])
        << "row " << i + 1 << " (chain " << chain << ", seed " << kSeed << ")";
  }
}

TEST(CliScoreBy, BetaBinomialRowsEqualEachChainScoredAlone) {
  expect_rows_match_chains_alone(kBinomial, 3, 2000, " --predict-trials 50");
}

TEST(CliScoreBy, GammaPoissonRowsEqualEachChainScoredAlone) {
  expect_rows_match_chains_alone(kPoisson, 3, 2000, " --predict-exposure 2.5");
}

TEST(CliScoreBy, NormalNormalRowsEqualEachChainScoredAlone) {
  expect_rows_match_chains_alone(kNormal, 3, 2000);
}

// Many small chains per block: groups are scored in parallel (more groups than threads), and
// the input spans several 1 MiB blocks.
TEST(CliScoreBy, ManyChainsOverSeveralBlocksEqualEachChainScoredAlone) {
  expect_rows_match_chains_alone(kBinomial, 12, 6000, " --threads 2");
}

// `score --empirical-bayes --by chain_id` in one run writes, byte for byte, what `fit --by
// chain_id` followed by `score --prior` writes: the scores, and the fit as --fit-output.
void expect_empirical_bayes_by_equals_fit_then_score(const Family& family,
                                                     const std::string& fit_options,
                                                     const std::string& score_options = "") {
  ScratchDir dir;
  write_file(dir / "catalog.csv", family.header + make_catalog(family, 3, 2000).all);
  const std::string fit = std::string(" --model ") + family.model + " --backend cpu " + fit_options;
  CliResult r = run_cli(dir, "fit" + fit + " --by chain_id --input catalog.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, "score --prior fit.json --backend cpu" + score_options +
                       " --input catalog.csv --output two_steps.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, "score --empirical-bayes --by chain_id" + fit + score_options +
                       " --input catalog.csv --output one_step.csv --fit-output eb.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("empirical Bayes fit: 3 chains by chain_id, 3 fitted, 0 failed"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_file(dir / "eb.json"), read_file(dir / "fit.json"));
  const std::string one_step = read_file(dir / "one_step.csv");
  EXPECT_EQ(lines_of(one_step).size(), 3u * 2000u + 1u);
  EXPECT_EQ(one_step, read_file(dir / "two_steps.csv")) << "seed " << kSeed;
}

TEST(CliScoreBy, EmpiricalBayesBetaBinomialEqualsFitByThenScorePrior) {
  expect_empirical_bayes_by_equals_fit_then_score(kBinomial, "--method ml", " --predict-trials 50");
}

TEST(CliScoreBy, EmpiricalBayesNormalNormalEqualsFitByThenScorePrior) {
  expect_empirical_bayes_by_equals_fit_then_score(kNormal, "--method reml");
  expect_empirical_bayes_by_equals_fit_then_score(kNormal, "--method ml --information expected");
}

TEST(CliScoreBy, EmpiricalBayesGammaPoissonEqualsFitByThenScorePrior) {
  expect_empirical_bayes_by_equals_fit_then_score(kPoisson, "--method mom",
                                                  " --predict-exposure 2.5");
}

// A catalog of three chains plus "dry" (no successes anywhere: its fit fails) and "flat" (no
// overdispersion: its fit is on the boundary theta = 0) for fit --by, and an input to score
// holding the three chains' rows, a row of "dry" and a row of "ghost", a chain the fit has never
// seen.
struct BadChains {
  ScratchDir dir;
  std::size_t rows = 0;  // data rows in score.csv
  std::size_t dry_line = 0, ghost_line = 0;
};

void make_bad_chains(BadChains& b) {
  const Catalog catalog = make_catalog(kBinomial, 3, 40);
  std::string fit_rows = catalog.all, score_rows;
  std::size_t line = 1;
  std::istringstream in(catalog.all);
  for (std::string row; std::getline(in, row);) {
    score_rows += row + "\n", ++line;
    if (line == 21) {
      score_rows += "g1,ghost,3,10\n";
      b.ghost_line = ++line;
    }
    if (line == 42) {
      score_rows += "d9,dry,1,10\n";
      b.dry_line = ++line;
    }
  }
  for (int i = 0; i < 4; ++i) fit_rows += "d" + std::to_string(i) + ",dry,0,30\n";
  for (int i = 0; i < 4; ++i) fit_rows += "f" + std::to_string(i) + ",flat,5,50\n";
  b.rows = line - 1;
  write_file(b.dir / "fit.csv", kBinomial.header + fit_rows);
  write_file(b.dir / "score.csv", kBinomial.header + score_rows);
  const CliResult r = run_cli(b.dir,
                              "fit --model beta-binomial --backend cpu --by chain_id "
                              "--input fit.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json fit = Json::parse(read_file(b.dir / "fit.json"));
  ASSERT_TRUE(fit["chains"]["dry"].contains("error")) << fit;
  ASSERT_EQ(fit["chains"]["flat"]["boundary"], "theta") << fit;
  for (const char* chain : {"ch0", "ch1", "ch2"}) {
    ASSERT_EQ(fit["chains"][chain]["boundary"], nullptr) << fit;
  }
}

TEST(CliScoreBy, UnknownChainRowIsAnErrorNamingFileAndLine) {
  BadChains b;
  make_bad_chains(b);
  const CliResult r =
      run_cli(b.dir, "score --prior fit.json --backend cpu --input score.csv --output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("score.csv:" + std::to_string(b.ghost_line) + ":"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("chain 'ghost' is not in the fit"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(b.dir / "post.csv"));
}

TEST(CliScoreBy, FailedChainRowIsAnErrorNamingFileAndLine) {
  BadChains b;
  make_bad_chains(b);
  std::string text = read_file(b.dir / "score.csv");
  text.erase(text.find("g1,ghost,3,10\n"), 14);  // only the failed chain's row is left bad
  write_file(b.dir / "score.csv", text);
  const CliResult r =
      run_cli(b.dir, "score --prior fit.json --backend cpu --input score.csv --output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("score.csv:" + std::to_string(b.dry_line - 1) + ":"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("chain 'dry' cannot be scored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("its fit failed"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(b.dir / "post.csv"));
}

TEST(CliScoreBy, SkipSendsUnknownAndFailedChainRowsToRejects) {
  BadChains b;
  make_bad_chains(b);
  const CliResult r = run_cli(b.dir,
                              "score --prior fit.json --backend cpu --input score.csv "
                              "--output post.csv --on-bad-row skip --rejects rejects.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> post = lines_of(read_file(b.dir / "post.csv"));
  const std::vector<std::string> rejects = lines_of(read_file(b.dir / "rejects.csv"));
  ASSERT_EQ(rejects.size(), 3u);
  EXPECT_EQ(post.size() - 1 + rejects.size() - 1, b.rows);  // every row exactly once
  EXPECT_EQ(rejects[1].rfind(std::to_string(b.ghost_line) + ",", 0), 0u) << rejects[1];
  EXPECT_NE(rejects[1].find("chain 'ghost' is not in the fit"), std::string::npos);
  EXPECT_NE(rejects[1].find("g1,ghost,3,10"), std::string::npos);
  EXPECT_EQ(rejects[2].rfind(std::to_string(b.dry_line) + ",", 0), 0u) << rejects[2];
  EXPECT_NE(rejects[2].find("chain 'dry' cannot be scored"), std::string::npos);
  for (std::size_t i = 1; i < post.size(); ++i) {
    EXPECT_NE(post[i].rfind("g1,", 0), 0u);
    EXPECT_NE(post[i].rfind("d9,", 0), 0u);
  }
}

// The failed chain ("dry") and the chain on its boundary ("flat") of an --empirical-bayes --by
// fit are handled as `score --prior` of the same fit handles them: their rows are bad rows. Only
// the file a reason names differs (the fit's source: the input, not a fit file).
TEST(CliScoreBy, EmpiricalBayesByTreatsFailedAndBoundaryChainsAsScorePriorDoes) {
  BadChains b;
  make_bad_chains(b);
  const std::string skip = " --on-bad-row skip --rejects ";
  CliResult r = run_cli(b.dir,
                        "score --prior fit.json --backend cpu --input fit.csv --output "
                        "two_steps.csv" +
                            skip + "two_steps_rejects.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(b.dir,
              "score --model beta-binomial --empirical-bayes --by chain_id --backend cpu "
              "--input fit.csv --output one_step.csv --fit-output eb.json" +
                  skip + "one_step_rejects.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("5 chains by chain_id, 4 fitted, 1 failed (first: chain 'dry'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_file(b.dir / "eb.json"), read_file(b.dir / "fit.json"));
  EXPECT_EQ(read_file(b.dir / "one_step.csv"), read_file(b.dir / "two_steps.csv"));
  std::string expected_rejects = read_file(b.dir / "two_steps_rejects.csv");
  EXPECT_EQ(lines_of(expected_rejects).size(), 9u) << expected_rejects;  // 4 dry, 4 flat
  for (std::size_t at; (at = expected_rejects.find("(fit.json)")) != std::string::npos;) {
    expected_rejects.replace(at, 10, "(fit.csv)");
  }
  EXPECT_EQ(read_file(b.dir / "one_step_rejects.csv"), expected_rejects);

  // Without skip the first row of the failed chain ends the run (exit 2, nothing scored); the
  // fit is an answer and is still written.
  std::filesystem::remove(b.dir / "eb.json");
  r = run_cli(b.dir,
              "score --model beta-binomial --empirical-bayes --by chain_id --backend cpu "
              "--input fit.csv --output post.csv --fit-output eb.json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("chain 'dry' cannot be scored (fit.csv): its fit failed"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(b.dir / "post.csv"));
  EXPECT_EQ(read_file(b.dir / "eb.json"), read_file(b.dir / "fit.json"));
}

TEST(CliScoreBy, EmpiricalBayesByErrors) {
  ScratchDir dir;
  // Every chain fails (no successes, or no failures): exit 2 as `fit --by`, nothing written.
  write_file(dir / "dry.csv",
             "chain_id,successes,trials\nA,0,10\nA,0,12\nB,0,7\nB,0,9\nC,10,10\nC,4,4\n");
  CliResult r = run_cli(dir,
                        "score --model beta-binomial --empirical-bayes --by chain_id "
                        "--input dry.csv --output post.csv --fit-output eb.json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no chain of --by chain_id could be fitted (3 chains)"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir / "eb.json"));

  // The grouping column must exist.
  write_file(dir / "in.csv", std::string(kBinomial.header) + make_catalog(kBinomial, 2, 50).all);
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --by region --input in.csv "
              "--output post.csv");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("region"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--by"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));

  // stdin is read once and parsed twice from memory: the same scores as from the file.
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --by chain_id --input - "
              "--output from_stdin.csv",
              (dir / "in.csv").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --by chain_id --input in.csv "
              "--output from_file.csv");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "from_stdin.csv"), read_file(dir / "from_file.csv"));

  // A chain that did not converge: the fit is written as `fit --by` writes it, nothing scored.
  r = run_cli(dir,
              "fit --model beta-binomial --by chain_id --max-iterations 1 --input in.csv "
              "--output fit.json");
  ASSERT_EQ(r.exit_code, 4) << r.err;
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --by chain_id --max-iterations 1 "
              "--input in.csv --output post.csv --fit-output eb.json");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("chains did not converge"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(dir / "eb.json"), read_file(dir / "fit.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));
}

TEST(CliScoreBy, ByMustMatchTheFitFile) {
  BadChains b;
  make_bad_chains(b);
  CliResult r = run_cli(b.dir,
                        "score --prior fit.json --by region --backend cpu --input fit.csv "
                        "--output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chain_id"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--by region"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(b.dir / "post.csv"));

  // The file's own column may be named; fit.csv's dry and flat (boundary) rows still cannot be
  // scored.
  r = run_cli(b.dir,
              "score --prior fit.json --by chain_id --backend cpu --input fit.csv "
              "--output post.csv --on-bad-row skip --rejects rejects.csv");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string rejects = read_file(b.dir / "rejects.csv");
  EXPECT_EQ(lines_of(rejects).size(), 9u) << rejects;
  EXPECT_NE(rejects.find("chain 'flat' cannot be scored (fit.json): the fit is on the boundary"),
            std::string::npos)
      << rejects;
}

TEST(CliScoreBy, ByNeedsAPerChainFitFile) {
  ScratchDir dir;
  write_file(dir / "in.csv",
             "store_id,chain_id,successes,trials\na,x,3,10\nb,x,7,12\nc,y,1,9\n"
             "d,y,15,20\ne,x,4,30\nf,y,9,11\n");
  CliResult r = run_cli(dir, "fit --model beta-binomial --input in.csv --output fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, "score --prior fit.json --by chain_id --input in.csv --output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("per-chain fit"), std::string::npos) << r.err;
  r = run_cli(dir,
              "score --model beta-binomial --alpha 1 --beta 2 --by chain_id --input in.csv "
              "--output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--by needs --prior"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));
}

TEST(CliScoreBy, MissingByColumnInTheInputExitsTwo) {
  BadChains b;
  make_bad_chains(b);
  write_file(b.dir / "nochain.csv", "store_id,successes,trials\na,1,10\n");
  const CliResult r =
      run_cli(b.dir, "score --prior fit.json --backend cpu --input nochain.csv --output post.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("chain_id"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(b.dir / "post.csv"));
}

}  // namespace
}  // namespace hbayes::test
