// Tests for config/node_config.cc: names, lookups, shape validators, LoadConfig.
#include "config/node_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace inbeeld::config {
namespace {

const std::filesystem::path kFull =
    std::filesystem::path(INBEELD_TESTDATA_DIR) / "config" / "full.toml";

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kLeerplicht, Role::kSwv, Role::kSchool}) {
    auto parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed) << RoleName(role);
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(RoleName(Role::kLeerplicht), "leerplicht");
  EXPECT_EQ(RoleName(Role::kSwv), "swv");
  EXPECT_EQ(RoleName(Role::kSchool), "school");
}

TEST(RoleTest, RejectsOtherSpellings) {
  for (const char* name : {"", "Leerplicht", "SWV", "gemeente", "school ", "leerplicht\n"}) {
    auto parsed = ParseRole(name);
    ASSERT_FALSE(parsed) << name;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(LabelFieldTest, NamesRoundTrip) {
  for (LabelField field :
       {LabelField::kCategory, LabelField::kSince, LabelField::kSchool, LabelField::kPlan}) {
    auto parsed = ParseLabelField(LabelFieldName(field));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, field);
  }
  EXPECT_EQ(LabelFieldName(LabelField::kSince), "since");
  EXPECT_FALSE(ParseLabelField("name"));
  EXPECT_FALSE(ParseLabelField("birth_date"));
  EXPECT_FALSE(ParseLabelField("Category"));
}

class ValidAddressTest : public testing::TestWithParam<const char*> {};
TEST_P(ValidAddressTest, Accepted) { EXPECT_TRUE(ValidateAddress(GetParam())) << GetParam(); }
INSTANTIATE_TEST_SUITE_P(Addresses, ValidAddressTest,
                         testing::Values("127.0.0.1:8443", "0.0.0.0:1", "localhost:65535",
                                         "node-1.leerplicht.haarlem.nl:443", "[::1]:8443",
                                         "[2001:db8::1]:443", "[::ffff:192.0.2.1]:80",
                                         "255.255.255.255:9000"));

class InvalidAddressTest : public testing::TestWithParam<const char*> {};
TEST_P(InvalidAddressTest, Rejected) {
  auto status = ValidateAddress(GetParam());
  ASSERT_FALSE(status) << GetParam();
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(status.error().message.find("host:port"), std::string::npos);
}
INSTANTIATE_TEST_SUITE_P(Addresses, InvalidAddressTest,
                         testing::Values("", "127.0.0.1", "127.0.0.1:", ":8443", "127.0.0.1:0",
                                         "127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:123456",
                                         "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:80 ",
                                         " 127.0.0.1:80", "::1:8443", "[::1]", "[]:80",
                                         "[zz::1]:80", "[::1:80", "host_name:80", "-host:80",
                                         "host-:80", "a..b:80", ".a:80", "256.1.1.1:80", "127.1:80",
                                         "1.2.3.4.5:80", "https://a.nl:443", "user@a.nl:443",
                                         "a.nl:80/path"));

TEST(ValidateAddressTest, LongHostRejected) {
  const std::string label(63, 'a');
  std::string host = label;
  while (host.size() < 254) host += "." + label;
  EXPECT_FALSE(ValidateAddress(host + ":80"));
  EXPECT_FALSE(ValidateAddress(std::string(64, 'a') + ":80"));
  EXPECT_TRUE(ValidateAddress(label + ":80"));
}

TEST(ValidateAddressTest, MessageDoesNotEchoInput) {
  auto status = ValidateAddress("secret-looking-host-name:0");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message.find("secret"), std::string::npos);
}

TEST(ValidateNameTest, Shape) {
  EXPECT_TRUE(ValidateName("swv-vo-zk"));
  EXPECT_TRUE(ValidateName("a"));
  EXPECT_TRUE(ValidateName(std::string(64, 'a')));
  EXPECT_TRUE(ValidateName("0-9"));
  for (const std::string& bad :
       {std::string(), std::string(65, 'a'), std::string("SWV"), std::string("swv vo"),
        std::string("swv_vo"), std::string("swv.vo"), std::string("sw\xC3\xA9")}) {
    auto status = ValidateName(bad);
    ASSERT_FALSE(status) << bad;
    EXPECT_NE(status.error().message.find("a-z, 0-9 and '-'"), std::string::npos);
  }
}

