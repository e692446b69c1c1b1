#include "node/ops/event_log.h"

#include <fmt/format.h>

#include "node/clock/timestamp.h"

namespace inbeeld::node::ops {
namespace {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "error";
}

// syslog(3) priorities, as journald reads them from a "<N>" prefix.
int Priority(Level level) {
  switch (level) {
    case Level::kInfo:
      return 6;
    case Level::kWarning:
      return 4;
    case Level::kError:
      return 3;
  }
  return 3;
}

}  // namespace

std::string LogfmtValue(std::string_view value) {
  bool bare = !value.empty();
  for (unsigned char c : value) {
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) bare = false;
  }
  if (bare) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < ' ' || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

EventLog::Style EventLog::StyleFor(const GetEnvFn& env) {
  auto stream = env("JOURNAL_STREAM");
  return stream && !stream->empty() ? Style::kJournald : Style::kTimestamped;
}

EventLog::EventLog(std::ostream& out, const Clock& clock, Style style)
    : out_(out), clock_(clock), style_(style) {}

std::string EventLog::Format(Level level, std::string_view event,
                             const std::vector<Field>& fields) const {
  std::string line;
  if (style_ == Style::kJournald) {
    line = fmt::format("<{}>", Priority(level));
  } else {
    line = "ts=" + NowIso(clock_) + " ";
  }
  line += "level=";
  line += LevelName(level);
  line += " event=";
  line += LogfmtValue(event);
  for (const Field& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    line += LogfmtValue(field.value);
  }
  return line;
}

void EventLog::Write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  Write(level, event, std::vector<Field>(fields));
}

void EventLog::Write(Level level, std::string_view event, const std::vector<Field>& fields) {
  const std::string line = Format(level, event, fields);
  std::lock_guard lock(mu_);
  out_ << line << '\n' << std::flush;
}

EventLineStream::EventLineStream(EventLog& log, Level level, std::string event_name)
    : std::ostream(nullptr), buffer_(log, level, std::move(event_name)) {
  rdbuf(&buffer_);
}

EventLineStream::~EventLineStream() { buffer_.FlushLine(); }

void EventLineStream::Buffer::FlushLine() {
  if (line_.empty()) return;
  log_.Write(level_, event_, {{"msg", line_}});
  line_.clear();
}

EventLineStream::Buffer::int_type EventLineStream::Buffer::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  if (traits_type::to_char_type(ch) == '\n') {
    FlushLine();
  } else {
    line_ += traits_type::to_char_type(ch);
  }
  return ch;
}

}  // namespace inbeeld::node::ops
