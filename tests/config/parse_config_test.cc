// Tests for config/parse_config.cc: a valid file in full, then every validation
// rule as a one-line edit of a valid file, asserting the line and key path a user
// would be pointed at; then syntax errors and hostile input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/node_config.h"

namespace inbeeld::config {
namespace {

constexpr char kKeyA[] = "ed25519:3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr char kKeyB[] = "ed25519:fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";

// A small valid file; the cases below edit one line of it.
const std::string kBase = std::string(R"([node]
name = "Leerplicht Haarlem"
organisation = "Gemeente Haarlem"
role = "leerplicht"
listen = "127.0.0.1:8443"

[retention]
list_versions_days = 365
results_days = 365
audit_days = 3650

[[activity]]
id = "thuiszitters-afstemming"
name = "Afstemming thuiszitterslijsten"
purpose = "Elk kind in beeld."
legal_basis = "AVG art. 6 lid 1 sub e"
controller = "College van B&W Haarlem"
data_categories = ["verzuimcategorie"]
recipients = ["SWV VO Zuid-Kennemerland"]
retention_days = 365

[[peer]]
name = "swv-vo-zk"
address = "127.0.0.1:8444"
key = ")") + kKeyA + R"("
role = "swv"
allowed_purposes = ["thuiszitters-afstemming"]
shared_labels = ["category", "since", "school", "plan"]
max_list_size = 50000
max_sessions_per_day = 10
count_only = false
)";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// `text` with the single occurrence of `from` replaced by `to`.
std::string Edit(const std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: " << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "test bug: ambiguous " << from;
  std::string out = text;
  if (at != std::string::npos) out.replace(at, from.size(), to);
  return out;
}

// 1-based line of the first occurrence of `needle` in `text`.
int LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << "test bug: " << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

TEST(ParseConfigTest, BaseIsValid) {
  auto config = ParseConfig(kBase, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->peers.size(), 1u);
  EXPECT_EQ(config->peers[0].key, kKeyA);
  // A leerplicht node holds PGNs, but never matches on them with an SWV.
  EXPECT_TRUE(config->holds_pgn);
  EXPECT_EQ(config->peers[0].policy.match_keys,
            (std::vector<MatchKeyType>{MatchKeyType::kName, MatchKeyType::kWeak}));
}

TEST(ParseConfigTest, FullFixture) {
  const std::string text =
      ReadFile(std::filesystem::path(INBEELD_TESTDATA_DIR) / "config" / "full.toml");
  auto config = ParseConfig(text, "full.toml");
  ASSERT_TRUE(config) << config.error().message;

  EXPECT_EQ(config->node_name, "Leerplicht Haarlem");
  EXPECT_EQ(config->organisation, "Gemeente Haarlem");
  EXPECT_EQ(config->role, Role::kLeerplicht);
  EXPECT_EQ(config->listen_address, "0.0.0.0:9443");
  EXPECT_EQ(config->data_dir, "/var/lib/inbeeld");
  EXPECT_EQ(config->retention, (RetentionConfig{180, 90, 3650}));

  ASSERT_EQ(config->activities.size(), 2u);
  const ProcessingActivity& first = config->activities[0];
  EXPECT_EQ(first.id, "thuiszitters-afstemming");
  EXPECT_EQ(first.name, "Afstemming thuiszitterslijsten");
  EXPECT_EQ(first.purpose,
            "Nagaan welke thuiszitters ook bij partners in beeld zijn,\n"
            "zodat elk kind binnen drie maanden een passend aanbod krijgt.");
  EXPECT_EQ(first.legal_basis,
            "AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 16, 18, 25; Wet passend onderwijs");
  EXPECT_EQ(first.controller, "College van B&W Haarlem");
  EXPECT_EQ(first.data_categories,
            (std::vector<std::string>{"BSN of onderwijsnummer (gepseudonimiseerd)",
                                      "verzuimcategorie", "datum verzuim sinds"}));
  EXPECT_EQ(first.recipients, std::vector<std::string>{"SWV VO Zuid-Kennemerland"});
  EXPECT_EQ(first.retention_days, 365);
  EXPECT_TRUE(config->activities[1].recipients.empty());
  EXPECT_EQ(config->activities[1].retention_days, 90);

  ASSERT_EQ(config->peers.size(), 2u);
  const PeerConfig& swv = config->peers[0];
  EXPECT_EQ(swv.name, "swv-vo-zk");
  EXPECT_EQ(swv.address, "127.0.0.1:8444");
  EXPECT_EQ(swv.key, kKeyA);
  EXPECT_EQ(swv.role, Role::kSwv);
  EXPECT_EQ(swv.policy.allowed_purposes, std::vector<std::string>{"thuiszitters-afstemming"});
  EXPECT_EQ(swv.policy.shared_labels,
            (std::vector<LabelField>{LabelField::kCategory, LabelField::kSince, LabelField::kSchool,
                                     LabelField::kPlan}));
  EXPECT_EQ(swv.policy.max_list_size, 50000u);
  EXPECT_EQ(swv.policy.min_list_size, 5u) << "the default: a list of one child is a question";
  EXPECT_EQ(swv.policy.max_sessions_per_day, 10);
  EXPECT_FALSE(swv.policy.count_only);

  const PeerConfig& velsen = config->peers[1];
  EXPECT_EQ(velsen.address, "[::1]:8445");
  EXPECT_EQ(velsen.key, kKeyB);
  EXPECT_EQ(velsen.role, Role::kLeerplicht);
  EXPECT_EQ(velsen.policy.allowed_purposes,
            (std::vector<std::string>{"verhuizingen", "thuiszitters-afstemming"}));
  EXPECT_TRUE(velsen.policy.shared_labels.empty());
  EXPECT_EQ(velsen.policy.max_list_size, 1000u);
  EXPECT_EQ(velsen.policy.max_sessions_per_day, 2);
  EXPECT_TRUE(velsen.policy.count_only);
  EXPECT_EQ(velsen.policy.match_keys,
            (std::vector<MatchKeyType>{MatchKeyType::kPgn, MatchKeyType::kName}));
  EXPECT_TRUE(config->holds_pgn);
  EXPECT_EQ(swv.policy.match_keys, std::vector<MatchKeyType>{MatchKeyType::kName});
}

TEST(ParseConfigTest, MinimalFileTakesDefaults) {
  auto config = ParseConfig(
      "[node]\nname = \"School\"\norganisation = \"Stichting X\"\nrole = \"school\"\n", "f.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->role, Role::kSchool);
  EXPECT_EQ(config->listen_address, "127.0.0.1:8443");
  EXPECT_EQ(config->data_dir, "");
  EXPECT_EQ(config->retention, RetentionConfig{});
  EXPECT_TRUE(config->activities.empty());
  EXPECT_TRUE(config->peers.empty());
}

TEST(ParseConfigTest, PeerOptionalKeysTakeDefaults) {
  std::string text = Edit(kBase, "max_list_size = 50000\n", "");
  text = Edit(text, "max_sessions_per_day = 10\n", "");
  text = Edit(text, "count_only = false\n", "");
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->peers[0].policy, (PeerPolicy{{"thuiszitters-afstemming"},
                                                 {LabelField::kCategory, LabelField::kSince,
                                                  LabelField::kSchool, LabelField::kPlan},
                                                 50000,
                                                 5,
                                                 10,
                                                 false,
                                                 {MatchKeyType::kName, MatchKeyType::kWeak}}));
}

TEST(ParseConfigTest, AcceptsByteOrderMarkAndCrlf) {
  std::string crlf = "\xEF\xBB\xBF";
  for (const char c : kBase) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto config = ParseConfig(crlf, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->node_name, "Leerplicht Haarlem");
}

// One validation rule: edit `from` into `to`; the error must point at the line
// holding `line_of` and contain each of `expect`.
struct ErrorCase {
  const char* label;
  std::string from;
  std::string to;
  std::string line_of;
  std::vector<std::string> expect;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.label; }

class ValidationErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ValidationErrorTest, PointsAtLineAndKey) {
  const ErrorCase& c = GetParam();
  const std::string text = Edit(kBase, c.from, c.to);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config) << "accepted:\n" << text;
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  const std::string& message = config.error().message;
  const std::string where = "inbeeld.toml:" + std::to_string(LineOf(text, c.line_of)) + ": ";
  EXPECT_TRUE(message.starts_with(where)) << message << "\nexpected prefix: " << where;
  for (const std::string& part : c.expect) {
    EXPECT_NE(message.find(part), std::string::npos) << message << "\nexpected: " << part;
  }
}

