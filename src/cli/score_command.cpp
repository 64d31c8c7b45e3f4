#include "cli/score_command.hpp"

#include <omp.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/score.hpp"
#include "io/atomic_output.hpp"
#include "io/csv_reader.hpp"
#include "io/number_format.hpp"
#include "io/parse_number.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

// Rows scored per kernel call: large enough to amortise a launch, small enough that memory
// stays flat however long the catalog is.
constexpr std::size_t kBatchRows = std::size_t{1} << 16;

// ---- How each family reads its two data columns and scores a batch ------------------------

// One of the two data columns of a family: its name in the file and the option renaming it.
struct DataColumn {
  std::string name;
  const char* option;
};

struct BetaBinomialModel {
  using First = std::int64_t;
  using Second = std::int64_t;
  BetaBinomialPrior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 2> kParams{"post_alpha", "post_beta"};
  std::optional<std::string> check(First y, Second n) const {
    return validation::binomial_row(y, n, first.name, second.name);
  }
  void score(const std::vector<First>& y, const std::vector<Second>& n,
             const ScoreOptions& options, const PosteriorColumns& out) const {
    hbayes::score(BinomialColumns{y.data(), n.data(), y.size()}, prior, options, out);
  }
};

struct GammaPoissonModel {
  using First = std::int64_t;
  using Second = double;
  GammaPoissonPrior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 2> kParams{"post_shape", "post_rate"};
  std::optional<std::string> check(First count, Second exposure) const {
    return validation::poisson_row(count, exposure, first.name, second.name);
  }
  void score(const std::vector<First>& count, const std::vector<Second>& exposure,
             const ScoreOptions& options, const PosteriorColumns& out) const {
    hbayes::score(PoissonColumns{count.data(), exposure.data(), count.size()}, prior, options,
                  out);
  }
};

struct NormalNormalModel {
  using First = double;
  using Second = double;
  NormalNormalPrior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 0> kParams{};
  std::optional<std::string> check(First estimate, Second std_error) const {
    return validation::normal_row(estimate, std_error, first.name, second.name);
  }
  void score(const std::vector<First>& estimate, const std::vector<Second>& std_error,
             const ScoreOptions& options, const PosteriorColumns& out) const {
    hbayes::score(NormalColumns{estimate.data(), std_error.data(), estimate.size()}, prior,
                  options, out);
  }
};

// Parses one data field; on failure returns the reason naming the column and the value.
std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                       std::int64_t* out) {
  const io::Parsed<std::int64_t> parsed = io::parse_count(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::count_problem(parsed.status, field);
}

std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                       double* out) {
  const io::Parsed<double> parsed = io::parse_finite(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::finite_problem(parsed.status, field);
}

// ---- Output -------------------------------------------------------------------------------

// Appends a CSV field, quoting it only when it holds a separator, quote or line break.
void append_csv_field(std::string& line, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    line.append(field);
    return;
  }
  line.push_back('"');
  for (char c : field) {
    if (c == '"') line.push_back('"');
    line.push_back(c);
  }
  line.push_back('"');
}

// A batch of accepted rows waiting to be scored, with their ids.
template <class Model>
struct Batch {
  std::vector<typename Model::First> first;
  std::vector<typename Model::Second> second;
  std::string ids;                  // concatenated id fields
  std::vector<std::size_t> id_end;  // end offset of each row's id in `ids`
  void clear() {
    first.clear(), second.clear(), ids.clear(), id_end.clear();
  }
};

// Terminal progress on stderr for long runs; silent when stderr is not a terminal.
class Progress {
 public:
  Progress() : enabled_(isatty(STDERR_FILENO) == 1), last_(Clock::now()) {}
  void update(std::size_t rows) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    std::fprintf(stderr, "\rhbayes score: %zu rows...", rows);
    shown_ = true;
  }
  void finish() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point last_;
};

