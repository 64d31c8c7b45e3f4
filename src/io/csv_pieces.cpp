#include "io/csv_pieces.hpp"

#include <algorithm>

namespace hbayes::io {

std::vector<std::size_t> cut_at_records(const CsvBlock& block, std::size_t count) {
  std::vector<std::size_t> cuts{0};
  const char* const data = block.data;
  std::size_t scanned = 0;  // quotes are counted up to here
  bool inside_quotes = false;
  for (std::size_t i = 1; i < count; ++i) {
    std::size_t at = std::max(block.size / count * i, cuts.back());
    if (at <= scanned) continue;  // the last cut's line ran past this one's place
    // Each stretch is counted once: quote parity from the block start to `at`.
    inside_quotes ^= std::count(data + scanned, data + at, '"') % 2 != 0;
    while (at < block.size && (inside_quotes || data[at] != '\n')) {
      inside_quotes ^= data[at] == '"';
      ++at;
    }
    if (at == block.size) break;
    scanned = ++at;  // just after the line break
    cuts.push_back(at);
  }
  cuts.push_back(block.size);
  if (cuts.size() > 2 && cuts[cuts.size() - 2] == block.size) cuts.pop_back();  // no empty piece
  return cuts;
}

Stitch stitch(const std::vector<std::size_t>& cuts, const std::vector<PieceEnd>& ends,
              const CsvBlock& block) {
  Stitch s;
  for (std::size_t i = 0; i < ends.size(); ++i) {
    s.pieces = i + 1;
    s.bytes = ends[i].position;
    s.lines += ends[i].lines;
    if (!ends[i].finished || i + 1 == ends.size() || ends[i].position != cuts[i + 1]) break;
  }
  // Stopped inside the block's last record, or read all of it: the rest needs more input.
  const PieceEnd& last = ends[s.pieces - 1];
  s.read_more = !block.at_eof && (!last.finished || s.bytes == block.size);
  return s;
}

}  // namespace hbayes::io
