#include "cli/score_command.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli/catalog_columns.hpp"
#include "cli/catalog_fit.hpp"
#include "cli/fit_json.hpp"
#include "hbayes/errors.hpp"
#include "hbayes/fit.hpp"
#include "hbayes/fit_regression.hpp"
#include "hbayes/score.hpp"
#include "io/atomic_output.hpp"
#include "io/csv_field.hpp"
#include "io/csv_pieces.hpp"
#include "io/csv_reader.hpp"
#include "io/line_source.hpp"
#include "io/number_format.hpp"
#include "validation.hpp"

namespace hbayes::cli {
namespace {

// Each block of input (the reader's buffer, 1 MiB) is cut into pieces that threads take one at
// a time, to parse and later to format. Enough pieces per thread that threads finishing a block
// seldom wait long for the last one; each at least kMinPieceBytes, so that per-piece costs stay
// negligible.
constexpr std::size_t kPiecesPerThread = 16;
constexpr std::size_t kMinPieceBytes = std::size_t{16} << 10;

// ---- How each family reads its two data columns and scores a batch ------------------------

struct BetaBinomialModel {
  using First = std::int64_t;
  using Second = std::int64_t;
  using Prior = BetaBinomialPrior;
  using Regression = BetaBinomialRegression;
  Prior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 2> kParams{"post_alpha", "post_beta"};
  std::optional<std::string> check(First y, Second n) const {
    return validation::binomial_row(y, n, first.name, second.name);
  }
  static void score(const Prior& prior, const First* y, const Second* n, std::size_t rows,
                    const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(BinomialColumns{y, n, rows}, prior, options, out);
  }
  static void score(const Prior* priors, const First* y, const Second* n, std::size_t rows,
                    const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(BinomialColumns{y, n, rows}, priors, options, out);
  }
};

struct GammaPoissonModel {
  using First = std::int64_t;
  using Second = double;
  using Prior = GammaPoissonPrior;
  using Regression = GammaPoissonRegression;
  Prior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 2> kParams{"post_shape", "post_rate"};
  std::optional<std::string> check(First count, Second exposure) const {
    return validation::poisson_row(count, exposure, first.name, second.name);
  }
  static void score(const Prior& prior, const First* count, const Second* exposure,
                    std::size_t rows, const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(PoissonColumns{count, exposure, rows}, prior, options, out);
  }
  static void score(const Prior* priors, const First* count, const Second* exposure,
                    std::size_t rows, const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(PoissonColumns{count, exposure, rows}, priors, options, out);
  }
};

struct NormalNormalModel {
  using First = double;
  using Second = double;
  using Prior = NormalNormalPrior;
  using Regression = NormalNormalRegression;
  Prior prior;
  DataColumn first, second;
  static constexpr std::array<const char*, 0> kParams{};
  std::optional<std::string> check(First estimate, Second std_error) const {
    return validation::normal_row(estimate, std_error, first.name, second.name);
  }
  static void score(const Prior& prior, const First* estimate, const Second* std_error,
                    std::size_t rows, const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(NormalColumns{estimate, std_error, rows}, prior, options, out);
  }
  static void score(const Prior* priors, const First* estimate, const Second* std_error,
                    std::size_t rows, const ScoreOptions& options, const PosteriorColumns& out) {
    hbayes::score(NormalColumns{estimate, std_error, rows}, priors, options, out);
  }
};

// The priors of a per-chain fit (`score --prior` of a `fit --by` file), looked up by the value
// of the grouping column: a chain without a prior (its fit failed, or is on its boundary) keeps
// the reason its rows cannot be scored.
template <class Prior>
struct ChainPriors {
  std::string column;  // the grouping column (the fit's "by")
  std::string source;  // for messages: the fit file, or the input of --empirical-bayes
  std::unordered_map<std::string, std::uint32_t> index;  // chain value -> its slot below
  std::vector<Prior> priors;
  std::vector<std::string> problems;  // empty where the chain scores

