// The raw bytes of a line-oriented input (a file, stdin, or a gzip file), read in blocks.
#pragma once

#include <cstddef>
#include <string>

namespace hbayes::io {

// Sequential reader of an input's bytes. Gzip data is decompressed, whatever the name; a path
// ending in ".gz" must hold gzip data. Errors throw hbayes::InputError naming the input.
class LineSource {
 public:
  // Opens `path`; "-" reads stdin. Throws InputError ("stores.csv: cannot open: <why>").
  explicit LineSource(const std::string& path);
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  // Reads up to `size` bytes into `buffer`; returns how many, 0 only at end of input.
  std::size_t read(char* buffer, std::size_t size);

  // The input's name for messages: the path as given, or "<stdin>".
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  void* file_;  // zlib's gzFile, kept opaque so that users of this header need no zlib.h
};

}  // namespace hbayes::io
