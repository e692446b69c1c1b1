// Tests for config/render_config.cc: what `inbeeld init` and `inbeeld peer add`
// write must parse back to what they were given.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/node_config.h"

namespace inbeeld::config {
namespace {

constexpr char kKeyA[] = "ed25519:3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr char kKeyB[] = "ed25519:fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025";

class RenderInitialConfigTest : public testing::TestWithParam<Role> {};

TEST_P(RenderInitialConfigTest, RoundTrips) {
  const InitialConfigSpec spec{"Knooppunt " + std::string(RoleName(GetParam())),
                               "Gemeente 's-Hertogenbosch \"Noord\" \\ é", GetParam(),
                               "[::1]:9443"};
  const std::string text = RenderInitialConfig(spec);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message << "\n" << text;

  EXPECT_EQ(config->node_name, spec.node_name);
  EXPECT_EQ(config->organisation, spec.organisation);
  EXPECT_EQ(config->role, spec.role);
  EXPECT_EQ(config->listen_address, "[::1]:9443");
  EXPECT_EQ(config->data_dir, "");
  EXPECT_EQ(config->retention, RetentionConfig{});
  EXPECT_TRUE(config->peers.empty());

  // Every role gets the same purpose id, so partners' allowed_purposes agree.
  ASSERT_EQ(config->activities.size(), 1u);
  const ProcessingActivity& activity = config->activities[0];
  EXPECT_EQ(activity.id, "thuiszitters-afstemming");
  EXPECT_EQ(activity.controller, spec.organisation);
  EXPECT_NE(activity.legal_basis.find("AVG art. 6 lid 1 sub e"), std::string::npos);
  EXPECT_NE(activity.legal_basis.find("Leerplichtwet"), std::string::npos);
  EXPECT_FALSE(activity.data_categories.empty());
  EXPECT_FALSE(activity.recipients.empty());
  EXPECT_EQ(activity.retention_days, 365);
  EXPECT_TRUE(activity.purpose.starts_with("Nagaan welke thuiszitters")) << activity.purpose;
  EXPECT_EQ(activity.purpose.find('\n'), std::string::npos);
  EXPECT_EQ(activity.purpose.find("  "), std::string::npos);

  // The PGN policy is written out, and the register names a PGN only where one is held.
  EXPECT_EQ(config->holds_pgn, GetParam() != Role::kSwv);
  EXPECT_NE(text.find(GetParam() == Role::kSwv ? "\nholds_pgn = false\n" : "\nholds_pgn = true\n"),
            std::string::npos);
  const bool lists_pgn =
      std::find(activity.data_categories.begin(), activity.data_categories.end(),
                "BSN of onderwijsnummer (gepseudonimiseerd)") != activity.data_categories.end();
  EXPECT_EQ(lists_pgn, config->holds_pgn);
}

TEST_P(RenderInitialConfigTest, ExplicitHoldsPgnRoundTrips) {
  for (const bool holds : {false, true}) {
    InitialConfigSpec spec{"Knooppunt", "Organisatie", GetParam(), ""};
    spec.holds_pgn = holds;
    auto config = ParseConfig(RenderInitialConfig(spec), "inbeeld.toml");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->holds_pgn, holds);
  }
}

// Uncommented with a real key, the example [[peer]] of every role parses, and
// its match_keys are the default for that pair of roles.
TEST_P(RenderInitialConfigTest, ExamplePeerHasTheDefaultMatchKeys) {
  std::string text = RenderInitialConfig({"Knooppunt", "Organisatie", GetParam(), ""});
  const size_t start = text.find("# [[peer]]");
  ASSERT_NE(start, std::string::npos);
  std::string tail = text.substr(start);
  std::string uncommented;
  for (size_t pos = 0; pos < tail.size();) {
    size_t end = tail.find('\n', pos);
    if (end == std::string::npos) end = tail.size();
    std::string line = tail.substr(pos, end - pos);
    if (line.starts_with("# ")) line = line.substr(2);
    uncommented += line + "\n";
    pos = end + 1;
  }
  const std::string placeholder_key = "ed25519:VUL-HIER-DE-SLEUTEL-VAN-DE-PEER-IN";
  ASSERT_NE(uncommented.find(placeholder_key), std::string::npos);
  uncommented.replace(uncommented.find(placeholder_key), placeholder_key.size(), kKeyB);
  ASSERT_NE(uncommented.find("match_keys = "), std::string::npos) << uncommented;
  auto config = ParseConfig(text.substr(0, start) + uncommented, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->peers.size(), 1u);
  const PeerConfig& peer = config->peers[0];
  EXPECT_EQ(peer.policy.match_keys, DefaultMatchKeys(GetParam(), config->holds_pgn, peer.role));
  // The example names the key types explicitly, so the FG sees them.
  std::string listed = "match_keys = [";
  for (size_t i = 0; i < peer.policy.match_keys.size(); ++i) {
    listed += (i ? ", \"" : "\"") + std::string(MatchKeyTypeName(peer.policy.match_keys[i])) + "\"";
  }
  EXPECT_NE(uncommented.find(listed + "]"), std::string::npos) << uncommented;
}

INSTANTIATE_TEST_SUITE_P(Roles, RenderInitialConfigTest,
                         testing::Values(Role::kLeerplicht, Role::kSwv, Role::kSchool),
                         [](const testing::TestParamInfo<Role>& param) {
                           return std::string(RoleName(param.param));
                         });

TEST(RenderInitialConfigTest, EmptyListenTakesDefault) {
  auto config = ParseConfig(
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}),
      "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->listen_address, "127.0.0.1:8443");
}

