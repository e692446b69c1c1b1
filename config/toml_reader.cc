#include "config/toml_reader.h"

#include <algorithm>
#include <string>
#include <utility>

namespace inbeeld::config::internal {
namespace {

constexpr size_t kMaxLineChars = 200;
constexpr size_t kMaxParagraphChars = 4000;
constexpr size_t kMaxArrayEntries = 100;

// Edit distance, for did-you-mean hints on misspelt keys. Keys are short.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0u : 1u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Error LocatedError(std::string_view file, uint32_t line, std::string_view what) {
  std::string message(file);
  if (line > 0) message += ":" + std::to_string(line);
  message += ": ";
  message += what;
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

std::optional<std::string> CheckText(std::string_view text, TextKind kind) {
  const bool paragraph = kind == TextKind::kParagraph;
  const size_t max_chars = paragraph ? kMaxParagraphChars : kMaxLineChars;
  size_t chars = 0;
  bool blank = true;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) != 0x80) ++chars;  // count code points, not UTF-8 bytes
    if (u < 0x20 || u == 0x7F) {
      if (!(paragraph && (c == '\n' || c == '\t'))) {
        return paragraph ? "must not contain control characters other than newline and tab"
                         : "must be one line without control characters";
      }
    }
    if (c != ' ' && c != '\t' && c != '\n') blank = false;
  }
  if (blank) return "must not be empty";
  if (chars > max_chars) {
    return "must be at most " + std::to_string(max_chars) + " characters";
  }
  return std::nullopt;
}

std::string Printable(std::string_view name) {
  const bool plain =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return c > 0x20 && c < 0x7F && c != '"' && c != '\\';
      });
  return plain ? "\"" + std::string(name) + "\"" : std::string("(a long or unusual name)");
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string_view file, std::string path)
    : table_(table), file_(file), path_(std::move(path)) {}

const toml::node* TableReader::Find(std::string_view key) const { return table_.get(key); }

uint32_t TableReader::LineOf(std::string_view key) const {
  if (const toml::node* node = Find(key)) return node->source().begin.line;
  return table_.source().begin.line;
}

std::optional<std::string_view> TableReader::Peek(std::string_view key) const {
  const toml::node* node = Find(key);
  const auto* value = node != nullptr ? node->as_string() : nullptr;
  if (value == nullptr) return std::nullopt;
  return std::string_view(value->get());
}

uint32_t TableReader::EntryLine(std::string_view key, size_t index) const {
  const toml::node* node = Find(key);
  const toml::array* array = node != nullptr ? node->as_array() : nullptr;
  if (array == nullptr || index >= array->size()) return LineOf(key);
  return array->get(index)->source().begin.line;
}

Error TableReader::ErrorAt(std::string_view key, std::string_view message) const {
  return LocatedError(file_, LineOf(key), path_ + std::string(key) + ": " + std::string(message));
}

Error TableReader::ErrorAtEntry(std::string_view key, size_t index, uint32_t line,
                                std::string_view message) const {
  return LocatedError(
      file_, line,
      path_ + std::string(key) + "[" + std::to_string(index) + "]: " + std::string(message));
}

Error TableReader::Missing(std::string_view key) const {
  return ErrorAt(key, "required key is missing");
}

Status TableReader::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  // toml::table iterates in key order; report the unknown key that comes first
  // in the file, which is the one the reader will look at first.
  const toml::key* first = nullptr;
  for (auto&& [key, value] : table_) {
    (void)value;
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
  }
  if (first == nullptr) return {};
  // A bare TOML key reads naturally in the key path; anything else is quoted or
  // replaced, so a hostile key cannot flood the message.
  const std::string_view name = first->str();
  const bool bare =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
      });
  std::string what = path_ + (bare ? std::string(name) + ": unknown key"
                                   : std::string("unknown key with a long or unusual name"));
  for (const std::string_view candidate : allowed) {
    const size_t distance = EditDistance(name, candidate);
    if (distance <= 2 && 2 * distance <= candidate.size()) {
      what += " (did you mean \"" + std::string(candidate) + "\"?)";
      break;
    }
  }
  return std::unexpected(LocatedError(file_, first->source().begin.line, what));
}

Result<std::optional<std::string>> TableReader::OptionalString(std::string_view key,
                                                               TextKind kind) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::optional<std::string>();
  const auto* value = node->as_string();
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(key, "expected a string, found " + std::string(TypeName(*node))));
  }
  if (auto problem = CheckText(value->get(), kind)) return std::unexpected(ErrorAt(key, *problem));
  return std::optional<std::string>(value->get());
}

Result<std::string> TableReader::String(std::string_view key, TextKind kind) const {
  auto value = OptionalString(key, kind);
  if (!value) return std::unexpected(std::move(value).error());
  if (!value->has_value()) return std::unexpected(Missing(key));
  return std::move(**value);
}

Result<int64_t> TableReader::Integer(std::string_view key, int64_t min, int64_t max,
                                     std::optional<int64_t> fallback) const {
  const toml::node* node = Find(key);
  if (node == nullptr) {
    if (fallback) return *fallback;
    return std::unexpected(Missing(key));
  }
  const auto* value = node->as_integer();
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(key, "expected an integer, found " + std::string(TypeName(*node))));
  }
  if (value->get() < min || value->get() > max) {
    return std::unexpected(
        ErrorAt(key, "must be from " + std::to_string(min) + " to " + std::to_string(max)));
  }
  return value->get();
}

Result<bool> TableReader::Bool(std::string_view key, bool fallback) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return fallback;
  const auto* value = node->as_boolean();
  if (value == nullptr) {
    return std::unexpected(
        ErrorAt(key, "expected true or false, found " + std::string(TypeName(*node))));
  }
  return value->get();
}

Result<std::vector<std::string>> TableReader::StringArray(std::string_view key, TextKind kind,
                                                          bool allow_empty) const {
  const toml::node* node = Find(key);
  if (node == nullptr) return std::unexpected(Missing(key));
  const auto* array = node->as_array();
  if (array == nullptr) {
    return std::unexpected(
        ErrorAt(key, "expected an array of strings, found " + std::string(TypeName(*node))));
  }
  if (array->empty() && !allow_empty) return std::unexpected(ErrorAt(key, "must not be empty"));
  if (array->size() > kMaxArrayEntries) {
    return std::unexpected(
        ErrorAt(key, "must have at most " + std::to_string(kMaxArrayEntries) + " entries"));
  }
  std::vector<std::string> out;
  out.reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& entry = *array->get(i);
    const uint32_t line = entry.source().begin.line;
    const auto* value = entry.as_string();
    if (value == nullptr) {
      return std::unexpected(
          ErrorAtEntry(key, i, line, "expected a string, found " + std::string(TypeName(entry))));
    }
    if (auto problem = CheckText(value->get(), kind)) {
      return std::unexpected(ErrorAtEntry(key, i, line, *problem));
    }
    if (std::find(out.begin(), out.end(), value->get()) != out.end()) {
      return std::unexpected(ErrorAtEntry(key, i, line, "repeats an earlier entry"));
    }
    out.push_back(value->get());
  }
  return out;
}

}  // namespace inbeeld::config::internal
