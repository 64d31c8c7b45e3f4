#include "io/atomic_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace hbayes::io {
namespace {

// Large enough that writes are rare system calls, small enough to be negligible memory.
constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
// Writes this large are already rare system calls: copying them into the buffer first would
// only add a pass over the bytes.
constexpr std::size_t kWriteThroughBytes = std::size_t{64} << 10;
// How often the temporary file's new bytes are sent on their way to disk (see start_writeback).
constexpr std::size_t kWritebackBytes = std::size_t{8} << 20;
// Fresh temporary names tried before giving up; a name is taken only by a stale leftover file.
constexpr int kMaxCreateAttempts = 100;

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A name no other writer uses: the process id tells processes apart, the counter tells apart
// files of one process; O_EXCL in the caller catches a stale file left by a crashed run.
std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + base + ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::string path)
    : path_(std::move(path)),
      name_(path_ == "-" ? "<stdout>" : path_),
      buffer_(new char[kBufferBytes]) {
  if (path_ == "-") {
    fd_ = STDOUT_FILENO;
    return;
  }
  // Mode 0666 lets the umask decide the permissions, as for any file the user creates; the
  // temporary sits in the target's directory so that rename() cannot cross file systems.
  for (int attempt = 1; fd_ < 0; ++attempt) {
    temp_path_ = temporary_name(path_);
    fd_ = open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt == kMaxCreateAttempts)) {
      const int error = errno;
      temp_path_.clear();
      fail(error, "cannot create");
    }
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (temp_path_.empty()) return;  // stdout (whose buffered tail is dropped), or committed
  if (fd_ >= 0) close(fd_);
  unlink(temp_path_.c_str());
}

void AtomicOutputFile::write(std::string_view bytes) {
  if (bytes.size() >= kWriteThroughBytes) {
    flush();
    write_through(bytes.data(), bytes.size());
    return;
  }
  if (bytes.size() > kBufferBytes - buffered_) flush();
  std::memcpy(buffer_.get() + buffered_, bytes.data(), bytes.size());
  buffered_ += bytes.size();
}

void AtomicOutputFile::commit() {
  flush();
  if (temp_path_.empty()) return;  // stdout: nothing to rename
  // Data must be on disk before the rename makes it visible under the final name.
  if (fsync(fd_) != 0) fail(errno, "cannot write");
  const int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) fail(errno, "cannot write");
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) fail(errno, "cannot replace");
  temp_path_.clear();
  // Persist the rename itself. Best effort: some file systems refuse fsync on a directory,
  // and the output is already complete and in place.
  const int dir = open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

void AtomicOutputFile::flush() {
  const std::size_t size = buffered_;
  buffered_ = 0;
  write_through(buffer_.get(), size);
}

void AtomicOutputFile::write_through(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd_, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(errno, "cannot write");
    }
    data += written;
    size -= static_cast<std::size_t>(written);
    written_ += static_cast<std::size_t>(written);
  }
  if (written_ - written_back_ >= kWritebackBytes) start_writeback();
}

// commit() must fsync before the rename, and for a large output that fsync would write out
// everything at the end while nothing else runs. Starting the writeback of each few MiB as it is
// written lets the disk work while the run goes on, leaving commit() little to wait for. It only
// starts the writeback (without waiting) and its result is not needed: fsync still guarantees
// the data, and reports any error.
void AtomicOutputFile::start_writeback() {
  if (temp_path_.empty()) return;  // stdout
#if defined(__linux__)
  sync_file_range(fd_, static_cast<off_t>(written_back_),
                  static_cast<off_t>(written_ - written_back_), SYNC_FILE_RANGE_WRITE);
#endif
  written_back_ = written_;
}

void AtomicOutputFile::fail(int error, const char* what) const {
  throw std::system_error(error, std::generic_category(), name_ + ": " + what);
}

}  // namespace hbayes::io
