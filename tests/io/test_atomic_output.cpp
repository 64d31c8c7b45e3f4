// AtomicOutputFile: all or nothing at the target path, and failures that name the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "io/atomic_output.hpp"
#include "io_test_files.hpp"

namespace hbayes::io {
namespace {

using test::read_file;
using test::TempDir;
using test::write_file;

std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// Runs `body` with stdout redirected to `path`, restoring it afterwards.
template <class Body>
void with_stdout(const std::string& path, Body body) {
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  const int fd = open(path.c_str(), O_WRONLY);
  ASSERT_GE(saved, 0);
  ASSERT_GE(fd, 0);
  dup2(fd, STDOUT_FILENO);
  close(fd);
  body();
  dup2(saved, STDOUT_FILENO);
  close(saved);
}

TEST(AtomicOutputFile, CommitWritesTheWholeFile) {
  TempDir dir;
  const std::string path = dir.file("out.csv");
  std::string expected;
  {
    AtomicOutputFile out(path);
    EXPECT_EQ(out.name(), path);
    // Small writes, and writes larger than the buffer, interleaved.
    for (int i = 0; i < 3000; ++i) {
      const std::string piece = i % 1000 == 999
                                    ? std::string(3 << 20, static_cast<char>('a' + i % 26))
                                    : "row " + std::to_string(i) + "\n";
      out.write(piece);
      expected += piece;
    }
    EXPECT_FALSE(std::filesystem::exists(path));  // nothing at the target before commit()
    out.commit();
  }
  EXPECT_EQ(read_file(path), expected);
  EXPECT_EQ(entries_in(dir.path()), 1u);  // no temporary left behind
}

TEST(AtomicOutputFile, WithoutCommitNothingIsLeft) {
  TempDir dir;
  {
    AtomicOutputFile out(dir.file("out.csv"));
    out.write(std::string(5 << 20, 'x'));  // some of it has reached the temporary file
    EXPECT_EQ(entries_in(dir.path()), 1u);
  }
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(AtomicOutputFile, AFailedRunNeverClobbersAnExistingFile) {
  TempDir dir;
  const std::string path = dir.file("out.csv");
  write_file(path, "old results\n");
  try {
    AtomicOutputFile out(path);
    out.write("partial new results\n");
    throw std::runtime_error("row 1041 is bad");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(read_file(path), "old results\n");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicOutputFile, CommitReplacesAnExistingFile) {
  TempDir dir;
  const std::string path = dir.file("out.csv");
  write_file(path, "old results, rather longer than the new ones\n");
  AtomicOutputFile out(path);
  out.write("new\n");
  out.commit();
  EXPECT_EQ(read_file(path), "new\n");
}

TEST(AtomicOutputFile, TwoWritersToOnePathUseDifferentTemporaries) {
  TempDir dir;
  const std::string path = dir.file("out.csv");
  AtomicOutputFile first(path);
  AtomicOutputFile second(path);
  first.write("first\n");
  second.write("second\n");
  EXPECT_EQ(entries_in(dir.path()), 2u);
  first.commit();
  second.commit();
  EXPECT_EQ(read_file(path), "second\n");
}

TEST(AtomicOutputFile, RelativePathInTheWorkingDirectory) {
  TempDir dir;
  const auto saved = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    AtomicOutputFile out("out.csv");
    out.write("x\n");
    out.commit();
  }
  std::filesystem::current_path(saved);
  EXPECT_EQ(read_file(dir.file("out.csv")), "x\n");
}

TEST(AtomicOutputFile, MissingDirectoryNamesTheFile) {
  TempDir dir;
  const std::string path = dir.file("no/such/dir/out.csv");
  try {
    AtomicOutputFile out(path);
    FAIL() << "created a file in a missing directory";
  } catch (const std::system_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot create: No such file or directory");
  }
}

TEST(AtomicOutputFile, StdoutIsWrittenThrough) {
  TempDir dir;
  const std::string path = dir.file("captured");
  write_file(path, "");
  with_stdout(path, [] {
    AtomicOutputFile out("-");
    EXPECT_EQ(out.name(), "<stdout>");
    out.write("a,b\n");
    out.write("1,2\n");
    out.commit();
  });
  EXPECT_EQ(read_file(path), "a,b\n1,2\n");
}

// A device that refuses writes, made on any machine: in a child process, a file-size limit
// (RLIMIT_FSIZE, with SIGXFSZ ignored) makes every write past 1 KiB fail with EFBIG, as a full
// disk fails with ENOSPC. Runs `body` there and returns the child's exit status.
template <class Body>
int in_child_with_write_limit(Body body) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = 1024;
    setrlimit(RLIMIT_FSIZE, &limit);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

// Exit codes of the children below: 0 as expected, 1 no error, 2 wrong message, 3 output left.
int expect_write_failure(const std::string& target, const std::string& expected_message) {
  std::string message;
  try {
    AtomicOutputFile out(target);
    out.write(std::string(1 << 20, 'x'));
    out.commit();
  } catch (const std::system_error& e) {
    message = e.what();
  }
  if (message.empty()) return 1;
  return message == expected_message ? 0 : 2;
}

TEST(AtomicOutputFile, AFailedWriteNamesTheFileAndLeavesNothing) {
  TempDir dir;
  const std::string path = dir.file("posterior.csv");
  const int status = in_child_with_write_limit([&] {
    const int result = expect_write_failure(path, path + ": cannot write: File too large");
    return result != 0 ? result : (entries_in(dir.path()) == 0 ? 0 : 3);
  });
  EXPECT_EQ(status, 0) << "0 expected; 1 no error, 2 wrong message, 3 output left";
  EXPECT_EQ(entries_in(dir.path()), 0u);
}

TEST(AtomicOutputFile, AFailedWriteToStdoutIsAnError) {
  TempDir dir;
  const std::string path = dir.file("captured");
  write_file(path, "");
  int status = -1;
  with_stdout(path, [&] {
    status = in_child_with_write_limit(
        [] { return expect_write_failure("-", "<stdout>: cannot write: File too large"); });
  });
  EXPECT_EQ(status, 0) << "0 expected; 1 no error, 2 wrong message";
}

}  // namespace
}  // namespace hbayes::io
