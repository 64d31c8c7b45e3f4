#include "io/csv_reader.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>

#include "io/quote_value.hpp"

namespace hbayes::io {
namespace {

// A header with more columns is garbage, not a catalog; the cap bounds the memory it may take.
constexpr std::size_t kMaxColumns = std::size_t{1} << 16;
// Column names listed in a missing-column message before "and N more".
constexpr std::size_t kMaxListedColumns = 20;

constexpr char kByteOrderMark[] = "\xEF\xBB\xBF";
// The first block must be able to hold a whole byte order mark.
constexpr std::size_t kMinBlockBytes = 4;

// Bytes that end an unquoted field's fast scan: a separator, a line end, or a misplaced quote.
bool ends_unquoted_run(char c) {
  return c == ',' || c == '\n' || c == '"';
}

}  // namespace

CsvReader::CsvReader(const std::string& path, CsvReaderLimits limits)
    : source_(path), limits_(limits), buffer_(std::max(limits.block_bytes, kMinBlockBytes)) {
  refill();
  if (size_ >= 3 && std::memcmp(buffer_.data(), kByteOrderMark, 3) == 0) pos_ = 3;
  read_header();
}

void CsvReader::read_header() {
  CsvRecord header;
  std::size_t count = 0;
  if (!read_record(header, kMaxColumns, count)) fail(0, "empty input (no header line)");
  header_line_ = header.line;
  if (count > kMaxColumns) {
    fail(header_line_, "the header has more than " + std::to_string(kMaxColumns) + " columns");
  }
  columns_.assign(header.fields.begin(), header.fields.end());
  // Sorting indices by name puts duplicates side by side; the first pair found is reported.
  std::vector<std::size_t> order(columns_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return columns_[a] < columns_[b]; });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (columns_[order[i]] == columns_[order[i - 1]]) {
      fail(header_line_, "duplicate column name " + quote_value(columns_[order[i]]) + " (columns " +
                             std::to_string(order[i - 1] + 1) + " and " +
                             std::to_string(order[i] + 1) + ")");
    }
  }
}

std::optional<std::size_t> CsvReader::column(std::string_view name) const {
  const auto found = std::find(columns_.begin(), columns_.end(), name);
  if (found == columns_.end()) return std::nullopt;
  return static_cast<std::size_t>(found - columns_.begin());
}

std::size_t CsvReader::require_column(std::string_view name, std::string_view option_hint) const {
  if (const auto index = column(name)) return *index;
  std::string reason = "no column named " + quote_value(name) + " (the header has ";
  const std::size_t listed = std::min(columns_.size(), kMaxListedColumns);
  for (std::size_t i = 0; i < listed; ++i) {
    reason += (i == 0 ? "" : ", ") + quote_value(columns_[i]);
  }
  if (listed < columns_.size()) {
    reason += " and " + std::to_string(columns_.size() - listed) + " more";
  }
  reason += ")";
  if (!option_hint.empty()) {
    reason += "; use ";
    reason += option_hint;
    reason += " to choose the column";
  }
  throw InputError(source_name(), header_line_, reason);
}

bool CsvReader::next(CsvRecord& record) {
  if (failure_) throw *failure_;
  std::size_t count = 0;
  if (!read_record(record, columns_.size(), count)) return false;
  if (count != columns_.size()) {
    throw RecordError(
        source_name(), record.line,
        "expected " + std::to_string(columns_.size()) + " fields, found " + std::to_string(count));
  }
  return true;
}

// Reads the next non-blank record whatever its field count, storing at most `max_fields`
// fields; returns false at the end of the input.
bool CsvReader::read_record(CsvRecord& record, std::size_t max_fields, std::size_t& field_count) {
  for (;;) {
    if (pos_ == size_) {
      if (eof_) return false;
      refill();
      continue;
    }
    const Scan scan = scan_record(record.fields, max_fields);
    if (scan.outcome == Outcome::kNeedMore) {
      refill();
      continue;
    }
    record.line = line_;
    record.text = std::string_view(buffer_.data() + pos_, scan.text_end - pos_);
    last_text_ = record.text;
    pos_ = scan.next;
    line_ += scan.newlines;
    if (scan.outcome == Outcome::kMalformed) {
      const std::string where = field_label(scan.field_count - 1) + ": ";
      throw RecordError(source_name(), record.line,
                        where + (scan.problem == Problem::kQuoteInUnquotedField
                                     ? "a quote inside an unquoted field (quote the whole "
                                       "field and double the quotes inside it)"
                                     : "text after the closing quote (double the quotes "
                                       "inside a quoted field)"));
    }
    if (record.text.empty()) continue;  // a blank line
    field_count = scan.field_count;
    return true;
  }
}