const std::string kPeerKeyLine = std::string("key = \"") + kKeyA + "\"";

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidationErrorTest,
    testing::Values(
        // [node]
        ErrorCase{"NodeNameMissing",
                  "name = \"Leerplicht Haarlem\"\n",
                  "",
                  "[node]",
                  {"node.name: required key is missing"}},
        ErrorCase{"NodeNameEmpty",
                  "name = \"Leerplicht Haarlem\"",
                  "name = \"  \"",
                  "name = \"  \"",
                  {"node.name: must not be empty"}},
        ErrorCase{"NodeNameNotString",
                  "name = \"Leerplicht Haarlem\"",
                  "name = 12",
                  "name = 12",
                  {"node.name: expected a string, found an integer"}},
        ErrorCase{"NodeNameControlCharacter",
                  "name = \"Leerplicht Haarlem\"",
                  "name = \"Leerplicht\\u0007Haarlem\"",
                  "name = \"Leerplicht\\u",
                  {"node.name: must be one line without control characters"}},
        ErrorCase{"NodeNameTooLong",
                  "name = \"Leerplicht Haarlem\"",
                  "name = \"" + std::string(201, 'x') + "\"",
                  "name = \"xxx",
                  {"node.name: must be at most 200 characters"}},
        ErrorCase{"OrganisationMissing",
                  "organisation = \"Gemeente Haarlem\"\n",
                  "",
                  "[node]",
                  {"node.organisation: required key is missing"}},
        ErrorCase{"RoleMissing",
                  "role = \"leerplicht\"\n",
                  "",
                  "[node]",
                  {"node.role: required key is missing"}},
        ErrorCase{"RoleInvalid",
                  "role = \"leerplicht\"",
                  "role = \"gemeente\"",
                  "role = \"gemeente\"",
                  {R"(node.role: expected "leerplicht", "swv" or "school")"}},
        ErrorCase{"RoleWrongCase",
                  "role = \"leerplicht\"",
                  "role = \"Leerplicht\"",
                  "role = \"L",
                  {"node.role: expected"}},
        ErrorCase{"ListenPortTooHigh",
                  "listen = \"127.0.0.1:8443\"",
                  "listen = \"127.0.0.1:70000\"",
                  "listen =",
                  {"node.listen: expected host:port with a port from 1 to 65535"}},
        ErrorCase{"ListenPortZero",
                  "listen = \"127.0.0.1:8443\"",
                  "listen = \"127.0.0.1:0\"",
                  "listen =",
                  {"node.listen: expected host:port"}},
        ErrorCase{"ListenNoPort",
                  "listen = \"127.0.0.1:8443\"",
                  "listen = \"127.0.0.1\"",
                  "listen =",
                  {"node.listen: expected host:port"}},
        ErrorCase{"ListenNotString",
                  "listen = \"127.0.0.1:8443\"",
                  "listen = 8443",
                  "listen =",
                  {"node.listen: expected a string, found an integer"}},
        ErrorCase{"DataDirRelative",
                  "listen = \"127.0.0.1:8443\"",
                  "listen = \"127.0.0.1:8443\"\ndata_dir = \"data\"",
                  "data_dir",
                  {"node.data_dir: must be an absolute path"}},
        ErrorCase{"NodeUnknownKey",
                  "organisation = \"Gemeente Haarlem\"",
                  "organisatie = \"Gemeente Haarlem\"",
                  "organisatie",
                  {R"(node.organisatie: unknown key (did you mean "organisation"?))"}},
        ErrorCase{"NodeNotTable",
                  "[node]\nname = \"Leerplicht Haarlem\"\n"
                  "organisation = \"Gemeente Haarlem\"\nrole = \"leerplicht\"\n"
                  "listen = \"127.0.0.1:8443\"\n",
                  "node = \"Leerplicht Haarlem\"\n",
                  "node =",
                  {"node: expected a table [node], found a string"}},
        // [retention]
        ErrorCase{"RetentionZero",
                  "audit_days = 3650",
                  "audit_days = 0",
                  "audit_days",
                  {"retention.audit_days: must be from 1 to 36500"}},
        ErrorCase{"RetentionNegative",
                  "results_days = 365",
                  "results_days = -5",
                  "results_days",
                  {"retention.results_days: must be from 1 to 36500"}},
        ErrorCase{"RetentionHuge",
                  "results_days = 365",
                  "results_days = 9223372036854775807",
                  "results_days",
                  {"retention.results_days: must be from 1 to 36500"}},
        ErrorCase{"RetentionString",
                  "results_days = 365",
                  "results_days = \"365\"",
                  "results_days",
                  {"retention.results_days: expected an integer, found a string"}},
        ErrorCase{"RetentionUnknownKey",
                  "results_days = 365",
                  "result_days = 365",
                  "result_days",
                  {R"(retention.result_days: unknown key (did you mean "results_days"?))"}},
        // [[activity]]
        ErrorCase{"ActivityPurposeMissing",
                  "purpose = \"Elk kind in beeld.\"\n",
                  "",
                  "[[activity]]",
                  {R"(activity "thuiszitters-afstemming": purpose: required key is missing)"}},
        ErrorCase{"ActivityIdMissing",
                  "id = \"thuiszitters-afstemming\"\n",
                  "",
                  "[[activity]]",
                  {"activity #1: id: required key is missing"}},
        ErrorCase{"ActivityIdShape",
                  "id = \"thuiszitters-afstemming\"",
                  "id = \"Thuiszitters afstemming\"",
                  "id = \"T",
                  {"activity #1: id: must be 1 to 64 characters of a-z, 0-9 and '-'"}},
        ErrorCase{"ActivityCategoriesEmpty",
                  "data_categories = [\"verzuimcategorie\"]",
                  "data_categories = []",
                  "data_categories",
                  {R"(activity "thuiszitters-afstemming": data_categories: must not be empty)"}},
        ErrorCase{"ActivityCategoryNotString",
                  "data_categories = [\"verzuimcategorie\"]",
                  "data_categories = [\"verzuimcategorie\", 3]",
                  "data_categories",
                  {"data_categories[1]: expected a string, found an integer"}},
        ErrorCase{"ActivityRecipientsMissing",
                  "recipients = [\"SWV VO Zuid-Kennemerland\"]\n",
                  "",
                  "[[activity]]",
                  {"recipients: required key is missing"}},
        ErrorCase{
            "ActivityRetentionNegative",
            "retention_days = 365",
            "retention_days = -1",
            "retention_days",
            {R"(activity "thuiszitters-afstemming": retention_days: must be from 1 to 36500)"}},
        ErrorCase{"ActivityUnknownKey",
                  "controller = \"College van B&W Haarlem\"",
                  "verantwoordelijke = \"College van B&W Haarlem\"",
                  "verantwoordelijke",
                  {R"(activity "thuiszitters-afstemming": verantwoordelijke: unknown key)"}},
        ErrorCase{"ActivitySingleTable",
                  "[[activity]]",
                  "[activity]",
                  "[activity]",
                  {"activity: expected [[activity]] tables, found [activity]"}},
        // [[peer]]
        ErrorCase{
            "PeerMisspeltAllowedPurposes",
            "allowed_purposes = [",
            "alowed_purposes = [",
            "alowed_purposes",
            {R"(peer "swv-vo-zk": alowed_purposes: unknown key (did you mean "allowed_purposes"?))"}},
        ErrorCase{
            "PeerMisspeltSharedLabels",
            "shared_labels = [",
            "shared_label = [",
            "shared_label",
            {R"(peer "swv-vo-zk": shared_label: unknown key (did you mean "shared_labels"?))"}},
        ErrorCase{"PeerKeyShape",
                  kPeerKeyLine,
                  "key = \"ed25519:ABCDEF\"",
                  "key = \"ed25519:ABC",
                  {R"(peer "swv-vo-zk": key: expected "ed25519:" followed by 64 hex characters)"}},
        ErrorCase{
            "PeerKeyUpperCase",
            kPeerKeyLine,
            "key = \"ed25519:3D4017C3E843895A92B70AA74D1B7EBC9C982CCF2EC4968CC0CD55F12AF4660C\"",
            "key = ",
            {R"(peer "swv-vo-zk": key: expected "ed25519:")"}},
        ErrorCase{"PeerKeyMissing",
                  kPeerKeyLine + "\n",
                  "",
                  "[[peer]]",
                  {R"(peer "swv-vo-zk": key: required key is missing)"}},
        ErrorCase{"PeerNameShape",
                  "name = \"swv-vo-zk\"",
                  "name = \"SWV VO ZK\"",
                  "name = \"SWV",
                  {"peer #1: name: must be 1 to 64 characters of a-z, 0-9 and '-'"}},
        ErrorCase{"PeerNameTooLong",
                  "name = \"swv-vo-zk\"",
                  "name = \"" + std::string(65, 'a') + "\"",
                  "name = \"aaa",
                  {"peer #1: name: must be 1 to 64 characters"}},
        ErrorCase{"PeerAddressBad",
                  "address = \"127.0.0.1:8444\"",
                  "address = \"127.0.0.1:65536\"",
                  "address",
                  {R"(peer "swv-vo-zk": address: expected host:port)"}},
        ErrorCase{"PeerAddressMissing",
                  "address = \"127.0.0.1:8444\"\n",
                  "",
                  "[[peer]]",
                  {R"(peer "swv-vo-zk": address: required key is missing)"}},
        ErrorCase{"PeerRoleInvalid",
                  "role = \"swv\"",
                  "role = \"inspectie\"",
                  "role = \"inspectie\"",
                  {R"(peer "swv-vo-zk": role: expected "leerplicht", "swv" or "school")"}},
        ErrorCase{
            "PurposeWithoutActivity",
            "allowed_purposes = [\"thuiszitters-afstemming\"]",
            "allowed_purposes = [\"onbekend-doel\"]",
            "allowed_purposes",
            {R"(peer "swv-vo-zk": allowed_purposes[0]: no [[activity]] has id "onbekend-doel")"}},
        ErrorCase{"PurposeRepeated",
                  "allowed_purposes = [\"thuiszitters-afstemming\"]",
                  "allowed_purposes = [\"thuiszitters-afstemming\", \"thuiszitters-afstemming\"]",
                  "allowed_purposes",
                  {"allowed_purposes[1]: repeats an earlier entry"}},
        ErrorCase{"PurposesMissing",
                  "allowed_purposes = [\"thuiszitters-afstemming\"]\n",
                  "",
                  "[[peer]]",
                  {R"(peer "swv-vo-zk": allowed_purposes: required key is missing)"}},
        ErrorCase{"PurposesNotArray",
                  "allowed_purposes = [\"thuiszitters-afstemming\"]",
                  "allowed_purposes = \"thuiszitters-afstemming\"",
                  "allowed_purposes",
                  {"allowed_purposes: expected an array of strings, found a string"}},
        ErrorCase{
            "LabelUnknown",
            "shared_labels = [\"category\", \"since\", \"school\", \"plan\"]",
            "shared_labels = [\"category\", \"naam\"]",
            "shared_labels",
            {R"(peer "swv-vo-zk": shared_labels[1]: expected one of "category", "since", "school", "plan")"}},
        ErrorCase{"LabelOnItsOwnLine",
                  "shared_labels = [\"category\", \"since\", \"school\", \"plan\"]",
                  "shared_labels = [\n  \"category\",\n  \"geboortedatum\",\n]",
                  "\"geboortedatum\"",
                  {"shared_labels[1]: expected one of"}},
        ErrorCase{"LabelRepeated",
                  "shared_labels = [\"category\", \"since\", \"school\", \"plan\"]",
                  "shared_labels = [\"plan\", \"plan\"]",
                  "shared_labels",
                  {"shared_labels[1]: repeats an earlier entry"}},
        ErrorCase{"LabelsMissing",
                  "shared_labels = [\"category\", \"since\", \"school\", \"plan\"]\n",
                  "",
                  "[[peer]]",
                  {"shared_labels: required key is missing"}},
        ErrorCase{"MaxListSizeZero",
                  "max_list_size = 50000",
                  "max_list_size = 0",
                  "max_list_size",
                  {R"(peer "swv-vo-zk": max_list_size: must be from 1 to 10000000)"}},
        ErrorCase{"MaxListSizeTooLarge",
                  "max_list_size = 50000",
                  "max_list_size = 10_000_001",
                  "max_list_size",
                  {"max_list_size: must be from 1 to 10000000"}},
        ErrorCase{"MaxListSizeFloat",
                  "max_list_size = 50000",
                  "max_list_size = 50000.0",
                  "max_list_size",
                  {"max_list_size: expected an integer, found a floating-point number"}},
        ErrorCase{"MinListSizeZero",
                  "max_list_size = 50000",
                  "max_list_size = 50000\nmin_list_size = 0",
                  "min_list_size",
                  {R"(peer "swv-vo-zk": min_list_size: must be from 1 to 50000)"}},
        ErrorCase{"MinListSizeAboveMax",
                  "max_list_size = 50000",
                  "max_list_size = 100\nmin_list_size = 101",
                  "min_list_size",
                  {"min_list_size: must be from 1 to 100"}},
        ErrorCase{"SessionsZero",
                  "max_sessions_per_day = 10",
                  "max_sessions_per_day = 0",
                  "max_sessions_per_day",
                  {"max_sessions_per_day: must be from 1 to 10000"}},
        ErrorCase{"SessionsTooMany",
                  "max_sessions_per_day = 10",
                  "max_sessions_per_day = 10001",
                  "max_sessions_per_day",
                  {"max_sessions_per_day: must be from 1 to 10000"}},
        ErrorCase{"CountOnlyNotBool",
                  "count_only = false",
                  "count_only = \"no\"",
                  "count_only",
                  {"count_only: expected true or false, found a string"}},
        ErrorCase{"CountOnlyWithLabels",
                  "count_only = false",
                  "count_only = true",
                  "shared_labels",
                  {R"(peer "swv-vo-zk": shared_labels: must be empty when count_only = true)"}},
        ErrorCase{"HoldsPgnNotBool",
                  "role = \"leerplicht\"",
                  "role = \"leerplicht\"\nholds_pgn = \"nee\"",
                  "holds_pgn",
                  {"node.holds_pgn: expected true or false, found a string"}},
        ErrorCase{"HoldsPgnMisspelt",
                  "role = \"leerplicht\"",
                  "role = \"leerplicht\"\nhold_pgn = false",
                  "hold_pgn",
                  {R"(node.hold_pgn: unknown key (did you mean "holds_pgn"?))"}},
        ErrorCase{"MatchKeysPgnTowardSwv",
                  "count_only = false",
                  "count_only = false\nmatch_keys = [\"pgn\", \"name\"]",
                  "match_keys",
                  {R"(peer "swv-vo-zk": match_keys[0]: "pgn": a BSN or onderwijsnummer may not )"
                   R"(be used in an exchange with a samenwerkingsverband (UAVG art. 46))"}},
        ErrorCase{"MatchKeysPgnOnItsOwnLine",
                  "count_only = false",
                  "count_only = false\nmatch_keys = [\n  \"name\",\n  \"pgn\",\n]",
                  "  \"pgn\"",
                  {R"(peer "swv-vo-zk": match_keys[1]: "pgn": a BSN or onderwijsnummer)"}},
        ErrorCase{"MatchKeysUnknown",
                  "count_only = false",
                  "count_only = false\nmatch_keys = [\"name\", \"bsn\"]",
                  "match_keys",
                  {R"(peer "swv-vo-zk": match_keys[1]: expected one of "pgn", "name", "weak")"}},
        ErrorCase{"MatchKeysEmpty",
                  "count_only = false",
                  "count_only = false\nmatch_keys = []",
                  "match_keys",
                  {R"(peer "swv-vo-zk": match_keys: must not be empty)"}},
        ErrorCase{"MatchKeysRepeated",
                  "count_only = false",
                  "count_only = false\nmatch_keys = [\"name\", \"weak\", \"name\"]",
                  "match_keys",
                  {"match_keys[2]: repeats an earlier entry"}},
        ErrorCase{"MatchKeysNotArray",
                  "count_only = false",
                  "count_only = false\nmatch_keys = \"name\"",
                  "match_keys",
                  {"match_keys: expected an array of strings, found a string"}},
        ErrorCase{"PeerSingleTable",
                  "[[peer]]",
                  "[peer]",
                  "[peer]",
                  {"peer: expected [[peer]] tables, found [peer]"}},
        // Top level
        ErrorCase{"UnknownTable",
                  "count_only = false",
                  "count_only = false\n\n[peers]\nx = 1",
                  "[peers]",
                  {R"(peers: unknown key (did you mean "peer"?))"}},
        ErrorCase{"UnknownTopLevelKey",
                  "[node]",
                  "version = 2\n[node]",
                  "version",
                  {"version: unknown key"}}),
    [](const testing::TestParamInfo<ErrorCase>& param) { return param.param.label; });

