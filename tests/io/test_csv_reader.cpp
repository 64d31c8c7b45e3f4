// CsvReader: the CSV dialect it accepts, what it rejects, and the messages it gives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "hbayes/errors.hpp"
#include "io/csv_reader.hpp"
#include "io_test_files.hpp"

namespace hbayes::io {
namespace {

using test::TempDir;
using test::write_file;

// A record copied out of the reader's buffers.
struct Row {
  std::size_t line;
  std::vector<std::string> fields;
  std::string text;
  bool operator==(const Row& other) const {
    return line == other.line && fields == other.fields && text == other.text;
  }
};

std::ostream& operator<<(std::ostream& out, const Row& row) {
  out << "line " << row.line << " text '" << row.text << "' fields";
  for (const auto& field : row.fields) out << " [" << field << "]";
  return out;
}

std::vector<Row> read_rows(CsvReader& reader) {
  std::vector<Row> rows;
  CsvRecord record;
  while (reader.next(record)) {
    rows.push_back(
        {record.line, {record.fields.begin(), record.fields.end()}, std::string(record.text)});
  }
  return rows;
}

class CsvReaderTest : public ::testing::Test {
 protected:
  // Writes `bytes` to a file called `name` in the scratch directory; returns its path.
  std::string file(const std::string& bytes, const std::string& name = "stores.csv") {
    const std::string path = dir_.file(name);
    write_file(path, bytes);
    return path;
  }
  // The what() of the InputError that opening `bytes` as a CSV throws, or "" if none.
  std::string open_error(const std::string& bytes) {
    try {
      CsvReader reader(file(bytes));
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  TempDir dir_;
};

TEST_F(CsvReaderTest, ReadsHeaderAndRecords) {
  CsvReader reader(file("store,successes,trials\nstore_000123,17,250\nstore_000124,0,3\n"));
  EXPECT_EQ(reader.columns(), (std::vector<std::string>{"store", "successes", "trials"}));
  EXPECT_EQ(reader.header_line(), 1u);
  const std::vector<Row> expected{{2, {"store_000123", "17", "250"}, "store_000123,17,250"},
                                  {3, {"store_000124", "0", "3"}, "store_000124,0,3"}};
  EXPECT_EQ(read_rows(reader), expected);
}

TEST_F(CsvReaderTest, CrlfMissingFinalNewlineAndByteOrderMark) {
  CsvReader reader(file("\xEF\xBB\xBFid,n\r\na,1\r\nb,2"));
  EXPECT_EQ(reader.columns(), (std::vector<std::string>{"id", "n"}));
  const std::vector<Row> expected{{2, {"a", "1"}, "a,1"}, {3, {"b", "2"}, "b,2"}};
  EXPECT_EQ(read_rows(reader), expected);
}

TEST_F(CsvReaderTest, FinalCarriageReturnEndsTheLastLine) {
  CsvReader reader(file("id,n\na,1\r"));
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{2, {"a", "1"}, "a,1"}}));
}

TEST_F(CsvReaderTest, CarriageReturnInsideAFieldIsData) {
  CsvReader reader(file("id,n\na\rb,1\n"));
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{2, {"a\rb", "1"}, "a\rb,1"}}));
}

TEST_F(CsvReaderTest, SkipsEmptyLinesAndKeepsLineNumbers) {
  CsvReader reader(file("\n\r\nid,n\n\na,1\r\n\r\n\nb,2\n\n"));
  EXPECT_EQ(reader.header_line(), 3u);
  const std::vector<Row> expected{{5, {"a", "1"}, "a,1"}, {8, {"b", "2"}, "b,2"}};
  EXPECT_EQ(read_rows(reader), expected);
}

TEST_F(CsvReaderTest, WhitespaceLineIsARecordWithTheWrongFieldCount) {
  const std::string path = file("id,n\n  \na,1\n");
  CsvReader reader(path);
  CsvRecord record;
  try {
    reader.next(record);
    FAIL() << "a line of spaces was accepted";
  } catch (const RecordError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: expected 2 fields, found 1");
  }
}

