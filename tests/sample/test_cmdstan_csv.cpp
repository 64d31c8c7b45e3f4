// CmdStan CSV output: the comment blocks readers parse, column order, both layouts, numbers
// that read back exactly, and nothing left behind by a failed write.
#include <gtest/gtest.h>
#include <omp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <string>
#include <system_error>

#include "hbayes/errors.hpp"
#include "io/io_test_files.hpp"
#include "sample/cmdstan_csv.hpp"
#include "sample/fake_sample_result.hpp"
#include "support/csv_lines.hpp"

namespace hbayes::sample_output {
namespace {

using test::fake_sample_result;
using test::fields_of;
using test::lines_of;
using test::read_file;
using test::TempDir;
using test::value_at;

CmdStanRun fake_run() {
  CmdStanRun run;
  run.model = "hier-normal";
  run.model_settings = {{"parameterization", "noncentered"}, {"prior_mu", "normal(0, 5)"}};
  run.options.warmup = 50;
  run.options.draws = 20;
  run.options.thin = 2;
  run.options.seed = 7;
  run.data_file = "schools.csv";
  return run;
}

std::size_t header_index(const std::vector<std::string>& lines) {
  return static_cast<std::size_t>(
      std::find_if(lines.begin(), lines.end(),
                   [](const std::string& line) { return line.empty() || line[0] != '#'; }) -
      lines.begin());
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::set<std::string> entries_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// Every data row of a file, checked against the draws: each field reads back as exactly the
// double written (NaN as NaN), counts are written as integers. Rows follow the header block.
void expect_rows(const std::vector<std::string>& lines, std::size_t first_row,
                 const SampleResult& r, std::size_t chain_begin, std::size_t chain_end,
                 bool with_index) {
  const std::size_t skip = with_index ? 2 : 0;
  std::size_t line = first_row;
  for (std::size_t c = chain_begin; c < chain_end; ++c) {
    for (std::size_t i = 0; i < r.draws; ++i, ++line) {
      ASSERT_LT(line, lines.size());
      const auto fields = fields_of(lines[line]);
      ASSERT_EQ(fields.size(), r.columns.size() + skip) << lines[line];
      if (with_index) {
        EXPECT_EQ(fields[0], std::to_string(c + 1));
        EXPECT_EQ(fields[1], std::to_string(i + 1));
      }
      for (std::size_t k = 0; k < r.columns.size(); ++k) {
        const double expected = r.value(c, i, k);
        const std::string& text = fields[k + skip];
        const double got = std::strtod(text.c_str(), nullptr);
        if (std::isnan(expected)) {
          EXPECT_EQ(text, "nan");
        } else {
          EXPECT_EQ(std::memcmp(&got, &expected, sizeof got), 0)
              << r.columns[k] << " chain " << c << " draw " << i << ": " << text;
        }
      }
    }
  }
}

TEST(CmdStanCsv, OneFileHasCmdStansBlocksAroundTheDraws) {
  TempDir dir;
  const std::string path = dir.file("draws.csv");
  const SampleResult r = fake_sample_result(2, 10, 3);
  write_draws_csv(path, r, fake_run());
  const auto lines = lines_of(read_file(path));

  // The configuration, as CmdStan lays it out and as rstan and ArviZ parse it.
  EXPECT_EQ(lines[0], "# stan_version_major = 2");
  for (const char* line : {"# model = hier-normal",
                           "# method = sample (Default)",
                           "#   sample",
                           "#     num_samples = 20",
                           "#     num_warmup = 50",
                           "#     save_warmup = 0 (Default)",
                           "#     thin = 2",
                           "#       engaged = 1 (Default)",
                           "#       delta = 0.7 (Default)",
                           "#     algorithm = hmc (Default)",
                           "#         engine = chees (Default)",
                           "#             max_leapfrog = 1024 (Default)",
                           "#         metric = diag_e (Default)",
                           "#     num_chains = 2",
                           "#   file = schools.csv",
                           "# init = 2 (Default)",
                           "#   seed = 7",
                           "#   backend = cpu",
                           "#   parameterization = noncentered",
                           "#   prior_mu = normal(0, 5)",
                           "#   warmup_restarts = 2"}) {
    EXPECT_TRUE(has_line(lines, line)) << line;
  }
  EXPECT_TRUE(has_line(lines, "#   file = " + path));
  EXPECT_TRUE(std::none_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.rfind("# id = ", 0) == 0;
  })) << "one file of all chains names no single chain";

