// NodeDir::ReadMetadata (node/datadir/node_dir.h) against an edited node.json:
// node.json is a plain file beside the encrypted store, so it is read with
// the strict JSON reader. Every refusal is kDataLoss, names the file and the
// member, echoes no value, and leaves the node as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "node/datadir/node_dir.h"
#include "tests/support/local_node.h"
#include "tests/support/subprocess.h"

namespace inbeeld {
namespace {

class NodeMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = testing::LocalNode::Create("Leerplicht Test", config::Role::kLeerplicht, 0);
    ASSERT_TRUE(node) << node.error().message;
    node_ = std::move(*node);
    dir_ = std::make_unique<node::NodeDir>(node_->dir() / "node", node_->clock());
    original_ = testing::ReadFile(dir_->MetadataPath());
  }

  // Writes `text` as node.json and expects ReadMetadata to refuse it with
  // kDataLoss and exactly "<path>: <problem>".
  void ExpectRefused(const std::string& text, const std::string& problem) {
    testing::WriteFile(dir_->MetadataPath(), text);
    auto meta = dir_->ReadMetadata();
    ASSERT_FALSE(meta) << "accepted: " << text;
    EXPECT_EQ(meta.error().code, ErrorCode::kDataLoss) << meta.error().message;
    EXPECT_EQ(meta.error().message, dir_->MetadataPath().string() + ": " + problem);
  }

  // node.json with `from` replaced by `to` (once).
  std::string Edited(const std::string& from, const std::string& to) const {
    std::string text = original_;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  std::unique_ptr<testing::LocalNode> node_;
  std::unique_ptr<node::NodeDir> dir_;
  std::string original_;
};

TEST_F(NodeMetadataTest, TheFileAsWrittenReadsBack) {
  auto meta = dir_->ReadMetadata();
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->node_name, "Leerplicht Test");
  EXPECT_EQ(meta->format, 1);
  EXPECT_FALSE(meta->rekey);
}

TEST_F(NodeMetadataTest, AnEditedFileIsDataLossNamedByMember) {
  ExpectRefused(Edited("{", R"({"fingerprint":"ed25519:00",)"), "a member appears twice");
  ExpectRefused(original_ + "{}", "not valid JSON");
  ExpectRefused("[]", "not a JSON object");
  ExpectRefused(Edited("\"node_name\": \"Leerplicht Test\"", "\"node_name\": 7"),
                "member \"node_name\": not a string");
  ExpectRefused(Edited("\"format\": 1", "\"format\": -1"),
                "member \"format\": not an unsigned integer");
  ExpectRefused(Edited("{", R"({"rekey":{"storage_salt":"00"},)"),
                "member \"rekey.key_check\": missing");
  ExpectRefused(Edited("{", R"({"x":{"y":{}},)"), "nested deeper than 2 levels");
  ExpectRefused(std::string(64 * 1024 + 1, ' '), "too large");

  // A newer format is not damage: it says so.
  testing::WriteFile(dir_->MetadataPath(), Edited("\"format\": 1", "\"format\": 2"));
  auto newer = dir_->ReadMetadata();
  ASSERT_FALSE(newer);
  EXPECT_EQ(newer.error().code, ErrorCode::kFailedPrecondition);

  // Put back, it reads as before.
  testing::WriteFile(dir_->MetadataPath(), original_);
  auto meta = dir_->ReadMetadata();
  ASSERT_TRUE(meta) << meta.error().message;
  EXPECT_EQ(meta->fingerprint, node_->node().metadata.fingerprint);
}

}  // namespace
}  // namespace inbeeld
