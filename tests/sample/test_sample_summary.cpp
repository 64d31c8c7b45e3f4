// The posterior summary of a run (summary.csv and the terminal table) and Stan's convergence
// warnings, each triggered exactly past its threshold.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "hbayes/diagnostics.hpp"
#include "io/io_test_files.hpp"
#include "sample/fake_sample_result.hpp"
#include "sample/sample_summary.hpp"
#include "sample/sample_warnings.hpp"
#include "support/csv_lines.hpp"

namespace hbayes::sample_output {
namespace {

using test::fake_sample_result;
using test::fields_of;
using test::lines_of;
using test::value_at;

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

TEST(SampleSummary, LpAndEveryParameterAsPosteriorSummarisesThem) {
  const SampleResult r = fake_sample_result(3, 40, 4);
  const auto rows = summarise_draws(r);
  const std::vector<std::string> names{"lp__",    "mu",      "tau",    "theta.1",
                                       "theta.2", "theta.3", "theta.4"};
  ASSERT_EQ(rows.size(), names.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].variable, names[i]);
    const std::size_t k = i == 0 ? test::kLp : test::kMu + i - 1;
    std::vector<double> column;
    for (std::size_t c = 0; c < r.chains; ++c) {
      for (std::size_t d = 0; d < r.draws; ++d) column.push_back(r.value(c, d, k));
    }
    const auto expected = diagnostics::summarise({column.data(), r.chains, r.draws});
    EXPECT_EQ(rows[i].summary.mean, expected.mean);
    EXPECT_EQ(rows[i].summary.q95, expected.q95);
    EXPECT_EQ(rows[i].summary.rhat, expected.rhat);
    EXPECT_EQ(rows[i].summary.ess_tail, expected.ess_tail);
  }
}

TEST(SampleSummary, CsvHasPosteriorsColumnsAtFullPrecision) {
  test::TempDir dir;
  SampleResult r = fake_sample_result(2, 30, 2);
  for (std::size_t c = 0; c < 2; ++c) {
    for (std::size_t d = 0; d < 30; ++d) value_at(r, c, d, test::kMu + 2) = 4.0;  // theta.1
  }
  const auto rows = summarise_draws(r);
  write_summary_csv(dir.file("summary.csv"), rows);
  const auto lines = lines_of(test::read_file(dir.file("summary.csv")));
  ASSERT_EQ(lines.size(), 1 + rows.size());
  EXPECT_EQ(lines[0], "variable,mean,median,sd,mad,q5,q95,rhat,ess_bulk,ess_tail");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto fields = fields_of(lines[i + 1]);
    ASSERT_EQ(fields.size(), 10u);
    EXPECT_EQ(fields[0], rows[i].variable);
    const auto& s = rows[i].summary;
    const double expected[] = {s.mean, s.median, s.sd,       s.mad,     s.q5,
                               s.q95,  s.rhat,   s.ess_bulk, s.ess_tail};
    for (std::size_t j = 0; j < 9; ++j) {
      const double got = fields[j + 1].empty() ? std::numeric_limits<double>::quiet_NaN()
                                               : std::strtod(fields[j + 1].c_str(), nullptr);
      EXPECT_TRUE(same(got, expected[j])) << lines[i + 1];
    }
  }
  // Constant draws: posterior's NA, an empty field.
  EXPECT_EQ(lines[4], "theta.1,4,4,0,0,4,4,,,");
}

TEST(SampleSummary, TableIsAlignedAndShowsNa) {
  SampleResult r = fake_sample_result(2, 30, 2);
  for (std::size_t c = 0; c < 2; ++c) {
    for (std::size_t d = 0; d < 30; ++d) value_at(r, c, d, test::kTau) = 2.5;
  }
  const auto lines = lines_of(summary_table(summarise_draws(r)));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].substr(0, 8), "variable");
  for (const std::string& line : lines) {
    // The last column is right-aligned, so aligned rows are equally long.
    EXPECT_EQ(line.size(), lines[0].size()) << line;
  }
  EXPECT_EQ(lines[3].substr(0, 3), "tau");
  EXPECT_NE(lines[3].find("2.5"), std::string::npos) << lines[3];
  EXPECT_EQ(lines[3].substr(lines[3].size() - 2), "NA") << lines[3];
}

TEST(SampleSummary, TableOfManyGroupsShowsTheFirstAndLastFew) {
  const auto rows = summarise_draws(fake_sample_result(2, 20, 100));  // 103 rows
  const auto lines = lines_of(summary_table(rows, 24));
  ASSERT_EQ(lines.size(), 1 + 18 + 1 + 6u);
  EXPECT_EQ(lines[1].substr(0, 4), "lp__");
  EXPECT_EQ(lines[18].substr(0, 9), "theta.15 ");
  EXPECT_EQ(lines[19], "... 79 rows not shown (theta.16 .. theta.94)");
  EXPECT_EQ(lines[20].substr(0, 9), "theta.95 ");
  EXPECT_EQ(lines[25].substr(0, 10), "theta.100 ");
}

