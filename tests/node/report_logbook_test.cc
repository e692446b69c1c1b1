// The FG's logboek (node/report/logbook.h), in process on an injected clock:
// the date range in UTC days, the legal basis from the register, the fields
// shared, the outcomes, and the actions people took.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "node/audit/exchange_records.h"
#include "node/report/logbook.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::report {
namespace {

using testing::FakeClock;
using testing::InProcessNode;

constexpr const char* kPurpose = "thuiszitters-afstemming";

class ReportLogbookTest : public ::testing::Test {
 protected:
  ReportLogbookTest() : clock_("2030-10-31T12:00:00Z"), node_(clock_) {}

  audit::AuditLog Log() { return audit::AuditLog(*node_.node().store, node_.node().identity); }

  // An exchange's parent record, started at `iso`.
  void Exchange(const std::string& iso, const std::string& peer, const std::string& outcome,
                const std::string& purpose = kPurpose, const std::string& mode = "match") {
    clock_.Set(iso);
    audit::ExchangeAudit e;
    e.trace_id = audit::NewTraceId();
    e.role = "initiator";
    e.node_key = node_.node().metadata.fingerprint;
    e.peer = peer;
    e.peer_key = "ed25519:" + std::string(64, 'a');
    e.purpose = purpose;
    e.legal_basis = "grondslag zoals vastgelegd";
    e.mode = mode;
    e.outcome = outcome;
    if (outcome != "completed") e.reason = "the peer refused: purpose not allowed";
    e.start_ms = audit::NowMs(clock_);
    e.end_ms = e.start_ms + 1500;
    e.list_version = 1;
    e.sent = 12;
    if (outcome == "completed") {
      e.received = 30;
      e.matched = 4;
      e.matched_possible = 1;
    }
    e.match_keys = "pgn, name";
    e.shared_labels = mode == "count" ? "none" : "category, since";
    auto log = Log();
    ASSERT_TRUE(audit::AppendExchange(log, e, node_.node().audit_key, {}, {}));
  }

  void Event(const std::string& iso, const std::string& name,
             std::map<std::string, std::string> attributes) {
    clock_.Set(iso);
    auto log = Log();
    ASSERT_TRUE(log.Append({audit::EventRecord(clock_, name, true, std::move(attributes))}));
  }

  Logbook Build(schema::Date from, schema::Date to) {
    auto log = Log();
    auto logbook = BuildLogbook(log, node_.config(), from, to);
    EXPECT_TRUE(logbook) << logbook.error().message;
    return logbook ? *logbook : Logbook{};
  }

