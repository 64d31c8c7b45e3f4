// Streaming reader of CSV catalogs (RFC 4180) with errors that name file, line and field.
//
// The format read: the first non-blank line is a header of unique column names; every record
// has exactly one field per column; fields may be quoted ("a, b", "say ""hi""", line breaks
// inside quotes); lines end in LF or CRLF, the last one optionally. Completely empty lines are
// skipped anywhere (so a one-column file writes an empty value as ""); a line of spaces is a
// record like any other. A UTF-8 byte order mark before the header is ignored. Quotes are
// strict: a quote inside an unquoted field, or text after a closing quote, is an error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hbayes/errors.hpp"
#include "io/line_source.hpp"

namespace hbayes::io {

// One record. The views point into the reader's buffers: valid until the next call to next().
struct CsvRecord {
  std::size_t line = 0;                  // 1-based physical line on which the record starts
  std::vector<std::string_view> fields;  // field values without quotes, one per column
  std::string_view text;                 // the record as written, without its line ending
};

// Bounds on the reader's memory; the defaults suit real catalogs.
struct CsvReaderLimits {
  std::size_t block_bytes = std::size_t{1} << 20;        // bytes read at a time (initial buffer)
  std::size_t max_record_bytes = std::size_t{64} << 20;  // a longer record is an error
};

// A malformed record (wrong field count, misplaced quote). The reader has already moved past
// it, so a caller that keeps a rejects file may record it and call next() again.
class RecordError : public InputError {
 public:
  using InputError::InputError;
};

// Reads a CSV file, gzip file or stdin ("-") record by record, in memory bounded by the longest
// record. Bad input throws InputError ("stores.csv:17: expected 3 fields, found 2"); after any
// InputError other than a RecordError the reader is finished and next() throws it again.
class CsvReader {
 public:
  // Opens `path` and reads its header. Throws InputError for a missing file, an empty input
  // ("stores.csv: empty input (no header line)") or duplicate column names.
  explicit CsvReader(const std::string& path, CsvReaderLimits limits = {});

  // The input's name for messages: the path as given, or "<stdin>".
  const std::string& source_name() const { return source_.name(); }
  // Column names in file order.
  const std::vector<std::string>& columns() const { return columns_; }
  // Physical line of the header (1 unless blank lines precede it).
  std::size_t header_line() const { return header_line_; }

  // Index of the column called exactly `name`, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
  // Index of column `name`; if absent throws InputError listing the columns found and naming
  // `option_hint` (e.g. "--successes-column"), the option that selects another column.
  std::size_t require_column(std::string_view name, std::string_view option_hint) const;

  // Reads the next record into `record`; returns false at the end of the input.
  bool next(CsvRecord& record);
  // The raw text of the record last read or rejected by next(), for a rejects file.
  std::string_view last_record_text() const { return last_text_; }

 private:
  // What scanning the buffer from the read position found.
  enum class Outcome { kRecord, kMalformed, kNeedMore };
  enum class Problem { kNone, kQuoteInUnquotedField, kTextAfterClosingQuote };
  struct Scan {
    Outcome outcome = Outcome::kNeedMore;
    std::size_t text_end = 0;     // buffer offset where the record's text ends
    std::size_t next = 0;         // buffer offset where the following record starts
    std::size_t newlines = 0;     // line breaks inside the record and ending it
    std::size_t field_count = 0;  // fields found, including those beyond `max_fields`
    Problem problem = Problem::kNone;
  };

  bool read_record(CsvRecord& record, std::size_t max_fields, std::size_t& field_count);
  Scan scan_record(std::vector<std::string_view>& fields, std::size_t max_fields);
  std::string_view unescape(const char* begin, const char* end, std::size_t& scratch_used);
  void refill();
  void read_header();
  std::string field_label(std::size_t index) const;
  [[noreturn]] void fail(std::size_t line, const std::string& reason);

  LineSource source_;
  CsvReaderLimits limits_;
  std::vector<char> buffer_;  // unread input; records are views into it
  std::size_t pos_ = 0;       // start of the next record in buffer_
  std::size_t size_ = 0;      // bytes of buffer_ holding input
  bool eof_ = false;          // the source has no more bytes
  std::size_t line_ = 1;      // physical line at pos_
  std::string scratch_;       // unescaped values of fields with doubled quotes
  std::vector<std::string> columns_;
  std::size_t header_line_ = 0;
  std::string_view last_text_;
  std::optional<InputError> failure_;  // set once the reader cannot go on
};

}  // namespace hbayes::io
