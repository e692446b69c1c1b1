// Where the storage passphrase comes from (node/datadir/passphrase.h): the order of
// the sources, the systemd credential, and the warning on a file others may
// read. The environment is injected; files are real, in a temporary directory.
#include "node/datadir/passphrase.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "tests/support/subprocess.h"

namespace inbeeld::node {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFile;

GetEnvFn FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Text(const crypto::SecretBytes& secret) {
  auto bytes = secret.RevealForCrypto();
  return std::string(bytes.begin(), bytes.end());
}

class PassphraseTest : public ::testing::Test {
 protected:
  // A file holding `content` with exactly `mode` (umask does not apply).
  fs::path File(const std::string& name, const std::string& content, mode_t mode = 0600) {
    fs::path path = tmp_.path() / name;
    fs::create_directories(path.parent_path());
    fs::remove(path);  // a 0400 file is replaced, not written through
    WriteFile(path, content);
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }
  fs::path credentials() const { return tmp_.path() / "credentials"; }

  TempDir tmp_;
  std::ostringstream warnings_;
};

TEST_F(PassphraseTest, APrivateFileIsReadWithOneNewlineStrippedAndNoWarning) {
  fs::path file = File("pass", "correct horse battery staple\n");
  auto secret = ReadPassphrase(PassphrasePurpose::kUnlock,
                               FakeEnv({{"INBEELD_PASSPHRASE_FILE", file}}), warnings_);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(Text(*secret), "correct horse battery staple");
  EXPECT_EQ(warnings_.str(), "");
}

TEST_F(PassphraseTest, AFileOthersMayReadIsUsedWithAWarningNamingPathAndMode) {
  fs::path file = File("pass", "correct horse battery staple\n", 0644);
  auto secret = ReadPassphrase(PassphrasePurpose::kUnlock,
                               FakeEnv({{"INBEELD_PASSPHRASE_FILE", file}}), warnings_);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(Text(*secret), "correct horse battery staple");
  EXPECT_EQ(warnings_.str(), "inbeeld: warning: the passphrase file " + file.string() +
                                 " may be read or written by its group and by others (mode "
                                 "0644); whoever can read it can open the store: chmod 600 " +
                                 file.string() + "\n");
}

TEST_F(PassphraseTest, TheWarningSaysWhoElseMayReadOrWrite) {
  struct Case {
    mode_t mode;
    std::string who;  // empty: no warning
  };
  for (const Case& c :
       {Case{0600, ""}, Case{0400, ""}, Case{0700, ""}, Case{0640, "its group ("},
        Case{0620, "its group ("}, Case{0604, "by others ("}, Case{0602, "by others ("},
        Case{0666, "its group and by others ("}, Case{0610, ""}}) {
    std::ostringstream warnings;
    fs::path file = File("pass", "correct horse battery staple", c.mode);
    auto secret = ReadPassphrase(PassphrasePurpose::kUnlock,
                                 FakeEnv({{"INBEELD_PASSPHRASE_FILE", file}}), warnings);
    ASSERT_TRUE(secret) << secret.error().message;
    if (c.who.empty()) {
      EXPECT_EQ(warnings.str(), "") << std::oct << c.mode;
    } else {
      EXPECT_NE(warnings.str().find(c.who), std::string::npos) << warnings.str();
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(c.mode));
      EXPECT_NE(warnings.str().find(std::string("(mode ") + mode + ")"), std::string::npos)
          << warnings.str();
    }
  }
}

TEST_F(PassphraseTest, TheSystemdCredentialIsReadWhenNoFileIsNamed) {
  File("credentials/passphrase", "from the credential\n", 0400);
  File("credentials/other", "another credential of the unit", 0400);
  auto secret = ReadPassphrase(
      PassphrasePurpose::kUnlock,
      FakeEnv({{"CREDENTIALS_DIRECTORY", credentials()}, {"INBEELD_PASSPHRASE", "from the var"}}),
      warnings_);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(Text(*secret), "from the credential");
  EXPECT_EQ(warnings_.str(), "");
}

TEST_F(PassphraseTest, TheNamedFileComesBeforeTheCredential) {
  File("credentials/passphrase", "from the credential", 0400);
  fs::path file = File("pass", "from the file");
  auto secret = ReadPassphrase(PassphrasePurpose::kUnlock,
                               FakeEnv({{"INBEELD_PASSPHRASE_FILE", file},
                                        {"CREDENTIALS_DIRECTORY", credentials()},
                                        {"INBEELD_PASSPHRASE", "from the var"}}),
                               warnings_);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(Text(*secret), "from the file");
}