TEST(RenderInitialConfigTest, LeerplichtLegalBasis) {
  auto config = ParseConfig(
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}),
      "inbeeld.toml");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->activities[0].legal_basis,
            "AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 16, 18, 25; Wet passend onderwijs");
}

TEST(RenderInitialConfigTest, ControlCharactersAreEscapedNotInjected) {
  // A newline in a name must not smuggle a key into the file: it is escaped, so
  // the file parses and the name is refused as a name, not read as TOML.
  const std::string text =
      RenderInitialConfig({"x\"\nrole = \"swv", "Gemeente Haarlem", Role::kLeerplicht, ""});
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("node.name: must be one line"), std::string::npos)
      << config.error().message;
}

TEST(RenderInitialConfigTest, InvalidListenIsReportedOnParse) {
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, "nope"});
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("node.listen: expected host:port"), std::string::npos);
}

// Uncommenting the example [[peer]] fails on its placeholder key, so it cannot
// be enabled by accident; with a real key filled in, it is a valid peer: the
// template teaches a layout that works.
TEST(RenderInitialConfigTest, ExamplePeerNeedsARealKey) {
  std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""});
  const size_t start = text.find("# [[peer]]");
  ASSERT_NE(start, std::string::npos);
  std::string tail = text.substr(start);
  std::string uncommented;
  for (size_t pos = 0; pos < tail.size();) {
    size_t end = tail.find('\n', pos);
    if (end == std::string::npos) end = tail.size();
    std::string line = tail.substr(pos, end - pos);
    if (line.starts_with("# ")) line = line.substr(2);
    uncommented += line + "\n";
    pos = end + 1;
  }
  text = text.substr(0, start) + uncommented;
  auto placeholder = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(placeholder);
  EXPECT_NE(placeholder.error().message.find(
                R"(peer "swv-vo-zk": key: expected "ed25519:" followed by 64 hex characters)"),
            std::string::npos)
      << placeholder.error().message;

  const std::string placeholder_key = "ed25519:VUL-HIER-DE-SLEUTEL-VAN-DE-PEER-IN";
  ASSERT_NE(text.find(placeholder_key), std::string::npos);
  text.replace(text.find(placeholder_key), placeholder_key.size(), kKeyB);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message << "\n" << text;
  ASSERT_EQ(config->peers.size(), 1u);
  EXPECT_EQ(config->peers[0].name, "swv-vo-zk");
  EXPECT_EQ(config->peers[0].role, Role::kSwv);
  EXPECT_EQ(config->peers[0].key, kKeyB);
  EXPECT_EQ(config->peers[0].policy.allowed_purposes,
            std::vector<std::string>{"thuiszitters-afstemming"});
}

