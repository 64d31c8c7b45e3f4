// End-to-end `hbayes score`: the CSV contract, every bad-input rule, no half-written output.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "support/csv_lines.hpp"
#include "support/tolerances.hpp"

namespace hbayes::test {
namespace {

const char* kBetaBinomial = "score --model beta-binomial --alpha 5 --beta 95 --backend cpu";

TEST(CliScore, BetaBinomialWritesTheDocumentedColumns) {
  ScratchDir dir;
  write_file(dir / "stores.csv",
             "store_id,region,successes,trials\nA,north,2,20\nB,south,0,0\nC,east,40,400\n");
  const CliResult r =
      run_cli(dir, std::string(kBetaBinomial) + " --input stores.csv --output post.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(read_file(dir / "post.csv"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "store_id,raw,post_mean,post_sd,lower,upper,data_weight,post_alpha,post_beta");
  const auto a = fields_of(lines[1]);
  ASSERT_EQ(a.size(), 9u);
  EXPECT_EQ(a[0], "A");
  EXPECT_EQ(std::stod(a[1]), 0.1);
  EXPECT_TRUE(close(std::stod(a[2]), 7.0 / 120.0, kMoment));
  EXPECT_TRUE(close(std::stod(a[4]), 0.023974559730976159095, kQuantile));  // mpmath
  EXPECT_EQ(a[7], "7");
  EXPECT_EQ(a[8], "113");
  const auto b = fields_of(lines[2]);
  EXPECT_EQ(b[1], "") << "raw of a zero-trial store is missing, not a number";
  EXPECT_EQ(b[2], "0.05");
  // The run ends with one summary line naming rows, seconds, rows/s and backend.
  EXPECT_NE(r.err.find("3 rows scored, 0 rejected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rows/s, backend cpu"), std::string::npos) << r.err;
}

TEST(CliScore, NumbersRoundTripAtFullPrecision) {
  ScratchDir dir;
  write_file(dir / "s.csv", "successes,trials\n1,3\n");
  ASSERT_EQ(run_cli(dir, std::string(kBetaBinomial) + " --input s.csv --output o.csv").exit_code, 0);
  const auto row = fields_of(lines_of(read_file(dir / "o.csv"))[1]);
  EXPECT_EQ(std::stod(row[1]), 6.0 / 103.0);  // exact double of the posterior mean
}

TEST(CliScore, GammaPoissonAndNormalNormal) {
  ScratchDir dir;
  write_file(dir / "p.csv", "count,exposure\n3,1.5\n0,2\n");
  CliResult r = run_cli(dir, "score --model gamma-poisson --shape 2 --rate 4 --backend cpu "
                             "--input p.csv --output o.csv --predict-exposure 10");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(read_file(dir / "o.csv"));
  EXPECT_EQ(lines[0],
            "raw,post_mean,post_sd,lower,upper,data_weight,post_shape,post_rate,pred_mean,"
            "pred_lower,pred_upper");
  auto row = fields_of(lines[1]);
  EXPECT_EQ(row[0], "2");
  EXPECT_TRUE(close(std::stod(row[1]), 5.0 / 5.5, kMoment));
  EXPECT_TRUE(close(std::stod(row[5]), 1.5 / 5.5, kMoment));

  write_file(dir / "n.csv", "school,estimate,std_error\nA,28,15\nB,8,10\n");
  r = run_cli(dir, "score --model normal-normal --mu 8 --tau 1 --backend cpu --id-column school "
                   "--input n.csv --output o.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(read_file(dir / "o.csv"));
  EXPECT_EQ(lines[0], "school,raw,post_mean,post_sd,lower,upper,data_weight");
  row = fields_of(lines[1]);
  EXPECT_TRUE(close(std::stod(row[6]), 1.0 / 226.0, kMoment));
}

TEST(CliScore, RenamedColumnsAndStdinStdout) {
  ScratchDir dir;
  write_file(dir / "in.csv", "id,conv,visits\nx,2,20\n");
  const CliResult r = run_cli(dir,
                              std::string(kBetaBinomial) +
                                  " --successes-column conv --trials-column visits "
                                  "--id-column id --input - --output -",
                              (dir / "in.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(fields_of(lines[1])[0], "x");
}

TEST(CliScore, GzipInput) {
  ScratchDir dir;
  gzFile gz = gzopen((dir / "s.csv.gz").c_str(), "wb");
  const std::string text = "successes,trials\n2,20\n";
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  const CliResult r =
      run_cli(dir, std::string(kBetaBinomial) + " --input s.csv.gz --output o.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(read_file(dir / "o.csv")).size(), 2u);
}

struct BadInputCase {
  const char* name;
  const char* args;
  const char* csv;
  const char* message;  // expected substring of stderr
};

class CliBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(CliBadInput, ExitsTwoNamesThePlaceAndLeavesNoOutput) {
  const BadInputCase& c = GetParam();
  ScratchDir dir;
  write_file(dir / "in.csv", c.csv);
  const CliResult r = run_cli(dir, std::string(c.args) + " --input in.csv --output out.csv");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(c.message), std::string::npos) << "stderr: " << r.err;
  // Nothing but the input is left in the directory: no output, no temporary file.
  std::size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "in.csv");
  }
  EXPECT_EQ(entries, 1u);
}

const char* kGamma = "score --model gamma-poisson --shape 1 --rate 1 --backend cpu";
const char* kNormal = "score --model normal-normal --mu 0 --tau 1 --backend cpu";

INSTANTIATE_TEST_SUITE_P(
    EveryRule, CliBadInput,
    ::testing::Values(
        BadInputCase{"SuccessesExceedTrials", kBetaBinomial, "successes,trials\n1,2\n57,40\n",
                     "in.csv:3: successes (57) exceeds trials (40)"},
        BadInputCase{"NegativeCount", kBetaBinomial, "successes,trials\n-1,2\n",
                     "in.csv:2: column 'successes': '-1' is not a non-negative integer"},
        BadInputCase{"FractionalCount", kBetaBinomial, "successes,trials\n1,2.5\n",
                     "in.csv:2: column 'trials': '2.5' is not a non-negative integer"},
        BadInputCase{"CountOverflow", kBetaBinomial, "successes,trials\n1,99999999999999999999\n",
                     "in.csv:2: column 'trials': '99999999999999999999' is too large"},
        BadInputCase{"EmptyField", kBetaBinomial, "successes,trials\n,2\n",
                     "in.csv:2: column 'successes': missing value (expected a non-negative integer)"},
        BadInputCase{"ZeroExposure", kGamma, "count,exposure\n1,0\n",
                     "in.csv:2: exposure must be a positive finite number (got 0)"},
        BadInputCase{"InfiniteExposure", kGamma, "count,exposure\n1,inf\n",
                     "in.csv:2: column 'exposure': 'inf' is not a finite number"},
        BadInputCase{"NanEstimate", kNormal, "estimate,std_error\nnan,1\n",
                     "in.csv:2: column 'estimate': 'nan' is not a finite number"},
        BadInputCase{"NegativeStdError", kNormal, "estimate,std_error\n1,-1\n",
                     "in.csv:2: std_error must be a positive finite number (got -1)"},
        BadInputCase{"WrongFieldCount", kBetaBinomial, "successes,trials\n1,2\n3\n",
                     "in.csv:3: expected 2 fields, found 1"},
        BadInputCase{"MissingColumn", kBetaBinomial, "wins,trials\n1,2\n",
                     "--successes-column"},
        BadInputCase{"MissingIdColumn",
                     "score --model beta-binomial --alpha 1 --beta 1 --id-column shop",
                     "successes,trials\n1,2\n", "--id-column"},
        BadInputCase{"EmptyInput", kBetaBinomial, "", "in.csv: empty input"},
        BadInputCase{"HeaderOnly", kBetaBinomial, "successes,trials\n", "in.csv: no data rows"},
        BadInputCase{"BadAlpha", "score --model beta-binomial --alpha 0 --beta 1",
                     "successes,trials\n1,2\n", "alpha must be a positive finite number"},
        BadInputCase{"BadTau", "score --model normal-normal --mu 0 --tau -1",
                     "estimate,std_error\n1,2\n", "tau must be a positive finite number"},
        BadInputCase{"MissingHyperparameter", "score --model gamma-poisson --shape 1",
                     "count,exposure\n1,2\n", "--rate is required"},
        BadInputCase{"BadLevel", "score --model beta-binomial --alpha 1 --beta 1 --level 1.5",
                     "successes,trials\n1,2\n", "level must be strictly between 0 and 1"},
        BadInputCase{"SkipWithoutRejects",
                     "score --model beta-binomial --alpha 1 --beta 1 --on-bad-row skip",
                     "successes,trials\n1,2\n", "--on-bad-row skip needs --rejects"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

TEST(CliScore, FailedRunKeepsAnExistingOutputIntact) {
  ScratchDir dir;
  write_file(dir / "out.csv", "precious\n");
  write_file(dir / "in.csv", "successes,trials\n1,2\n3,1\n");
  const CliResult r = run_cli(dir, std::string(kBetaBinomial) + " --input in.csv --output out.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file(dir / "out.csv"), "precious\n");
}

TEST(CliScore, MissingInputFileIsAClearError) {
  ScratchDir dir;
  const CliResult r = run_cli(dir, std::string(kBetaBinomial) + " --input nope.csv --output o.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "o.csv"));
}

TEST(CliScore, SkipModePutsEveryRowInExactlyOneOutput) {
  ScratchDir dir;
  write_file(dir / "in.csv",
             "store_id,successes,trials\n"
             "a,1,10\n"
             "b,11,10\n"
             "c,x,10\n"
             "d,2\n"
             "e,3,30\n");
  const CliResult r = run_cli(dir, std::string(kBetaBinomial) +
                                       " --on-bad-row skip --rejects rej.csv --input in.csv "
                                       "--output out.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines_of(read_file(dir / "out.csv"));
  const auto rejects = lines_of(read_file(dir / "rej.csv"));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(fields_of(out[1])[0], "a");
  EXPECT_EQ(fields_of(out[2])[0], "e");
  ASSERT_EQ(rejects.size(), 4u);
  EXPECT_EQ(rejects[0], "line,reason,record");
  EXPECT_EQ(rejects[1], "3,successes (11) exceeds trials (10),\"b,11,10\"");
  EXPECT_EQ(rejects[2].substr(0, 2), "4,");
  EXPECT_EQ(rejects[3].substr(0, 2), "5,");
  EXPECT_NE(r.err.find("2 rows scored, 3 rejected"), std::string::npos) << r.err;
}

// Long inputs are read a block at a time and cut into pieces that threads parse on their own:
// row order, ids holding commas, quotes and line breaks, and the line numbers of bad rows deep
// in the file must all come out as if the file were read front to back, whatever the threads.
TEST(CliScore, LongInputKeepsOrderAndLineNumbersAcrossBlocks) {
  ScratchDir dir;
  std::string csv = "store_id,successes,trials\n";
  std::vector<std::string> expected_ids;  // as the output writes them
  std::vector<std::size_t> bad_lines;
  std::size_t line = 2;
  for (int i = 0; i < 200000; ++i) {  // about 3.5 MB: several blocks
    std::string id = "s" + std::to_string(i), written = id;
    if (i % 97 == 0) id = "s," + std::to_string(i), written = "\"" + id + "\"";
    if (i % 101 == 0)
      id = "s\"" + std::to_string(i), written = "\"s\"\"" + std::to_string(i) + "\"";
    if (i % 103 == 0) id = "a\nb" + std::to_string(i), written = "\"" + id + "\"";
    const bool bad = i % 50000 == 49999;
    csv += written + (bad ? ",11,10\n" : ",1,10\n");
    if (bad) {
      bad_lines.push_back(line);
    } else {
      expected_ids.push_back(written);
    }
    line += 1 + static_cast<std::size_t>(std::count(id.begin(), id.end(), '\n'));
  }
  write_file(dir / "in.csv", csv);
  const std::string skip = std::string(kBetaBinomial) +
                           " --on-bad-row skip --rejects rej.csv --input in.csv --output out.csv";
  CliResult r = run_cli(dir, skip + " --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string one_thread = read_file(dir / "out.csv");
  r = run_cli(dir, skip + " --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string output = read_file(dir / "out.csv");
  EXPECT_TRUE(output == one_thread) << "the output depends on the number of threads";

  // Each row: the id as written, then 8 numbers (no quotes or line breaks) and a line break.
  std::size_t at = output.find('\n') + 1;
  for (std::size_t i = 0; i < expected_ids.size(); ++i) {
    ASSERT_EQ(output.compare(at, expected_ids[i].size() + 1, expected_ids[i] + ","), 0)
        << "row " << i << " should start with " << expected_ids[i];
    at = output.find('\n', at + expected_ids[i].size()) + 1;
  }
  EXPECT_EQ(at, output.size());

  const auto rejects = lines_of(read_file(dir / "rej.csv"));
  ASSERT_EQ(rejects.size(), bad_lines.size() + 1);
  for (std::size_t i = 0; i < bad_lines.size(); ++i) {
    EXPECT_EQ(rejects[i + 1].substr(0, rejects[i + 1].find(',')), std::to_string(bad_lines[i]));
  }
  EXPECT_NE(r.err.find("199996 rows scored, 4 rejected"), std::string::npos) << r.err;

  r = run_cli(dir, std::string(kBetaBinomial) + " --input in.csv --output out2.csv");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find("in.csv:" + std::to_string(bad_lines[0]) + ": successes (11) exceeds trials (10)"),
      std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out2.csv"));
}

TEST(CliScore, CudaWithoutDeviceExitsThree) {
  ScratchDir dir;
  write_file(dir / "in.csv", "successes,trials\n1,2\n");
  const CliResult probe = run_cli(
      dir, "score --model beta-binomial --alpha 1 --beta 1 --input in.csv --output o.csv");
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  if (probe.err.find("backend cuda") != std::string::npos) GTEST_SKIP() << "a GPU is usable";
  // auto fell back with a one-line notice...
  EXPECT_NE(probe.err.find("running on the CPU backend"), std::string::npos) << probe.err;
  // ...and an explicit request is a clear error, not a crash.
  const CliResult r = run_cli(dir, "score --model beta-binomial --alpha 1 --beta 1 "
                                   "--backend cuda --input in.csv --output o2.csv");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("--backend cuda"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "o2.csv"));
}

TEST(CliScore, HelpListsEveryOption) {
  ScratchDir dir;
  const CliResult r = run_cli(dir, "score --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option :
       {"--model", "--alpha", "--beta", "--shape", "--rate", "--mu", "--tau", "--input",
        "--output", "--level", "--id-column", "--successes-column", "--trials-column",
        "--count-column", "--exposure-column", "--estimate-column", "--std-error-column",
        "--predict-trials", "--predict-exposure", "--on-bad-row", "--rejects", "--backend",
        "--threads"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace hbayes::test