  const std::size_t h = header_index(lines);
  ASSERT_LT(h + 5, lines.size());
  EXPECT_EQ(lines[h],
            "chain__,iter__,lp__,accept_stat__,stepsize__,n_leapfrog__,divergent__,energy__,mu,"
            "tau,theta.1,theta.2,theta.3");
  EXPECT_EQ(lines[h + 1], "# Adaptation terminated");
  EXPECT_EQ(lines[h + 2], "# Step size = 0.25");
  EXPECT_EQ(lines[h + 3], "# Trajectory length = 1.75");
  EXPECT_EQ(lines[h + 4], "# Diagonal elements of inverse mass matrix:");
  EXPECT_EQ(lines[h + 5], "# 1, 0.5, 0.3333333333333333, 0.25, 0.2");
  expect_rows(lines, h + 6, r, 0, 2, true);

  // CmdStan's timing block closes the file.
  ASSERT_EQ(lines.size(), h + 6 + 20 + 5);
  EXPECT_EQ(lines[h + 26], "# ");
  EXPECT_EQ(lines[h + 27], "#  Elapsed Time: 0.012 seconds (Warm-up)");
  EXPECT_EQ(lines[h + 28], "#                0.046 seconds (Sampling)");
  EXPECT_EQ(lines[h + 29], "#                0.058 seconds (Total)");
  EXPECT_EQ(lines[h + 30], "# ");
}

TEST(CmdStanCsv, NumbersReadBackExactlyAndCountsAreIntegers) {
  TempDir dir;
  SampleResult r = fake_sample_result(1, 9, 1);
  const double specials[] = {0.1,
                             1.0 / 3.0,
                             -0.0,
                             1e-300,
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()};
  for (std::size_t i = 0; i < 9; ++i) value_at(r, 0, i, test::kMu) = specials[i];
  value_at(r, 0, 3, test::kDivergent) = 1;
  value_at(r, 0, 4, test::kLeapfrog) = 1023;
  write_draws_csv(dir.file("d.csv"), r, fake_run());
  const auto lines = lines_of(read_file(dir.file("d.csv")));
  const std::size_t first = header_index(lines) + 6;
  expect_rows(lines, first, r, 0, 1, true);
  const auto row = [&](std::size_t i) { return fields_of(lines[first + i]); };
  EXPECT_EQ(row(2)[2 + test::kMu], "-0");
  EXPECT_EQ(row(6)[2 + test::kMu], "nan");
  EXPECT_EQ(row(7)[2 + test::kMu], "inf");
  EXPECT_EQ(row(8)[2 + test::kMu], "-inf");
  EXPECT_EQ(row(0)[2 + test::kLeapfrog], "7");
  EXPECT_EQ(row(4)[2 + test::kLeapfrog], "1023");
  EXPECT_EQ(row(3)[2 + test::kDivergent], "1");
  EXPECT_EQ(row(0)[2 + test::kDivergent], "0");
}

TEST(CmdStanCsv, ManyGroupsSpanSeveralFormattingBatches) {
  TempDir dir;
  // Rows of 20000 parameters: a formatting batch holds fewer rows than the file.
  const SampleResult r = fake_sample_result(2, 40, 20000);
  write_draws_csv(dir.file("d.csv"), r, fake_run());
  const auto lines = lines_of(read_file(dir.file("d.csv")));
  expect_rows(lines, header_index(lines) + 6, r, 0, 2, true);
}

TEST(CmdStanCsv, OneFilePerChainNamedForCmdStanReaders) {
  TempDir dir;
  const std::string out = dir.file("out");  // created by the writer
  const SampleResult r = fake_sample_result(3, 10, 2);
  const auto paths = write_chain_csvs(out, r, fake_run());
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(entries_in(out),
            (std::set<std::string>{"hier-normal_1.csv", "hier-normal_2.csv", "hier-normal_3.csv"}))
      << "no staging directory or temporary file is left";
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(paths[c], out + "/" + chain_file_name("hier-normal", c + 1, 3));
    const auto lines = lines_of(read_file(paths[c]));
    EXPECT_TRUE(has_line(lines, "# id = " + std::to_string(c + 1)));
    EXPECT_TRUE(has_line(lines, "#     num_chains = 3"));
    EXPECT_TRUE(has_line(lines, "#   file = " + paths[c]));
    EXPECT_TRUE(has_line(lines, c == 0 ? "#   warmup_restarts = 2" : "#   warmup_restarts = 0"));
    const std::size_t h = header_index(lines);
    EXPECT_EQ(lines[h],
              "lp__,accept_stat__,stepsize__,n_leapfrog__,divergent__,energy__,mu,tau,theta.1,"
              "theta.2");
    EXPECT_EQ(lines[h + 1], "# Adaptation terminated");
    expect_rows(lines, h + 6, r, c, c + 1, false);
    ASSERT_EQ(lines.size(), h + 6 + 10 + 5);
    EXPECT_EQ(lines[h + 17], "#  Elapsed Time: 0.012 seconds (Warm-up)");
  }
}

