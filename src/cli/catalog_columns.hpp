// A family's two data columns as both CLI commands read them: the column names, the parsing of
// one field, and reading a whole catalog into memory (what a fit needs before its first step).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hbayes/errors.hpp"
#include "hbayes/fit_regression.hpp"
#include "io/csv_reader.hpp"
#include "io/parse_number.hpp"

namespace hbayes::cli {

// One of the two data columns of a family: its name in the file and the option renaming it.
struct DataColumn {
  std::string name;
  const char* option;
};

// Parses one data field; on failure returns the reason naming the column and the value.
inline std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                              std::int64_t* out) {
  const io::Parsed<std::int64_t> parsed = io::parse_count(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::count_problem(parsed.status, field);
}

inline std::optional<std::string> parse_field(std::string_view field, const DataColumn& column,
                                              double* out) {
  const io::Parsed<double> parsed = io::parse_finite(field);
  if (parsed.ok()) {
    *out = parsed.value;
    return std::nullopt;
  }
  return "column '" + column.name + "': " + io::finite_problem(parsed.status, field);
}

// A family's two data columns, read whole: n rows each; with a grouping column (--by) also
// each row's chain, as an index into the chain values in order of first appearance.
template <class First, class Second>
struct DataColumns {
  std::vector<First> first;
  std::vector<Second> second;
  std::vector<std::size_t> chain;         // n rows (grouped reads only): index into chain_values
  std::vector<std::string> chain_values;  // distinct values of the grouping column
  std::size_t rejected = 0;               // rows passed over (skip_bad_rows only)
};

// Covariate columns read beside a catalog's data (--covariates): covariate k of row i is
// values[k][i]. A row whose covariate is not a finite number is a bad row, like a bad data field.
struct CovariateColumns {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;

  CovariateDesign design(std::size_t rows) const {
    CovariateDesign d{names, {}, rows};
    for (const auto& column : values) d.columns.push_back(column.data());
    return d;
  }
};

// Reads and validates every row of `input`; `check(first, second)` is the family's row rule from
// validation.hpp. The first bad row throws InputError naming file:line, the column and the
// value, unless skip_bad_rows, which passes over it (as `hbayes score --on-bad-row skip` does).
// No rows left is an error either way. With `by` (the --by column) each row's chain value is
// read as a string too; an empty value is a bad row. With `covariates`, its named columns are
// read into it.
template <class First, class Second, class Check>
DataColumns<First, Second> read_columns(const std::string& input, const DataColumn& a,
                                        const DataColumn& b, Check check,
                                        bool skip_bad_rows = false,
                                        const DataColumn* by = nullptr,
                                        CovariateColumns* covariates = nullptr) {
  io::CsvReader reader(input);
  const std::size_t ia = reader.require_column(a.name, a.option);
  const std::size_t ib = reader.require_column(b.name, b.option);
  const std::size_t iby = by ? reader.require_column(by->name, by->option) : 0;
  std::vector<DataColumn> covariate_columns;
  std::vector<std::size_t> covariate_index;
  if (covariates) {
    for (const std::string& name : covariates->names) {
      covariate_columns.push_back({name, "--covariates"});
      covariate_index.push_back(reader.require_column(name, "--covariates"));
    }
    covariates->values.assign(covariate_columns.size(), {});
  }
  std::vector<double> covariate_row(covariate_columns.size());
  DataColumns<First, Second> data;
  std::unordered_map<std::string, std::size_t> chain_index;  // chain value -> its index
  io::CsvRecord record;
  for (;;) {
    try {
      if (!reader.next(record)) break;
    } catch (const io::RecordError&) {
      if (!skip_bad_rows) throw;
      ++data.rejected;
      continue;
    }
    First x{};
    Second y{};
    std::optional<std::string> problem = parse_field(record.fields[ia], a, &x);
    if (!problem) problem = parse_field(record.fields[ib], b, &y);
    if (!problem) problem = check(x, y);
    if (!problem && by && record.fields[iby].empty()) {
      problem = "column '" + by->name + "': empty chain value";
    }
    for (std::size_t k = 0; k < covariate_columns.size() && !problem; ++k) {
      problem = parse_field(record.fields[covariate_index[k]], covariate_columns[k],
                            &covariate_row[k]);
    }
    if (problem) {
      if (!skip_bad_rows) throw InputError(reader.source_name(), record.line, *problem);
      ++data.rejected;
      continue;
    }
    data.first.push_back(x);
    data.second.push_back(y);
    for (std::size_t k = 0; k < covariate_columns.size(); ++k) {
      covariates->values[k].push_back(covariate_row[k]);
    }
    if (by) {
      const auto [it, added] =
          chain_index.try_emplace(std::string(record.fields[iby]), data.chain_values.size());
      if (added) data.chain_values.push_back(it->first);
      data.chain.push_back(it->second);
    }
  }
  if (data.first.empty()) throw InputError(reader.source_name(), 0, "no data rows");
  return data;
}

}  // namespace hbayes::cli