TEST_F(PassphraseTest, ACredentialsDirectoryWithoutThePassphraseFallsThroughToTheVariable) {
  File("credentials/other", "another credential of the unit", 0400);
  auto secret = ReadPassphrase(
      PassphrasePurpose::kUnlock,
      FakeEnv({{"CREDENTIALS_DIRECTORY", credentials()}, {"INBEELD_PASSPHRASE", "from the var"}}),
      warnings_);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_EQ(Text(*secret), "from the var");
  // An empty variable counts as unset.
  auto empty = ReadPassphrase(PassphrasePurpose::kUnlock,
                              FakeEnv({{"CREDENTIALS_DIRECTORY", ""},
                                       {"INBEELD_PASSPHRASE_FILE", ""},
                                       {"INBEELD_PASSPHRASE", "from the var"}}),
                              warnings_);
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_EQ(Text(*empty), "from the var");
}

TEST_F(PassphraseTest, ACredentialThatCannotBeReadIsAnErrorNotAFallBack) {
  fs::create_directories(credentials() / "passphrase");  // read(2) fails: EISDIR
  auto secret = ReadPassphrase(
      PassphrasePurpose::kUnlock,
      FakeEnv({{"CREDENTIALS_DIRECTORY", credentials()}, {"INBEELD_PASSPHRASE", "from the var"}}),
      warnings_);
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(secret.error().message.find("systemd credential 'passphrase'"), std::string::npos)
      << secret.error().message;
  EXPECT_NE(secret.error().message.find((credentials() / "passphrase").string()), std::string::npos)
      << secret.error().message;
}

TEST_F(PassphraseTest, AMissingNamedFileIsAnErrorNamingItEvenWithACredential) {
  File("credentials/passphrase", "from the credential", 0400);
  fs::path missing = tmp_.path() / "no-such-file";
  auto secret = ReadPassphrase(
      PassphrasePurpose::kUnlock,
      FakeEnv({{"INBEELD_PASSPHRASE_FILE", missing}, {"CREDENTIALS_DIRECTORY", credentials()}}),
      warnings_);
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(secret.error().message.find("INBEELD_PASSPHRASE_FILE"), std::string::npos);
  EXPECT_NE(secret.error().message.find(missing.string()), std::string::npos)
      << secret.error().message;
}

TEST_F(PassphraseTest, AnOversizedFileIsRefusedWithoutEchoingIt) {
  std::string big(64 * 1024 + 1, 'x');
  big.replace(0, 6, "SECRET");
  fs::path file = File("pass", big);
  auto secret = ReadPassphrase(PassphrasePurpose::kUnlock,
                               FakeEnv({{"INBEELD_PASSPHRASE_FILE", file}}), warnings_);
  ASSERT_FALSE(secret);
  EXPECT_EQ(secret.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(secret.error().message.find("longer than 65536 bytes"), std::string::npos)
      << secret.error().message;
  EXPECT_EQ(secret.error().message.find("SECRET"), std::string::npos);
  // Exactly the limit is still a passphrase file (if an odd one).
  fs::path limit = File("limit", std::string(64 * 1024, 'y'));
  EXPECT_TRUE(ReadPassphrase(PassphrasePurpose::kUnlock,
                             FakeEnv({{"INBEELD_PASSPHRASE_FILE", limit}}), warnings_));
}

TEST_F(PassphraseTest, EmptyAndShortPassphrasesFromTheCredential) {
  File("credentials/passphrase", "\n", 0400);
  auto empty = ReadPassphrase(PassphrasePurpose::kUnlock,
                              FakeEnv({{"CREDENTIALS_DIRECTORY", credentials()}}), warnings_);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "the passphrase is empty");
  File("credentials/passphrase", "short\n", 0400);
  auto short_one = ReadPassphrase(PassphrasePurpose::kCreate,
                                  FakeEnv({{"CREDENTIALS_DIRECTORY", credentials()}}), warnings_);
  ASSERT_FALSE(short_one);
  EXPECT_NE(short_one.error().message.find("too short"), std::string::npos);
}

}  // namespace
}  // namespace inbeeld::node