  // Why a row of chain `value` cannot be scored, or nullopt with its slot in *slot.
  std::optional<std::string> find(std::string_view value, std::uint32_t* slot) const {
    if (value.empty()) return "column '" + column + "': empty chain value";
    const auto it = index.find(std::string(value));
    if (it == index.end()) {
      return "column '" + column + "': chain '" + std::string(value) + "' is not in the fit " +
             source;
    }
    if (!problems[it->second].empty()) {
      return "column '" + column + "': chain '" + std::string(value) + "' cannot be scored (" +
             source + "): " + problems[it->second];
    }
    *slot = it->second;
    return std::nullopt;
  }
};

// Builds the lookup from a per-chain saved fit; `make(values)` makes a chain's prior.
template <class Prior, class Make>
ChainPriors<Prior> chain_priors(const SavedPrior& saved, const std::string& source, Make make) {
  ChainPriors<Prior> out;
  out.column = saved.by;
  out.source = source;
  for (const ChainPrior& chain : saved.chains) {
    const auto slot = static_cast<std::uint32_t>(out.priors.size());
    out.index.emplace(chain.value, slot);
    out.priors.push_back(chain.problem.empty() ? make(chain.values) : Prior{});
    out.problems.push_back(chain.problem);
  }
  return out;
}

// The fit of a prior with covariates, as hbayes::store_priors takes it: each row's prior follows
// from the row's covariate columns.
template <class Regression>
struct StorePriors {
  Regression fit;
  std::vector<DataColumn> columns;  // the covariates, in the fit's order
};

// The regression of a saved fit with covariates (its coefficients and dispersion).
template <class Regression>
StorePriors<Regression> store_priors_of(const RegressionPrior& saved) {
  StorePriors<Regression> out;
  out.fit.coefficients.names.push_back("intercept");
  for (const std::string& name : saved.names) {
    out.fit.coefficients.names.push_back(name);
    out.columns.push_back({name, "--covariates"});
  }
  for (const double b : saved.coefficients) out.fit.coefficients.estimates.push_back({b, {}});
  if constexpr (std::is_same_v<Regression, NormalNormalRegression>) {
    out.fit.tau2.value = saved.dispersion;
    out.fit.tau.value = std::sqrt(saved.dispersion);
  } else {
    out.fit.dispersion.value = saved.dispersion;
  }
  return out;
}

// "a,b,c": column names as --covariates takes them.
std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ",") + name;
  return text;
}

// `columns` moved on by `offset` rows (null columns stay null).
PosteriorColumns shifted(const PosteriorColumns& columns, std::size_t offset) {
  PosteriorColumns out = columns;
  for (double** column :
       {&out.raw, &out.post_mean, &out.post_sd, &out.lower, &out.upper, &out.data_weight,
        &out.post_param1, &out.post_param2, &out.pred_mean, &out.pred_lower, &out.pred_upper}) {
    if (*column) *column += offset;
  }
  return out;
}

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

// ---- Pieces of a block: parsed, scored and formatted by one thread each ----------------------

// A row that the reader or the data rules turned down; `line` counts from its piece's start.
struct Rejection {
  std::size_t line;
  std::string reason;
  std::string record;
};

template <class Model>
struct Piece {
  io::PieceEnd end;
  std::vector<typename Model::First> first;  // the accepted rows' data
  std::vector<typename Model::Second> second;
  std::vector<std::uint32_t> chain;  // per-chain priors only: each row's slot in ChainPriors
  std::vector<double> covariates;    // per-store priors only: each row's covariates in turn
  std::string ids;                   // their id fields, one after another
  std::vector<std::size_t> id_ends;  // where each row's id ends in `ids`
  std::vector<Rejection> rejections;
  std::optional<Rejection> fatal;  // a quoted field never closed: the input cannot go on
  std::unique_ptr<char[]> text;    // the output rows: text_size bytes of text_room
  std::size_t text_size = 0, text_room = 0;
  std::exception_ptr failure;  // what went wrong on the thread that had the piece

  std::size_t rows() const { return first.size(); }
  void clear() {
    end = {}, first.clear(), second.clear(), chain.clear(), covariates.clear(), ids.clear();
    id_ends.clear();
    rejections.clear();
    fatal.reset(), failure = nullptr, text_size = 0;
  }
};

// Streams the input through the model a block (the reader's buffer) at a time: the block's
// pieces are parsed in parallel, its rows scored in one kernel call (on all threads, or on the
// GPU), and its pieces formatted in parallel while the last block's output is written. With
// per-chain priors the block's rows are grouped by chain and each group scored with its prior;
// with per-store priors (covariates) each row is scored with its own.
template <class Model>
class ScoreStream {
 public:
  using Chains = ChainPriors<typename Model::Prior>;
  using Stores = StorePriors<typename Model::Regression>;

  // `chains`: per-chain priors; `stores`: per-store priors (both null: every row takes
  // model.prior).
  ScoreStream(const Model& model, const ScoreSettings& s, const ScoreOptions& options,
              const Chains* chains, const Stores* stores)
      : model_(model),
        options_(options),
        chains_(chains),
        stores_(stores),
        reader_(s.input),
        first_index_(reader_.require_column(model.first.name, model.first.option)),
        second_index_(reader_.require_column(model.second.name, model.second.option)),
        id_index_(s.id_column_given ? reader_.require_column(s.id_column, "--id-column")
                                    : reader_.column("store_id")),
        by_index_(chains ? reader_.require_column(chains->column, "--by") : 0),
        skip_bad_rows_(s.on_bad_row == "skip"),
        predicting_(options.predict_trials > 0 || options.predict_exposure > 0.0),
        threads_(omp_get_max_threads()),
        output_(s.output) {
    if (skip_bad_rows_) {
      rejects_.emplace(s.rejects);
      rejects_->write("line,reason,record\n");
    }
    std::string header;
    if (id_index_) {
      io::append_csv_field(header, s.id_column_given ? s.id_column : "store_id");
      header.push_back(',');
    }
    header += "raw,post_mean,post_sd,lower,upper,data_weight";
    for (const char* name : Model::kParams) header += std::string(",") + name;
    if (predicting_) header += ",pred_mean,pred_lower,pred_upper";
    header.push_back('\n');
    output_.write(header);
    for (int t = 0; t < threads_; ++t) cursors_.emplace_back(reader_.columns());
    records_.resize(cursors_.size());
    if (stores_) {
      for (const DataColumn& c : stores_->columns) {
        covariate_index_.push_back(reader_.require_column(c.name, c.option));
      }
    }
  }

