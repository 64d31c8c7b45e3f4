#include "io/csv_cursor.hpp"

#include <algorithm>
#include <cstring>

#include "io/quote_value.hpp"

namespace hbayes::io {
namespace {

// Bytes that end an unquoted field's fast scan: a separator, a line end, or a misplaced quote.
bool ends_unquoted_run(char c) {
  return c == ',' || c == '\n' || c == '"';
}

}  // namespace

CsvCursor::CsvCursor(const std::vector<std::string>& columns, std::size_t max_fields)
    : columns_(columns), max_fields_(max_fields) {}

void CsvCursor::reset(const char* data, std::size_t size, bool at_eof, std::size_t position,
                      std::size_t line) {
  data_ = data;
  size_ = size;
  at_eof_ = at_eof;
  position_ = position;
  line_ = line;
}

CsvStep CsvCursor::next(CsvRecord& record) {
  for (;;) {
    if (position_ == size_) return at_eof_ ? CsvStep::kEnd : CsvStep::kNeedMore;
    const Scan scan = this->scan(record.fields);
    if (scan.outcome == Outcome::kNeedMore) return CsvStep::kNeedMore;
    record.line = line_;
    if (scan.outcome == Outcome::kUnterminated) return CsvStep::kUnterminated;
    record.text = std::string_view(data_ + position_, scan.text_end - position_);
    position_ = scan.next;
    line_ += scan.newlines;
    if (scan.outcome == Outcome::kMalformed) {
      problem_ = field_label(field_count_ - 1) + ": " +
                 (scan.problem == Problem::kQuoteInUnquotedField
                      ? "a quote inside an unquoted field (quote the whole field and double the "
                        "quotes inside it)"
                      : "text after the closing quote (double the quotes inside a quoted field)");
      return CsvStep::kBadRecord;
    }
    if (record.text.empty()) continue;  // a blank line
    if (!columns_.empty() && field_count_ != columns_.size()) {
      problem_ = "expected " + std::to_string(columns_.size()) + " fields, found " +
                 std::to_string(field_count_);
      return CsvStep::kBadRecord;
    }
    return CsvStep::kRecord;
  }
}

// Splits the record at position_ into `fields`. Needs more input (kNeedMore) whenever the bytes
// end before the record provably does; the caller supplies more and scans the record again.
CsvCursor::Scan CsvCursor::scan(std::vector<std::string_view>& fields) {
  Scan scan;
  fields.clear();
  field_count_ = 0;
  const std::size_t max_fields = columns_.empty() ? max_fields_ : columns_.size();
  std::size_t scratch_used = 0;
  const char* const start = data_ + position_;
  const char* const end = data_ + size_;
  const char* p = start;
  const char* line_end = nullptr;  // the '\n' (or end of input) that terminates the record
  Problem problem = Problem::kNone;
  // One field per pass.
  for (;;) {
    ++field_count_;
    std::string_view value;
    if (p < end && *p == '"') {
      const char* const open = p++;
      bool doubled = false;
      for (;;) {  // find the closing quote, stepping over doubled ones
        // A quote that ends the bytes is taken as closing; if more input follows, the check
        // after the field asks for it and the rescan sees whether the quote was doubled.
        const char* quote = static_cast<const char*>(std::memchr(p, '"', end - p));
        if (quote == nullptr) {
          if (!at_eof_) return scan;
          problem_ = field_label(field_count_ - 1) +
                     ": the quoted field is never closed (a closing quote is missing)";
          scan.outcome = Outcome::kUnterminated;
          return scan;
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
        if (after == end && !at_eof_) return scan;
        if (after == end || *after == '\n') {
          line_end = after;
        } else {
          problem = Problem::kTextAfterClosingQuote;
        }
      }
    } else {
      const char* const begin = p;
      while (p < end && !ends_unquoted_run(*p)) ++p;
      if (p == end && !at_eof_) return scan;
      if (p < end && *p == '"') {
        problem = Problem::kQuoteInUnquotedField;
      } else {
        if (p == end || *p == '\n') line_end = p;
        // A CR before the line end belongs to a CRLF, not to the value.
        const char* value_end = line_end && p > begin && p[-1] == '\r' ? p - 1 : p;
        value = std::string_view(begin, value_end - begin);
      }
    }
    if (problem != Problem::kNone) {
      // Resynchronise at the end of the physical line, the best guess at where the bad
      // record was meant to end.
      line_end = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (line_end == nullptr) {
        if (!at_eof_) return scan;
        line_end = end;
      }
      scan.outcome = Outcome::kMalformed;
      scan.problem = problem;
    } else {
      if (fields.size() < max_fields) fields.push_back(value);
      if (line_end == nullptr) {
        ++p;  // step over the ','
        continue;
      }
      scan.outcome = Outcome::kRecord;
    }
    const char* text_end = line_end > start && line_end[-1] == '\r' ? line_end - 1 : line_end;
    scan.text_end = static_cast<std::size_t>(text_end - data_);
    scan.newlines += line_end < end ? 1 : 0;
    scan.next = static_cast<std::size_t>(line_end - data_) + (line_end < end ? 1 : 0);
    return scan;
  }
}

// Copies a quoted field's content into scratch_, turning each doubled quote into one.
std::string_view CsvCursor::unescape(const char* begin, const char* end,
                                     std::size_t& scratch_used) {
  // Sized to all the bytes left, scratch_ never reallocates during a scan, which would move the
  // values already unescaped for earlier fields of the same record.
  if (scratch_.size() < size_ - position_) scratch_.resize(size_ - position_);
  char* const out = scratch_.data() + scratch_used;
  std::size_t n = 0;
  for (const char* p = begin; p < end; ++p) {
    out[n++] = *p;
    if (*p == '"') ++p;  // the second quote of a pair
  }
  scratch_used += n;
  return std::string_view(out, n);
}

std::string CsvCursor::field_label(std::size_t index) const {
  std::string label = "field " + std::to_string(index + 1);
  if (index < columns_.size()) label += " (" + quote_value(columns_[index]) + ")";
  return label;
}

}  // namespace hbayes::io
