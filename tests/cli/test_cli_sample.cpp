// End-to-end `hbayes sample`: the files it writes in both layouts, the summary, bad input named
// by file:line and column, exit codes, and runs that reproduce byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_runner.hpp"
#include "support/csv_lines.hpp"

namespace hbayes::test {
namespace {

const char* kSchools =
    "school,y,sigma\nA,28,15\nB,8,10\nC,-3,16\nD,7,11\nE,-1,9\nF,1,11\nG,18,10\nH,12,18\n";
// A short run of eight schools on the CPU; the options after it choose the outputs.
const char* kSample =
    "sample --model hier-normal --input schools.csv --estimate-column y --std-error-column sigma "
    "--chains 4 --warmup 150 --draws 100 --backend cpu ";

std::set<std::string> entries_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

std::size_t header_index(const std::vector<std::string>& lines) {
  std::size_t i = 0;
  while (i < lines.size() && !lines[i].empty() && lines[i][0] == '#') ++i;
  return i;
}

// A file's lines without CmdStan's elapsed-time block, the one part that differs between runs.
std::vector<std::string> without_timing(const std::string& text) {
  std::vector<std::string> lines = lines_of(text);
  const auto timing = std::find(lines.begin(), lines.end(), "# ");
  lines.erase(timing, lines.end());
  return lines;
}

const std::vector<std::string> kVariables{"lp__",    "mu",      "tau",     "theta.1",
                                          "theta.2", "theta.3", "theta.4", "theta.5",
                                          "theta.6", "theta.7", "theta.8"};

TEST(CliSample, OutputDirHoldsOneCmdStanFilePerChain) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  const CliResult r = run_cli(dir, std::string(kSample) + "--output-dir out --summary s.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(entries_in(dir / "out"),
            (std::set<std::string>{"hier-normal_1.csv", "hier-normal_2.csv", "hier-normal_3.csv",
                                   "hier-normal_4.csv"}));
  for (int c = 1; c <= 4; ++c) {
    const auto lines =
        lines_of(read_file(dir / "out" / ("hier-normal_" + std::to_string(c) + ".csv")));
    EXPECT_NE(std::find(lines.begin(), lines.end(), "# id = " + std::to_string(c)), lines.end());
    const std::size_t h = header_index(lines);
    ASSERT_LT(h, lines.size());
    EXPECT_EQ(lines[h],
              "lp__,accept_stat__,stepsize__,n_leapfrog__,divergent__,energy__,mu,tau,theta.1,"
              "theta.2,theta.3,theta.4,theta.5,theta.6,theta.7,theta.8");
    EXPECT_EQ(lines.size(), h + 6 + 100 + 5);  // adaptation block, draws, timing block
  }
  // The summary: a CSV row per variable, and the table on stdout.
  const auto summary = lines_of(read_file(dir / "s.csv"));
  ASSERT_EQ(summary.size(), 1 + kVariables.size());
  EXPECT_EQ(summary[0], "variable,mean,median,sd,mad,q5,q95,rhat,ess_bulk,ess_tail");
  for (std::size_t i = 0; i < kVariables.size(); ++i) {
    EXPECT_EQ(fields_of(summary[i + 1])[0], kVariables[i]);
  }
  EXPECT_EQ(r.out.rfind("variable", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("theta.8"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("hbayes sample: 8 groups, 4 chains x 100 draws, warmup "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("gradient evaluations, backend cpu"), std::string::npos) << r.err;
}

TEST(CliSample, OneFileHasChainAndIterationColumns) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  const CliResult r = run_cli(dir, std::string(kSample) + "--thin 4 --output draws.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(read_file(dir / "draws.csv"));
  const std::size_t h = header_index(lines);
  ASSERT_LT(h + 6 + 100, lines.size());
  EXPECT_EQ(lines[h].rfind("chain__,iter__,lp__,accept_stat__,", 0), 0u) << lines[h];
  // 100 draws thinned by 4: 25 per chain, rows grouped by chain.
  for (std::size_t row = 0; row < 100; ++row) {
    const auto fields = fields_of(lines[h + 6 + row]);
    EXPECT_EQ(fields[0], std::to_string(row / 25 + 1));
    EXPECT_EQ(fields[1], std::to_string(row % 25 + 1));
  }
  EXPECT_EQ(lines[h + 6 + 100], "# ");
  EXPECT_EQ(entries_in(dir.path()), (std::set<std::string>{"schools.csv", "draws.csv"}));
}

TEST(CliSample, PpcWritesOneRowPerGroupAndTheVarianceCheck) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  const CliResult r = run_cli(dir, std::string(kSample) + "--no-draws --ppc ppc.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(read_file(dir / "ppc.csv"));
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines[0], "quantity,observed,p_value");
  EXPECT_EQ(fields_of(lines[1])[0], "y.1");
  EXPECT_EQ(fields_of(lines[1])[1], "28");
  EXPECT_EQ(fields_of(lines[9])[0], "variance");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const double p = std::stod(fields_of(lines[i])[2]);
    EXPECT_GT(p, 0.0) << lines[i];
    EXPECT_LT(p, 1.0) << lines[i];
  }
  // The observed variance of the eight estimates (divisor J - 1).
  EXPECT_NEAR(std::stod(fields_of(lines[9])[1]), 109.07142857142857, 1e-9);
}

TEST(CliSample, TheSameSeedWritesTheSameFiles) {
  ScratchDir a, b, c;
  for (const ScratchDir* dir : {&a, &b, &c}) write_file(*dir / "schools.csv", kSchools);
  const std::string outputs = "--output draws.csv --summary s.csv";
  ASSERT_EQ(run_cli(a, std::string(kSample) + outputs + " --seed 5").exit_code, 0);
  ASSERT_EQ(run_cli(b, std::string(kSample) + outputs + " --seed 5").exit_code, 0);
  ASSERT_EQ(run_cli(c, std::string(kSample) + outputs + " --seed 6").exit_code, 0);
  EXPECT_EQ(without_timing(read_file(a / "draws.csv")), without_timing(read_file(b / "draws.csv")));
  EXPECT_EQ(read_file(a / "s.csv"), read_file(b / "s.csv"));
  EXPECT_NE(read_file(a / "s.csv"), read_file(c / "s.csv"));
}

TEST(CliSample, StdinAndStdout) {
  ScratchDir dir;
  write_file(dir / "in.csv", kSchools);
  const std::string args =
      "sample --model hier-normal --input - --estimate-column y --std-error-column sigma "
      "--warmup 100 --draws 50 --backend cpu ";
  // Draws on stdout: the table goes to stderr.
  CliResult r = run_cli(dir, args + "--output -", (dir / "in.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# stan_version_major = 2\n", 0), 0u);
  EXPECT_NE(r.err.find("variable"), std::string::npos) << r.err;
  // Summary only, on stdout.
  r = run_cli(dir, args + "--no-draws --summary -", (dir / "in.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("variable,mean,median,sd,mad,q5,q95,rhat,ess_bulk,ess_tail\n", 0), 0u);
  EXPECT_EQ(entries_in(dir.path()), std::set<std::string>{"in.csv"});
}

// --no-draws keeps no draws and streams the summary: the same seed's means and sds as a run that
// keeps its draws (exact), its other numbers close to them, and a line under the table that
// says which numbers are estimates.
TEST(CliSample, NoDrawsStreamsTheSummaryAndSaysSo) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  const CliResult streamed = run_cli(dir, std::string(kSample) + "--no-draws --summary s.csv");
  ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
  const CliResult kept = run_cli(dir, std::string(kSample) + "--output d.csv --summary k.csv");
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  const char* note = "streaming summary (no draws kept): mean, sd and rhat (classic split R-hat";
  EXPECT_NE(streamed.out.find(note), std::string::npos) << streamed.out;
  EXPECT_EQ(kept.out.find(note), std::string::npos) << kept.out;

  const auto s = lines_of(read_file(dir / "s.csv")), k = lines_of(read_file(dir / "k.csv"));
  ASSERT_EQ(s.size(), k.size());
  EXPECT_EQ(s[0], k[0]);  // the same header: the file stays a plain summary CSV
  for (std::size_t i = 1; i < s.size(); ++i) {
    const auto a = fields_of(s[i]), b = fields_of(k[i]);
    EXPECT_EQ(a[0], b[0]);
    for (const std::size_t column : {std::size_t{1}, std::size_t{3}}) {  // mean, sd
      const double x = std::stod(a[column]), y = std::stod(b[column]);
      EXPECT_LE(std::fabs(x - y), 1e-10 * (std::fabs(x) + std::fabs(y))) << s[i] << "\n" << k[i];
    }
    // The median within a tenth of the sd (4 x 100 draws give the histogram little to work on).
    EXPECT_NEAR(std::stod(a[2]), std::stod(b[2]), 0.1 * std::stod(b[3])) << s[i] << "\n" << k[i];
  }
}

TEST(CliSample, ShortRunsWarnOnStderr) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  // 40 draws in all cannot give the 400 effective draws that 4 chains need.
  const CliResult r =
      run_cli(dir,
              "sample --model hier-normal --input schools.csv --estimate-column y "
              "--std-error-column sigma --warmup 20 --draws 10 --backend cpu --no-draws");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("hbayes sample: warning: bulk ESS below 100 per chain (400)"),
            std::string::npos)
      << r.err;
}

TEST(CliSample, BadRowsNameFileLineAndColumn) {
  ScratchDir dir;
  const auto fails = [&](const std::string& file, const std::string& text, const char* model,
                         const std::string& expected) {
    write_file(dir / file, text);
    const CliResult r = run_cli(dir, std::string("sample --model ") + model + " --input " + file +
                                         " --backend cpu --warmup 10 --draws 10 --output d.csv");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "d.csv"));
  };
  fails("n.csv", "estimate,std_error\n1,2\n3,0\n", "hier-normal", "n.csv:3: std_error must be");
  fails("n.csv", "estimate,std_error\n1,2\nx,1\n", "hier-normal", "n.csv:3: column 'estimate'");
  fails("n.csv", "est,std_error\n1,2\n", "hier-normal", "--estimate-column");
  fails("b.csv", "successes,trials\n5,4\n", "hier-binomial", "b.csv:2: successes (5) exceeds");
  fails("b.csv", "successes,trials\n-1,4\n", "hier-binomial", "b.csv:2: column 'successes'");
  fails("p.csv", "count,exposure\n3,0\n", "hier-poisson", "p.csv:2: exposure must be");
  fails("p.csv", "count,exposure\n", "hier-poisson", "p.csv: no data rows");
}