TEST_F(CsvReaderTest, OneColumnFileWritesAnEmptyValueQuoted) {
  CsvReader reader(file("name\n\"\"\n\nx\n"));
  const std::vector<Row> expected{{2, {""}, "\"\""}, {4, {"x"}, "x"}};
  EXPECT_EQ(read_rows(reader), expected);
}

TEST_F(CsvReaderTest, QuotedFields) {
  CsvReader reader(
      file("\"id\",\"note\",n\n"
           "\"a,b\",\"say \"\"hi\"\"\",1\n"
           "\"\",\"two\nlines\r\nhere\",\"2\"\r\n"
           "c,\"\"\"\",3\n"));
  EXPECT_EQ(reader.columns(), (std::vector<std::string>{"id", "note", "n"}));
  const std::vector<Row> expected{
      {2, {"a,b", "say \"hi\"", "1"}, "\"a,b\",\"say \"\"hi\"\"\",1"},
      {3, {"", "two\nlines\r\nhere", "2"}, "\"\",\"two\nlines\r\nhere\",\"2\""},
      {6, {"c", "\"", "3"}, "c,\"\"\"\",3"}};
  EXPECT_EQ(read_rows(reader), expected);
}

TEST_F(CsvReaderTest, NulBytesAreOrdinaryData) {
  const std::string nul(1, '\0');
  CsvReader reader(file("id,n\na" + nul + "b,1\n"));
  EXPECT_EQ(read_rows(reader), (std::vector<Row>{{2, {"a" + nul + "b", "1"}, "a" + nul + "b,1"}}));
}

// Every block size must give the same records, whatever straddles a block boundary.
TEST_F(CsvReaderTest, RecordsSpanningBlocks) {
  const std::string text =
      "\xEF\xBB\xBFid,\"note\",n\r\n\r\nstore_000123,\"x,\"\"y\"\"\nz\",17\r\n"
      "b,,2\n\"\",\"\",\"\"\nlast,\"q\",9\r";
  const std::string path = file(text);
  CsvReader whole(path);
  const std::vector<Row> expected = read_rows(whole);
  ASSERT_EQ(expected.size(), 4u);
  EXPECT_EQ(expected[0],
            (Row{3, {"store_000123", "x,\"y\"\nz", "17"}, "store_000123,\"x,\"\"y\"\"\nz\",17"}));
  for (std::size_t block = 1; block <= text.size() + 1; ++block) {
    SCOPED_TRACE("block_bytes " + std::to_string(block));
    CsvReader reader(path, CsvReaderLimits{block, 1 << 20});
    EXPECT_EQ(reader.columns(), whole.columns());
    EXPECT_EQ(read_rows(reader), expected);
  }
}

TEST_F(CsvReaderTest, HugeRecordGrowsTheBuffer) {
  const std::string big(5 << 20, 'x');
  CsvReader reader(file("id,n\n" + big + ",1\n\"" + big + "\",2\n"), CsvReaderLimits{4096});
  const std::vector<Row> rows = read_rows(reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields[0], big);
  EXPECT_EQ(rows[1].fields[0], big);
  EXPECT_EQ(rows[1].line, 3u);
}

TEST_F(CsvReaderTest, RecordLongerThanTheLimitIsAnError) {
  const std::string path = file("id,n\na,1\n\"" + std::string(5000, 'x') + ",2\nb,3\n");
  CsvReader reader(path, CsvReaderLimits{64, 1024});
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  EXPECT_THROW(
      {
        try {
          reader.next(record);
        } catch (const RecordError&) {
          FAIL() << "a runaway record must stop the reader, not be skipped";
        } catch (const InputError& e) {
          EXPECT_EQ(std::string(e.what()),
                    path + ":3: record longer than 1024 bytes (is a closing quote missing?)");
          throw;
        }
      },
      InputError);
}

TEST_F(CsvReaderTest, WrongFieldCountNamesFileLineAndCounts) {
  const std::string path = file("store,successes,trials\na,1,2\nb,1\nc,1,2,3\nd,4,5\n");
  CsvReader reader(path);
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  try {
    reader.next(record);
    FAIL() << "short record accepted";
  } catch (const RecordError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: expected 3 fields, found 2");
    EXPECT_EQ(reader.last_record_text(), "b,1");
  }
  try {
    reader.next(record);
    FAIL() << "long record accepted";
  } catch (const RecordError& e) {
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(e.reason(), "expected 3 fields, found 4");
    EXPECT_EQ(reader.last_record_text(), "c,1,2,3");
  }
  // The reader has moved past both bad records.
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 5u);
  EXPECT_EQ(record.fields[0], "d");
  EXPECT_FALSE(reader.next(record));
}

