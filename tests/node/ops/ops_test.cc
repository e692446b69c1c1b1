// node/ops/: the event log's lines, the metrics' exposition and the admin
// endpoints' replies, exactly as an operator's tools read them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "node/ops/admin.h"
#include "node/ops/event_log.h"
#include "node/ops/metrics.h"
#include "node/clock/timestamp.h"
#include "tests/support/fake_clock.h"

namespace inbeeld::node::ops {
namespace {

using testing::FakeClock;

constexpr char kNow[] = "2026-11-02T09:14:00Z";

TEST(EventLogTest, TimestampedLineIsLogfmtWithTsLevelEventThenFieldsInOrder) {
  FakeClock clock(kNow);
  std::ostringstream out;
  EventLog log(out, clock, EventLog::Style::kTimestamped);
  log.Write(Level::kInfo, "session",
            {{"peer", "swv-vo-zk"}, {"outcome", "completed"}, {"duration_ms", "830"}});
  EXPECT_EQ(out.str(),
            "ts=2026-11-02T09:14:00Z level=info event=session peer=swv-vo-zk outcome=completed "
            "duration_ms=830\n");
}

TEST(EventLogTest, UnderJournaldThePriorityPrefixReplacesTheTimestamp) {
  FakeClock clock(kNow);
  std::ostringstream out;
  EventLog log(out, clock, EventLog::Style::kJournald);
  log.Write(Level::kWarning, "witness.refused", {{"peer", "lp"}});
  log.Write(Level::kError, "config.reload_failed", {});
  log.Write(Level::kInfo, "serve.started", {});
  EXPECT_EQ(out.str(),
            "<4>level=warning event=witness.refused peer=lp\n"
            "<3>level=error event=config.reload_failed\n"
            "<6>level=info event=serve.started\n");
}

TEST(EventLogTest, StyleFollowsJournalStream) {
  auto env = [](std::optional<std::string> stream) -> GetEnvFn {
    return [stream](const char* name) -> std::optional<std::string> {
      if (std::string_view(name) == "JOURNAL_STREAM") return stream;
      return std::nullopt;
    };
  };
  EXPECT_EQ(EventLog::StyleFor(env("8:12345")), EventLog::Style::kJournald);
  EXPECT_EQ(EventLog::StyleFor(env(std::nullopt)), EventLog::Style::kTimestamped);
  EXPECT_EQ(EventLog::StyleFor(env("")), EventLog::Style::kTimestamped);
}

TEST(EventLogTest, ValuesAreQuotedAndEscapedSoOneEventIsOneLine) {
  EXPECT_EQ(LogfmtValue("plain-word_1.2"), "plain-word_1.2");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(LogfmtValue("two words"), "\"two words\"");
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(LogfmtValue("line\nnext\r\tend"), "\"line\\nnext\\r\\tend\"");
  EXPECT_EQ(LogfmtValue(std::string("nul\0bel\x07", 8)), "\"nul\\x00bel\\x07\"");
  // A hostile value cannot start a second line or a second field.
  FakeClock clock(kNow);
  std::ostringstream out;
  EventLog log(out, clock, EventLog::Style::kJournald);
  log.Write(Level::kError, "x", {{"error", "bad\nlevel=info event=forged"}});
  EXPECT_EQ(out.str(), "<3>level=error event=x error=\"bad\\nlevel=info event=forged\"\n");
}

TEST(EventLogTest, LineStreamTurnsEachLineIntoOneEvent) {
  FakeClock clock(kNow);
  std::ostringstream out;
  EventLog log(out, clock, EventLog::Style::kJournald);
  {
    EventLineStream stream(log, Level::kInfo, "scheduled");
    stream << "scheduled sync 7: 2 peers\n" << "purge done";
  }  // the unfinished last line is written at the end
  EXPECT_EQ(out.str(),
            "<6>level=info event=scheduled msg=\"scheduled sync 7: 2 peers\"\n"
            "<6>level=info event=scheduled msg=\"purge done\"\n");
}

TEST(MetricsTest, RendersTheExpositionFormatExactlyInNameAndLabelOrder) {
  Metrics m;
  m.Declare("inbeeld_sessions_total", Metrics::Type::kCounter, "Sessions by outcome.");
  m.Declare("inbeeld_list_rows", Metrics::Type::kGauge, "Children on the list.");
  m.Declare("inbeeld_session_duration_seconds", Metrics::Type::kSummary, "Durations.");
  m.Add("inbeeld_sessions_total", {{"role", "responder"}, {"peer", "swv"}, {"outcome", "completed"}});
  m.Add("inbeeld_sessions_total", {{"peer", "swv"}, {"outcome", "completed"}, {"role", "responder"}});
  m.Add("inbeeld_sessions_total", {{"peer", "lp"}, {"outcome", "refused"}, {"role", "responder"}});
  m.Set("inbeeld_list_rows", {}, 180);
  m.Observe("inbeeld_session_duration_seconds", {{"peer", "swv"}}, 0.5);
  m.Observe("inbeeld_session_duration_seconds", {{"peer", "swv"}}, 1.25);
  EXPECT_EQ(m.Render(),
            "# HELP inbeeld_list_rows Children on the list.\n"
            "# TYPE inbeeld_list_rows gauge\n"
            "inbeeld_list_rows 180\n"
            "# HELP inbeeld_session_duration_seconds Durations.\n"
            "# TYPE inbeeld_session_duration_seconds summary\n"
            "inbeeld_session_duration_seconds_sum{peer=\"swv\"} 1.75\n"
            "inbeeld_session_duration_seconds_count{peer=\"swv\"} 2\n"
            "# HELP inbeeld_sessions_total Sessions by outcome.\n"
            "# TYPE inbeeld_sessions_total counter\n"
            "inbeeld_sessions_total{outcome=\"completed\",peer=\"swv\",role=\"responder\"} 2\n"
            "inbeeld_sessions_total{outcome=\"refused\",peer=\"lp\",role=\"responder\"} 1\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelpText) {
  Metrics m;
  m.Declare("x_total", Metrics::Type::kCounter, "Back\\slash and\nnewline.");
  m.Add("x_total", {{"peer", "a\"b\\c\nd"}});
  EXPECT_EQ(m.Render(),
            "# HELP x_total Back\\\\slash and\\nnewline.\n"
            "# TYPE x_total counter\n"
            "x_total{peer=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsTest, WrongTypesUndeclaredNamesAndNegativeCountsAreIgnored) {
  Metrics m;
  m.Declare("c_total", Metrics::Type::kCounter, "c");
  m.Declare("c_total", Metrics::Type::kGauge, "redeclared");  // the first stays
  m.Add("c_total", {}, 2);
  m.Add("c_total", {}, -1);
  m.Set("c_total", {}, 100);
  m.Add("undeclared_total", {});
  EXPECT_EQ(m.ValueForTesting("c_total", {}), 2);
  EXPECT_EQ(m.Render(), "# HELP c_total c\n# TYPE c_total counter\nc_total 2\n");
}

TEST(MetricsTest, SampleValues) {
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(1764666840), "1764666840");
  EXPECT_EQ(FormatSampleValue(0.25), "0.25");
  EXPECT_EQ(FormatSampleValue(-3), "-3");
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
}

TEST(AdminEndpointsTest, HealthReadinessAndMetrics) {
  Metrics m;
  m.Declare("inbeeld_list_rows", Metrics::Type::kGauge, "Children on the list.");
  int refreshed = 0;
  AdminEndpoints admin(m, [&] {
    ++refreshed;
    m.Set("inbeeld_list_rows", {}, 7);
  });
  admin.RequireChecks({"config", "store", "peer_listener"});
  admin.SetReady("config", true);
  admin.SetReady("store", true);

  auto health = admin.Handle("GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");

  auto not_ready = admin.Handle("GET", "/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_EQ(not_ready->body, "peer_listener: not yet checked\n");
  admin.SetReady("peer_listener", false, "no peers configured yet; console only");
  EXPECT_EQ(admin.Handle("GET", "/readyz")->body,
            "peer_listener: no peers configured yet; console only\n");
  admin.SetReady("peer_listener", true);
  auto ready = admin.Handle("GET", "/readyz");
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(ready->body, "ready\n");

  auto metrics = admin.Handle("GET", "/metrics");
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics->body,
            "# HELP inbeeld_list_rows Children on the list.\n"
            "# TYPE inbeeld_list_rows gauge\ninbeeld_list_rows 7\n");
  EXPECT_EQ(refreshed, 1);

  auto head = admin.Handle("HEAD", "/healthz");
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(admin.Handle("POST", "/metrics")->status, 405);
  EXPECT_FALSE(admin.Handle("GET", "/api/ik"));
  EXPECT_FALSE(admin.Handle("GET", "/metrics/"));
}

}  // namespace
}  // namespace inbeeld::node::ops