TEST(CliSample, UsageErrorsExitTwoAndWriteNothing) {
  ScratchDir dir;
  write_file(dir / "schools.csv", kSchools);
  const auto fails = [&](const std::string& options, const std::string& expected) {
    const CliResult r = run_cli(dir, std::string(kSample) + options);
    EXPECT_EQ(r.exit_code, 2) << options << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << options << "\n" << r.err;
  };
  fails("", "--no-draws");
  fails("--output d.csv --output-dir out", "--output");
  fails("--output-dir out --no-draws", "--no-draws");
  fails("--output d.csv --no-draws", "--no-draws");
  fails("--output - --summary -", "stdout");
  fails("--output d.csv --prior-mu 'half-cauchy(0, 5)'", "--prior-mu");
  fails("--output d.csv --prior-tau 'normal(0, 1)'", "--prior-tau");
  fails("--output d.csv --prior-tau 'half-cauchy(0, 5'", "--prior-tau");
  fails("--output d.csv --group-prior 'student-t(x)'", "--group-prior");
  fails("--output d.csv --parameterization sideways", "--parameterization");
  std::filesystem::create_directory(dir / "out");
  write_file(dir / "out" / "summary.csv", "x\n");
  fails("--output-dir out", "summary.csv");
  std::filesystem::remove(dir / "out" / "summary.csv");
  fails("--output-dir out --summary out/summary.csv", "--summary");
  EXPECT_EQ(entries_in(dir.path()), (std::set<std::string>{"schools.csv", "out"}));
  EXPECT_TRUE(entries_in(dir / "out").empty());
  const CliResult r = run_cli(dir, "sample --model hier-gamma --input schools.csv --output d.csv");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace hbayes::test
