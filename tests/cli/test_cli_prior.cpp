// End-to-end `hbayes score --prior` and `--empirical-bayes`: scoring with a saved or fresh fit
// equals scoring with the same hyperparameters given by hand; bad fit files and fits on their
// boundary are refused with exit 2, naming the file, and leave no output.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/cli_runner.hpp"
#include "fit/fit_data.hpp"

namespace hbayes::test {
namespace {

using Json = nlohmann::json;

std::string full_precision(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Overdispersed binomial stores (an interior ML fit).
const char* const kStores =
    "store_id,successes,trials\n"
    "a,3,10\nb,7,12\nc,1,9\nd,15,20\ne,4,30\nf,9,11\ng,0,5\nh,12,40\n";

// Overdispersed counts over exposures.
const char* const kCounts =
    "store_id,count,exposure\n"
    "a,3,1.5\nb,17,2\nc,0,1\nd,40,4.25\ne,2,3\nf,9,0.5\ng,25,10\n";

// Estimates spread well beyond their standard errors (tau > 0).
const char* const kEstimates =
    "study,estimate,std_error\n"
    "s1,-1.2,0.3\ns2,0.4,0.25\ns3,2.1,0.5\ns4,-0.3,0.2\ns5,1.5,0.4\ns6,0.9,0.35\n";

// tests/data/eight_schools.csv as estimate,std_error: REML puts tau exactly at 0.
std::string eight_schools_csv() {
  std::string csv = "school,estimate,std_error\n";
  for (const auto& row : read_data_csv("eight_schools.csv")) {
    csv += row[0] + "," + row[1] + "," + row[2] + "\n";
  }
  return csv;
}

struct Family {
  const char* model;
  const char* data;
  const char* names[2];
};

const Family kFamilies[] = {{"beta-binomial", kStores, {"alpha", "beta"}},
                            {"gamma-poisson", kCounts, {"shape", "rate"}},
                            {"normal-normal", kEstimates, {"mu", "tau"}}};

TEST(CliPrior, SavedFitScoresLikeTheSameHyperparametersByHand) {
  for (const Family& family : kFamilies) {
    SCOPED_TRACE(family.model);
    ScratchDir dir;
    write_file(dir / "in.csv", family.data);
    const std::string model = std::string(" --model ") + family.model;
    CliResult r = run_cli(dir, "fit" + model + " --input in.csv --output fit.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Json fit = Json::parse(read_file(dir / "fit.json"));
    ASSERT_EQ(fit["boundary"], nullptr) << fit;

    r = run_cli(dir, "score --prior fit.json --input in.csv --output prior.csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // JSON numbers read back exactly; %.17g on the command line does too.
    std::string by_hand = "score" + model;
    for (const char* name : family.names) {
      by_hand += std::string(" --") + name + " " +
                 full_precision(fit["hyperparameters"][name].get<double>());
    }
    r = run_cli(dir, by_hand + " --input in.csv --output hand.csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir / "prior.csv"), read_file(dir / "hand.csv"));

    // --model may be given too when it matches the file's.
    r = run_cli(dir, "score --prior fit.json" + model + " --input in.csv --output again.csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir / "again.csv"), read_file(dir / "hand.csv"));
  }
}

TEST(CliPrior, EmpiricalBayesEqualsFitThenScorePrior) {
  struct Case {
    const char* model;
    const char* data;
    const char* options;  // the fit's options, given to both runs
  };
  for (const Case& c : {Case{"beta-binomial", kStores, "--method ml"},
                        Case{"beta-binomial", kStores, "--method mom"},
                        Case{"gamma-poisson", kCounts, "--method ml"},
                        Case{"normal-normal", kEstimates, "--method reml"},
                        Case{"normal-normal", kEstimates, "--method ml --information expected"}}) {
    SCOPED_TRACE(std::string(c.model) + " " + c.options);
    ScratchDir dir;
    write_file(dir / "in.csv", c.data);
    const std::string options = std::string(" --model ") + c.model + " " + c.options;
    CliResult r = run_cli(dir, "fit" + options + " --input in.csv --output fit.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli(dir, "score --prior fit.json --input in.csv --output two_steps.csv");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli(dir, "score --empirical-bayes" + options +
                         " --input in.csv --output one_step.csv --fit-output eb.json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir / "one_step.csv"), read_file(dir / "two_steps.csv"));
    EXPECT_EQ(read_file(dir / "eb.json"), read_file(dir / "fit.json"));
    // stdin, read once and parsed twice from memory, gives the same bytes.
    r = run_cli(dir, "score --empirical-bayes" + options + " --input - --output from_stdin.csv",
                (dir / "in.csv").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir / "from_stdin.csv"), read_file(dir / "two_steps.csv"));
    // The fitted hyperparameters are in the stderr summary.
    const auto fit = nlohmann::ordered_json::parse(read_file(dir / "fit.json"));
    EXPECT_NE(r.err.find("empirical Bayes fit"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(fit["hyperparameters"].dump()), std::string::npos) << r.err;
  }
}

TEST(CliPrior, EmpiricalBayesSkipsBadRowsInBothPasses) {
  ScratchDir dir;
  write_file(dir / "in.csv", kStores);
  write_file(dir / "bad.csv", std::string(kStores) + "x,9,4\ny,oops,3\n");
  CliResult r = run_cli(dir,
                        "score --model beta-binomial --empirical-bayes --input in.csv "
                        "--output clean.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir,
              "score --model beta-binomial --empirical-bayes --input bad.csv "
              "--output skipped.csv --on-bad-row skip --rejects rejects.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "skipped.csv"), read_file(dir / "clean.csv"));
  r = run_cli(dir, "score --model beta-binomial --empirical-bayes --input bad.csv --output o.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:10"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "o.csv"));
}

// A fit that did not converge is written to --fit-output (as `hbayes fit` writes it), but nothing
// is scored: exit 4, and neither the output nor the rejects file exists afterwards.
TEST(CliPrior, EmpiricalBayesNotConvergedWritesTheFitAndScoresNothing) {
  ScratchDir dir;
  // examples/stores.csv needs more than one Newton iteration (README: 4).
  const std::string catalog = std::string(HBAYES_TEST_DATA_DIR) + "/../../examples/stores.csv";
  const std::string input = " --input '" + catalog + "'";
  CliResult r =
      run_cli(dir, "fit --model beta-binomial --max-iterations 1" + input + " --output fit.json");
  ASSERT_EQ(r.exit_code, 4) << r.err;
  for (const char* skip : {"", " --on-bad-row skip --rejects rejects.csv"}) {
    SCOPED_TRACE(skip);
    r = run_cli(dir, "score --model beta-binomial --empirical-bayes --max-iterations 1" + input +
                         " --output post.csv --fit-output eb.json" + skip);
    EXPECT_EQ(r.exit_code, 4) << r.err;
    EXPECT_NE(r.err.find("did not converge"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing scored"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(dir / "eb.json"), read_file(dir / "fit.json"));
    EXPECT_FALSE(Json::parse(read_file(dir / "eb.json"))["converged"].get<bool>());
    EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));
    EXPECT_FALSE(std::filesystem::exists(dir / "rejects.csv"));
    std::filesystem::remove(dir / "eb.json");
  }
  // Without --fit-output the run still stops before scoring.
  r = run_cli(dir, "score --model beta-binomial --empirical-bayes --max-iterations 1" + input +
                       " --output post.csv");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "post.csv"));
}

// A fit file written before the "information" key existed (or with it removed) scores the same.
TEST(CliPrior, FitFileWithoutInformationKeyScoresTheSame) {
  ScratchDir dir;
  write_file(dir / "in.csv", kEstimates);
  CliResult r = run_cli(dir,
                        "fit --model normal-normal --method reml --input in.csv --output "
                        "fit.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::ordered_json old = nlohmann::ordered_json::parse(read_file(dir / "fit.json"));
  ASSERT_EQ(old.erase("information"), 1u) << old;
  write_file(dir / "old.json", old.dump(2));
  r = run_cli(dir, "score --prior fit.json --input in.csv --output new.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_cli(dir, "score --prior old.json --input in.csv --output old.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(dir / "old.csv"), read_file(dir / "new.csv"));
}

// Runs a command that must fail with exit 2, naming `named`, and write no output.
void expect_refused(const ScratchDir& dir, const std::string& args, const std::string& named,
                    const std::string& reason) {
  SCOPED_TRACE(args);
  const CliResult r = run_cli(dir, args + " --output out.csv");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.csv"));
}

TEST(CliPrior, BadPriorFilesAndUsageAreRefused) {
  ScratchDir dir;
  write_file(dir / "in.csv", kStores);
  ASSERT_EQ(run_cli(dir, "fit --model beta-binomial --input in.csv --output fit.json").exit_code,
            0);
  write_file(dir / "broken.json", "{\"model\": \"beta-binomial\", \"hyperparameters\": {");
  write_file(dir / "no_beta.json",
             "{\"model\": \"beta-binomial\", \"hyperparameters\": {\"alpha\": 2}}");
  write_file(dir / "no_model.json", "{\"hyperparameters\": {\"alpha\": 2, \"beta\": 3}}");
  write_file(
      dir / "text_alpha.json",
      "{\"model\": \"beta-binomial\", \"hyperparameters\": {\"alpha\": \"2\", \"beta\": 3}}");
  write_file(dir / "negative.json",
             "{\"model\": \"beta-binomial\", \"hyperparameters\": {\"alpha\": -1, \"beta\": 3}}");

  expect_refused(dir, "score --prior fit.json --model gamma-poisson --input in.csv", "fit.json",
                 "the fit is for --model beta-binomial");
  expect_refused(dir, "score --prior broken.json --input in.csv",
                 "broken.json:", "not a valid fit JSON file");
  expect_refused(dir, "score --prior missing.json --input in.csv", "missing.json:", "cannot open");
  expect_refused(dir, "score --prior no_beta.json --input in.csv",
                 "no_beta.json:", "missing key \"hyperparameters.beta\"");
  expect_refused(dir, "score --prior no_model.json --input in.csv",
                 "no_model.json:", "missing key \"model\"");
  expect_refused(dir, "score --prior text_alpha.json --input in.csv",
                 "text_alpha.json:", "\"hyperparameters.alpha\" must be a number");
  expect_refused(dir, "score --prior negative.json --input in.csv", "negative.json:", "alpha");
  expect_refused(dir, "score --prior fit.json --alpha 2 --beta 3 --input in.csv", "fit.json",
                 "--alpha cannot be given");
  expect_refused(dir, "score --model beta-binomial --empirical-bayes --alpha 2 --input in.csv",
                 "--empirical-bayes", "--alpha cannot be given");
  expect_refused(dir, "score --prior fit.json --empirical-bayes --input in.csv", "--prior",
                 "exclude each other");
  expect_refused(dir, "score --alpha 2 --beta 3 --input in.csv", "--model", "required");
  expect_refused(dir, "score --model beta-binomial --alpha 2 --beta 3 --method ml --input in.csv",
                 "--method", "needs --empirical-bayes");
  expect_refused(dir, "score --model beta-binomial --empirical-bayes --method reml --input in.csv",
                 "--method reml", "normal-normal only");
  expect_refused(dir,
                 "score --model beta-binomial --alpha 2 --beta 3 --information expected "
                 "--input in.csv",
                 "--information", "needs --empirical-bayes");
  expect_refused(dir,
                 "score --model beta-binomial --alpha 2 --beta 3 --max-iterations 5 "
                 "--input in.csv",
                 "--max-iterations", "needs --empirical-bayes");
  expect_refused(dir,
                 "score --model beta-binomial --empirical-bayes --information expected "
                 "--input in.csv",
                 "--information expected", "normal-normal only");
}

// A fit on its boundary is a point-mass prior, which the scoring kernels do not take: refused
// with exit 2, naming the boundary (documented in the README).
TEST(CliPrior, FitsOnTheBoundaryAreRefusedNamingIt) {
  ScratchDir dir;
  write_file(dir / "schools.csv", eight_schools_csv());
  ASSERT_EQ(run_cli(dir,
                    "fit --model normal-normal --method reml --input schools.csv "
                    "--output fit.json")
                .exit_code,
            0);
  ASSERT_EQ(Json::parse(read_file(dir / "fit.json"))["boundary"], "tau");
  expect_refused(dir, "score --prior fit.json --input schools.csv",
                 "fit.json:", "the fit is on the boundary tau = 0 (complete pooling");
  expect_refused(dir,
                 "score --model normal-normal --method reml --empirical-bayes "
                 "--input schools.csv --fit-output eb.json",
                 "schools.csv:", "boundary tau = 0");
  // The fit itself is an answer: --fit-output holds it even though nothing is scored.
  EXPECT_EQ(read_file(dir / "eb.json"), read_file(dir / "fit.json"));

  // Identical binomial rates: no overdispersion, theta = 0, alpha and beta written as null.
  write_file(dir / "flat.csv", "successes,trials\n5,10\n5,10\n5,10\n6,10\n4,10\n");
  ASSERT_EQ(run_cli(dir, "fit --model beta-binomial --input flat.csv --output flat.json").exit_code,
            0);
  const Json flat = Json::parse(read_file(dir / "flat.json"));
  ASSERT_EQ(flat["boundary"], "theta") << flat;
  ASSERT_EQ(flat["hyperparameters"]["alpha"], nullptr) << flat;
  expect_refused(dir, "score --prior flat.json --input flat.csv",
                 "flat.json:", "the fit is on the boundary theta = 0");
  expect_refused(dir, "score --model beta-binomial --empirical-bayes --input flat.csv",
                 "flat.csv:", "boundary theta = 0");
}

}  // namespace
}  // namespace hbayes::test
