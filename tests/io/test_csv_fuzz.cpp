// Randomised and mutated inputs: every input must give records or an InputError, never a crash
// or a hang, and the records and errors must match a plain reference parser of the same dialect.
// Failures print the seed and the case; rerun one case with HBAYES_FUZZ_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "io/csv_pieces.hpp"
#include "io/csv_reader.hpp"
#include "io/parse_number.hpp"
#include "io_test_files.hpp"

namespace hbayes::io {
namespace {

// What reading an input produced, event by event, in a form both parsers can fill.
struct Event {
  enum Kind { kRecord, kRecordError, kFatal } kind;
  std::size_t line;
  std::vector<std::string> fields;  // kRecord only
  std::string text;                 // kRecord and kRecordError
  bool operator==(const Event& o) const {
    return kind == o.kind && line == o.line && fields == o.fields && text == o.text;
  }
};

std::ostream& operator<<(std::ostream& out, const Event& e) {
  static const char* const kKinds[] = {"record", "record error", "fatal"};
  out << kKinds[e.kind] << " at line " << e.line << " text " << testing::PrintToString(e.text);
  for (const auto& f : e.fields) out << " [" << testing::PrintToString(f) << "]";
  return out;
}

struct Outcome {
  bool header_ok = false;
  std::size_t header_line = 0;  // of the header, or of the error that rejected it
  std::vector<std::string> columns;
  std::vector<Event> events;
};

// ---- Reference parser: the whole input in memory, one byte at a time, no shared code ----------

struct RefRecord {
  bool malformed = false;
  bool unterminated = false;
  std::vector<std::string> fields;
  std::string text;
  std::size_t newlines = 0;
};

RefRecord reference_record(const std::string& s, std::size_t& i) {
  RefRecord r;
  const std::size_t start = i;
  const std::size_t n = s.size();
  std::size_t stop = n;  // where the record's line break is (n: end of input)
  for (;;) {
    std::string field;
    if (i < n && s[i] == '"') {
      std::size_t j = i + 1;
      for (;;) {
        if (j == n) {
          r.unterminated = true;
          return r;
        }
        if (s[j] == '"' && j + 1 < n && s[j + 1] == '"') {
          field += '"';
          j += 2;
        } else if (s[j] == '"') {
          ++j;
          break;
        } else {
          field += s[j++];
        }
      }
      r.fields.push_back(field);
      if (j < n && s[j] == ',') {
        i = j + 1;
        continue;
      }
      const std::size_t after = j < n && s[j] == '\r' ? j + 1 : j;
      if (after == n || s[after] == '\n') {
        stop = after;
      } else {
        r.malformed = true;
        stop = s.find('\n', j);
      }
      break;
    }
    std::size_t j = i;
    while (j < n && s[j] != ',' && s[j] != '\n' && s[j] != '"') field += s[j++];
    if (j < n && s[j] == '"') {
      r.malformed = true;
      stop = s.find('\n', j);
      break;
    }
    if (j < n && s[j] == ',') {
      r.fields.push_back(field);
      i = j + 1;
      continue;
    }
    if (!field.empty() && field.back() == '\r') field.pop_back();
    r.fields.push_back(field);
    stop = j;
    break;
  }
  if (stop == std::string::npos) stop = n;
  r.text = s.substr(start, stop - start);
  if (stop > start && s[stop - 1] == '\r') r.text.pop_back();
  r.newlines = static_cast<std::size_t>(std::count(s.begin() + start, s.begin() + stop, '\n')) +
               (stop < n ? 1 : 0);
  i = stop < n ? stop + 1 : n;
  return r;
}

Outcome reference_read(std::string s) {
  Outcome out;
  if (s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);
  std::size_t i = 0, line = 1;
  bool header_seen = false;
  while (i < s.size()) {
    const std::size_t record_line = line;
    RefRecord r = reference_record(s, i);
    if (r.unterminated) {
      if (!header_seen) {
        out.header_line = record_line;
        return out;
      }
      out.events.push_back({Event::kFatal, record_line, {}, ""});
      return out;
    }
    line += r.newlines;
    if (r.text.empty()) continue;
    if (!header_seen) {
      header_seen = true;
      out.header_line = record_line;
      std::vector<std::string> sorted = r.fields;
      std::sort(sorted.begin(), sorted.end());
      if (r.malformed || r.fields.size() > 65536 ||
          std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        return out;
      }
      out.header_ok = true;
      out.columns = r.fields;
      continue;
    }
    if (r.malformed || r.fields.size() != out.columns.size()) {
      out.events.push_back({Event::kRecordError, record_line, {}, r.text});
    } else {
      out.events.push_back({Event::kRecord, record_line, r.fields, r.text});
    }
  }
  return out;
}

// ---- The reader under test -----------------------------------------------------------------

Outcome reader_read(const std::string& path, std::size_t block_bytes, std::size_t input_size) {
  Outcome out;
  std::optional<CsvReader> reader;
  try {
    reader.emplace(path, CsvReaderLimits{block_bytes});
  } catch (const InputError& e) {
    out.header_line = e.line();
    return out;
  }
  out.header_ok = true;
  out.header_line = reader->header_line();
  out.columns = reader->columns();
  CsvRecord record;
  // Each call consumes at least one byte, so more calls than bytes would be a hang.
  for (std::size_t calls = 0; calls <= input_size + 1; ++calls) {
    try {
      if (!reader->next(record)) return out;
      // The values must also survive the number parsers, whatever bytes they hold.
      for (const std::string_view field : record.fields) {
        parse_count(field);
        parse_finite(field);
      }
      out.events.push_back({Event::kRecord,
                            record.line,
                            {record.fields.begin(), record.fields.end()},
                            std::string(record.text)});
    } catch (const RecordError& e) {
      out.events.push_back(
          {Event::kRecordError, e.line(), {}, std::string(reader->last_record_text())});
    } catch (const InputError& e) {
      out.events.push_back({Event::kFatal, e.line(), {}, ""});
      return out;
    }
  }
  ADD_FAILURE() << "next() did not reach the end of a " << input_size << "-byte input";
  return out;
}

// The reader's blocks cut into `pieces` pieces, each parsed on its own and stitched back, the
// way `hbayes score` reads with several threads.
Outcome pieces_read(const std::string& path, std::size_t block_bytes, std::size_t pieces,
                    std::size_t input_size) {
  Outcome out;
  std::optional<CsvReader> reader;
  try {
    reader.emplace(path, CsvReaderLimits{block_bytes});
  } catch (const InputError& e) {
    out.header_line = e.line();
    return out;
  }
  out.header_ok = true;
  out.header_line = reader->header_line();
  out.columns = reader->columns();
  CsvCursor cursor(reader->columns());
  CsvRecord record;
  bool read_more = false;
  // Each block reads at least one byte or grows the buffer, so more blocks than that would be
  // a hang.
  for (std::size_t blocks = 0; blocks <= 2 * input_size + 64; ++blocks) {
    CsvBlock block;
    try {
      block = reader->block(read_more);
    } catch (const InputError& e) {
      out.events.push_back({Event::kFatal, e.line(), {}, ""});
      return out;
    }
    if (block.size == 0 && block.at_eof) return out;
    const std::vector<std::size_t> cuts = cut_at_records(block, pieces);
    std::vector<std::vector<Event>> events(cuts.size() - 1);
    std::vector<PieceEnd> ends(cuts.size() - 1);
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      ends[i] = parse_piece(
          cursor, block, cuts[i], cuts[i + 1], record, [&](CsvStep step, const CsvRecord& r) {
            const Event::Kind kind = step == CsvStep::kRecord      ? Event::kRecord
                                     : step == CsvStep::kBadRecord ? Event::kRecordError
                                                                   : Event::kFatal;
            Event e{kind, r.line, {}, ""};
            if (kind != Event::kFatal) e.text = std::string(r.text);
            if (kind == Event::kRecord) e.fields.assign(r.fields.begin(), r.fields.end());
            events[i].push_back(std::move(e));
            return true;
          });
    }
    const Stitch stitch = io::stitch(cuts, ends, block);
    std::size_t line = block.line;
    for (std::size_t i = 0; i < stitch.pieces; ++i) {
      for (Event& e : events[i]) {
        e.line += line;
        out.events.push_back(e);
        if (e.kind == Event::kFatal) return out;
      }
      line += ends[i].lines;
    }
    reader->consume(stitch.bytes, stitch.lines);
    read_more = stitch.read_more;
  }
  ADD_FAILURE() << "the pieces did not reach the end of a " << input_size << "-byte input";
  return out;
}

// ---- Inputs --------------------------------------------------------------------------------

using Random = std::mt19937_64;

std::size_t pick(Random& random, std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
}

// A byte that is most often one the parser treats specially.
char interesting_byte(Random& random) {
  static const char kBytes[] = {',', '"', '\n', '\r', ' ', '\0', 'a', '1', '\xEF', '\xBB', '\xBF'};
  if (pick(random, 4) == 0) return static_cast<char>(pick(random, 256));
  return kBytes[pick(random, sizeof kBytes)];
}

std::string random_field(Random& random) {
  std::string value;
  const std::size_t length = pick(random, 6);
  for (std::size_t i = 0; i < length; ++i) {
    value +=
        pick(random, 3) == 0 ? interesting_byte(random) : static_cast<char>('a' + pick(random, 3));
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos && pick(random, 3) != 0) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// A well-formed CSV document: header, records, LF or CRLF, maybe a BOM and blank lines.
std::string valid_document(Random& random) {
  const std::size_t columns = 1 + pick(random, 4);
  const std::string eol = pick(random, 2) ? "\n" : "\r\n";
  std::string text = pick(random, 5) == 0 ? "\xEF\xBB\xBF" : "";
  for (std::size_t c = 0; c < columns; ++c) text += (c ? ",c" : "c") + std::to_string(c);
  const std::size_t rows = pick(random, 8);
  for (std::size_t r = 0; r < rows; ++r) {
    text += eol;
    if (pick(random, 6) == 0) text += eol;  // a blank line
    for (std::size_t c = 0; c < columns; ++c) {
      if (c) text += ',';
      text += pick(random, 2) ? std::to_string(pick(random, 1000)) : random_field(random);
    }
  }
  if (pick(random, 2)) text += eol;
  return text;
}

// Truncations, insertions, deletions, replacements and repeats.
std::string mutate(std::string text, Random& random) {
  const std::size_t mutations = pick(random, 4);
  for (std::size_t m = 0; m < mutations; ++m) {
    const std::size_t at = pick(random, text.size() + 1);
    switch (pick(random, 5)) {
      case 0:
        text.resize(at);
        break;
      case 1:
        text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), interesting_byte(random));
        break;
      case 2:
        if (at < text.size()) text.erase(at, 1);
        break;
      case 3:
        if (at < text.size()) text[at] = interesting_byte(random);
        break;
      default:
        text.insert(at, text.substr(pick(random, text.size() + 1), pick(random, 12)));
    }
  }
  return text;
}