  // Reads, scores and writes everything; returns the rows scored and rejected.
  std::pair<std::size_t, std::size_t> run(Progress& progress) {
    bool read_more = false;
    for (;;) {
      const io::CsvBlock block = reader_.block(read_more);
      if (block.size == 0 && block.at_eof) break;
      read_more = process(block);
      progress.update(scored_ + rejected_);
    }
    write_pending();
    if (scored_ + rejected_ == 0) throw InputError(reader_.source_name(), 0, "no data rows");
    output_.commit();
    if (rejects_) rejects_->commit();
    return {scored_, rejected_};
  }

 private:
  using Pieces = std::vector<Piece<Model>>;

  // Parses, scores and formats one block, writing the last block's output meanwhile; returns
  // whether more input must be read before the rest of the block makes a record. Threads take
  // pieces one at a time (dynamic scheduling), so a thread slowed by other work holds the others
  // up by one piece at most.
  bool process(const io::CsvBlock& block) {
    const std::size_t wanted =
        std::clamp<std::size_t>(block.size / kMinPieceBytes, 1, cursors_.size() * kPiecesPerThread);
    const std::vector<std::size_t> cuts = io::cut_at_records(block, wanted);
    const std::size_t count = cuts.size() - 1;
    Pieces& pieces = sets_[current_];
    if (pieces.size() < count) pieces.resize(count);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
    for (std::size_t i = 0; i < count; ++i) {
      try {
        parse(pieces[i], block, cuts[i], cuts[i + 1],
              static_cast<std::size_t>(omp_get_thread_num()));
      } catch (...) {
        pieces[i].failure = std::current_exception();
      }
    }
    std::vector<io::PieceEnd> ends(count);
    for (std::size_t i = 0; i < count; ++i) ends[i] = pieces[i].end;
    const io::Stitch stitch = io::stitch(cuts, ends, block);
    account(pieces, stitch.pieces, block.line);
    reader_.consume(stitch.bytes, stitch.lines);
    score(pieces, stitch.pieces);
    format_and_write(pieces, stitch.pieces);
    pending_ = stitch.pieces;
    current_ = 1 - current_;
    return stitch.read_more;
  }

  // Parses and checks the records that start in [begin, end) of the block, on `thread`.
  void parse(Piece<Model>& piece, const io::CsvBlock& block, std::size_t begin, std::size_t end,
             std::size_t thread) {
    piece.clear();
    io::CsvCursor& cursor = cursors_[thread];
    const auto reject = [&](std::size_t line, std::string reason, std::string_view record) {
      piece.rejections.push_back({line, std::move(reason), std::string(record)});
      return skip_bad_rows_;  // in error mode the first bad row ends the run
    };
    piece.end = io::parse_piece(
        cursor, block, begin, end, records_[thread],
        [&](io::CsvStep step, const io::CsvRecord& record) {
          if (step == io::CsvStep::kUnterminated) {
            piece.fatal = Rejection{record.line, cursor.problem(), ""};
            return false;
          }
          if (step == io::CsvStep::kBadRecord) {
            return reject(record.line, cursor.problem(), record.text);
          }
          typename Model::First first{};
          typename Model::Second second{};
          std::optional<std::string> problem =
              parse_field(record.fields[first_index_], model_.first, &first);
          if (!problem) problem = parse_field(record.fields[second_index_], model_.second, &second);
          if (!problem) problem = model_.check(first, second);
          std::uint32_t slot = 0;
          if (!problem && chains_) problem = chains_->find(record.fields[by_index_], &slot);
          const std::size_t covariates = piece.covariates.size();
          for (std::size_t k = 0; k < covariate_index_.size() && !problem; ++k) {
            double x = 0.0;
            problem = parse_field(record.fields[covariate_index_[k]], stores_->columns[k], &x);
            piece.covariates.push_back(x);
          }
          if (problem) {
            piece.covariates.resize(covariates);
            return reject(record.line, std::move(*problem), record.text);
          }
          if (chains_) piece.chain.push_back(slot);
          piece.first.push_back(first);
          piece.second.push_back(second);
          if (id_index_) {
            piece.ids.append(record.fields[*id_index_]);
            piece.id_ends.push_back(piece.ids.size());
          }
          return true;
        });
  }

  using Columns = std::array<std::vector<double>*, 11>;