// The PGN policy of the node decides the defaults and what "pgn" may appear in.
struct PgnPolicyCase {
  const char* label;
  const char* node_role;
  const char* holds_pgn;  // a line for [node], or "" for the role's default
  const char* peer_role;
  bool holds;                          // expected NodeConfig::holds_pgn
  std::vector<MatchKeyType> defaults;  // expected match_keys without the key
  const char* pgn_refusal;             // expected message for "pgn", or "" if allowed
};

void PrintTo(const PgnPolicyCase& c, std::ostream* os) { *os << c.label; }

class PgnPolicyTest : public testing::TestWithParam<PgnPolicyCase> {
 protected:
  std::string File(const std::string& match_keys_line) const {
    const PgnPolicyCase& c = GetParam();
    std::string text = Edit(kBase, "role = \"swv\"", std::string("role = \"") + c.peer_role + "\"");
    text = Edit(text, "role = \"leerplicht\"\nlisten",
                std::string("role = \"") + c.node_role + "\"\n" + c.holds_pgn + "listen");
    return text + match_keys_line;
  }
};

TEST_P(PgnPolicyTest, DefaultsAndRefusal) {
  const PgnPolicyCase& c = GetParam();
  auto config = ParseConfig(File(""), "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->holds_pgn, c.holds);
  EXPECT_EQ(config->peers[0].policy.match_keys, c.defaults);

  // Without "pgn" every combination is valid.
  auto named = ParseConfig(File("match_keys = [\"weak\"]\n"), "inbeeld.toml");
  ASSERT_TRUE(named) << named.error().message;
  EXPECT_EQ(named->peers[0].policy.match_keys, std::vector<MatchKeyType>{MatchKeyType::kWeak});

  const std::string text = File("match_keys = [\"name\", \"pgn\"]\n");
  auto with_pgn = ParseConfig(text, "inbeeld.toml");
  if (std::string(c.pgn_refusal).empty()) {
    ASSERT_TRUE(with_pgn) << with_pgn.error().message;
    EXPECT_EQ(with_pgn->peers[0].policy.match_keys,
              (std::vector<MatchKeyType>{MatchKeyType::kName, MatchKeyType::kPgn}));
    return;
  }
  ASSERT_FALSE(with_pgn);
  EXPECT_EQ(with_pgn.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(with_pgn.error().message,
            "inbeeld.toml:" + std::to_string(LineOf(text, "match_keys")) +
                ": peer \"swv-vo-zk\": " + "match_keys[1]: \"pgn\": " + c.pgn_refusal);
}

const std::vector<MatchKeyType> kAllKeys = {MatchKeyType::kPgn, MatchKeyType::kName,
                                            MatchKeyType::kWeak};
const std::vector<MatchKeyType> kNameKeys = {MatchKeyType::kName, MatchKeyType::kWeak};
constexpr char kTowardSwv[] =
    "a BSN or onderwijsnummer may not be used in an exchange with a samenwerkingsverband "
    "(UAVG art. 46)";
constexpr char kAsSwv[] =
    "this node is a samenwerkingsverband (role swv) and may not use a BSN or onderwijsnummer in "
    "an exchange (UAVG art. 46)";
constexpr char kNoPgn[] =
    "this node does not hold a BSN or onderwijsnummer (node.holds_pgn = false)";

INSTANTIATE_TEST_SUITE_P(
    Roles, PgnPolicyTest,
    testing::Values(
        PgnPolicyCase{"LeerplichtToLeerplicht", "leerplicht", "", "leerplicht", true, kAllKeys, ""},
        PgnPolicyCase{"LeerplichtToSchool", "leerplicht", "", "school", true, kAllKeys, ""},
        PgnPolicyCase{"SchoolToLeerplicht", "school", "", "leerplicht", true, kAllKeys, ""},
        PgnPolicyCase{"LeerplichtToSwv", "leerplicht", "", "swv", true, kNameKeys, kTowardSwv},
        PgnPolicyCase{"SwvToSwv", "swv", "", "swv", false, kNameKeys, kTowardSwv},
        PgnPolicyCase{"SwvToLeerplicht", "swv", "", "leerplicht", false, kNameKeys, kAsSwv},
        // Holding PGNs does not make an SWV node one that may use them.
        PgnPolicyCase{"SwvHoldingPgnToLeerplicht", "swv", "holds_pgn = true\n", "leerplicht", true,
                      kNameKeys, kAsSwv},
        PgnPolicyCase{"LeerplichtWithoutPgnToLeerplicht", "leerplicht", "holds_pgn = false\n",
                      "leerplicht", false, kNameKeys, kNoPgn},
        PgnPolicyCase{"SchoolWithoutPgnToSchool", "school", "holds_pgn = false\n", "school", false,
                      kNameKeys, kNoPgn}),
    [](const testing::TestParamInfo<PgnPolicyCase>& param) { return param.param.label; });

TEST(ParseConfigTest, NodeTableMissing) {
  auto config = ParseConfig("[retention]\naudit_days = 10\n", "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "inbeeld.toml: node: required table [node] is missing");
}

TEST(ParseConfigTest, EmptyFileNeedsNode) {
  auto config = ParseConfig("", "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("[node] is missing"), std::string::npos);
}

// Appends a second [[activity]] / [[peer]] so duplicates can be tested.
std::string WithSecondPeer(std::string_view name, std::string_view key) {
  return kBase + "\n[[peer]]\nname = \"" + std::string(name) +
         "\"\naddress = \"127.0.0.1:9000\"\n" + "key = \"" + std::string(key) +
         "\"\nrole = \"school\"\nallowed_purposes = []\nshared_labels = []\n";
}

TEST(ParseConfigTest, DuplicatePeerNameRejected) {
  const std::string text = WithSecondPeer("swv-vo-zk", kKeyB);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  const int second = LineOf(text, "name = \"swv-vo-zk\"\naddress = \"127.0.0.1:9000\"");
  EXPECT_EQ(config.error().message,
            "inbeeld.toml:" + std::to_string(second) +
                ": peer \"swv-vo-zk\": name: duplicate peer name; first used on line " +
                std::to_string(LineOf(text, "[[peer]]")));
}

TEST(ParseConfigTest, DuplicatePeerKeyRejected) {
  const std::string text = WithSecondPeer("school-a", kKeyA);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  const int key_line = LineOf(text, "name = \"school-a\"") + 2;
  EXPECT_EQ(config.error().message,
            "inbeeld.toml:" + std::to_string(key_line) +
                ": peer \"school-a\": key: same key as peer \"swv-vo-zk\" on line " +
                std::to_string(LineOf(text, "[[peer]]")));
}

TEST(ParseConfigTest, SecondPeerWithoutPurposesIsValid) {
  auto config = ParseConfig(WithSecondPeer("school-a", kKeyB), "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->peers.size(), 2u);
  EXPECT_TRUE(config->peers[1].policy.allowed_purposes.empty());
  EXPECT_EQ(config->peers[1].role, Role::kSchool);
}

TEST(ParseConfigTest, DuplicateActivityIdRejected) {
  const std::string second =
      "\n[[activity]]\nid = \"thuiszitters-afstemming\"\nname = \"n\"\npurpose = \"p\"\n"
      "legal_basis = \"l\"\ncontroller = \"c\"\ndata_categories = [\"d\"]\nrecipients = []\n"
      "retention_days = 1\n";
  const std::string text = kBase + second;
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  const int second_id = LineOf(text, "name = \"n\"") - 1;
  EXPECT_EQ(config.error().message,
            "inbeeld.toml:" + std::to_string(second_id) +
                ": activity \"thuiszitters-afstemming\": id: duplicate activity id; first used on "
                "line " +
                std::to_string(LineOf(text, "[[activity]]")));
}

TEST(ParseConfigTest, PurposeMayReferToActivityDefinedLater) {
  // Order in the file does not matter: purposes are checked against all activities.
  const std::string peer_first =
      kBase.substr(kBase.find("[[peer]]")) + "\n" + kBase.substr(0, kBase.find("[[peer]]"));
  auto config = ParseConfig(peer_first, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
}

TEST(ParseConfigTest, PurposeReferringToMissingActivityWhenNoneExist) {
  std::string text =
      kBase.substr(0, kBase.find("[[activity]]")) + kBase.substr(kBase.find("[[peer]]"));
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(
                "inbeeld.toml:" + std::to_string(LineOf(text, "allowed_purposes")) +
                ": peer \"swv-vo-zk\": allowed_purposes[0]: no [[activity]] has id "
                "\"thuiszitters-afstemming\""),
            std::string::npos)
      << config.error().message;
}

TEST(ParseConfigTest, SyntaxErrorHasLineAndColumn) {
  const std::string text = Edit(kBase, "name = \"swv-vo-zk\"", "name = \"swv-vo-zk");
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  const std::string where =
      "inbeeld.toml:" + std::to_string(LineOf(text, "name = \"swv-vo-zk")) + ":";
  EXPECT_TRUE(config.error().message.starts_with(where)) << config.error().message;
  EXPECT_NE(config.error().message.find("TOML syntax error: "), std::string::npos);
}

TEST(ParseConfigTest, RedefinedKeyIsSyntaxError) {
  const std::string text = Edit(kBase, "role = \"swv\"", "role = \"swv\"\nrole = \"school\"");
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with(
      "inbeeld.toml:" + std::to_string(LineOf(text, "role = \"school\"")) + ":"))
      << config.error().message;
}

TEST(ParseConfigTest, MissingEqualsIsSyntaxErrorWithColumn) {
  auto config = ParseConfig("[node]\nname \"x\"\n", "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with("inbeeld.toml:2:6: TOML syntax error: "))
      << config.error().message;
}

TEST(ParseConfigTest, OversizedInputRejected) {
  std::string text = kBase + std::string(1 << 20, '#');
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("larger than 1 MiB"), std::string::npos);
}

TEST(ParseConfigTest, DeepNestingRejected) {
  const std::string text = "x = " + std::string(100000, '[');
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with("inbeeld.toml:1:")) << config.error().message;
}

TEST(ParseConfigTest, InvalidUtf8Rejected) {
  const std::string text = Edit(kBase, "\"Gemeente Haarlem\"", "\"Gemeente \xFF Haarlem\"");
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_TRUE(config.error().message.starts_with("inbeeld.toml:3:")) << config.error().message;
}

TEST(ParseConfigTest, MessagesDoNotEchoLongValues) {
  const std::string marker(300, 'Q');
  for (const std::string& text :
       {Edit(kBase, "name = \"Leerplicht Haarlem\"", "name = \"" + marker + "\""),
        Edit(kBase, "address = \"127.0.0.1:8444\"", "address = \"" + marker + "\""),
        Edit(kBase, "[node]", "\"" + marker + "\" = 1\n[node]"),
        Edit(kBase, "name = \"Leerplicht Haarlem\"", "name = \"Leerplicht Haarlem" + marker)}) {
    auto config = ParseConfig(text, "inbeeld.toml");
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().message.find("QQQQQQQQQQ"), std::string::npos)
        << config.error().message;
    EXPECT_LT(config.error().message.size(), 400u) << config.error().message;
  }
}

TEST(ParseConfigTest, EveryTruncationFailsCleanlyOrParses) {
  const std::string text =
      ReadFile(std::filesystem::path(INBEELD_TESTDATA_DIR) / "config" / "full.toml");
  for (size_t n = 0; n < text.size(); ++n) {
    auto config = ParseConfig(std::string_view(text).substr(0, n), "full.toml");
    if (!config) {
      EXPECT_TRUE(config.error().message.starts_with("full.toml")) << n;
      EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument) << n;
    }
  }
}

TEST(ParseConfigTest, EveryByteFlipFailsCleanlyOrParses) {
  const std::string text = kBase;
  for (size_t i = 0; i < text.size(); ++i) {
    for (const char replacement : {'\0', '"', '[', '\n', '\x80'}) {
      std::string mutated = text;
      mutated[i] = replacement;
      auto config = ParseConfig(mutated, "inbeeld.toml");
      if (!config) {
        EXPECT_TRUE(config.error().message.starts_with("inbeeld.toml")) << i;
      }
    }
  }
}

}  // namespace
}  // namespace inbeeld::config
