// AtomicOutputFile: all or nothing at the target path, and failures that name the file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

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

TEST(AtomicOutputFile, DiskFullIsAnErrorNamingTheFile) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  std::string message;
  with_stdout("/dev/full", [&] {
    try {
      AtomicOutputFile out("-");
      out.write("a,b\n");
      out.commit();
    } catch (const std::system_error& e) {
      message = e.what();
    }
  });
  EXPECT_EQ(message, "<stdout>: cannot write: No space left on device");
}

}  // namespace
}  // namespace hbayes::io