// Splits the record at pos_ into `fields`. Needs more input (kNeedMore) whenever the buffer
// ends before the record provably does; the caller refills and scans the record again.
CsvReader::Scan CsvReader::scan_record(std::vector<std::string_view>& fields,
                                       std::size_t max_fields) {
  Scan scan;
  fields.clear();
  std::size_t scratch_used = 0;
  const char* const start = buffer_.data() + pos_;
  const char* const end = buffer_.data() + size_;
  const char* p = start;
  const char* line_end = nullptr;  // the '\n' (or end of input) that terminates the record
  // One field per pass.
  for (;;) {
    ++scan.field_count;
    std::string_view value;
    if (p < end && *p == '"') {
      const char* const open = p++;
      bool doubled = false;
      for (;;) {  // find the closing quote, stepping over doubled ones
        // A quote that ends the buffer is taken as closing; if more input follows, the check
        // after the field asks for it and the rescan sees whether the quote was doubled.
        const char* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
        if (quote == nullptr) {
          if (!eof_) return scan;
          fail(line_, field_label(scan.field_count - 1) +
                          ": the quoted field is never closed (a closing quote is missing)");
        }
        if (quote + 1 < end && quote[1] == '"') {
          doubled = true;
          p = quote + 2;
          continue;
        }
        scan.newlines += std::count(open + 1, quote, '\n');
        value = doubled ? unescape(open + 1, quote, scratch_used)
                        : std::string_view(open + 1, quote - open - 1);
        p = quote + 1;
        break;
      }
      // After the closing quote: a comma, a line end (LF, CRLF, or a CR ending the input), or
      // the end of the input.
      if (p == end || *p != ',') {
        const char* after = p < end && *p == '\r' ? p + 1 : p;
        if (after == end && !eof_) return scan;
        if (after == end || *after == '\n') {
          line_end = after;
        } else {
          scan.problem = Problem::kTextAfterClosingQuote;
        }
      }
    } else {
      const char* const begin = p;
      while (p < end && !ends_unquoted_run(*p)) ++p;
      if (p == end && !eof_) return scan;
      if (p < end && *p == '"') {
        scan.problem = Problem::kQuoteInUnquotedField;
      } else {
        if (p == end || *p == '\n') line_end = p;
        // A CR before the line end belongs to a CRLF, not to the value.
        const char* value_end = line_end && p > begin && p[-1] == '\r' ? p - 1 : p;
        value = std::string_view(begin, value_end - begin);
      }
    }
    if (scan.problem != Problem::kNone) {
      // Resynchronise at the end of the physical line, the best guess at where the bad
      // record was meant to end.
      line_end = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (line_end == nullptr) {
        if (!eof_) return scan;
        line_end = end;
      }
      scan.outcome = Outcome::kMalformed;
    } else {
      if (fields.size() < max_fields) fields.push_back(value);
      if (line_end == nullptr) {
        ++p;  // step over the ','
        continue;
      }
      scan.outcome = Outcome::kRecord;
    }
    const char* text_end = line_end > start && line_end[-1] == '\r' ? line_end - 1 : line_end;
    scan.text_end = static_cast<std::size_t>(text_end - buffer_.data());
    scan.newlines += line_end < end ? 1 : 0;
    scan.next = static_cast<std::size_t>(line_end - buffer_.data()) + (line_end < end ? 1 : 0);
    return scan;
  }
}

// Copies a quoted field's content into scratch_, turning each doubled quote into one.
std::string_view CsvReader::unescape(const char* begin, const char* end,
                                     std::size_t& scratch_used) {
  // Sized to the whole buffer, scratch_ never reallocates during a scan, which would move the
  // values already unescaped for earlier fields of the same record.
  if (scratch_.size() < buffer_.size()) scratch_.resize(buffer_.size());
  char* const out = scratch_.data() + scratch_used;
  std::size_t n = 0;
  for (const char* p = begin; p < end; ++p) {
    out[n++] = *p;
    if (*p == '"') ++p;  // the second quote of a pair
  }
  scratch_used += n;
  return std::string_view(out, n);
}

// Makes room for more input after the unfinished record at pos_ and reads until the buffer is
// full or the input ends; filling completely keeps rescans of a long record to a few.
void CsvReader::refill() {
  assert(!eof_);
  std::memmove(buffer_.data(), buffer_.data() + pos_, size_ - pos_);
  size_ -= pos_;
  pos_ = 0;
  if (size_ == buffer_.size()) {
    if (buffer_.size() >= limits_.max_record_bytes) {
      fail(line_, "record longer than " + std::to_string(limits_.max_record_bytes) +
                      " bytes (is a closing quote missing?)");
    }
    buffer_.resize(std::min(2 * buffer_.size(), limits_.max_record_bytes));
  }
  try {
    while (size_ < buffer_.size() && !eof_) {
      const std::size_t got = source_.read(buffer_.data() + size_, buffer_.size() - size_);
      size_ += got;
      eof_ = got == 0;
    }
  } catch (const InputError& error) {  // unreadable or corrupt input: the reader is finished
    failure_ = error;
    throw;
  }
}

std::string CsvReader::field_label(std::size_t index) const {
  std::string label = "field " + std::to_string(index + 1);
  if (index < columns_.size()) label += " (" + quote_value(columns_[index]) + ")";
  return label;
}

void CsvReader::fail(std::size_t line, const std::string& reason) {
  failure_ = InputError(source_name(), line, reason);
  throw *failure_;
}

}  // namespace hbayes::io