// ---- Warnings -------------------------------------------------------------------------------

// Summaries that pass every check for `chains` chains, to be spoilt one value at a time.
std::vector<VariableSummary> passing(std::size_t chains) {
  const double ess = 100.0 * static_cast<double>(chains);
  std::vector<VariableSummary> rows;
  for (const char* name : {"lp__", "mu", "tau", "theta.1"}) {
    rows.push_back({name, {0, 0, 1, 1, -1.6, 1.6, kRhatLimit, ess, ess}});
  }
  return rows;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& text) {
  for (const std::string& w : warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(SampleWarnings, NoneForAWellMixedRun) {
  const SampleResult r = fake_sample_result(4, 1000, 3);
  const auto warnings = convergence_warnings(r, summarise_draws(r));
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  // Exactly at the thresholds: R-hat 1.01 and ESS 100 per chain still pass.
  EXPECT_TRUE(convergence_warnings(r, passing(4)).empty());
}

TEST(SampleWarnings, RhatAboveThresholdNamesTheWorst) {
  const SampleResult r = fake_sample_result(4, 50, 2);
  auto rows = passing(4);
  rows[2].summary.rhat = std::nextafter(kRhatLimit, 2.0);
  rows[1].summary.rhat = 1.2;
  auto warnings = convergence_warnings(r, rows);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("R-hat above 1.01 (or NA) for 2 of 4 variables (worst: mu 1.200, "
                              "tau 1.010)",
                              0),
            0u)
      << warnings[0];
  rows[3].summary.rhat = std::numeric_limits<double>::quiet_NaN();
  warnings = convergence_warnings(r, rows);
  EXPECT_TRUE(mentions(warnings, "3 of 4 variables (worst: theta.1 NA, mu 1.200")) << warnings[0];
}

TEST(SampleWarnings, BulkAndTailEssBelowOneHundredPerChain) {
  const SampleResult r = fake_sample_result(4, 50, 2);
  auto rows = passing(4);
  rows[0].summary.ess_bulk = 399.9;
  auto warnings = convergence_warnings(r, rows);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("bulk ESS below 100 per chain (400) for 1 of 4 variables (lowest: "
                              "lp__ 400)",
                              0),
            0u)
      << warnings[0];
  rows[0].summary.ess_bulk = 400;
  rows[3].summary.ess_tail = 12;
  warnings = convergence_warnings(r, rows);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("tail ESS below 100 per chain (400) for 1 of 4 variables (lowest: "
                             "theta.1 12)"),
            std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("variances and tail quantiles"), std::string::npos);
}

TEST(SampleWarnings, DivergencesAfterWarmupCountedPerChain) {
  SampleResult r = fake_sample_result(4, 1000, 2);
  const auto rows = passing(4);
  EXPECT_TRUE(convergence_warnings(r, rows).empty());
  value_at(r, 1, 10, test::kDivergent) = 1;
  value_at(r, 1, 11, test::kDivergent) = 1;
  value_at(r, 3, 999, test::kDivergent) = 1;
  const auto warnings = convergence_warnings(r, rows);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("3 of 4000 transitions after warmup were divergent (0.075%, by "
                              "chain: 0, 2, 0, 1)",
                              0),
            0u)
      << warnings[0];

  // Many chains: how many had any.
  SampleResult many = fake_sample_result(20, 10, 1);
  value_at(many, 5, 0, test::kDivergent) = 1;
  value_at(many, 5, 1, test::kDivergent) = 1;
  value_at(many, 17, 3, test::kDivergent) = 1;
  EXPECT_TRUE(mentions(convergence_warnings(many, passing(20)),
                       "3 of 200 transitions after warmup were divergent (1.5%, in 2 of 20 "
                       "chains)"));
}

TEST(SampleWarnings, LowEbfmiNamesTheChains) {
  SampleResult r = fake_sample_result(4, 1000, 2);
  const auto rows = passing(4);
  // A random walk's energy: successive differences small against its spread.
  for (std::size_t i = 1; i < 1000; ++i) {
    value_at(r, 2, i, test::kEnergy) =
        value_at(r, 2, i - 1, test::kEnergy) + 0.1 * value_at(r, 2, i, test::kEnergy);
  }
  std::vector<double> energy;
  for (std::size_t i = 0; i < 1000; ++i) energy.push_back(r.value(2, i, test::kEnergy));
  const double ebfmi = diagnostics::ebfmi(energy.data(), energy.size());
  ASSERT_LT(ebfmi, kEbfmiLimit);
  const auto warnings = convergence_warnings(r, rows);
  ASSERT_EQ(warnings.size(), 1u);
  char expected[64];
  std::snprintf(expected, sizeof expected, "E-BFMI below 0.3 in 1 of 4 chains (chain 3 %.3f)",
                ebfmi);
  EXPECT_EQ(warnings[0].rfind(expected, 0), 0u) << warnings[0];
}

}  // namespace
}  // namespace hbayes::sample_output
