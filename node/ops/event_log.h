// node/ops/event_log.h — one line per event on the serving process's
// stderr, for journald or whatever collects it.
//
// A line is logfmt: `key=value` pairs separated by single spaces, values
// quoted ("…", with \" \\ \n \r \t escaped and other control bytes as \xNN)
// when empty or holding a space, '=', '"' or a control byte:
//
//   ts=2026-11-02T09:14:00Z level=info event=session peer=swv-vo-zk role=responder
//   purpose=thuiszitters-afstemming mode=match outcome=completed own=120 received=80
//   duration_ms=830
//
// Under journald (JOURNAL_STREAM is set) the line has no ts= (the journal
// stamps it) and starts with the syslog priority, `<6>` info, `<4>` warning,
// `<3>` error, which journald reads as the entry's priority and removes.
//
// What may go in a field: peer names, purposes, modes, outcomes, counts,
// durations, error messages (which by the house rule never hold an
// identifier, a name or a key). Never a child's identifier or name: callers
// pass nothing from a list.
//
// Thread safety: Write may be called from any thread; each line is written
// whole, under a mutex, and flushed.
#ifndef INBEELD_NODE_OPS_EVENT_LOG_H_
#define INBEELD_NODE_OPS_EVENT_LOG_H_

#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "node/clock/clock.h"
#include "node/datadir/passphrase.h"

namespace inbeeld::node::ops {

enum class Level { kInfo, kWarning, kError };

struct Field {
  std::string_view key;  // [a-z_] words; not checked, written as given
  std::string value;
};

class EventLog {
 public:
  enum class Style {
    kTimestamped,  // ts=… first (a terminal, a file, a plain service manager)
    kJournald,     // <N> priority prefix, no ts= (journald stamps each line)
  };

  // kJournald when the process's stderr is a journal stream (JOURNAL_STREAM
  // set by systemd), else kTimestamped.
  static Style StyleFor(const GetEnvFn& env);

  // `out` and `clock` must outlive the log.
  EventLog(std::ostream& out, const Clock& clock, Style style);

  // Writes one line: level, event, then the fields in the order given.
  void Write(Level level, std::string_view event, std::initializer_list<Field> fields);
  void Write(Level level, std::string_view event, const std::vector<Field>& fields);

  // The line Write would print (without the newline), for tests.
  std::string Format(Level level, std::string_view event, const std::vector<Field>& fields) const;

 private:
  std::ostream& out_;
  const Clock& clock_;
  const Style style_;
  std::mutex mu_;
};

// An ostream for code that reports in lines to a std::ostream (the
// scheduler): each complete line becomes one event `event` with msg=LINE.
// Thread safety: one thread writes to it at a time.
class EventLineStream : public std::ostream {
 public:
  EventLineStream(EventLog& log, Level level, std::string event_name);
  ~EventLineStream() override;

 private:
  class Buffer : public std::streambuf {
   public:
    Buffer(EventLog& log, Level level, std::string event_name)
        : log_(log), level_(level), event_(std::move(event_name)) {}
    void FlushLine();

   protected:
    int_type overflow(int_type ch) override;

   private:
    EventLog& log_;
    Level level_;
    std::string event_;
    std::string line_;
  };
  Buffer buffer_;
};

// `value` as a logfmt value: bare when it is safe, else quoted and escaped.
std::string LogfmtValue(std::string_view value);

}  // namespace inbeeld::node::ops

#endif  // INBEELD_NODE_OPS_EVENT_LOG_H_
