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
#include "io/csv_cursor.hpp"
#include "io/line_source.hpp"

namespace hbayes::io {

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

// Unread input that starts at a record: `size` bytes at `data`, starting on line `line`;
// `at_eof`: they end the input.
struct CsvBlock {
  const char* data;
  std::size_t size;
  std::size_t line;
  bool at_eof;
};

// Reads a CSV file, gzip file or stdin ("-") record by record, in memory bounded by the longest
// record. Bad input throws InputError ("stores.csv:17: expected 3 fields, found 2"); after any
// InputError other than a RecordError the reader is finished and next() throws it again.
//
// Instead of next(), a caller may take the buffered input a block at a time and parse it with
// CsvCursors of its own (on several threads), reporting how far it got with consume().
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

  // The unread input. With `read_more` (the last block ended inside a record) it first reads
  // more, growing the buffer when a record fills it; an empty block with at_eof is the end.
  // Throws InputError for unreadable input or a record longer than max_record_bytes.
  CsvBlock block(bool read_more);
  // Marks the first `bytes` of the last block, `lines` line breaks, as read: whole records.
  void consume(std::size_t bytes, std::size_t lines);

 private:
  void refill();
  void read_header();
  [[noreturn]] void fail(std::size_t line, const std::string& reason);

  LineSource source_;
  CsvReaderLimits limits_;
  std::vector<char> buffer_;  // unread input; records are views into it
  std::size_t pos_ = 0;       // start of the next record in buffer_
  std::size_t size_ = 0;      // bytes of buffer_ holding input
  bool eof_ = false;          // the source has no more bytes
  std::size_t line_ = 1;      // physical line at pos_
  std::vector<std::string> columns_;
  CsvCursor cursor_;  // over buffer_, reading the header and then next()'s records
  std::size_t header_line_ = 0;
  std::string_view last_text_;
  std::optional<InputError> failure_;  // set once the reader cannot go on
};

}  // namespace hbayes::io
