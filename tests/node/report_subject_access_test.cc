// Subject access requests (node/report/subject_access.h), in process: what
// the node holds of a child and every exchange that named it, asked for by
// PGN and, for a child without one, by name and birth date.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "node/audit/exchange_records.h"
#include "node/report/subject_access.h"
#include "schema/synthetic.h"
#include "tests/support/fake_clock.h"
#include "tests/support/in_process_node.h"

namespace inbeeld::node::report {
namespace {

using testing::FakeClock;
using testing::InProcessNode;
using Subject = std::array<uint8_t, 32>;

class ReportSubjectAccessTest : public ::testing::Test {
 protected:
  ReportSubjectAccessTest() : clock_("2030-11-01T09:00:00Z"), node_(clock_) {
    rows_ = schema::GenerateList(5, 6, {2030, 1, 1});
    for (size_t i = 0; i < rows_.size(); ++i)
      rows_[i].own_reference = "dossier-" + std::to_string(i);
    // Child 5 has no PGN: an SWV's kind of row, named by name and birth date.
    schema::ListRow& emma = rows_[5];
    emma.identifier.reset();
    emma.name = {};
    emma.name.roepnaam = "Emma";
    emma.name.prefix = "van der";
    emma.name.surname = "Berg";
    emma.birth_date = schema::PartialDate{2018, 3, 5};
    emma.school_brin = "12AB01";
    emma.plan_in_place = false;
    emma.category = schema::Category::kAbsoluutVerzuim;
    emma.since = {2030, 9, 1};
    first_ = node_.Import(rows_, {2030, 10, 1});
    clock_.Set("2030-11-15T09:00:00Z");
    second_ = node_.Import(rows_, {2030, 11, 15});
    auto stored =
        node_.node().store->LoadRows(second_.id, Unseal::kLabelsOnly, node_.node().field_key);
    EXPECT_TRUE(stored);
    for (const auto& r : *stored) subject_of_[r.own_reference] = r.subject;
  }

  // An exchange whose list held children 0..5, with `matched` as the pairs say.
  void Exchange(const std::string& iso, const std::string& peer,
                const std::vector<audit::ChildMatch>& matched, const std::string& mode = "match") {
    clock_.Set(iso);
    audit::ExchangeAudit e;
    e.trace_id = audit::NewTraceId();
    e.role = "responder";
    e.node_key = node_.node().metadata.fingerprint;
    e.peer = peer;
    e.peer_key = "ed25519:" + std::string(64, 'b');
    e.purpose = "thuiszitters-afstemming";
    e.legal_basis = "grondslag in het record";
    e.mode = mode;
    e.outcome = "completed";
    e.start_ms = audit::NowMs(clock_);
    e.end_ms = e.start_ms + 1000;
    e.list_version = second_.id;
    std::vector<Subject> subjects;
    for (size_t i = 0; i < rows_.size(); ++i) {
      subjects.push_back(subject_of_["dossier-" + std::to_string(i)]);
    }
    audit::AuditLog log(*node_.node().store, node_.node().identity);
    ASSERT_TRUE(audit::AppendExchange(log, e, node_.node().audit_key, subjects, matched));
  }

  FakeClock clock_;
  InProcessNode node_;
  std::vector<schema::ListRow> rows_;
  ListVersion first_, second_;
  std::map<std::string, Subject> subject_of_;
};

TEST_F(ReportSubjectAccessTest, ByPgnTheRowsHeldAndEveryExchange) {
  using audit::ChildMatch;
  node_.config().activities[0].legal_basis = "AVG art. 6 lid 1 sub e (register)";
  Exchange("2030-11-20T10:00:00Z", "swv-vo-zk",
           {ChildMatch::kYes, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo,
            ChildMatch::kNo});
  Exchange("2030-11-21T10:00:00Z", "swv-po-zk",
           {ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo,
            ChildMatch::kPossibly});
  Exchange("2030-11-22T10:00:00Z", "school-x", {}, "count");

  SubjectQuery query;
  query.pgn = *rows_[0].identifier;
  auto answer = FindSubjectAccess(node_.node(), query);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->found());
  ASSERT_TRUE(answer->held());
  ASSERT_EQ(answer->held_rows.size(), 2u);  // on both list versions
  EXPECT_EQ(answer->held_rows[0].list_version, first_.id);
  EXPECT_EQ(answer->held_rows[0].list_date, (schema::Date{2030, 10, 1}));
  EXPECT_EQ(answer->held_rows[1].list_date, (schema::Date{2030, 11, 15}));
  EXPECT_EQ(answer->held_rows[1].own_reference, "dossier-0");
  EXPECT_EQ(answer->held_rows[1].category, rows_[0].category);
  EXPECT_EQ(answer->held_rows[1].since, rows_[0].since);
  EXPECT_EQ(answer->held_rows[1].school, rows_[0].school_brin);
  EXPECT_EQ(answer->held_rows[1].name, rows_[0].name);
  EXPECT_EQ(answer->held_rows[1].birth_date, rows_[0].birth_date);

