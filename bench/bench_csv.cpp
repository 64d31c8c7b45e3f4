// The I/O hot paths of `hbayes score`, one thread: parsing catalog rows and formatting posterior
// rows, in rows per second, and the shortest round-trip double formatter against std::to_chars
// on the same values. Names: csv/parse/<rows>, csv/format/<rows>, csv/double/<writer>.
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalogs.hpp"
#include "hbayes/score.hpp"
#include "io/csv_cursor.hpp"
#include "io/csv_field.hpp"
#include "io/number_format.hpp"
#include "io/parse_number.hpp"

namespace {

constexpr std::size_t kRows = 1 << 16;  // one block of `hbayes score`'s work, give or take

const std::vector<std::string> kColumns = {"store_id", "successes", "trials"};

// The peer benchmark's catalog as `hbayes score` reads it: "s17,3,40" rows after the header.
std::string catalog_text(std::size_t n, std::size_t* header_bytes) {
  const auto catalog = hbayes::bench::distinct_binomial_catalog(n);
  std::string text = "store_id,successes,trials\n";
  *header_bytes = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    text += "s" + std::to_string(i) + "," + std::to_string(catalog.successes[i]) + "," +
            std::to_string(catalog.trials[i]) + "\n";
  }
  return text;
}

// Real posteriors of that catalog under Beta(5, 95), the values the output holds.
hbayes::PosteriorTable posterior_table(std::size_t n) {
  const auto catalog = hbayes::bench::distinct_binomial_catalog(n);
  hbayes::ScoreOptions options;
  options.backend = hbayes::Backend::Cpu;
  return hbayes::score(hbayes::BinomialColumns{catalog.successes.data(), catalog.trials.data(), n},
                       hbayes::BetaBinomialPrior{5, 95}, options);
}

void rows_per_second(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["rows_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

// Splitting records into fields and reading the two counts: the per-row parse work.
void parse(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::size_t header_bytes = 0;
  const std::string text = catalog_text(n, &header_bytes);
  hbayes::io::CsvCursor cursor(kColumns);
  hbayes::io::CsvRecord record;
  for (auto _ : state) {
    cursor.reset(text.data(), text.size(), true, header_bytes, 2);
    std::int64_t sum = 0;
    while (cursor.next(record) == hbayes::io::CsvStep::kRecord) {
      sum += hbayes::io::parse_count(record.fields[1]).value +
             hbayes::io::parse_count(record.fields[2]).value;
    }
    benchmark::DoNotOptimize(sum);
  }
  rows_per_second(state, n);
}

// An output row: the id and the nine numbers of a beta-binomial posterior.
void format(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const hbayes::PosteriorTable table = posterior_table(n);
  const std::vector<const double*> columns = {table.raw.data(),         table.post_mean.data(),
                                              table.post_sd.data(),     table.lower.data(),
                                              table.upper.data(),       table.data_weight.data(),
                                              table.post_param1.data(), table.post_param2.data()};
  std::vector<std::string> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = "s" + std::to_string(i);
  const std::size_t room = n * (16 + columns.size() * 25) + hbayes::io::kMaxNumberChars;
  const std::unique_ptr<char[]> text(new char[room]);
  for (auto _ : state) {
    char* out = text.get();
    for (std::size_t i = 0; i < n; ++i) {
      out = hbayes::io::write_csv_field(out, ids[i]);
      *out++ = ',';
      for (const double* column : columns) {
        out = hbayes::io::write_double(out, column[i]);
        *out++ = ',';
      }
      out[-1] = '\n';
    }
    benchmark::DoNotOptimize(out);
  }
  rows_per_second(state, n);
}

// One double at a time, the six non-integer columns of the table: write_double against
// std::to_chars, which writes the same text.
void format_double(benchmark::State& state, bool to_chars) {
  const hbayes::PosteriorTable table = posterior_table(kRows);
  std::vector<double> values;
  for (const auto* column : {&table.raw, &table.post_mean, &table.post_sd, &table.lower,
                             &table.upper, &table.data_weight}) {
    values.insert(values.end(), column->begin(), column->end());
  }
  char text[hbayes::io::kMaxNumberChars];
  for (auto _ : state) {
    std::size_t length = 0;
    for (double value : values) {
      length += to_chars ? std::to_chars(text, text + sizeof text, value).ptr - text
                         : hbayes::io::write_double(text, value) - text;
    }
    benchmark::DoNotOptimize(length);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * values.size()));
}

}  // namespace

BENCHMARK(parse)->Name("csv/parse")->Arg(kRows)->Unit(benchmark::kMicrosecond);
BENCHMARK(format)->Name("csv/format")->Arg(kRows)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(format_double, write_double, false)
    ->Name("csv/double/write_double")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(format_double, to_chars, true)
    ->Name("csv/double/to_chars")
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