// Streams the input through the model: parse, check, score in batches, write.
template <class Model>
int stream_scores(const Model& model, const ScoreSettings& s, const ScoreOptions& options,
                  const char* backend) {
  const auto start = std::chrono::steady_clock::now();
  io::CsvReader reader(s.input);
  const std::size_t first_index = reader.require_column(model.first.name, model.first.option);
  const std::size_t second_index = reader.require_column(model.second.name, model.second.option);
  std::optional<std::size_t> id_index;
  if (s.id_column_given) {
    id_index = reader.require_column(s.id_column, "--id-column");
  } else {
    id_index = reader.column("store_id");
  }
  const std::string id_name = s.id_column_given ? s.id_column : "store_id";
  const bool skip_bad_rows = s.on_bad_row == "skip";
  const bool predicting = options.predict_trials > 0 || options.predict_exposure > 0.0;

  io::AtomicOutputFile output(s.output);
  std::optional<io::AtomicOutputFile> rejects;
  if (skip_bad_rows) {
    rejects.emplace(s.rejects);
    rejects->write("line,reason,record\n");
  }

  std::string text;
  if (id_index) {
    append_csv_field(text, id_name);
    text.push_back(',');
  }
  text += "raw,post_mean,post_sd,lower,upper,data_weight";
  for (const char* name : Model::kParams) text += std::string(",") + name;
  if (predicting) text += ",pred_mean,pred_lower,pred_upper";
  text.push_back('\n');

  Batch<Model> batch;
  PosteriorTable table;
  std::size_t scored = 0, rejected = 0;
  Progress progress;

  std::vector<std::string> slices;  // per-thread formatted text of one batch
  const auto flush_batch = [&] {
    const std::size_t n = batch.first.size();
    if (n == 0) return;
    for (auto* column : {&table.raw, &table.post_mean, &table.post_sd, &table.lower,
                         &table.upper, &table.data_weight}) {
      column->resize(n);
    }
    if (!Model::kParams.empty()) table.post_param1.resize(n), table.post_param2.resize(n);
    if (predicting) {
      table.pred_mean.resize(n), table.pred_lower.resize(n), table.pred_upper.resize(n);
    }
    model.score(batch.first, batch.second, options, table.columns());
    // Output columns in file order.
    std::vector<const double*> columns = {table.raw.data(),   table.post_mean.data(),
                                          table.post_sd.data(), table.lower.data(),
                                          table.upper.data(), table.data_weight.data()};
    if (!Model::kParams.empty()) {
      columns.push_back(table.post_param1.data()), columns.push_back(table.post_param2.data());
    }
    if (predicting) {
      columns.push_back(table.pred_mean.data()), columns.push_back(table.pred_lower.data());
      columns.push_back(table.pred_upper.data());
    }
    // Formatting costs more than scoring a row: every thread formats its own slice of rows,
    // and the slices are written in order.
    slices.resize(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel num_threads(static_cast<int>(slices.size()))
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const auto threads = static_cast<std::size_t>(omp_get_num_threads());
      std::string& slice = slices[t];
      slice.clear();
      for (std::size_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
        if (id_index) {
          const std::size_t id_begin = i == 0 ? 0 : batch.id_end[i - 1];
          append_csv_field(slice,
                           std::string_view(batch.ids).substr(id_begin, batch.id_end[i] - id_begin));
          slice.push_back(',');
        }
        for (const double* column : columns) {
          io::append_double(slice, column[i]);
          slice.push_back(',');
        }
        slice.back() = '\n';
      }
    }
    output.write(text);
    text.clear();
    for (const std::string& slice : slices) output.write(slice);
    scored += n;
    batch.clear();
    progress.update(scored + rejected);
  };

  const auto reject = [&](std::size_t line, const std::string& reason, std::string_view record) {
    if (!skip_bad_rows) throw InputError(reader.source_name(), line, reason);
    std::string row = std::to_string(line) + ",";
    append_csv_field(row, reason);
    row.push_back(',');
    append_csv_field(row, record);
    row.push_back('\n');
    rejects->write(row);
    ++rejected;
  };

  io::CsvRecord record;
  for (;;) {
    try {
      if (!reader.next(record)) break;
    } catch (const io::RecordError& e) {
      // A malformed record (wrong field count, stray quote): the reader has moved past it.
      reject(e.line(), e.reason(), reader.last_record_text());
      continue;
    }
    typename Model::First first{};
    typename Model::Second second{};
    std::optional<std::string> problem =
        parse_field(record.fields[first_index], model.first, &first);
    if (!problem) problem = parse_field(record.fields[second_index], model.second, &second);
    if (!problem) problem = model.check(first, second);
    if (problem) {
      reject(record.line, *problem, record.text);
      continue;
    }
    batch.first.push_back(first);
    batch.second.push_back(second);
    if (id_index) {
      batch.ids.append(record.fields[*id_index]);
      batch.id_end.push_back(batch.ids.size());
    }
    if (batch.first.size() == kBatchRows) flush_batch();
  }
  flush_batch();
  if (scored + rejected == 0) throw InputError(reader.source_name(), 0, "no data rows");
  output.write(text);
  output.commit();
  if (rejects) rejects->commit();
  progress.finish();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "hbayes score: %zu rows scored, %zu rejected, %.3f s, %.0f rows/s, backend %s\n",
               scored, rejected, seconds, (scored + rejected) / (seconds > 0 ? seconds : 1e-9),
               backend);
  return 0;
}

}  // namespace