  // The columns of `table` this run writes, in file order; returns how many.
  std::size_t written_columns(PosteriorTable& table, Columns& columns) const {
    std::size_t n = 0;
    for (auto* column : {&table.raw, &table.post_mean, &table.post_sd, &table.lower, &table.upper,
                         &table.data_weight}) {
      columns[n++] = column;
    }
    if (!Model::kParams.empty()) {
      columns[n++] = &table.post_param1, columns[n++] = &table.post_param2;
    }
    if (predicting_) {
      columns[n++] = &table.pred_mean, columns[n++] = &table.pred_lower;
      columns[n++] = &table.pred_upper;
    }
    return n;
  }

  // Makes room in `table` for `rows` rows. Columns only grow: the kernel writes the first
  // `rows`, and zero-filling fresh room each block would cost a pass over memory.
  void size_table(PosteriorTable& table, std::size_t rows) const {
    Columns columns;
    const std::size_t n = written_columns(table, columns);
    for (std::size_t c = 0; c < n; ++c) {
      if (columns[c]->size() < rows) columns[c]->resize(rows);
    }
  }

  // Writes the piece's rows, whose scores are rows [offset, offset + rows) of `table`.
  void format(Piece<Model>& piece, PosteriorTable& table, std::size_t offset) const {
    Columns columns;
    const std::size_t n = written_columns(table, columns);
    std::array<const double*, 11> scores;
    for (std::size_t c = 0; c < n; ++c) scores[c] = columns[c]->data() + offset;
    // A row takes at most its id's room, the numbers and their separators.
    const std::size_t rows = piece.rows();
    const std::size_t room =
        2 * piece.ids.size() + rows * (3 + n * (io::kMaxNumberText + 1)) + io::kMaxNumberChars;
    if (piece.text_room < room) {
      piece.text.reset(new char[room]);  // uninitialised: every byte used is written first
      piece.text_room = room;
    }
    char* out = piece.text.get();
    std::size_t id_begin = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      if (id_index_) {
        const std::size_t id_end = piece.id_ends[i];
        out = io::write_csv_field(out,
                                  std::string_view(piece.ids).substr(id_begin, id_end - id_begin));
        *out++ = ',';
        id_begin = id_end;
      }
      for (std::size_t c = 0; c < n; ++c) {
        out = io::write_double(out, scores[c][i]);
        *out++ = ',';
      }
      out[-1] = '\n';
    }
    piece.text_size = static_cast<std::size_t>(out - piece.text.get());
  }

  // Scores the rows of the first `count` pieces in one kernel call: the kernel spreads a large
  // batch over all threads (or the GPU) better than many small calls could, and sees repeated
  // rows across the whole block.
  void score(Pieces& pieces, std::size_t count) {
    first_.clear(), second_.clear(), chain_.clear(), covariates_.clear();
    offsets_.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      offsets_[i] = first_.size();
      first_.insert(first_.end(), pieces[i].first.begin(), pieces[i].first.end());
      second_.insert(second_.end(), pieces[i].second.begin(), pieces[i].second.end());
      chain_.insert(chain_.end(), pieces[i].chain.begin(), pieces[i].chain.end());
      covariates_.insert(covariates_.end(), pieces[i].covariates.begin(),
                         pieces[i].covariates.end());
    }
    if (first_.empty()) return;
    size_table(table_, first_.size());
    if (chains_) {
      score_by_chain();
    } else if (stores_) {
      score_by_store();
    } else {
      Model::score(model_.prior, first_.data(), second_.data(), first_.size(), options_,
                   table_.columns());
    }
  }

  // Per-chain priors: the block's rows grouped by chain (a counting sort, stable, so a group
  // holds its chain's rows in file order), one kernel call per group with its chain's prior
  // into a grouped table, and the scores put back in the rows' places in table_. A row's scores
  // depend on its data and prior only, so they equal those of scoring its chain alone.
  void score_by_chain() {
    const std::size_t rows = first_.size();
    if (group_of_.size() < chains_->priors.size()) group_of_.resize(chains_->priors.size(), kNone);
    group_chain_.clear(), group_start_.clear();
    for (const std::uint32_t c : chain_) {
      if (group_of_[c] == kNone) {
        group_of_[c] = static_cast<std::uint32_t>(group_chain_.size());
        group_chain_.push_back(c);
        group_start_.push_back(0);
      }
      ++group_start_[group_of_[c]];
    }
    const std::size_t groups = group_chain_.size();
    std::size_t start = 0;  // counts -> starts
    for (std::size_t g = 0; g < groups; ++g) start += std::exchange(group_start_[g], start);
    group_start_.push_back(rows);
    slot_.resize(rows), grouped_first_.resize(rows), grouped_second_.resize(rows);
    {
      std::vector<std::size_t>& next = group_next_;
      next.assign(group_start_.begin(), group_start_.end() - 1);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t at = next[group_of_[chain_[r]]]++;
        slot_[r] = at;
        grouped_first_[at] = first_[r];
        grouped_second_[at] = second_[r];
      }
    }
    for (const std::uint32_t c : group_chain_) group_of_[c] = kNone;

    size_table(grouped_, rows);
    const PosteriorColumns out = grouped_.columns();
    const auto score_group = [&](std::size_t g) {
      const std::size_t begin = group_start_[g];
      Model::score(chains_->priors[group_chain_[g]], grouped_first_.data() + begin,
                   grouped_second_.data() + begin, group_start_[g + 1] - begin, options_,
                   shifted(out, begin));
    };
    // Many small groups: one group per thread at a time (each call then runs on its thread).
    // Few groups, or the GPU: one call after another, each spread over all threads or the GPU.
    if (options_.backend == Backend::Cpu && threads_ > 1 && groups >= 2 * std::size_t(threads_)) {
      group_failures_.assign(groups, nullptr);
      const auto tasks = static_cast<std::ptrdiff_t>(groups);
#pragma omp parallel num_threads(threads_)
      {
        omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t g = 0; g < tasks; ++g) {
          try {
            score_group(static_cast<std::size_t>(g));
          } catch (...) {
            group_failures_[static_cast<std::size_t>(g)] = std::current_exception();
          }
        }
      }
      for (const std::exception_ptr& failure : group_failures_) {
        if (failure) std::rethrow_exception(failure);
      }
    } else {
      for (std::size_t g = 0; g < groups; ++g) score_group(g);
    }

    Columns from, to;
    const std::size_t n = written_columns(grouped_, from);
    written_columns(table_, to);
    const auto row_count = static_cast<std::ptrdiff_t>(rows);
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (std::ptrdiff_t r = 0; r < row_count; ++r) {
      const std::size_t at = slot_[static_cast<std::size_t>(r)];
      for (std::size_t c = 0; c < n; ++c) (*to[c])[static_cast<std::size_t>(r)] = (*from[c])[at];
    }
  }

  // Per-store priors: each row's prior from its covariates (hbayes::store_priors), then one
  // kernel call for the block on the chosen backend.
  void score_by_store() {
    const std::size_t rows = first_.size();
    const std::size_t p = stores_->columns.size();
    std::vector<std::vector<double>>& columns = covariate_columns_;
    columns.resize(p);
    CovariateDesign design;
    design.size = rows;
    for (std::size_t k = 0; k < p; ++k) {
      design.names.push_back(stores_->columns[k].name);
      columns[k].resize(rows);
      for (std::size_t r = 0; r < rows; ++r) columns[k][r] = covariates_[r * p + k];
      design.columns.push_back(columns[k].data());
    }
    const std::vector<typename Model::Prior> priors = store_priors(stores_->fit, design);
    Model::score(priors.data(), first_.data(), second_.data(), rows, options_, table_.columns());
  }

  // Formats the first `count` pieces in parallel while task 0 writes the last block's output,
  // in order; the writes take the time of several pieces, and no thread waits for them.
  void format_and_write(Pieces& pieces, std::size_t count) {
    const auto tasks = static_cast<std::ptrdiff_t>(count + 1);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads_)
    for (std::ptrdiff_t task = 0; task < tasks; ++task) {
      if (task == 0) {
        try {
          write_pending();
        } catch (...) {
          write_failure_ = std::current_exception();
        }
        continue;
      }
      const auto i = static_cast<std::size_t>(task - 1);
      try {
        format(pieces[i], table_, offsets_[i]);
      } catch (...) {
        pieces[i].failure = std::current_exception();
      }
    }
    if (write_failure_) std::rethrow_exception(write_failure_);
    for (std::size_t i = 0; i < count; ++i) {
      if (pieces[i].failure) std::rethrow_exception(pieces[i].failure);
    }
  }

  // Takes the standing pieces' rejections and counts in file order; the first bad row in error
  // mode, or a quoted field never closed, ends the run here.
  void account(Pieces& pieces, std::size_t count, std::size_t line) {
    for (std::size_t i = 0; i < count; ++i) {
      Piece<Model>& piece = pieces[i];
      for (const Rejection& r : piece.rejections) {
        if (!skip_bad_rows_) throw InputError(reader_.source_name(), line + r.line, r.reason);
        std::string row = std::to_string(line + r.line) + ",";
        io::append_csv_field(row, r.reason);
        row.push_back(',');
        io::append_csv_field(row, r.record);
        row.push_back('\n');
        rejects_->write(row);
      }
      if (piece.fatal) {
        throw InputError(reader_.source_name(), line + piece.fatal->line, piece.fatal->reason);
      }
      if (piece.failure) std::rethrow_exception(piece.failure);
      rejected_ += piece.rejections.size();
      scored_ += piece.rows();
      line += piece.end.lines;
    }
  }

  void write_pending() {
    const Pieces& pieces = sets_[1 - current_];
    for (std::size_t i = 0; i < pending_; ++i) {
      output_.write(std::string_view(pieces[i].text.get(), pieces[i].text_size));
    }
    pending_ = 0;
  }

  static constexpr std::uint32_t kNone = ~std::uint32_t{0};

  const Model& model_;
  const ScoreOptions& options_;
  const Chains* chains_;                      // null: one prior for every row
  const Stores* stores_;                      // null: no per-store priors
  std::vector<std::size_t> covariate_index_;  // with stores_: the covariate columns' indices
  io::CsvReader reader_;
  const std::size_t first_index_, second_index_;
  const std::optional<std::size_t> id_index_;
  const std::size_t by_index_;  // the grouping column (with chains_ only)
  const bool skip_bad_rows_, predicting_;
  const int threads_;
  io::AtomicOutputFile output_;
  std::optional<io::AtomicOutputFile> rejects_;
  std::vector<io::CsvCursor> cursors_;  // one per thread
  std::vector<io::CsvRecord> records_;  // one per thread
  // Two sets of pieces: the last block's, waiting to be written, and the current block's.
  std::array<Pieces, 2> sets_;
  std::size_t current_ = 0;
  std::size_t pending_ = 0;  // pieces of the other set waiting to be written
  // The block's rows gathered for one kernel call, where each piece's rows start, the scores.
  std::vector<typename Model::First> first_;
  std::vector<typename Model::Second> second_;
  std::vector<std::uint32_t> chain_;  // with chains_: each gathered row's chain slot
  std::vector<double> covariates_;    // with stores_: each gathered row's covariates in turn
  std::vector<std::vector<double>> covariate_columns_;  // the same, one column per covariate
  std::vector<std::size_t> offsets_;
  PosteriorTable table_;
  // Per-chain scoring: each chain's group in the block (kNone: none yet), the groups' chains
  // and starts in the grouped rows, each row's place there, the grouped data and scores.
  std::vector<std::uint32_t> group_of_;
  std::vector<std::uint32_t> group_chain_;
  std::vector<std::size_t> group_start_, group_next_, slot_;
  std::vector<typename Model::First> grouped_first_;
  std::vector<typename Model::Second> grouped_second_;
  PosteriorTable grouped_;
  std::vector<std::exception_ptr> group_failures_;
  std::exception_ptr write_failure_;  // from the worker thread that wrote
  std::size_t scored_ = 0, rejected_ = 0;
};