TEST_F(CsvReaderTest, MisplacedQuotesAreRecordErrorsAndTheReaderResumes) {
  const std::string path = file("id,name,n\na,b\"c,1\n\"x\"y,z,2\nok,\"multi\nline\"x,3\nd,e,4\n");
  CsvReader reader(path);
  CsvRecord record;
  const auto expect_record_error = [&](std::size_t line, const std::string& reason,
                                       const std::string& text) {
    try {
      reader.next(record);
      ADD_FAILURE() << "accepted line " << line;
    } catch (const RecordError& e) {
      EXPECT_EQ(e.line(), line);
      EXPECT_EQ(e.reason(), reason);
      EXPECT_EQ(reader.last_record_text(), text);
    }
  };
  expect_record_error(2,
                      "field 2 ('name'): a quote inside an unquoted field (quote the whole field "
                      "and double the quotes inside it)",
                      "a,b\"c,1");
  expect_record_error(3,
                      "field 1 ('id'): text after the closing quote (double the quotes inside a "
                      "quoted field)",
                      "\"x\"y,z,2");
  expect_record_error(4,
                      "field 2 ('name'): text after the closing quote (double the quotes inside "
                      "a quoted field)",
                      "ok,\"multi\nline\"x,3");
  ASSERT_TRUE(reader.next(record));
  EXPECT_EQ(record.line, 6u);
  EXPECT_FALSE(reader.next(record));
}

TEST_F(CsvReaderTest, UnterminatedQuoteStopsTheReader) {
  const std::string path = file("id,n\na,1\nb,\"2\nc,3\n");
  CsvReader reader(path);
  CsvRecord record;
  ASSERT_TRUE(reader.next(record));
  const std::string expected =
      path + ":3: field 2 ('n'): the quoted field is never closed (a closing quote is missing)";
  for (int call = 0; call < 2; ++call) {  // the error is sticky
    try {
      reader.next(record);
      FAIL() << "unterminated quote accepted";
    } catch (const RecordError&) {
      FAIL() << "an unterminated quote must not be skippable";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), expected);
    }
  }
}

TEST_F(CsvReaderTest, EmptyInputHasNoHeader) {
  const std::string path = dir_.file("stores.csv");
  for (const char* text : {"", "\n\n", "\r\n", "\xEF\xBB\xBF"}) {
    SCOPED_TRACE(testing::PrintToString(std::string(text)));
    EXPECT_EQ(open_error(text), path + ": empty input (no header line)");
  }
}

TEST_F(CsvReaderTest, HeaderOnlyHasNoRecords) {
  CsvReader reader(file("id,n"));
  CsvRecord record;
  EXPECT_FALSE(reader.next(record));
  EXPECT_FALSE(reader.next(record));
}

TEST_F(CsvReaderTest, DuplicateColumnNames) {
  EXPECT_EQ(open_error("\nn,id,x,id\n"),
            dir_.file("stores.csv") + ":2: duplicate column name 'id' (columns 2 and 4)");
}

TEST_F(CsvReaderTest, EmptyColumnNameIsAllowedOnce) {
  CsvReader reader(file(",a\n0,1\n"));  // what pandas writes for an unnamed index
  EXPECT_EQ(reader.column(""), 0u);
  EXPECT_NE(open_error(",a,\n"), "");
}

TEST_F(CsvReaderTest, TooManyColumnsInTheHeader) {
  EXPECT_EQ(open_error(std::string(70000, ',') + "\n"),
            dir_.file("stores.csv") + ":1: the header has more than 65536 columns");
}

