#include "sample/cmdstan_csv.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include "hbayes/errors.hpp"
#include "io/atomic_output.hpp"
#include "io/number_format.hpp"

namespace hbayes::sample_output {
namespace {

namespace fs = std::filesystem;

// Rows are formatted in parallel a batch at a time: large enough that threads rarely wait,
// small enough that the text of a batch is a modest amount of memory at any J.
constexpr std::size_t kBatchBytes = std::size_t{32} << 20;

// CmdStan writes the sampler's counts as integers; readers type them by the text.
bool is_count_column(const std::string& name) {
  return name == "n_leapfrog__" || name == "divergent__" || name == "treedepth__";
}

char* write_value(char* out, double value) {
  if (std::isnan(value)) {  // write_double leaves NaN empty; CmdStan and its readers use "nan"
    std::memcpy(out, "nan", 3);
    return out + 3;
  }
  return io::write_double(out, value);
}

char* write_count(char* out, double value) {
  return std::isfinite(value) ? io::write_integer(out, std::llround(value))
                              : write_value(out, value);
}

std::string number_text(double value) {
  char text[io::kMaxNumberChars];
  return std::string(text, write_value(text, value));
}

// One "# key = value" line, `depth` levels into CmdStan's argument tree, marked "(Default)" as
// CmdStan marks a setting left at its default (here hbayes's defaults).
void setting(std::string& text, int depth, const std::string& key, const std::string& value,
             bool is_default) {
  text += "# " + std::string(2 * static_cast<std::size_t>(depth), ' ') + key + " = " + value;
  text += is_default ? " (Default)\n" : "\n";
}

void section(std::string& text, int depth, const std::string& name) {
  text += "# " + std::string(2 * static_cast<std::size_t>(depth), ' ') + name + "\n";
}

// The configuration block before the header row. chain: 1-based, or 0 for the all-chains file
// (which has no single "id"). rstan and ArviZ read the "key = value" lines: rstan needs
// num_samples, num_warmup, save_warmup, thin, and engine and metric under algorithm = hmc.
std::string configuration(const SampleResult& result, const CmdStanRun& run, std::size_t chain,
                          const std::string& output_file) {
  const SampleOptions& o = run.options;
  const SampleOptions d;  // hbayes's defaults
  std::string t;
  setting(t, 0, "stan_version_major", "2", false);
  setting(t, 0, "stan_version_minor", "32", false);
  setting(t, 0, "stan_version_patch", "0", false);
  setting(t, 0, "model", run.model, false);
  setting(t, 0, "method", "sample", true);
  section(t, 1, "sample");
  setting(t, 2, "num_samples", std::to_string(o.draws), o.draws == d.draws);
  setting(t, 2, "num_warmup", std::to_string(o.warmup), o.warmup == d.warmup);
  setting(t, 2, "save_warmup", "0", true);
  setting(t, 2, "thin", std::to_string(o.thin), o.thin == d.thin);
  section(t, 2, "adapt");
  setting(t, 3, "engaged", "1", true);
  setting(t, 3, "delta", number_text(o.target_accept), o.target_accept == d.target_accept);
  setting(t, 2, "algorithm", "hmc", true);
  section(t, 3, "hmc");
  setting(t, 4, "engine", "chees", true);
  section(t, 5, "chees");
  t += "#             (hbayes: all chains step in lockstep, trajectory length adapted by ChEES;\n"
       "#             no NUTS tree, so no treedepth__ column)\n";
  setting(t, 6, "max_leapfrog", std::to_string(o.max_leapfrog), o.max_leapfrog == d.max_leapfrog);
  setting(t, 4, "metric", "diag_e", true);
  setting(t, 2, "num_chains", std::to_string(result.chains),
          result.chains == static_cast<std::size_t>(d.chains));
  if (chain > 0) setting(t, 0, "id", std::to_string(chain), false);
  section(t, 0, "data");
  setting(t, 1, "file", run.data_file, false);
  setting(t, 0, "init", number_text(o.init_radius), o.init_radius == d.init_radius);
  section(t, 0, "random");
  setting(t, 1, "seed", std::to_string(o.seed), o.seed == d.seed);
  section(t, 0, "output");
  setting(t, 1, "file", output_file, false);
  section(t, 0, "hbayes");
  setting(t, 1, "backend", backend_name(result.backend), false);
  // rstan names the sampler from this when given, else calls every non-static HMC engine NUTS.
  setting(t, 1, "sampler_t", "ChEES-HMC(diag_e)", false);
  for (const auto& [key, value] : run.model_settings) setting(t, 1, key, value, false);
  // How often warmup restarted this chain (all chains' total in the one file) from another
  // chain, stranded far below the others (SampleResult::warmup_restarts).
  std::size_t restarts = 0;
  for (std::size_t c = 0; c < result.warmup_restarts.size(); ++c) {
    if (chain == 0 || chain == c + 1) restarts += result.warmup_restarts[c];
  }
  setting(t, 1, "warmup_restarts", std::to_string(restarts), false);
  return t;
}

// The adaptation block that CmdStan writes after the header row.
std::string adaptation(const SampleResult& result) {
  std::string t = "# Adaptation terminated\n# Step size = " + number_text(result.step_size) +
                  "\n# Trajectory length = " + number_text(result.trajectory_length) +
                  "\n# Diagonal elements of inverse mass matrix:\n# ";
  for (std::size_t i = 0; i < result.inverse_metric.size(); ++i) {
    if (i > 0) t += ", ";
    t += number_text(result.inverse_metric[i]);
  }
  return t + "\n";
}

// CmdStan's closing block; fixed decimals, because rstan keeps only the digits and dots.
std::string elapsed_time(const SampleResult& result) {
  char text[256];
  std::snprintf(text, sizeof text,
                "# \n#  Elapsed Time: %.3f seconds (Warm-up)\n#                %.3f seconds "
                "(Sampling)\n#                %.3f seconds (Total)\n# \n",
                result.warmup_seconds, result.sampling_seconds,
                result.warmup_seconds + result.sampling_seconds);
  return text;
}

std::string header_row(const SampleResult& result, bool with_index) {
  std::string row = with_index ? "chain__,iter__," : "";
  for (const std::string& name : result.columns) row += name + ",";
  row.back() = '\n';
  return row;
}

// Writes the draws of chains [chain_begin, chain_end), with the chain__ and iter__ columns
// first when with_index.
void write_rows(io::AtomicOutputFile& out, const SampleResult& result, std::size_t chain_begin,
                std::size_t chain_end, bool with_index) {
  const std::size_t k = result.columns.size();
  std::vector<char> count(k);
  for (std::size_t c = 0; c < k; ++c) count[c] = is_count_column(result.columns[c]);
  // A row's text fits its room; the last number may write up to kMaxNumberChars past its text.
  const std::size_t room = (k + 2) * (io::kMaxNumberText + 1) + io::kMaxNumberChars;
  const std::size_t rows = (chain_end - chain_begin) * result.draws;
  const std::size_t batch =
      std::clamp<std::size_t>(kBatchBytes / room, 1, std::max<std::size_t>(rows, 1));
  std::unique_ptr<char[]> text(new char[batch * room]);
  std::vector<std::size_t> length(batch);
  for (std::size_t start = 0; start < rows; start += batch) {
    const auto n = static_cast<std::ptrdiff_t>(std::min(batch, rows - start));
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const std::size_t row = start + static_cast<std::size_t>(i);
      const std::size_t chain = chain_begin + row / result.draws, draw = row % result.draws;
      char* const begin = text.get() + static_cast<std::size_t>(i) * room;
      char* out_at = begin;
      if (with_index) {
        out_at = io::write_integer(out_at, static_cast<std::int64_t>(chain + 1));
        *out_at++ = ',';
        out_at = io::write_integer(out_at, static_cast<std::int64_t>(draw + 1));
        *out_at++ = ',';
      }
      const double* values = &result.values[(chain * result.draws + draw) * k];
      for (std::size_t c = 0; c < k; ++c) {
        out_at = count[c] ? write_count(out_at, values[c]) : write_value(out_at, values[c]);
        *out_at++ = ',';
      }
      out_at[-1] = '\n';
      length[static_cast<std::size_t>(i)] = static_cast<std::size_t>(out_at - begin);
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      out.write(std::string_view(text.get() + i * room, length[i]));
    }
  }
}

// Writes one whole file: chain 0 = every chain with the index columns, else that chain alone.
void write_file(io::AtomicOutputFile& out, const SampleResult& result, const CmdStanRun& run,
                std::size_t chain, const std::string& output_file) {
  out.write(configuration(result, run, chain, output_file));
  out.write(header_row(result, chain == 0));
  out.write(adaptation(result));
  if (chain == 0) {
    write_rows(out, result, 0, result.chains, true);
  } else {
    write_rows(out, result, chain - 1, chain, false);
  }
  out.write(elapsed_time(result));
}

// Whether `name` is chain_file_name(model, c, chains) for a chain c of this run.
bool is_chain_file(const std::string& name, const std::string& model, std::size_t chains) {
  const std::string prefix = model + "_", suffix = ".csv";
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0) {
    return false;
  }
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const std::size_t chain = std::stoull(digits);
  return chain >= 1 && chain <= chains && name == chain_file_name(model, chain, chains);
}

