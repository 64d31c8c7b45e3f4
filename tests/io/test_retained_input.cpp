// RetainedInput: an input read once and parsed twice. While it lives, readers of its path get
// its bytes from memory (the file may even be gone); past its size limit a file is left to be
// read again, and stdin, which cannot be, is refused.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "io/csv_reader.hpp"
#include "io/line_source.hpp"
#include "io_test_files.hpp"

namespace hbayes::io {
namespace {

std::vector<std::string> first_fields(const std::string& path) {
  CsvReader reader(path);
  std::vector<std::string> out;
  CsvRecord record;
  while (reader.next(record)) out.emplace_back(record.fields[0]);
  return out;
}

TEST(RetainedInput, ParsesTwiceFromMemoryAfterOneRead) {
  test::TempDir dir;
  const std::string path = dir.file("stores.csv");
  test::write_file(path, "id,y\na,1\nb,2\nc,3\n");
  {
    RetainedInput retained(path, 1 << 20);
    ASSERT_TRUE(retained.held());
    // The file is gone: only the retained bytes can serve the two parses.
    std::filesystem::remove(path);
    const std::vector<std::string> expected = {"a", "b", "c"};
    EXPECT_EQ(first_fields(path), expected);
    EXPECT_EQ(first_fields(path), expected);
  }
  // Released: the path is a file again, and there is none.
  EXPECT_THROW(CsvReader reader(path), InputError);
}

TEST(RetainedInput, GzipIsHeldDecompressed) {
  test::TempDir dir;
  const std::string path = dir.file("stores.csv.gz");
  test::write_file(path, test::gzip_bytes("id,y\nx,9\n"));
  RetainedInput retained(path, 1 << 20);
  ASSERT_TRUE(retained.held());
  std::filesystem::remove(path);
  EXPECT_EQ(first_fields(path), std::vector<std::string>{"x"});
}

TEST(RetainedInput, AFileOverTheLimitIsReadAgainFromDisk) {
  test::TempDir dir;
  const std::string path = dir.file("big.csv");
  std::string text = "id,y\n";
  for (int i = 0; i < 2000; ++i) text += "s" + std::to_string(i) + ",1\n";
  test::write_file(path, text);
  RetainedInput retained(path, 100);
  EXPECT_FALSE(retained.held());
  EXPECT_EQ(first_fields(path).size(), 2000u);
  EXPECT_EQ(first_fields(path).size(), 2000u);
}

TEST(RetainedInput, StdinOverTheLimitIsRefused) {
  test::TempDir dir;
  const std::string path = dir.file("stdin.csv");
  std::string text = "id,y\n";
  for (int i = 0; i < 2000; ++i) text += "s" + std::to_string(i) + ",1\n";
  test::write_file(path, text);
  // Point this process's stdin at the file for the duration of the test.
  FILE* redirected = std::freopen(path.c_str(), "rb", stdin);
  ASSERT_NE(redirected, nullptr);
  try {
    RetainedInput retained("-", 100);
    FAIL() << "stdin over the limit was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("<stdin>"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("save it to a file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace hbayes::io