ScoreCommand::ScoreCommand(CLI::App& app) {
  auto& s = settings_;
  command_ = app.add_subcommand(
      "score",
      "Score every store's conjugate posterior under a given chain-level prior.\n"
      "Reads a CSV catalog (header required; '-' = stdin; .gz read through zlib) and writes\n"
      "one output row per store: [id,] raw, post_mean, post_sd, lower, upper, data_weight,\n"
      "the posterior parameters, and predictive columns when asked.");
  command_->add_option("--model", s.model, "Conjugate family")
      ->required()
      ->check(CLI::IsMember({"beta-binomial", "gamma-poisson", "normal-normal"}));
  command_->add_option("--alpha", s.alpha, "beta-binomial: prior Beta(alpha, beta), alpha > 0");
  command_->add_option("--beta", s.beta, "beta-binomial: prior Beta(alpha, beta), beta > 0");
  command_->add_option("--shape", s.shape, "gamma-poisson: prior Gamma(shape, rate), shape > 0");
  command_->add_option("--rate", s.rate, "gamma-poisson: prior Gamma(shape, rate), rate > 0");
  command_->add_option("--mu", s.mu, "normal-normal: prior mean of theta");
  command_->add_option("--tau", s.tau, "normal-normal: between-group SD of theta, tau > 0");
  command_->add_option("--input", s.input, "Input CSV catalog ('-' = stdin)")->required();
  command_->add_option("--output", s.output, "Output CSV ('-' = stdout)")->required();
  command_->add_option("--level", s.level, "Credible level of the equal-tailed interval")
      ->capture_default_str();
  command_->add_option("--id-column", s.id_column,
                       "Column copied to the output as the row id (default: store_id if present)");
  command_->add_option("--successes-column", s.successes_column, "beta-binomial successes column")
      ->capture_default_str();
  command_->add_option("--trials-column", s.trials_column, "beta-binomial trials column")
      ->capture_default_str();
  command_->add_option("--count-column", s.count_column, "gamma-poisson count column")
      ->capture_default_str();
  command_->add_option("--exposure-column", s.exposure_column, "gamma-poisson exposure column")
      ->capture_default_str();
  command_->add_option("--estimate-column", s.estimate_column, "normal-normal estimate column")
      ->capture_default_str();
  command_->add_option("--std-error-column", s.std_error_column,
                       "normal-normal standard-error column")
      ->capture_default_str();
  command_->add_option("--predict-trials", s.predict_trials,
                       "beta-binomial: add the posterior predictive of M future trials");
  command_->add_option("--predict-exposure", s.predict_exposure,
                       "gamma-poisson: add the posterior predictive of a future exposure E");
  command_->add_option("--on-bad-row", s.on_bad_row,
                       "error: stop at the first bad row, writing nothing; skip: score the rest "
                       "and write bad rows to --rejects")
      ->check(CLI::IsMember({"error", "skip"}))
      ->capture_default_str();
  command_->add_option("--rejects", s.rejects,
                       "With --on-bad-row skip: CSV of bad rows (line, reason, record)");
  command_->add_option("--backend", s.backend, "auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  command_->add_option("--threads", s.threads, "CPU threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
}

int ScoreCommand::run() {
  auto& s = settings_;
  s.id_column_given = command_->count("--id-column") > 0;
  const auto given = [&](const char* option) { return command_->count(option) > 0; };
  const auto require_options = [&](std::initializer_list<const char*> options) {
    for (const char* option : options) {
      if (!given(option)) {
        throw InputError("hbayes score", 0,
                         std::string(option) + " is required for --model " + s.model);
      }
    }
  };
  if (s.on_bad_row == "skip" && s.rejects.empty()) {
    throw InputError("hbayes score", 0, "--on-bad-row skip needs --rejects FILE");
  }
  if (s.on_bad_row == "error" && !s.rejects.empty()) {
    throw InputError("hbayes score", 0, "--rejects needs --on-bad-row skip");
  }

  ScoreOptions options;
  options.level = s.level;
  options.predict_trials = s.predict_trials;
  options.predict_exposure = s.predict_exposure;
  const auto family = s.model == "beta-binomial"   ? validation::Family::BetaBinomial
                      : s.model == "gamma-poisson" ? validation::Family::GammaPoisson
                                                   : validation::Family::NormalNormal;
  if (auto problem = validation::options(options, family)) {
    throw InputError("hbayes score", 0, *problem);
  }
  set_cpu_threads(s.threads);
  // Resolve once so the fallback notice is printed once, not per batch.
  const BackendChoice choice = resolve_backend(parse_backend(s.backend));
  if (!choice.notice.empty()) std::fprintf(stderr, "%s\n", choice.notice.c_str());
  options.backend = choice.backend;
  const char* backend = backend_name(choice.backend);

  const auto check_prior = [&](const auto& prior) {
    if (auto problem = validation::prior(prior)) throw InputError("hbayes score", 0, *problem);
  };
  if (s.model == "beta-binomial") {
    require_options({"--alpha", "--beta"});
    BetaBinomialModel model{{s.alpha, s.beta},
                            {s.successes_column, "--successes-column"},
                            {s.trials_column, "--trials-column"}};
    check_prior(model.prior);
    return stream_scores(model, s, options, backend);
  }
  if (s.model == "gamma-poisson") {
    require_options({"--shape", "--rate"});
    GammaPoissonModel model{{s.shape, s.rate},
                            {s.count_column, "--count-column"},
                            {s.exposure_column, "--exposure-column"}};
    check_prior(model.prior);
    return stream_scores(model, s, options, backend);
  }
  require_options({"--mu", "--tau"});
  NormalNormalModel model{{s.mu, s.tau},
                          {s.estimate_column, "--estimate-column"},
                          {s.std_error_column, "--std-error-column"}};
  check_prior(model.prior);
  return stream_scores(model, s, options, backend);
}

}  // namespace hbayes::cli