  FakeClock clock_;
  InProcessNode node_;
};

TEST_F(ReportLogbookTest, KeepsTheRecordsOfTheUtcDaysInTheRange) {
  Exchange("2030-10-31T23:59:59Z", "swv-vo-zk", "completed");
  Exchange("2030-11-01T00:00:00Z", "swv-vo-zk", "completed");
  Exchange("2030-11-30T23:59:59Z", "swv-po-zk", "refused");
  Exchange("2030-12-01T00:00:00Z", "swv-vo-zk", "completed");
  Logbook november = Build({2030, 11, 1}, {2030, 11, 30});
  ASSERT_EQ(november.exchanges.size(), 2u);
  EXPECT_EQ(november.exchanges[0].time, "2030-11-01T00:00:00Z");
  EXPECT_EQ(november.exchanges[1].time, "2030-11-30T23:59:59Z");
  EXPECT_EQ(november.exchanges[1].partner, "swv-po-zk");
  EXPECT_EQ(Build({2030, 11, 30}, {2030, 11, 30}).exchanges.size(), 1u);
  EXPECT_EQ(Build({2030, 10, 1}, {2030, 12, 31}).exchanges.size(), 4u);
  EXPECT_TRUE(Build({2030, 12, 2}, {2030, 12, 31}).exchanges.empty());

  auto log = Log();
  auto backwards = BuildLogbook(log, node_.config(), {2030, 11, 30}, {2030, 11, 1});
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(ReportLogbookTest, LegalBasisAndNameComeFromTheRegister) {
  node_.config().activities[0].legal_basis = "AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 16";
  node_.config().activities[0].name = "Afstemming thuiszitterslijsten";
  Exchange("2030-11-02T09:14:00Z", "swv-vo-zk", "completed");
  Exchange("2030-11-03T09:14:00Z", "swv-vo-zk", "refused", "vervallen-doel");
  Logbook logbook = Build({2030, 11, 1}, {2030, 11, 30});
  ASSERT_EQ(logbook.exchanges.size(), 2u);
  const LogbookExchange& e = logbook.exchanges[0];
  EXPECT_EQ(e.purpose, kPurpose);
  EXPECT_TRUE(e.in_register);
  EXPECT_EQ(e.activity_name, "Afstemming thuiszitterslijsten");
  EXPECT_EQ(e.legal_basis, "AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 16");
  EXPECT_EQ(e.recorded_legal_basis, "grondslag zoals vastgelegd");
  EXPECT_EQ(e.mode, "match");
  EXPECT_EQ(e.role, "initiator");
  EXPECT_EQ(e.outcome, "completed");
  EXPECT_EQ(e.shared_labels, (std::vector<std::string>{"category", "since"}));
  EXPECT_EQ(e.match_keys, (std::vector<std::string>{"pgn", "name"}));
  EXPECT_EQ(e.fields,
            (std::vector<std::string>{"categorie", "sinds", "BSN/onderwijsnummer (geblindeerd)",
                                      "naam en geboortedatum (geblindeerd)"}));
  EXPECT_EQ(e.counts,
            (std::map<std::string, int64_t>{
                {"matched", 4}, {"matched_possible", 1}, {"received", 30}, {"sent", 12}}));
  EXPECT_EQ(e.organisation, "");
  // An activity no longer in the register: the legal basis the record kept.
  const LogbookExchange& gone = logbook.exchanges[1];
  EXPECT_FALSE(gone.in_register);
  EXPECT_EQ(gone.activity_name, "");
  EXPECT_EQ(gone.legal_basis, "grondslag zoals vastgelegd");
  EXPECT_EQ(gone.outcome, "refused");
  EXPECT_EQ(gone.reason, "the peer refused: purpose not allowed");
}

TEST_F(ReportLogbookTest, CountModeSharesNoLabelsAndRegionalCountsAreListed) {
  Exchange("2030-11-02T10:00:00Z", "swv-vo-zk", "completed", kPurpose, "count");
  Event("2030-11-02T11:00:00Z", "inbeeld.region.count",
        {{"inbeeld.role", "participant"},
         {"inbeeld.region.session", "0123456789abcdef0123456789abcdef"},
         {"inbeeld.region.coordinator", "leerplicht-haarlem"},
         {std::string(schema::kAttrProcessingActivity),
          std::string("urn:inbeeld:activity:") + kPurpose},
         {"inbeeld.peer", "leerplicht-haarlem"},
         {"inbeeld.region.participants", "4"},
         {"inbeeld.region.distinct", "57"},
         {"inbeeld.outcome", "completed"}});
  Event("2030-11-02T11:00:01Z", "inbeeld.region.opened", {{"inbeeld.outcome", "opened"}});
  Logbook logbook = Build({2030, 11, 2}, {2030, 11, 2});
  ASSERT_EQ(logbook.exchanges.size(), 2u);
  EXPECT_EQ(logbook.exchanges[0].mode, "count");
  EXPECT_TRUE(logbook.exchanges[0].shared_labels.empty());
  EXPECT_EQ(logbook.exchanges[0].fields,
            (std::vector<std::string>{"BSN/onderwijsnummer (geblindeerd)",
                                      "naam en geboortedatum (geblindeerd)"}));
  const LogbookExchange& regional = logbook.exchanges[1];
  EXPECT_EQ(regional.mode, "regional");
  EXPECT_EQ(regional.role, "participant");
  EXPECT_EQ(regional.partner, "leerplicht-haarlem");
  EXPECT_EQ(regional.session, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(regional.in_register);
  EXPECT_EQ(regional.counts,
            (std::map<std::string, int64_t>{{"distinct", 57}, {"participants", 4}}));
}

TEST_F(ReportLogbookTest, ActionsByPeopleWithADutchDescription) {
  Event("2030-11-04T08:00:00Z", "inbeeld.list.import",
        {{"inbeeld.actor", "console:Fatima el Amrani"}, {"inbeeld.origin", "127.0.0.1"}});
  Event("2030-11-04T08:05:00Z", "inbeeld.pair.confirmed",
        {{"inbeeld.actor", "os:alice"}, {"inbeeld.origin", "cli"}});
  Event("2030-11-04T08:06:00Z", "inbeeld.something.new",
        {{"inbeeld.actor", "os:alice"}, {"inbeeld.origin", "cli"}});
  Event("2030-11-04T08:07:00Z", "inbeeld.config.changed", {});  // no person: not an action
  Logbook logbook = Build({2030, 11, 4}, {2030, 11, 4});
  ASSERT_EQ(logbook.actions.size(), 3u);
  EXPECT_EQ(logbook.actions[0].description, "lijst ge\u00efmporteerd");
  EXPECT_EQ(logbook.actions[0].actor, "console:Fatima el Amrani");
  EXPECT_EQ(logbook.actions[0].origin, "127.0.0.1");
  EXPECT_EQ(logbook.actions[0].time, "2030-11-04T08:00:00Z");
  EXPECT_EQ(logbook.actions[1].description, "mogelijk paar bevestigd");
  EXPECT_EQ(logbook.actions[2].description, "inbeeld.something.new");  // raw name as fallback
  EXPECT_TRUE(logbook.exchanges.empty());

  Sheet actions = ActionsSheet(logbook);
  EXPECT_EQ(actions.header, (std::vector<std::string>{"Tijd (UTC)", "Actie", "Door", "Herkomst"}));
  ASSERT_EQ(actions.rows.size(), 3u);
  EXPECT_EQ(actions.rows[1][1], Cell(std::string("mogelijk paar bevestigd")));
}

TEST_F(ReportLogbookTest, ExchangesSheetRowsMatchTheHeader) {
  Exchange("2030-11-02T09:14:00Z", "swv-vo-zk", "failed");
  Sheet sheet = ExchangesSheet(Build({2030, 11, 1}, {2030, 11, 30}));
  ASSERT_EQ(sheet.rows.size(), 1u);
  EXPECT_EQ(sheet.rows[0].size(), sheet.header.size());
  EXPECT_EQ(sheet.rows[0][8], Cell(std::string("mislukt")));
}

}  // namespace
}  // namespace inbeeld::node::report