PeerConfig SwvPeer() {
  PeerConfig peer;
  peer.name = "swv-vo-zk";
  peer.address = "swv.example.nl:8444";
  peer.key = kKeyA;
  peer.role = Role::kSwv;
  peer.policy.allowed_purposes = {"thuiszitters-afstemming"};
  peer.policy.shared_labels = {LabelField::kCategory, LabelField::kPlan};
  peer.policy.max_list_size = 20000;
  peer.policy.max_sessions_per_day = 3;
  peer.policy.match_keys = {MatchKeyType::kWeak, MatchKeyType::kName};
  return peer;
}

TEST(RenderPeerBlockTest, AppendedBlockRoundTrips) {
  const PeerConfig peer = SwvPeer();
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}) +
      RenderPeerBlock(peer);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message << "\n" << text;
  ASSERT_EQ(config->peers.size(), 1u);
  EXPECT_EQ(config->peers[0], peer);
  ASSERT_NE(config->FindPeerByKey(kKeyA), nullptr);
}

TEST(RenderPeerBlockTest, TwoAppendedBlocksRoundTrip) {
  PeerConfig count_only;
  count_only.name = "leerplicht-velsen";
  count_only.address = "[2001:db8::7]:443";
  count_only.key = kKeyB;
  count_only.role = Role::kLeerplicht;
  count_only.policy.count_only = true;
  const std::string text =
      RenderInitialConfig({"SWV VO Zuid-Kennemerland", "Stichting SWV", Role::kSwv, ""}) +
      RenderPeerBlock(SwvPeer()) + RenderPeerBlock(count_only);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_EQ(config->peers.size(), 2u);
  EXPECT_EQ(config->peers[0], SwvPeer());
  // Without match_keys the block takes the default: an SWV node never uses a PGN.
  EXPECT_EQ(RenderPeerBlock(count_only).find("match_keys"), std::string::npos);
  count_only.policy.match_keys = {MatchKeyType::kName, MatchKeyType::kWeak};
  EXPECT_EQ(config->peers[1], count_only);
}

TEST(RenderPeerBlockTest, PgnMatchKeyRoundTripsBetweenLeerplichtNodes) {
  PeerConfig peer = SwvPeer();
  peer.role = Role::kLeerplicht;
  peer.policy.match_keys = {MatchKeyType::kPgn, MatchKeyType::kName, MatchKeyType::kWeak};
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}) +
      RenderPeerBlock(peer);
  EXPECT_NE(text.find("\nmatch_keys = [\"pgn\", \"name\", \"weak\"]\n"), std::string::npos);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->peers[0], peer);
}

TEST(RenderPeerBlockTest, PgnTowardAnSwvIsCaughtOnReparse) {
  PeerConfig peer = SwvPeer();
  peer.policy.match_keys = {MatchKeyType::kPgn};
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}) +
      RenderPeerBlock(peer);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find(
                R"(peer "swv-vo-zk": match_keys[0]: "pgn": a BSN or onderwijsnummer may not be )"
                R"(used in an exchange with a samenwerkingsverband (UAVG art. 46))"),
            std::string::npos)
      << config.error().message;
}

TEST(RenderPeerBlockTest, AppendingADuplicateIsCaughtOnReparse) {
  PeerConfig again = SwvPeer();
  again.name = "swv-vo-zk-2";
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}) +
      RenderPeerBlock(SwvPeer()) + RenderPeerBlock(again);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(
      config.error().message.find("peer \"swv-vo-zk-2\": key: same key as peer \"swv-vo-zk\""),
      std::string::npos)
      << config.error().message;
}

TEST(RenderPeerBlockTest, UnknownPurposeIsCaughtOnReparse) {
  PeerConfig peer = SwvPeer();
  peer.policy.allowed_purposes = {"iets-anders"};
  const std::string text =
      RenderInitialConfig({"Leerplicht Haarlem", "Gemeente Haarlem", Role::kLeerplicht, ""}) +
      RenderPeerBlock(peer);
  auto config = ParseConfig(text, "inbeeld.toml");
  ASSERT_FALSE(config);
  EXPECT_NE(
      config.error().message.find("allowed_purposes[0]: no [[activity]] has id \"iets-anders\""),
      std::string::npos)
      << config.error().message;
}

}  // namespace
}  // namespace inbeeld::config
