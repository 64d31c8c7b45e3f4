#include "io/line_source.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "hbayes/errors.hpp"

namespace hbayes::io {
namespace {

// zlib's own buffer: larger than its 8 KiB default so that inflate runs on long stretches, small
// enough that opening a file stays cheap (zlib allocates three times this).
constexpr unsigned kZlibBufferBytes = 128u << 10;

gzFile as_gz(void* file) {
  return static_cast<gzFile>(file);
}

// zlib's message for the last error, without the "<fd:N>: " prefix that names our descriptor.
std::string zlib_reason(gzFile file, int* zlib_error) {
  const std::string message = gzerror(file, zlib_error);
  const std::size_t colon = message.find(": ");
  return colon == std::string::npos ? message : message.substr(colon + 2);
}

bool ends_with(const std::string& text, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return text.size() >= n && text.compare(text.size() - n, n, suffix) == 0;
}

// The retained input, if any: its path as given and its bytes.
struct Retained {
  std::string path;
  std::string bytes;
};
Retained* retained = nullptr;

}  // namespace

// Every input goes through zlib's gz* functions: they pass plain bytes through unchanged
// ("transparent" mode) and inflate gzip data, so a gzip stream on stdin works too.
LineSource::LineSource(const std::string& path)
    : name_(path == "-" ? "<stdin>" : path), file_(nullptr) {
  if (retained != nullptr && retained->path == path) {
    memory_ = &retained->bytes;
    return;
  }
  // gzclose closes the descriptor; a duplicate keeps the process's stdin open afterwards.
  const int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(name_, 0, std::string("cannot open: ") + std::strerror(errno));
  gzFile file = gzdopen(fd, "rb");
  if (file == nullptr) {
    close(fd);
    throw InputError(name_, 0, "cannot open: out of memory");
  }
  file_ = file;
  gzbuffer(file, kZlibBufferBytes);
  // gzdirect() looks at the first bytes; a ".gz" name promises gzip, so plain data is an error
  // rather than something to parse as CSV.
  if (ends_with(path, ".gz") && gzdirect(file) == 1) {
    int zlib_error = Z_OK;
    const std::string why = zlib_reason(file, &zlib_error);
    const std::string reason = zlib_error == Z_ERRNO ? "cannot read: " + why : "not in gzip format";
    gzclose(file);
    throw InputError(name_, 0, reason);
  }
}

LineSource::~LineSource() {
  if (file_ != nullptr) gzclose(as_gz(file_));
}

std::size_t LineSource::read(char* buffer, std::size_t size) {
  if (memory_ != nullptr) {
    const std::size_t count = std::min(size, memory_->size() - memory_offset_);
    std::memcpy(buffer, memory_->data() + memory_offset_, count);
    memory_offset_ += count;
    return count;
  }
  const unsigned request = static_cast<unsigned>(std::min<std::size_t>(size, INT_MAX));
  const int got = gzread(as_gz(file_), buffer, request);
  if (got > 0) return static_cast<std::size_t>(got);
  // A truncated gzip stream is not a -1 from gzread: zlib reports Z_BUF_ERROR ("unexpected end
  // of file") only through gzerror, so end of input is checked for an error too.
  int zlib_error = Z_OK;
  const std::string why = zlib_reason(as_gz(file_), &zlib_error);
  if (got == 0 && zlib_error == Z_OK) return 0;
  if (zlib_error == Z_ERRNO) throw InputError(name_, 0, "cannot read: " + why);
  throw InputError(name_, 0, "corrupt gzip data: " + why);
}

RetainedInput::RetainedInput(const std::string& path, std::size_t max_bytes) {
  if (retained != nullptr) throw std::logic_error("RetainedInput: one input at a time");
  auto kept = std::make_unique<Retained>(Retained{path, {}});
  {
    LineSource source(path);
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    for (;;) {
      if (kept->bytes.size() > max_bytes) {
        if (path == "-") {
          throw InputError(source.name(), 0,
                           "more than " + std::to_string(max_bytes) +
                               " bytes: too large to hold in memory and read twice; save it "
                               "to a file");
        }
        return;  // not held: the file is read again when it is parsed again
      }
      const std::size_t at = kept->bytes.size();
      kept->bytes.resize(at + kChunk);
      const std::size_t got = source.read(kept->bytes.data() + at, kChunk);
      kept->bytes.resize(at + got);
      if (got == 0) break;
    }
  }
  retained = kept.release();
  held_ = true;
}

RetainedInput::~RetainedInput() {
  if (!held_) return;
  delete retained;
  retained = nullptr;
}

std::size_t RetainedInput::default_max_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return std::size_t{1} << 30;
  return static_cast<std::size_t>(pages) / 4 * static_cast<std::size_t>(page_size);
}

}  // namespace hbayes::io