TEST_F(CsvReaderTest, ColumnLookup) {
  const std::string path = file("store,succ,n\n");
  CsvReader reader(path);
  EXPECT_EQ(reader.column("n"), 2u);
  EXPECT_EQ(reader.column("N"), std::nullopt);
  EXPECT_EQ(reader.require_column("succ", "--successes-column"), 1u);
  try {
    reader.require_column("successes", "--successes-column");
    FAIL() << "missing column found";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ":1: no column named 'successes' (the header has 'store', 'succ', 'n'); "
                  "use --successes-column to choose the column");
  }
}

TEST_F(CsvReaderTest, MissingColumnMessageListsAtMostTwentyNames) {
  std::string header;
  for (int i = 0; i < 25; ++i) header += (i ? ",c" : "c") + std::to_string(i);
  CsvReader reader(file(header + "\n"));
  try {
    reader.require_column("x", "");
    FAIL() << "missing column found";
  } catch (const InputError& e) {
    EXPECT_NE(e.reason().find("'c19' and 5 more)"), std::string::npos) << e.reason();
    EXPECT_EQ(e.reason().find("use"), std::string::npos) << e.reason();
  }
}

TEST_F(CsvReaderTest, MissingFile) {
  try {
    CsvReader reader(dir_.file("absent.csv"));
    FAIL() << "opened a missing file";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), dir_.file("absent.csv") +
                                         ": cannot open: No such file or "
                                         "directory");
  }
}

TEST_F(CsvReaderTest, DirectoryIsAReadError) {
  try {
    CsvReader reader(dir_.path().string());
    FAIL() << "read a directory";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), dir_.path().string() + ": cannot read: Is a directory");
  }
}

TEST_F(CsvReaderTest, GzipInput) {
  const std::string text = "id,n\na,1\n\"b\nc\",2\n";
  const std::vector<Row> expected{{2, {"a", "1"}, "a,1"}, {3, {"b\nc", "2"}, "\"b\nc\",2"}};
  CsvReader gz(file(test::gzip_bytes(text), "stores.csv.gz"));
  EXPECT_EQ(read_rows(gz), expected);
  // Gzip data is recognised by content, whatever the file is called.
  CsvReader renamed(file(test::gzip_bytes(text), "stores.csv"));
  EXPECT_EQ(read_rows(renamed), expected);
}

TEST_F(CsvReaderTest, GzipNameWithPlainContent) {
  const std::string path = file("id,n\na,1\n", "stores.csv.gz");
  try {
    CsvReader reader(path);
    FAIL() << "plain text accepted as gzip";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": not in gzip format");
  }
}

TEST_F(CsvReaderTest, TruncatedGzip) {
  std::string text = "id,n\n";
  for (int i = 0; i < 20000; ++i) text += "store_" + std::to_string(i) + "," + "7\n";
  const std::string gz = test::gzip_bytes(text);
  const std::string path = file(gz.substr(0, gz.size() / 2), "stores.csv.gz");
  try {
    CsvReader reader(path, CsvReaderLimits{1024});
    read_rows(reader);
    FAIL() << "truncated gzip read without error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": corrupt gzip data: unexpected end of file");
  }
}

TEST_F(CsvReaderTest, CorruptGzip) {
  std::string gz = test::gzip_bytes("id,n\na,1\nb,2\n");
  for (std::size_t i = 10; i < gz.size() - 8; ++i) gz[i] = static_cast<char>(0xFF);
  const std::string path = file(gz, "stores.csv.gz");
  try {
    CsvReader reader(path);
    read_rows(reader);
    FAIL() << "corrupt gzip read without error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": corrupt gzip data: ", 0), 0u) << e.what();
  }
}

TEST_F(CsvReaderTest, StandardInput) {
  const std::string path = file("id,n\na,1\n");
  const int saved = dup(STDIN_FILENO);
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(saved, 0);
  ASSERT_GE(fd, 0);
  dup2(fd, STDIN_FILENO);
  close(fd);
  std::vector<Row> rows;
  std::string name;
  {
    CsvReader reader("-");
    name = reader.source_name();
    rows = read_rows(reader);
  }
  dup2(saved, STDIN_FILENO);
  close(saved);
  EXPECT_EQ(name, "<stdin>");
  EXPECT_EQ(rows, (std::vector<Row>{{2, {"a", "1"}, "a,1"}}));
}

}  // namespace
}  // namespace hbayes::io
