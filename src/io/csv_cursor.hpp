// Parses CSV records (RFC 4180, the dialect described in csv_reader.hpp) out of bytes in memory.
//
// CsvReader feeds it from a file; a caller that parses one block of input on several threads
// gives each thread its own cursor over the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hbayes::io {

// One record. The views point into the parsed bytes or the cursor's own buffer: valid until the
// cursor reads the next record.
struct CsvRecord {
  std::size_t line = 0;                  // physical line on which the record starts
  std::vector<std::string_view> fields;  // field values without quotes, one per column
  std::string_view text;                 // the record as written, without its line ending
};

// What reading the next record found.
enum class CsvStep {
  kRecord,        // a record with the header's number of fields
  kBadRecord,     // a malformed record or a wrong field count; problem() says which
  kNeedMore,      // the bytes end inside a record, or are used up, and more input follows them
  kEnd,           // the bytes are used up and they end the input
  kUnterminated,  // a quoted field is still open at the end of the input; problem() says so
};

class CsvCursor {
 public:
  // `columns`: the header's names, which fix the field count and name fields in messages;
  // empty while the header itself is read (any field count, at most `max_fields` stored).
  explicit CsvCursor(const std::vector<std::string>& columns, std::size_t max_fields = 0);

  // Reads from `data + position` up to `data + size`, which `at_eof` says ends the input;
  // `position` is the start of a record on line `line`.
  void reset(const char* data, std::size_t size, bool at_eof, std::size_t position,
             std::size_t line);

  // Reads the next record, skipping blank lines. kRecord fills `record`; kBadRecord fills its
  // line and text and moves past it (to the end of its physical line if malformed);
  // kUnterminated sets record.line; kNeedMore and kEnd leave the position where it was.
  CsvStep next(CsvRecord& record);

  // Offset of the next unread record, and the line it starts on.
  std::size_t position() const { return position_; }
  std::size_t line() const { return line_; }
  // Why the last kBadRecord or kUnterminated: "expected 3 fields, found 2".
  const std::string& problem() const { return problem_; }
  // Fields found in the last record, including any beyond those stored.
  std::size_t field_count() const { return field_count_; }

 private:
  enum class Outcome { kRecord, kMalformed, kNeedMore, kUnterminated };
  enum class Problem { kNone, kQuoteInUnquotedField, kTextAfterClosingQuote };
  struct Scan {
    Outcome outcome = Outcome::kNeedMore;
    std::size_t text_end = 0;  // offset where the record's text ends
    std::size_t next = 0;      // offset where the following record starts
    std::size_t newlines = 0;  // line breaks inside the record and ending it
    Problem problem = Problem::kNone;
  };

  Scan scan(std::vector<std::string_view>& fields);
  std::string_view unescape(const char* begin, const char* end, std::size_t& scratch_used);
  std::string field_label(std::size_t index) const;

  const std::vector<std::string>& columns_;
  std::size_t max_fields_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  bool at_eof_ = false;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
  std::size_t field_count_ = 0;
  std::string scratch_;  // unescaped values of fields with doubled quotes
  std::string problem_;
};

}  // namespace hbayes::io