  ASSERT_EQ(answer->exchanges.size(), 3u);
  EXPECT_EQ(answer->exchange_count(), 3u);
  const SubjectExchange& first = answer->exchanges[0];
  EXPECT_EQ(first.peer, "swv-vo-zk");
  EXPECT_EQ(first.matched, "yes");
  EXPECT_EQ(first.role, "responder");
  EXPECT_EQ(first.mode, "match");
  EXPECT_EQ(first.purpose, "thuiszitters-afstemming");
  EXPECT_EQ(first.legal_basis, "AVG art. 6 lid 1 sub e (register)");
  EXPECT_FALSE(first.activity_name.empty());
  EXPECT_EQ(first.outcome, "completed");
  EXPECT_EQ(first.strength, "");  // no stored result for this session
  EXPECT_EQ(answer->exchanges[1].peer, "swv-po-zk");
  EXPECT_EQ(answer->exchanges[1].matched, "no");
  EXPECT_EQ(answer->exchanges[2].peer, "school-x");
  EXPECT_EQ(answer->exchanges[2].matched, "not revealed");
  EXPECT_EQ(answer->lists.size(), 1u);
}

TEST_F(ReportSubjectAccessTest, ByNameAndBirthDateForAChildWithoutPgn) {
  using audit::ChildMatch;
  Exchange("2030-11-21T10:00:00Z", "swv-po-zk",
           {ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo, ChildMatch::kNo,
            ChildMatch::kPossibly});
  auto person = ParsePersonRequest(
      "# verzoek van de ouder\nachternaam=Berg\ntussenvoegsel=van der\nroepnaam=Emma\r\n"
      "geboortedatum=05-03-2018\n",
      "verzoek");
  ASSERT_TRUE(person) << person.error().message;
  SubjectQuery query;
  query.person = *person;
  auto answer = FindSubjectAccess(node_.node(), query);
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->held_rows.size(), 2u);
  const HeldRow& held = answer->held_rows[1];
  EXPECT_EQ(held.own_reference, "dossier-5");
  EXPECT_EQ(held.category, schema::Category::kAbsoluutVerzuim);
  EXPECT_EQ(held.since, (schema::Date{2030, 9, 1}));
  EXPECT_EQ(held.school, "12AB01");
  EXPECT_FALSE(held.plan_in_place);
  EXPECT_EQ(held.name.surname, std::optional<std::string>("Berg"));
  EXPECT_EQ(held.birth_date, (std::optional<schema::PartialDate>(schema::PartialDate{2018, 3, 5})));
  ASSERT_EQ(answer->exchanges.size(), 1u);
  EXPECT_EQ(answer->exchanges[0].matched, "possibly");
  EXPECT_EQ(answer->exchanges[0].peer, "swv-po-zk");
}

TEST_F(ReportSubjectAccessTest, AChildTheNodeDoesNotKnow) {
  auto person = ParsePersonRequest("achternaam=Jansen\ngeboortedatum=2017\n", "verzoek");
  ASSERT_TRUE(person) << person.error().message;
  SubjectQuery query;
  query.person = *person;
  auto answer = FindSubjectAccess(node_.node(), query);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_FALSE(answer->found());
  EXPECT_FALSE(answer->held());
  EXPECT_TRUE(answer->lists.empty());
}

TEST_F(ReportSubjectAccessTest, RequestsThatNameNoChildAreRefused) {
  auto neither = FindSubjectAccess(node_.node(), SubjectQuery{});
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error().code, ErrorCode::kInvalidArgument);

  auto no_birth = ParsePersonRequest("achternaam=Berg\n", "verzoek");
  ASSERT_FALSE(no_birth);
  EXPECT_EQ(no_birth.error().message,
            "verzoek needs at least a surname (achternaam or naam) and a birth date");
  auto unknown = ParsePersonRequest("achternaam=Berg\nbsn=123456782\n", "verzoek");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message.find("123456782"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("verzoek line 2: unknown key"), std::string::npos);
  auto bad_date = ParsePersonRequest("achternaam=Berg\ngeboortedatum=31-02-2018\n", "verzoek");
  ASSERT_FALSE(bad_date);
  EXPECT_EQ(bad_date.error().message.find("31-02"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::node::report
