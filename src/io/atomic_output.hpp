// An output file that appears complete or not at all.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace hbayes::io {

// Buffered writer to a uniquely named temporary file beside `path`; commit() renames it over
// `path`. Destroyed without commit() it removes the temporary file, so a failed run leaves no
// output and an existing file at `path` is never clobbered. "-" writes stdout directly (commit()
// only flushes). Failures throw std::system_error whose what() names the file and the cause,
// e.g. "out.csv: cannot write: No space left on device".
class AtomicOutputFile {
 public:
  // Creates the temporary file (or takes stdout for "-").
  explicit AtomicOutputFile(std::string path);
  // Without commit(): discards the buffer and removes the temporary file.
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  // Appends `bytes` to the output; they reach the file when the buffer fills or at commit().
  void write(std::string_view bytes);

  // Flushes, fsyncs and renames the temporary file to `path`; call once, after the last write.
  void commit();

  // The output's name for messages: the path as given, or "<stdout>".
  const std::string& name() const { return name_; }

 private:
  void flush();
  void write_through(const char* data, std::size_t size);
  void start_writeback();
  [[noreturn]] void fail(int error, const char* what) const;

  std::string path_;
  std::string name_;
  std::string temp_path_;  // empty for stdout and once committed
  int fd_ = -1;
  std::unique_ptr<char[]> buffer_;
  std::size_t buffered_ = 0;
  std::size_t written_ = 0;       // bytes handed to the file
  std::size_t written_back_ = 0;  // of those, bytes whose writeback to disk has been started
};

}  // namespace hbayes::io
