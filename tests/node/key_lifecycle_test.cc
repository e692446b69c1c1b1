// The key and passphrase lifecycle through the `inbeeld` binary: passphrase
// change, peer remove, the checks of peer add, and (with real `serve`
// processes) what a running node does meanwhile.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "crypto/safety_code.h"
#include "crypto/signing.h"
#include "node/clock/clock.h"
#include "node/keys/rotation.h"
#include "node/net/client.h"
#include "node/net/tls_identity.h"
#include "node/datadir/node_dir.h"
#include "schema/synthetic.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_node.h"

namespace inbeeld {
namespace {

namespace fs = std::filesystem;
using testing::Env;
using testing::RunResult;
using testing::TempDir;
using testing::TestNode;

const schema::Date kToday = testing::TodayUtc();
constexpr const char* kPurpose = "thuiszitters-afstemming";

RunResult Inbeeld(const std::vector<std::string>& args, const Env& env) {
  return testing::Run(INBEELD_BINARY, args, env);
}

Env With(Env env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class KeyLifecycleTest : public ::testing::Test {
 protected:
  TestNode& Node(const std::string& name, const std::string& role = "leerplicht") {
    nodes_.push_back(std::make_unique<TestNode>(tmp_.path(), name, role));
    return *nodes_.back();
  }
  fs::path PassFile(const TestNode& node) const { return node.env().at("INBEELD_PASSPHRASE_FILE"); }
  // Exports the node's audit log and verifies it offline, pinning its key.
  RunResult ExportAndVerify(const TestNode& node, const std::string& tag,
                            const std::vector<std::string>& extra = {}) {
    fs::path out = tmp_.path() / (node.name() + "-" + tag);
    RunResult exported = node.Cli({"audit", "export", "--out", out.string()});
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    std::vector<std::string> args = {"audit", "verify", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Inbeeld(args, {});
  }

  // Points `node`'s peer `peer` at `address` in its inbeeld.toml.
  static void Repoint(const TestNode& node, const std::string& peer, const std::string& address) {
    std::string config = testing::ReadFile(node.home() / "inbeeld.toml");
    auto table = config.find("name = \"" + peer + "\"");
    ASSERT_NE(table, std::string::npos);
    auto at = config.find("address = \"", table);
    ASSERT_NE(at, std::string::npos);
    at += std::string("address = \"").size();
    config.replace(at, config.find('"', at) - at, address);
    testing::WriteFile(node.home() / "inbeeld.toml", config);
  }

  TempDir tmp_;
  std::vector<std::unique_ptr<TestNode>> nodes_;
};

TEST_F(KeyLifecycleTest, PassphraseChangeReKeysTheStoreAndKeepsTheListAndTheLog) {
  TestNode& node = Node("leerplicht-test");
  node.Import(schema::GenerateList(3, 60, kToday));
  const std::string next = "a completely new passphrase";

  RunResult changed = Inbeeld({"passphrase", "change"}, With(node.env(), "INBEELD_NEW_PASSPHRASE", next));
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.out.find("now under the new passphrase"), std::string::npos) << changed.out;
  EXPECT_EQ(changed.out.find(next), std::string::npos) << "the passphrase is echoed";

  // The old passphrase is wrong now (exit 4); the new one opens everything.
  RunResult old = node.Cli({"list", "--json"});
  EXPECT_EQ(old.exit_code, 4) << old.err;
  EXPECT_NE(old.err.find("wrong passphrase"), std::string::npos) << old.err;
  testing::WriteFile(PassFile(node), next + "\n");
  EXPECT_EQ(node.CliJson({"list", "--json"})["total"], 60);
  RunResult status = node.Cli({"status", "--check"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;

  // The change is in the log, with who did it and never the passphrase; the
  // log still verifies under the node's key.
  RunResult shown = node.Cli({"audit", "show", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(Count(shown.out, "inbeeld.node.passphrase.changed"), 1u) << shown.out;
  EXPECT_NE(shown.out.find("os:"), std::string::npos);
  EXPECT_EQ(shown.out.find(next), std::string::npos);
  RunResult verified = ExportAndVerify(node, "after", {"--expect-key", node.fingerprint()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  // node.json names one passphrase again; no copy is left behind.
  std::string meta = testing::ReadFile(node.home() / "node.json");
  EXPECT_EQ(meta.find("rekey"), std::string::npos) << meta;
  EXPECT_FALSE(fs::exists(node.home() / "inbeeld.db.rekey"));
}

TEST_F(KeyLifecycleTest, PassphraseChangeReadsTheNewOneFromAFileAndChecksIt) {
  TestNode& node = Node("leerplicht-test");
  // No source for the new passphrase (no terminal in a test): a clear error.
  RunResult none = node.Cli({"passphrase", "change"});
  EXPECT_EQ(none.exit_code, 6) << none.err;
  EXPECT_NE(none.err.find("INBEELD_NEW_PASSPHRASE_FILE"), std::string::npos) << none.err;
  // Too short, or the same as now: refused, nothing changes.
  RunResult short_one = Inbeeld({"passphrase", "change"}, With(node.env(), "INBEELD_NEW_PASSPHRASE", "kort"));
  EXPECT_EQ(short_one.exit_code, 3) << short_one.err;
  std::string current = testing::ReadFile(PassFile(node));
  current.pop_back();  // the newline
  RunResult same = Inbeeld({"passphrase", "change"}, With(node.env(), "INBEELD_NEW_PASSPHRASE", current));
  EXPECT_EQ(same.exit_code, 3) << same.err;
  // A wrong current passphrase: exit 4, before anything is written.
  RunResult wrong = Inbeeld({"passphrase", "change"},
                            With(With(node.env(), "INBEELD_PASSPHRASE_FILE", ""), "INBEELD_PASSPHRASE",
                                 "not the passphrase"));
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_EQ(node.Cli({"status"}).exit_code, 0);

  fs::path new_file = tmp_.path() / "new.pass";
  testing::WriteFile(new_file, "the next passphrase, from a file\n");
  RunResult changed = Inbeeld({"passphrase", "change"},
                              With(node.env(), "INBEELD_NEW_PASSPHRASE_FILE", new_file.string()));
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(node.Cli({"status"}).exit_code, 4);
  RunResult opened = Inbeeld({"status"}, With(node.env(), "INBEELD_PASSPHRASE_FILE", new_file.string()));
  EXPECT_EQ(opened.exit_code, 0) << opened.err;
}

TEST_F(KeyLifecycleTest, PassphraseChangeIsRefusedWhileServeHasTheStoreOpen) {
  TestNode& node = Node("leerplicht-test");
  TestNode& peer = Node("swv-test", "swv");
  ASSERT_EQ(node.AddPeer(peer).exit_code, 0);
  node.Start();
  RunResult refused = Inbeeld({"passphrase", "change"},
                              With(node.env(), "INBEELD_NEW_PASSPHRASE", "a completely new passphrase"));
  EXPECT_EQ(refused.exit_code, 6) << refused.err;
  EXPECT_NE(refused.err.find("another inbeeld process"), std::string::npos) << refused.err;
  // The serving node is untouched; once it stopped, the change goes through.
  EXPECT_EQ(node.Cli({"status"}).exit_code, 0);
  EXPECT_EQ(node.Stop(), 0);
  RunResult changed = Inbeeld({"passphrase", "change"},
                              With(node.env(), "INBEELD_NEW_PASSPHRASE", "a completely new passphrase"));
  EXPECT_EQ(changed.exit_code, 0) << changed.err;
}

TEST_F(KeyLifecycleTest, PeerAddChecksTheKeyAtOnce) {
  TestNode& node = Node("leerplicht-test");
  TestNode& peer = Node("swv-test", "swv");
  auto add = [&](const std::string& name, const std::string& key) {
    return node.Cli({"peer", "add", name, "--address", "127.0.0.1:9", "--key", key, "--role", "swv",
                     "--purpose", kPurpose});
  };
  const std::string before = testing::ReadFile(node.home() / "inbeeld.toml");
  // Not a point on the curve (the shape is right): refused now, not at the
  // first handshake.
  RunResult not_a_point = add("x", "ed25519:" + std::string(64, '0'));
  EXPECT_EQ(not_a_point.exit_code, 3) << not_a_point.err;
  EXPECT_NE(not_a_point.err.find("not a valid Ed25519 public key"), std::string::npos) << not_a_point.err;
  EXPECT_EQ(add("x", "ed25519:1234").exit_code, 3);
  EXPECT_EQ(add("x", "rsa:" + std::string(64, 'a')).exit_code, 3);
  // This node's own key.
  RunResult own = add("x", node.fingerprint());
  EXPECT_EQ(own.exit_code, 3) << own.err;
  EXPECT_NE(own.err.find("own key"), std::string::npos) << own.err;
  EXPECT_EQ(testing::ReadFile(node.home() / "inbeeld.toml"), before);

  // Typed in upper case with separators, written in the canonical form.
  std::string hex = peer.fingerprint().substr(8);
  std::string spaced = "ED25519:";
  for (size_t i = 0; i < hex.size(); i += 2) spaced += (i ? ":" : "") + hex.substr(i, 2);
  for (char& c : spaced) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  RunResult added = add("swv-test", spaced);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto key = crypto::VerifyingKey::FromFingerprint(peer.fingerprint());
  ASSERT_TRUE(key);
  EXPECT_NE(added.out.find(crypto::SafetyCode(key->bytes())), std::string::npos) << added.out;
  EXPECT_NE(testing::ReadFile(node.home() / "inbeeld.toml").find(peer.fingerprint()), std::string::npos);
  // The same key under another name, or the name again.
  RunResult twice = add("other-name", peer.fingerprint());
  EXPECT_EQ(twice.exit_code, 3) << twice.err;
  EXPECT_NE(twice.err.find("already pinned as peer \"swv-test\""), std::string::npos) << twice.err;
  TestNode& third = Node("school-test", "school");
  RunResult same_name = add("swv-test", third.fingerprint());
  EXPECT_EQ(same_name.exit_code, 3) << same_name.err;
  EXPECT_NE(same_name.err.find("peer remove"), std::string::npos) << same_name.err;
  // `peer list` shows the safety code beside the key.
  EXPECT_NE(node.Cli({"peer", "list"}).out.find(crypto::SafetyCode(key->bytes())), std::string::npos);
}

TEST_F(KeyLifecycleTest, PeerRemoveKeepsTheRestOfTheFileAndThePastAndIsLogged) {
  TestNode& lp = Node("leerplicht-test");
  TestNode& swv = Node("swv-test", "swv");
  TestNode& school = Node("school-test", "school");
  schema::RegionSpec spec;
  spec.seed = 11;
  spec.partners = {{"Leerplicht", 40}, {"SWV", 30}};
  spec.overlap = 0.5;
  spec.today = kToday;
  auto lists = schema::GenerateRegion(spec);
  lp.Import(lists[0]);
  swv.Import(lists[1]);
  ASSERT_EQ(swv.AddPeer(lp).exit_code, 0);
  swv.Start();
  ASSERT_EQ(lp.AddPeer(swv).exit_code, 0);
  ASSERT_EQ(lp.AddPeer(school).exit_code, 0);
  auto report = lp.CliJson({"match", "swv-test", "--purpose", kPurpose, "--json"});
  ASSERT_EQ(report["status"], "completed");
  const std::string session = report["session"];

  // The operator's own comment between the tables stays where it was.
  fs::path toml = lp.home() / "inbeeld.toml";
  std::string text = testing::ReadFile(toml);
  size_t school_table = text.rfind("\n[[peer]]");
  ASSERT_NE(school_table, std::string::npos);
  text.insert(school_table + 1, "# De school: contact via de leerplichtambtenaar.\n");
  testing::WriteFile(toml, text);
  ASSERT_EQ(lp.Cli({"status"}).exit_code, 0);  // records the hand edit first
  text = testing::ReadFile(toml);
  const size_t edits = Count(lp.Cli({"audit", "show", "--json"}).out, "inbeeld.config.changed");

  RunResult removed = lp.Cli({"peer", "remove", "swv-test"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  auto key = crypto::VerifyingKey::FromFingerprint(swv.fingerprint());
  ASSERT_TRUE(key);
  EXPECT_NE(removed.out.find(crypto::SafetyCode(key->bytes())), std::string::npos) << removed.out;
  std::string after = testing::ReadFile(toml);
  EXPECT_EQ(after.find(swv.fingerprint()), std::string::npos);
  EXPECT_EQ(after.find("name = \"swv-test\""), std::string::npos);
  // Exactly the table went: the text before it and after it are unchanged.
  size_t start = text.find("\n[[peer]]\nname = \"swv-test\"");
  ASSERT_NE(start, std::string::npos);
  size_t end = text.find("# De school", start);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(after, text.substr(0, start) + "\n" + text.substr(end)) << after;
  auto peers = lp.CliJson({"peer", "list", "--json"});
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0]["name"], "school-test");

  // Unknown now; the past stays: the session, its results and its records.
  RunResult again = lp.Cli({"peer", "remove", "swv-test"});
  EXPECT_EQ(again.exit_code, 3) << again.err;
  RunResult match = lp.Cli({"match", "swv-test", "--purpose", kPurpose});
  EXPECT_NE(match.exit_code, 0);
  EXPECT_EQ(lp.Cli({"results", session}).exit_code, 0);
  RunResult log = lp.Cli({"audit", "show", "--json"});
  ASSERT_EQ(log.exit_code, 0);
  EXPECT_EQ(Count(log.out, "inbeeld.peer.removed"), 1u);
  EXPECT_EQ(Count(log.out, "inbeeld.config.changed"), edits) << "the removal is not an edit";
  EXPECT_GE(Count(log.out, "\"swv-test\""), 2u);
  RunResult verified = ExportAndVerify(lp, "after-remove", {"--expect-key", lp.fingerprint()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// The receiving side of a key rotation with a real `serve` (docs/PROTOCOL.md
// §12): a partner's announcement over mutual TLS under its pinned key
// re-pins it in inbeeld.toml and is in the log; forged, replayed and
// oversized ones are refused, and the log still verifies.
TEST_F(KeyLifecycleTest, APeerAcceptsASignedKeyRotationOverTheRealRoute) {
  TestNode& lp = Node("leerplicht-x");
  TestNode& swv = Node("swv-y", "swv");
  ASSERT_EQ(swv.AddPeer(lp).exit_code, 0);
  swv.Start();

  // The announcer's old key, from its own store (no `key rotate` command yet).
  node::SystemClock clock;
  std::optional<crypto::SigningKey> old_key;
  {
    node::NodeDir dir(lp.home(), clock);
    std::string pass = testing::ReadFile(PassFile(lp));
    pass.pop_back();
    auto unlocked = dir.Unlock(crypto::SecretBytes::CopyFrom(
        std::span(reinterpret_cast<const uint8_t*>(pass.data()), pass.size())));
    ASSERT_TRUE(unlocked) << unlocked.error().message;
    old_key.emplace(std::move(unlocked->identity));
  }
  auto identity = node::net::TlsIdentity::Create(
      old_key->SeedForStorage().RevealForCrypto().first<32>(), lp.name());
  ASSERT_TRUE(identity);
  auto swv_key = crypto::VerifyingKey::FromFingerprint(swv.fingerprint());
  ASSERT_TRUE(swv_key);
  auto post = [&](const std::string& body) {
    auto client = node::net::PeerClient::Create(*identity, swv.name(), swv_key->bytes(), "127.0.0.1",
                                          swv.port());
    EXPECT_TRUE(client);
    return (*client)->Post("/v1/key/rotate", body, "application/octet-stream");
  };
  const auto now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count());
  auto announce = [&](const crypto::SigningKey& signer, const crypto::SigningKey& next) {
    auto m = node::keys::Announce(signer, next, "Leerplicht X", now);
    EXPECT_TRUE(m);
    return std::string(m->begin(), m->end());
  };
  crypto::SigningKey new_key = crypto::SigningKey::Generate();
  crypto::SigningKey mallory = crypto::SigningKey::Generate();
  const fs::path toml = swv.home() / "inbeeld.toml";

  // Forged: signed by a key that is not the pinned one.
  auto forged = post(announce(mallory, new_key));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, ErrorCode::kUnauthenticated) << forged.error().message;
  // Too large for the route: refused before it is parsed.
  auto oversized = post(std::string(4096, 'x'));
  ASSERT_FALSE(oversized);
  EXPECT_NE(testing::ReadFile(toml).find(lp.fingerprint()), std::string::npos);

  const std::string genuine = announce(*old_key, new_key);
  auto accepted = post(genuine);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(nlohmann::json::parse(accepted->body)["pinned"], new_key.PublicKey().Fingerprint());
  std::string after = testing::ReadFile(toml);
  EXPECT_EQ(after.find(lp.fingerprint()), std::string::npos);
  EXPECT_NE(after.find(new_key.PublicKey().Fingerprint()), std::string::npos);
  // Replayed: refused by the handler, or — once the serving process has
  // reloaded the new pin (it asks for that itself) — at the handshake, since
  // the old key is no longer pinned.
  auto replayed = post(genuine);
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().code, ErrorCode::kUnauthenticated);

  EXPECT_EQ(swv.Stop(), 0);
  RunResult log = swv.Cli({"audit", "show", "--json"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_EQ(Count(log.out, "\"inbeeld.peer.key.rotated\""), 1u) << log.out;
  // The forged one, and the replay if it reached the handler before the reload.
  const size_t refused = Count(log.out, "\"inbeeld.peer.key.rotation_refused\"");
  EXPECT_GE(refused, 1u) << log.out;
  EXPECT_LE(refused, 2u) << log.out;
  EXPECT_NE(swv.ServerLog().find("config reloaded"), std::string::npos) << swv.ServerLog();
  EXPECT_EQ(Count(log.out, "inbeeld.config.changed"), 1u) << "only the peer add";
  auto peers = swv.CliJson({"peer", "list", "--json"});
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0]["key"], new_key.PublicKey().Fingerprint());
  RunResult verified = ExportAndVerify(swv, "after-rotation", {"--expect-key", swv.fingerprint()});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

// `inbeeld key rotate` between real processes: the announcing node switches
// keys while stopped, a serving partner re-pins at once, exchanges in both
// directions resume under the new key with the witness checks carried
// across, a partner that was down is told by `--finish` while the node
// serves (here: one that re-pinned by hand meanwhile, which counts as told),
// and both ends of the key verify the node's audit export.
TEST_F(KeyLifecycleTest, KeyRotateTellsThePartnersAndExchangesGoOnUnderTheNewKey) {
  TestNode& lp = Node("leerplicht-x");
  TestNode& swv = Node("swv-y", "swv");
  TestNode& other = Node("swv-z", "swv");
  schema::RegionSpec spec;
  spec.seed = 11;
  spec.partners = {{"Leerplicht", 30}, {"SWV Y", 20}, {"SWV Z", 20}};
  spec.overlap = 0.5;
  spec.today = kToday;
  auto lists = schema::GenerateRegion(spec);
  lp.Import(lists[0]);
  swv.Import(lists[1]);
  other.Import(lists[2]);
  ASSERT_EQ(swv.AddPeer(lp).exit_code, 0);
  ASSERT_EQ(other.AddPeer(lp).exit_code, 0);
  swv.Start();
  other.Start();
  ASSERT_EQ(lp.AddPeer(swv).exit_code, 0);
  ASSERT_EQ(lp.AddPeer(other).exit_code, 0);
  lp.Start();
  Repoint(swv, lp.name(), lp.address());
  auto match = [&](const TestNode& from, const std::string& to) {
    return from.Cli({"match", to, "--purpose", kPurpose, "--json"});
  };
  ASSERT_EQ(match(lp, swv.name()).exit_code, 0);
  ASSERT_EQ(match(lp, other.name()).exit_code, 0);
  const std::string old_fp = lp.fingerprint();

  // Not while the node serves: nothing may go on presenting the old key.
  RunResult busy = lp.Cli({"key", "rotate"});
  EXPECT_EQ(busy.exit_code, 6) << busy.err;
  EXPECT_NE(busy.err.find("stop it and try again"), std::string::npos) << busy.err;
  EXPECT_EQ(lp.CliJson({"whoami", "--json"})["fingerprint"], old_fp);

  ASSERT_EQ(other.Stop(), 0);  // down during the rotation
  ASSERT_EQ(lp.Stop(), 0);
  RunResult rotated = lp.Cli({"key", "rotate", "--json"});
  EXPECT_EQ(rotated.exit_code, 8) << rotated.out << rotated.err;  // one partner left
  auto told = nlohmann::json::parse(rotated.out);
  const std::string new_fp = told["new_key"];
  EXPECT_EQ(told["old_key"], old_fp);
  EXPECT_NE(new_fp, old_fp);
  EXPECT_EQ(told["safety_code"], crypto::SafetyCode(crypto::VerifyingKey::FromFingerprint(new_fp)->bytes()));
  ASSERT_EQ(told["partners"].size(), 2u);
  EXPECT_EQ(told["partners"][0]["peer"], swv.name());
  EXPECT_EQ(told["partners"][0]["outcome"], "accepted");
  EXPECT_EQ(told["partners"][1]["outcome"], "not_yet");
  EXPECT_FALSE(told["previous_key_erased"]);
  EXPECT_EQ(lp.CliJson({"whoami", "--json"})["fingerprint"], new_fp);
  EXPECT_NE(testing::ReadFile(swv.home() / "inbeeld.toml").find(new_fp), std::string::npos);
  auto status = lp.CliJson({"status", "--json"});
  EXPECT_EQ(status["new_key_not_yet_accepted_by"], nlohmann::json::array({other.name()}));

  // Both directions under the new key; swv's witness checks go on from what
  // it saw under the old one (no rollback alarm, its cosignature verifies).
  lp.Start();
  Repoint(swv, lp.name(), lp.address());
  // serve tells the partner still to tell on its own, at once and then with
  // backoff (the next try is a minute later, after this test's --finish).
  for (int i = 0; i < 100 && lp.ServerLog().find("key announcement: 1 partner(s) still pin the "
                                                 "old key") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(lp.ServerLog().find("key announcement: partner " + other.name() + " not yet: "),
            std::string::npos)
      << lp.ServerLog();
  RunResult from_lp = match(lp, swv.name());
  EXPECT_EQ(from_lp.exit_code, 0) << from_lp.err;
  RunResult to_lp = match(swv, lp.name());
  EXPECT_EQ(to_lp.exit_code, 0) << to_lp.err;

  // The partner that was down re-pinned by hand meanwhile (its operator read
  // the new fingerprint aloud): `--finish`, while lp serves, finds it already
  // has the new key, and the old key is erased.
  ASSERT_EQ(other.Cli({"peer", "remove", lp.name()}).exit_code, 0);
  ASSERT_EQ(other.Cli({"peer", "add", lp.name(), "--address", lp.address(), "--key", new_fp,
                       "--role", "leerplicht", "--purpose", kPurpose})
                .exit_code,
            0);
  other.Start();
  Repoint(lp, other.name(), other.address());
  RunResult finished = lp.Cli({"key", "rotate", "--finish"});
  EXPECT_EQ(finished.exit_code, 0) << finished.out << finished.err;
  EXPECT_NE(finished.out.find(other.name() + ": now pins the new key"), std::string::npos)
      << finished.out;
  EXPECT_NE(finished.out.find("the old key is erased"), std::string::npos) << finished.out;
  status = lp.CliJson({"status", "--json"});
  EXPECT_TRUE(status["new_key_not_yet_accepted_by"].empty());
  RunResult third = match(lp, other.name());
  EXPECT_EQ(third.exit_code, 0) << third.err;
  RunResult nothing_left = lp.Cli({"key", "rotate", "--finish"});
  EXPECT_EQ(nothing_left.exit_code, 6) << nothing_left.err;

  EXPECT_EQ(lp.Stop(), 0);
  RunResult log = lp.Cli({"audit", "show", "--json"});
  EXPECT_EQ(Count(log.out, "\"inbeeld.node.key.rotated\""), 1u);
  // `key rotate`, serve's own first try, `--finish`.
  EXPECT_EQ(Count(log.out, "\"inbeeld.node.key.announced\""), 3u);
  // The auditor who pinned the old key is led to the new one, and the
  // other way round.
  for (const auto& pinned : {old_fp, new_fp}) {
    RunResult verified = ExportAndVerify(lp, "rotated-" + pinned.substr(8, 6), {"--expect-key", pinned});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find("Key change: record"), std::string::npos) << verified.out;
    EXPECT_EQ(verified.out.find("Now:       " + new_fp) != std::string::npos, pinned == old_fp)
        << verified.out;
  }
  // The partner's log, with the node's cosignatures under both keys.
  EXPECT_EQ(swv.Stop(), 0);
  RunResult partner = ExportAndVerify(
      swv, "partner",
      {"--expect-key", swv.fingerprint(), "--expect-witness", lp.name() + "=" + new_fp});
  EXPECT_EQ(partner.exit_code, 0) << partner.out << partner.err;
  EXPECT_EQ(partner.out.find("FAIL"), std::string::npos) << partner.out;
}

}  // namespace
}  // namespace inbeeld
