// config/toml_reader.h — internal to config/: typed, located reads from one TOML
// table, so every validation error names file, line and key path the same way.
//
// Not part of the module's contract; only config/*.cc include it (toml++ is a
// PRIVATE dependency of inbeeld_config and never reaches other modules).
//
// Thread safety: a TableReader refers to a table it does not own; use it on one
// thread while the parsed document lives.
#ifndef INBEELD_CONFIG_TOML_READER_H_
#define INBEELD_CONFIG_TOML_READER_H_

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace inbeeld::config::internal {

// "file:line: what" (or "file: what" when line is 0, i.e. unknown).
Error LocatedError(std::string_view file, uint32_t line, std::string_view what);

// How a text value is checked. Lengths count Unicode code points.
enum class TextKind {
  kLine,       // 1..200, no control characters
  kParagraph,  // 1..4000, no control characters except newline and tab
};

// Checks `text` against `kind`; on failure returns the reason, phrased to follow
// "<key>: " (e.g. "must not be empty"). Never quotes the text.
std::optional<std::string> CheckText(std::string_view text, TextKind kind);

// A name or key as it may appear in a message: quoted if it is short printable
// ASCII, otherwise a neutral placeholder, so a hostile key cannot flood a message.
std::string Printable(std::string_view name);

class TableReader {
 public:
  // `path` prefixes each key in messages: "node." gives "node.name",
  // "peer \"a\": " gives "peer \"a\": key".
  TableReader(const toml::table& table, std::string_view file, std::string path);

  void set_path(std::string path) { path_ = std::move(path); }

  // The string at `key` without any checks or errors; for naming the table in
  // messages before it is validated. nullopt if absent or not a string.
  std::optional<std::string_view> Peek(std::string_view key) const;

  // True iff `key` is present (of any type).
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // Rejects the first key (in file order) not in `allowed`, at its line, with a
  // did-you-mean hint when an allowed key is one or two edits away.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const;

  // Required / optional values of one type. A value of the wrong type is an
  // error even for an optional key.
  Result<std::string> String(std::string_view key, TextKind kind) const;
  Result<std::optional<std::string>> OptionalString(std::string_view key, TextKind kind) const;
  // Integer in [min, max]; `fallback` if absent (absent and no fallback: error).
  Result<int64_t> Integer(std::string_view key, int64_t min, int64_t max,
                          std::optional<int64_t> fallback) const;
  Result<bool> Bool(std::string_view key, bool fallback) const;
  // Array of strings, each checked as `kind`; no entry may repeat.
  Result<std::vector<std::string>> StringArray(std::string_view key, TextKind kind,
                                               bool allow_empty) const;

  // Line of entry `index` of array `key`. REQUIRES: StringArray(key) succeeded.
  uint32_t EntryLine(std::string_view key, size_t index) const;
  // Line of `key`'s value, or of the table itself when the key is absent.
  uint32_t LineOf(std::string_view key) const;
  // "file:line: <path><key>: message" at LineOf(key).
  Error ErrorAt(std::string_view key, std::string_view message) const;
  // Same, for one entry of an array value ("<path><key>[i]: message").
  Error ErrorAtEntry(std::string_view key, size_t index, uint32_t line,
                     std::string_view message) const;

 private:
  const toml::node* Find(std::string_view key) const;
  Error Missing(std::string_view key) const;

  const toml::table& table_;
  std::string_view file_;
  std::string path_;
};

// Name of a TOML value's type for "expected a string, found an integer".
std::string_view TypeName(const toml::node& node);

}  // namespace inbeeld::config::internal

#endif  // INBEELD_CONFIG_TOML_READER_H_
