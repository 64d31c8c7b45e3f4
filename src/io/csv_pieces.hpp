// Parsing one block of CSV input on several threads: the block is cut into pieces at likely
// record boundaries, each piece is parsed by its own CsvCursor, and the pieces' results are
// stitched back together in file order, keeping only those parsed from true record starts.
#pragma once

#include <cstddef>
#include <vector>

#include "io/csv_cursor.hpp"
#include "io/csv_reader.hpp"

namespace hbayes::io {

// Offsets that cut `block` into at most `count` pieces of similar size: piece i holds the
// records that start in [cuts[i], cuts[i+1]); cuts[0] is 0 and the last cut is block.size.
// Each inner cut follows a line break with an even number of quotes before it in the block,
// which is a record start in well-formed CSV; stitch() catches the cuts where it is not.
std::vector<std::size_t> cut_at_records(const CsvBlock& block, std::size_t count);

// How parsing a piece ended.
struct PieceEnd {
  std::size_t position = 0;  // offset of the first record not read
  std::size_t lines = 0;     // line breaks read
  bool finished = false;     // it reached the piece's end, rather than stopping early
};

// Parses the records that start in [begin, end) of `block` (begin is a record start, or the
// piece is discarded later), calling `on_record(step, record)` for kRecord, kBadRecord and
// kUnterminated steps; it stops after kUnterminated, at kNeedMore, or when on_record returns
// false. Line numbers count from 0 at `begin`.
template <class OnRecord>
PieceEnd parse_piece(CsvCursor& cursor, const CsvBlock& block, std::size_t begin, std::size_t end,
                     CsvRecord& record, OnRecord&& on_record) {
  cursor.reset(block.data, block.size, block.at_eof, begin, 0);
  while (cursor.position() < end) {
    const CsvStep step = cursor.next(record);
    // Blank lines are skipped, so the record found may start in the next piece: it is left to
    // that piece.
    const bool read = step == CsvStep::kRecord || step == CsvStep::kBadRecord;
    const auto start =
        read ? static_cast<std::size_t>(record.text.data() - block.data) : cursor.position();
    if (start >= end) return {start, read ? record.line : cursor.line(), true};
    if (step == CsvStep::kNeedMore) return {start, cursor.line(), false};
    if (!on_record(step, record) || step == CsvStep::kUnterminated) {
      return {cursor.position(), cursor.line(), false};
    }
  }
  return {cursor.position(), cursor.line(), true};
}

// Which pieces' results stand, and how far the block was read.
struct Stitch {
  std::size_t pieces = 0;  // pieces 0..pieces-1 stand
  std::size_t bytes = 0;   // of the block, read by them: whole records
  std::size_t lines = 0;   // line breaks in those bytes
  bool read_more = false;  // the rest of the block is a record's beginning: read more input
};

// Piece i stands if piece i-1 stood, finished, and ended exactly where piece i begins: a piece
// cut inside a quoted field or after a malformed record shows up as its neighbour running past
// the cut. The pieces after the first that does not stand are parsed again with the next block.
Stitch stitch(const std::vector<std::size_t>& cuts, const std::vector<PieceEnd>& ends,
              const CsvBlock& block);

}  // namespace hbayes::io