TEST(ValidatePeerKeyTest, Shape) {
  const std::string hex(64, 'a');
  EXPECT_TRUE(ValidatePeerKey("ed25519:" + hex));
  EXPECT_TRUE(
      ValidatePeerKey("ed25519:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  for (const std::string& bad :
       {std::string("ed25519:") + std::string(64, 'A'), std::string("ed25519:") + hex.substr(1),
        std::string("ed25519:") + hex + "a", std::string("ED25519:") + hex,
        std::string("x25519:") + hex, hex, std::string("ed25519:") + std::string(63, 'a') + "g",
        std::string("ed25519: ") + hex.substr(1), std::string()}) {
    auto status = ValidatePeerKey(bad);
    ASSERT_FALSE(status) << bad;
    EXPECT_NE(status.error().message.find(R"(expected "ed25519:" followed by 64 hex characters)"),
              std::string::npos);
  }
}

TEST(NodeConfigTest, FindActivityPeerAndKey) {
  auto config = LoadConfig(kFull);
  ASSERT_TRUE(config) << config.error().message;
  ASSERT_NE(config->FindActivity("verhuizingen"), nullptr);
  EXPECT_EQ(config->FindActivity("verhuizingen")->retention_days, 90);
  EXPECT_EQ(config->FindActivity("Verhuizingen"), nullptr);
  EXPECT_EQ(config->FindActivity(""), nullptr);

  ASSERT_NE(config->FindPeer("leerplicht-velsen"), nullptr);
  EXPECT_EQ(config->FindPeer("leerplicht-velsen")->address, "[::1]:8445");
  EXPECT_EQ(config->FindPeer("leerplicht"), nullptr);

  const PeerConfig* by_key = config->FindPeerByKey(
      "ed25519:3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  ASSERT_NE(by_key, nullptr);
  EXPECT_EQ(by_key->name, "swv-vo-zk");
  EXPECT_EQ(config->FindPeerByKey(
                "ed25519:3D4017C3E843895A92B70AA74D1B7EBC9C982CCF2EC4968CC0CD55F12AF4660C"),
            nullptr);
  EXPECT_EQ(config->FindPeerByKey("ed25519:"), nullptr);
}

TEST(LoadConfigTest, MissingFileIsNotFound) {
  auto config = LoadConfig(std::filesystem::path(INBEELD_TESTDATA_DIR) / "config" / "nope.toml");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kNotFound);
  EXPECT_NE(config.error().message.find("nope.toml"), std::string::npos);
}

TEST(LoadConfigTest, DirectoryIsRejected) {
  auto config = LoadConfig(std::filesystem::path(INBEELD_TESTDATA_DIR) / "config");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
}

TEST(LoadConfigTest, ErrorsNameThePath) {
  const auto path = std::filesystem::path(testing::TempDir()) / "inbeeld-config-test.toml";
  {
    std::ofstream out(path, std::ios::binary);
    out << "[node]\nname = \"x\"\norganisation = \"y\"\nrole = \"gemeente\"\n";
  }
  auto config = LoadConfig(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(config.error().message.find(path.string() + ":4: node.role:"), std::string::npos)
      << config.error().message;
}

TEST(LoadConfigTest, OversizedFileIsRejected) {
  const auto path = std::filesystem::path(testing::TempDir()) / "inbeeld-config-big.toml";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string((1 << 20) + 1, '#');
  }
  auto config = LoadConfig(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("larger than 1 MiB"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::config

namespace inbeeld::config {
namespace {

TEST(ParseAddressTest, KeepsHostAndPortAndAllowsPortZeroOnlyToListen) {
  auto v4 = ParseAddress("127.0.0.1:8443");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8443);
  auto v6 = ParseAddress("[::1]:9");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9);
  EXPECT_FALSE(ParseAddress("127.0.0.1:0"));
  EXPECT_FALSE(ValidateAddress("127.0.0.1:0"));
  auto any = ParseAddress("127.0.0.1:0", /*allow_any_port=*/true);
  ASSERT_TRUE(any);
  EXPECT_EQ(any->port, 0);
  EXPECT_FALSE(ParseAddress("bad host:80", true));
  EXPECT_FALSE(ParseAddress("example.org:65536", true));
}

}  // namespace
}  // namespace inbeeld::config
