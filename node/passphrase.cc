#include "node/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace inbeeld::node {
namespace {

crypto::SecretBytes FromString(std::string& text) {
  auto secret = crypto::SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  std::fill(text.begin(), text.end(), '\0');
  return secret;
}

void StripOneNewline(std::string& text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
}

// Reads one line from the terminal with echo off. Returns nullopt if there is no
// controlling terminal.
std::optional<std::string> PromptTerminal(const char* prompt) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  termios saved{};
  bool have_termios = tcgetattr(fd, &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  (void)!write(fd, prompt, std::strlen(prompt));
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  if (have_termios) tcsetattr(fd, TCSAFLUSH, &saved);
  close(fd);
  return line;
}

}  // namespace

GetEnvFn ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<crypto::SecretBytes> ReadPassphrase(PassphrasePurpose purpose, const GetEnvFn& env) {
  std::string text;
  if (auto path = env("INBEELD_PASSPHRASE_FILE"); path && !path->empty()) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
      return Fail(ErrorCode::kInvalidArgument,
                  "cannot read the passphrase file named by INBEELD_PASSPHRASE_FILE (" + *path + ")");
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    StripOneNewline(text);
  } else if (auto value = env("INBEELD_PASSPHRASE"); value) {
    text = *value;
    std::fill(value->begin(), value->end(), '\0');
  } else {
    auto first = PromptTerminal(purpose == PassphrasePurpose::kCreate ? "New passphrase: "
                                                                      : "Passphrase: ");
    if (!first) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "no passphrase: set INBEELD_PASSPHRASE_FILE to a file holding it, set "
                  "INBEELD_PASSPHRASE, or run on a terminal");
    }
    text = std::move(*first);
    if (purpose == PassphrasePurpose::kCreate) {
      auto again = PromptTerminal("Repeat passphrase: ");
      bool same = again && *again == text;
      if (again) std::fill(again->begin(), again->end(), '\0');
      if (!same) {
        std::fill(text.begin(), text.end(), '\0');
        return Fail(ErrorCode::kInvalidArgument, "the two passphrases differ");
      }
    }
  }
  if (text.empty()) return Fail(ErrorCode::kInvalidArgument, "the passphrase is empty");
  if (purpose == PassphrasePurpose::kCreate && text.size() < kMinPassphraseLength) {
    std::fill(text.begin(), text.end(), '\0');
    return Fail(ErrorCode::kInvalidArgument,
                "the passphrase is too short: use at least " +
                    std::to_string(kMinPassphraseLength) + " characters");
  }
  return FromString(text);
}

}  // namespace inbeeld::node