// A directory inside `dir` holding a run's files until all are written; removed with whatever
// it still holds when the run is over, written or failed.
class StagingDir {
 public:
  explicit StagingDir(const fs::path& dir) {
    std::string pattern = (dir / ".hbayes-staging-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(),
                              dir.string() + ": cannot create a staging directory");
    }
    path_ = pattern;
  }
  ~StagingDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

void write_draws_csv(const std::string& path, const SampleResult& result, const CmdStanRun& run) {
  io::AtomicOutputFile out(path);
  write_file(out, result, run, 0, path);
  out.commit();
}

std::string chain_file_name(const std::string& model, std::size_t chain, std::size_t chains) {
  const std::string number = std::to_string(chain), widest = std::to_string(chains);
  const std::size_t pad = widest.size() > number.size() ? widest.size() - number.size() : 0;
  return model + "_" + std::string(pad, '0') + number + ".csv";
}

void check_output_dir(const std::string& dir, const std::string& model, std::size_t chains) {
  const fs::path path(dir);
  if (!fs::exists(path)) return;
  if (!fs::is_directory(path)) throw InputError("--output-dir " + dir, 0, "not a directory");
  for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
    const std::string name = entry.path().filename().string();
    if (name.front() == '.' || entry.path().extension() != ".csv") continue;
    if (is_chain_file(name, model, chains)) continue;  // replaced by this run
    throw InputError("--output-dir " + dir, 0,
                     "holds " + name +
                         ", which readers of the directory (cmdstanpy, ArviZ given dir/*.csv) "
                         "would take for a chain of this run: remove it or choose another "
                         "directory");
  }
}

std::vector<std::string> write_chain_csvs(const std::string& dir, const SampleResult& result,
                                          const CmdStanRun& run) {
  check_output_dir(dir, run.model, result.chains);
  fs::create_directories(dir);
  const StagingDir staging(dir);
  std::vector<std::string> paths;
  for (std::size_t chain = 1; chain <= result.chains; ++chain) {
    const std::string name = chain_file_name(run.model, chain, result.chains);
    paths.push_back((fs::path(dir) / name).string());
    io::AtomicOutputFile out((staging.path() / name).string());
    write_file(out, result, run, chain, paths.back());
    out.commit();
  }
  // Every chain is written: renames within one file system, which do not fail for want of room.
  for (std::size_t chain = 1; chain <= result.chains; ++chain) {
    fs::rename(staging.path() / chain_file_name(run.model, chain, result.chains), paths[chain - 1]);
  }
  return paths;
}

}  // namespace hbayes::sample_output