std::string random_bytes(Random& random) {
  std::string text(pick(random, 80), '\0');
  for (char& c : text) c = interesting_byte(random);
  return text;
}

std::uint64_t base_seed() {
  const char* chosen = std::getenv("HBAYES_FUZZ_SEED");
  return chosen ? std::strtoull(chosen, nullptr, 10) : 0x5EED2024;
}

constexpr std::size_t kBlockSizes[] = {1, 2, 3, 5, 8, 16, 64, std::size_t{1} << 20};

TEST(CsvFuzz, ReaderMatchesTheReferenceParser) {
  test::TempDir dir;
  const std::uint64_t seed = base_seed();
  Random random(seed);
  constexpr int kCases = 20000;
  for (int c = 0; c < kCases; ++c) {
    std::string input;
    switch (c % 3) {
      case 0:
        input = valid_document(random);
        break;
      case 1:
        input = mutate(valid_document(random), random);
        break;
      default:
        input = random_bytes(random);
    }
    const bool gzip = c % 10 == 0;
    const std::string path = dir.file(gzip ? "case.csv.gz" : "case.csv");
    test::write_file(path, gzip ? test::gzip_bytes(input) : input);
    const std::size_t block = kBlockSizes[pick(random, std::size(kBlockSizes))];

    const std::size_t pieces = 1 + pick(random, 8);

    const Outcome expected = reference_read(input);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + std::to_string(c) + ", block " +
                 std::to_string(block) + ", pieces " + std::to_string(pieces) + ", input " +
                 testing::PrintToString(input));
    for (const Outcome& actual :
         {reader_read(path, block, input.size()), pieces_read(path, block, pieces, input.size())}) {
      ASSERT_EQ(actual.header_ok, expected.header_ok);
      ASSERT_EQ(actual.header_line, expected.header_line);
      ASSERT_EQ(actual.columns, expected.columns);
      ASSERT_EQ(actual.events, expected.events);
    }
  }
}