TEST(CmdStanCsv, ChainFileNamesSortInChainOrder) {
  EXPECT_EQ(chain_file_name("hier-normal", 1, 4), "hier-normal_1.csv");
  EXPECT_EQ(chain_file_name("hier-normal", 3, 12), "hier-normal_03.csv");
  EXPECT_EQ(chain_file_name("hier-normal", 12, 12), "hier-normal_12.csv");
  EXPECT_EQ(chain_file_name("m", 7, 1000), "m_0007.csv");
}

TEST(CmdStanCsv, TheSameDrawsWriteTheSameBytes) {
  TempDir dir;
  const SampleResult r = fake_sample_result(4, 50, 30);
  write_draws_csv(dir.file("d.csv"), r, fake_run());
  const std::string first = read_file(dir.file("d.csv"));
  write_draws_csv(dir.file("d.csv"), r, fake_run());
  EXPECT_EQ(read_file(dir.file("d.csv")), first);
}

TEST(CmdStanCsv, AnOutputDirHoldsOnlyThisRunsChainFiles) {
  TempDir dir;
  const std::string out = dir.file("out");
  check_output_dir(out, "hier-normal", 2);  // missing: it will be created
  std::filesystem::create_directory(out);
  test::write_file(out + "/notes.txt", "not a csv\n");
  test::write_file(out + "/hier-normal_2.csv", "an earlier run's chain 2\n");
  check_output_dir(out, "hier-normal", 2);  // both are fine: chain 2 is replaced
  for (const char* stray :
       {"hier-normal_3.csv", "hier-normal_01.csv", "summary.csv", "hier-binomial_1.csv"}) {
    test::write_file(out + "/" + stray, "x\n");
    try {
      check_output_dir(out, "hier-normal", 2);
      ADD_FAILURE() << stray << " was not refused";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(stray), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--output-dir"), std::string::npos) << e.what();
    }
    std::filesystem::remove(out + "/" + stray);
  }
  EXPECT_THROW(check_output_dir(out + "/notes.txt", "hier-normal", 2), InputError);
  // The writer checks too, before it writes anything.
  test::write_file(out + "/summary.csv", "x\n");
  EXPECT_THROW(write_chain_csvs(out, fake_sample_result(2, 5, 1), fake_run()), InputError);
  EXPECT_EQ(read_file(out + "/hier-normal_2.csv"), "an earlier run's chain 2\n");
}

// Runs `body` in a child process whose files cannot grow past 1 KiB (RLIMIT_FSIZE with SIGXFSZ
// ignored: writes past it fail with EFBIG, as a full disk fails with ENOSPC); returns whether
// `body` threw std::system_error there.
template <class Body>
bool fails_with_write_limit(Body body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    omp_set_num_threads(1);  // the parent's OpenMP threads do not exist in the child
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = 1024;
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      body();
    } catch (const std::system_error&) {
      _exit(0);
    } catch (...) {
      _exit(2);
    }
    _exit(1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(CmdStanCsv, AFailedWriteLeavesNoPartialFile) {
  TempDir dir;
  const SampleResult r = fake_sample_result(2, 100, 5);
  const std::string path = dir.file("draws.csv");
  test::write_file(path, "an earlier run\n");
  EXPECT_TRUE(fails_with_write_limit([&] { write_draws_csv(path, r, fake_run()); }));
  EXPECT_EQ(read_file(path), "an earlier run\n");
  EXPECT_EQ(entries_in(dir.path()), std::set<std::string>{"draws.csv"});

  const std::string out = dir.file("out");
  std::filesystem::create_directory(out);
  test::write_file(out + "/hier-normal_1.csv", "an earlier run\n");
  EXPECT_TRUE(fails_with_write_limit([&] { write_chain_csvs(out, r, fake_run()); }));
  EXPECT_EQ(read_file(out + "/hier-normal_1.csv"), "an earlier run\n");
  EXPECT_EQ(entries_in(out), std::set<std::string>{"hier-normal_1.csv"})
      << "no chain file, staging directory or temporary file is left";
}

}  // namespace
}  // namespace hbayes::sample_output
