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
  void* file_;  // zlib's gzFile, kept opaque so that users of this header need no zlib.h; null
                // when the bytes come from a RetainedInput
  const std::string* memory_ = nullptr;  // the retained bytes, read from memory_offset_ on
  std::size_t memory_offset_ = 0;
};

// An input's bytes (decompressed) held in memory while this object lives: a LineSource opened on
// the same path meanwhile reads them from memory, not from the file or stdin. So an input can be
// parsed twice having been read once (`hbayes score --empirical-bayes`: the fit, then the
// scores), and stdin can be parsed twice at all. One at a time, created and destroyed on one
// thread before and after the LineSources that use it.
class RetainedInput {
 public:
  // Reads all of `path` ("-": stdin) unless it holds more than max_bytes: then held() is false
  // and a file is simply read again later, while stdin, which cannot be, throws InputError.
  RetainedInput(const std::string& path, std::size_t max_bytes);
  ~RetainedInput();
  RetainedInput(const RetainedInput&) = delete;
  RetainedInput& operator=(const RetainedInput&) = delete;

  bool held() const { return held_; }
  // A quarter of the machine's physical memory: what an input may take to be retained.
  static std::size_t default_max_bytes();

 private:
  bool held_ = false;
};

}  // namespace hbayes::io