TEST(CsvFuzz, CorruptGzipGivesRecordsOrAnError) {
  test::TempDir dir;
  const std::uint64_t seed = base_seed() + 1;
  Random random(seed);
  constexpr int kCases = 2000;
  for (int c = 0; c < kCases; ++c) {
    std::string input = valid_document(random);
    for (int r = 0; r < 20; ++r) input += "store_" + std::to_string(r) + ",1,2\n";
    std::string gz = test::gzip_bytes(input);
    const std::size_t flips = 1 + pick(random, 3);
    for (std::size_t f = 0; f < flips; ++f) gz[pick(random, gz.size())] = interesting_byte(random);
    if (pick(random, 3) == 0) gz.resize(pick(random, gz.size() + 1));
    const std::string path = dir.file(pick(random, 2) ? "case.csv.gz" : "case.csv");
    test::write_file(path, gz);
    SCOPED_TRACE("seed " + std::to_string(seed) + ", case " + std::to_string(c));
    // Inflated garbage has no reference to match; reading it must simply end, either way.
    const std::size_t block = kBlockSizes[pick(random, std::size(kBlockSizes))];
    reader_read(path, block, 1 << 20);
    pieces_read(path, block, 1 + pick(random, 8), 1 << 20);
    ASSERT_FALSE(::testing::Test::HasFailure());
  }
}

}  // namespace
}  // namespace hbayes::io