template <class Model>
int stream_scores(const Model& model, const ScoreSettings& s, const ScoreOptions& options,
                  const char* backend, const ChainPriors<typename Model::Prior>* chains = nullptr,
                  const StorePriors<typename Model::Regression>* stores = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  Progress progress;
  ScoreStream<Model> stream(model, s, options, chains, stores);
  const auto [scored, rejected] = stream.run(progress);
  progress.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(
      stderr, "hbayes score: %zu rows scored, %zu rejected, %.3f s, %.0f rows/s, backend %s\n",
      scored, rejected, seconds, (scored + rejected) / (seconds > 0 ? seconds : 1e-9), backend);
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
  command_
      ->add_option("--model", s.model,
                   "Conjugate family (required unless --prior gives it; with --prior it must "
                   "match the fit's)")
      ->check(CLI::IsMember({"beta-binomial", "gamma-poisson", "normal-normal"}));
  command_->add_option("--alpha", s.alpha, "beta-binomial: prior Beta(alpha, beta), alpha > 0");
  command_->add_option("--beta", s.beta, "beta-binomial: prior Beta(alpha, beta), beta > 0");
  command_->add_option("--shape", s.shape, "gamma-poisson: prior Gamma(shape, rate), shape > 0");
  command_->add_option("--rate", s.rate, "gamma-poisson: prior Gamma(shape, rate), rate > 0");
  command_->add_option("--mu", s.mu, "normal-normal: prior mean of theta");
  command_->add_option("--tau", s.tau, "normal-normal: between-group SD of theta, tau > 0");
  command_->add_option("--prior", s.prior_file,
                       "Score with the prior fitted by `hbayes fit` (its JSON file) instead of "
                       "--alpha/--beta, --shape/--rate or --mu/--tau");
  command_->add_option("--by", s.by,
                       "With a --prior file from `hbayes fit --by`: the grouping column (default "
                       "and required value: the file's); with --empirical-bayes: fit each of its "
                       "values' stores on their own (as `hbayes fit --by`). Each row is scored "
                       "with its chain's prior");
  command_
      ->add_option("--covariates", s.covariates,
                   "Comma-separated columns the prior mean is linear in: with --empirical-bayes, "
                   "fit them (as `hbayes fit --covariates`); with a --prior file fitted with "
                   "covariates, optional and must equal its. Each row is scored with its own "
                   "prior, from its values of these columns, on the CPU backend")
      ->delimiter(',');
  command_->add_flag("--empirical-bayes", s.empirical_bayes,
                     "Fit the prior to the input (as `hbayes fit` does), then score every store "
                     "with it; the input is read once if it fits in a quarter of memory (stdin "
                     "must), else twice");
  add_fit_options(command_, s.fit, "With --empirical-bayes: ");
  command_->add_option("--fit-output", s.fit_output,
                       "With --empirical-bayes: also write the fit as `hbayes fit` JSON");
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
  command_
      ->add_option("--std-error-column", s.std_error_column, "normal-normal standard-error column")
      ->capture_default_str();
  command_->add_option("--predict-trials", s.predict_trials,
                       "beta-binomial: add the posterior predictive of M future trials");
  command_->add_option("--predict-exposure", s.predict_exposure,
                       "gamma-poisson: add the posterior predictive of a future exposure E");
  command_
      ->add_option("--on-bad-row", s.on_bad_row,
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

std::optional<SavedPrior> ScoreCommand::prior_source() {
  auto& s = settings_;
  const auto given = [&](const char* option) { return command_->count(option) > 0; };
  const bool from_file = given("--prior");
  for (const char* option : {"--alpha", "--beta", "--shape", "--rate", "--mu", "--tau"}) {
    if (given(option) && (from_file || s.empirical_bayes)) {
      throw InputError("hbayes score", 0,
                       (from_file ? "--prior " + s.prior_file : std::string("--empirical-bayes")) +
                           " sets the hyperparameters; " + option + " cannot be given with it");
    }
  }
  if (from_file && s.empirical_bayes) {
    throw InputError("hbayes score", 0,
                     "--prior and --empirical-bayes exclude each other (a saved fit, or a fit "
                     "of the input)");
  }
  if (!s.empirical_bayes) {
    for (const char* option : {"--method", "--information", "--max-iterations", "--fit-output"}) {
      if (given(option)) {
        throw InputError("hbayes score", 0, std::string(option) + " needs --empirical-bayes");
      }
    }
  }
  if (!s.covariates.empty()) {
    if (!from_file && !s.empirical_bayes) {
      throw InputError("hbayes score", 0,
                       "--covariates needs --empirical-bayes, or --prior FILE written by hbayes "
                       "fit --covariates");
    }
    if (s.empirical_bayes)
      check_covariate_options(fit_options(s.fit), given("--by"), "hbayes score");
  }
  if (given("--by") && !from_file && !s.empirical_bayes) {
    throw InputError("hbayes score", 0,
                     "--by needs --prior FILE, a per-chain fit written by hbayes fit --by, or "
                     "--empirical-bayes");
  }
  if (!from_file) {
    if (!given("--model")) {
      throw InputError("hbayes score", 0,
                       "--model is required (or --prior FILE, a fit written by hbayes fit)");
    }
    if (s.empirical_bayes) {
      // Refused before any input is read.
      check_fit_options(s.model, fit_options(s.fit), "hbayes score");
    }
    return std::nullopt;
  }
  SavedPrior prior = prior_from_json(read_json(s.prior_file), s.prior_file);
  if (given("--model") && s.model != prior.model) {
    throw InputError(
        s.prior_file, 0,
        "the fit is for --model " + prior.model + " but --model " + s.model + " was given");
  }
  s.model = prior.model;
  if (prior.regression) {
    if (given("--covariates") && s.covariates != prior.regression->names) {
      throw InputError(s.prior_file, 0,
                       "the fit's covariates are " + join(prior.regression->names) +
                           " but --covariates " + join(s.covariates) + " was given");
    }
    if (given("--by")) {
      throw InputError(s.prior_file, 0,
                       "a fit with covariates has no chains: --by cannot be given");
    }
    s.covariates = prior.regression->names;
  } else if (given("--covariates")) {
    throw InputError(s.prior_file, 0,
                     "--covariates needs a fit with covariates (hbayes fit --covariates); this "
                     "file holds a prior without");
  }
  if (given("--by") && s.by != prior.by) {
    throw InputError(
        s.prior_file, 0,
        prior.by.empty()
            ? "--by " + s.by + " needs a per-chain fit (hbayes fit --by); this file holds one prior"
            : "the fit is by column '" + prior.by + "' but --by " + s.by + " was given");
  }
  if (!prior.by.empty()) {
    s.by = prior.by;
    const auto unconverged =
        std::count_if(prior.chains.begin(), prior.chains.end(),
                      [](const ChainPrior& c) { return c.problem.empty() && !c.converged; });
    if (unconverged > 0) {
      std::fprintf(stderr,
                   "hbayes score: warning: %s: the fits of %td chains did not converge "
                   "(\"converged\": false); scoring with their last hyperparameters\n",
                   s.prior_file.c_str(), static_cast<std::ptrdiff_t>(unconverged));
    }
    return prior;
  }
  if (!prior.converged) {
    std::fprintf(stderr,
                 "hbayes score: warning: %s: the fit did not converge (\"converged\": false); "
                 "scoring with its last hyperparameters\n",
                 s.prior_file.c_str());
  }
  return prior;
}

std::optional<SavedPrior> ScoreCommand::fit_input(Backend backend) {
  const auto& s = settings_;
  FitOptions options = fit_options(s.fit);
  options.backend = backend;
  const ColumnNames columns{s.successes_column, s.trials_column,   s.count_column,
                            s.exposure_column,  s.estimate_column, s.std_error_column};
  const bool skip_bad_rows = s.on_bad_row == "skip";
  Json json;
  std::string not_converged;
  if (!s.covariates.empty()) {
    const CatalogFit fit =
        fit_catalog_regression(s.model, s.input, columns, s.covariates, options, skip_bad_rows);
    std::fprintf(stderr, "hbayes score: empirical Bayes fit: %s: %s, %s\n",
                 fit_summary(fit).c_str(), fit.json["covariates"]["coefficients"].dump().c_str(),
                 fit.json["dispersion"].dump().c_str());
    json = fit.json;
    not_converged = not_converged_message(fit);
  } else if (s.by.empty()) {
    const CatalogFit fit = fit_catalog(s.model, s.input, columns, options, skip_bad_rows);
    std::fprintf(stderr, "hbayes score: empirical Bayes fit: %s: %s\n", fit_summary(fit).c_str(),
                 fit.json["hyperparameters"].dump().c_str());
    json = fit.json;
    not_converged = not_converged_message(fit);
  } else {
    // As `hbayes fit --by`: a chain whose fit fails or is on its boundary is kept in the
    // document, and its rows are bad rows when scored, as with `--prior` of that document.
    const ChainFits fits = fit_catalog_by(s.model, s.input, columns, s.by, options, skip_bad_rows);
    std::fprintf(stderr, "hbayes score: empirical Bayes fit: %s\n", fit_summary(fits).c_str());
    json = fits.json;
    not_converged = not_converged_message(fits);
  }
  // The fit is an answer even where it cannot be scored (not converged, or at its boundary):
  // written first.
  if (!s.fit_output.empty()) write_json(s.fit_output, json);
  if (!not_converged.empty()) {
    // Scoring with a point the fit did not reach would present its last iterate as the prior.
    const std::string kept = s.fit_output.empty() ? "" : "; " + s.fit_output + " holds the fit";
    std::fprintf(stderr,
                 "hbayes score: error: %s; nothing scored%s (raise --max-iterations, or run "
                 "hbayes fit and score --prior to use the last iterate); exit code %d\n",
                 not_converged.c_str(), kept.c_str(), kExitNotConverged);
    return std::nullopt;
  }
  return prior_from_json(json, s.input);
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
  const std::optional<SavedPrior> saved = prior_source();
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

  std::optional<SavedPrior> prior = saved;
  // The fit and the scores parse the input twice; an input that fits in a quarter of memory is
  // read once and parsed twice from memory (so stdin works too).
  std::optional<io::RetainedInput> retained;
  if (s.empirical_bayes) {
    retained.emplace(s.input, io::RetainedInput::default_max_bytes());
    prior = fit_input(options.backend);
    if (!prior) return kExitNotConverged;
  }
  // Where a per-chain prior came from, for the messages of rows it cannot score.
  const std::string& prior_name = s.empirical_bayes ? s.input : s.prior_file;
  // The prior's two hyperparameters: from the fit, else from the options.
  const auto value = [&](int i, double option) { return prior ? prior->values[i] : option; };
  // Scores with one prior for every row, or with each row's chain's prior (a --by fit file;
  // its priors were checked as it was read, and model.prior is then unused).
  const auto stream = [&](auto& model) {
    using Model = std::remove_reference_t<decltype(model)>;
    using Prior = typename Model::Prior;
    if (prior && prior->regression) {
      const auto stores = store_priors_of<typename Model::Regression>(*prior->regression);
      return stream_scores(model, s, options, backend, nullptr, &stores);
    }
    if (prior && !prior->by.empty()) {
      const auto chains = chain_priors<Prior>(*prior, prior_name, [](std::array<double, 2> v) {
        return Prior{v[0], v[1]};
      });
      return stream_scores(model, s, options, backend, &chains);
    }
    if (auto problem = validation::prior(model.prior)) {
      throw InputError("hbayes score", 0, *problem);
    }
    return stream_scores(model, s, options, backend);
  };
  if (s.model == "beta-binomial") {
    if (!prior) require_options({"--alpha", "--beta"});
    BetaBinomialModel model{{value(0, s.alpha), value(1, s.beta)},
                            {s.successes_column, "--successes-column"},
                            {s.trials_column, "--trials-column"}};
    return stream(model);
  }
  if (s.model == "gamma-poisson") {
    if (!prior) require_options({"--shape", "--rate"});
    GammaPoissonModel model{{value(0, s.shape), value(1, s.rate)},
                            {s.count_column, "--count-column"},
                            {s.exposure_column, "--exposure-column"}};
    return stream(model);
  }
  if (!prior) require_options({"--mu", "--tau"});
  NormalNormalModel model{{value(0, s.mu), value(1, s.tau)},
                          {s.estimate_column, "--estimate-column"},
                          {s.std_error_column, "--std-error-column"}};
  return stream(model);
}

}  // namespace hbayes::cli
