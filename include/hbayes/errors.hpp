// Exceptions that carry what went wrong in the user's terms.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace hbayes {

// Bad user input (a file, a row, an option value). what() reads "source:line: reason", or
// "source: reason" when no line applies, e.g. "stores.csv:1041: successes (57) exceeds trials
// (40)".
class InputError : public std::runtime_error {
 public:
  // source: file name or option name; line: 1-based line number, 0 when none applies.
  InputError(std::string source, std::size_t line, std::string reason)
      : std::runtime_error(format(source, line, reason)),
        source_(std::move(source)),
        line_(line),
        reason_(std::move(reason)) {}

  const std::string& source() const { return source_; }
  std::size_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  static std::string format(const std::string& source, std::size_t line,
                            const std::string& reason) {
    std::string text = source;
    if (line > 0) text += ":" + std::to_string(line);
    return text + ": " + reason;
  }

  std::string source_;
  std::size_t line_;
  std::string reason_;
};

// The requested backend cannot run here (e.g. --backend cuda with no usable GPU).
class BackendUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hbayes
