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

}  // namespace

CsvReader::CsvReader(const std::string& path, CsvReaderLimits limits)
    : source_(path),
      limits_(limits),
      buffer_(std::max(limits.block_bytes, kMinBlockBytes)),
      cursor_(columns_, kMaxColumns) {
  refill();
  if (size_ >= 3 && std::memcmp(buffer_.data(), kByteOrderMark, 3) == 0) pos_ = 3;
  read_header();
}

void CsvReader::read_header() {
  CsvRecord header;
  if (!next(header)) fail(0, "empty input (no header line)");
  header_line_ = header.line;
  if (cursor_.field_count() > kMaxColumns) {
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

// While the header is read, columns_ is empty and the cursor takes any field count.
bool CsvReader::next(CsvRecord& record) {
  if (failure_) throw *failure_;
  for (;;) {
    cursor_.reset(buffer_.data(), size_, eof_, pos_, line_);
    const CsvStep step = cursor_.next(record);
    pos_ = cursor_.position();
    line_ = cursor_.line();
    switch (step) {
      case CsvStep::kRecord:
        last_text_ = record.text;
        return true;
      case CsvStep::kBadRecord:
        last_text_ = record.text;
        throw RecordError(source_name(), record.line, cursor_.problem());
      case CsvStep::kNeedMore:
        refill();
        break;
      case CsvStep::kEnd:
        return false;
      case CsvStep::kUnterminated:
        fail(record.line, cursor_.problem());
    }
  }
}

CsvBlock CsvReader::block(bool read_more) {
  if (failure_) throw *failure_;
  if (read_more && !eof_) refill();
  return {buffer_.data() + pos_, size_ - pos_, line_, eof_};
}

void CsvReader::consume(std::size_t bytes, std::size_t lines) {
  assert(bytes <= size_ - pos_);
  pos_ += bytes;
  line_ += lines;
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

void CsvReader::fail(std::size_t line, const std::string& reason) {
  failure_ = InputError(source_name(), line, reason);
  throw *failure_;
}

}  // namespace hbayes::io
