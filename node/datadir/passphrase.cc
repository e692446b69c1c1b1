#include "node/datadir/passphrase.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string_view>

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

// A passphrase is a line, not a file of megabytes: a longer file is named by
// mistake (or on purpose), and is refused before it is read into memory.
constexpr size_t kMaxPassphraseFileBytes = 64 * 1024;

// For the warning: who besides the owner may read or write the file.
std::string WhoElse(mode_t mode) {
  bool group = (mode & (S_IRGRP | S_IWGRP)) != 0;
  bool others = (mode & (S_IROTH | S_IWOTH)) != 0;
  if (group && others) return "its group and by others";
  return group ? "its group" : "others";
}

// Reads the passphrase file at `path` into `text`; `what` names the source in
// messages. Returns false, reading nothing, when the file does not exist and
// `missing_ok`; any other failure is kInvalidArgument naming `what` and the
// path, never the content. The file is read through one descriptor, so the
// mode checked is the mode of the file read.
Result<bool> ReadPassphraseFile(const std::string& path, std::string_view what, bool missing_ok,
                                std::ostream& warnings, std::string& text) {
  auto failed = [&](int err) {
    std::fill(text.begin(), text.end(), '\0');
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("cannot read {} ({}): {}", what, path, std::strerror(err)));
  };
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT && missing_ok) return false;
    return failed(errno);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return failed(err);
  }
  // Only a regular file keeps the passphrase on disk; a pipe (/dev/stdin) does not.
  if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) != 0) {
    warnings << fmt::format(
        "inbeeld: warning: the passphrase file {} may be read or written by {} (mode {:04o}); "
        "whoever can read it can open the store: chmod 600 {}\n",
        path, WhoElse(st.st_mode), st.st_mode & 07777, path);
  }
  // Room for the largest file up front, so no append leaves an unwiped copy
  // behind in freed memory.
  text.reserve(kMaxPassphraseFileBytes);
  char buffer[4096];
  Status status;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = failed(errno);
      break;
    }
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > kMaxPassphraseFileBytes) {
      std::fill(text.begin(), text.end(), '\0');
      status = Fail(ErrorCode::kInvalidArgument,
                    fmt::format("{} ({}) is longer than {} bytes: is it the right file?", what,
                                path, kMaxPassphraseFileBytes));
      break;
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  std::fill(std::begin(buffer), std::end(buffer), '\0');
  if (!status) return std::unexpected(status.error());
  StripOneNewline(text);
  return true;
}

}  // namespace

GetEnvFn ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<crypto::SecretBytes> ReadPassphrase(PassphrasePurpose purpose, const GetEnvFn& env,
                                           std::ostream& warnings) {
  std::string text;
  bool found = false;
  if (auto path = env("INBEELD_PASSPHRASE_FILE"); path && !path->empty()) {
    auto read = ReadPassphraseFile(*path, "the passphrase file named by INBEELD_PASSPHRASE_FILE",
                                   /*missing_ok=*/false, warnings, text);
    if (!read) return std::unexpected(read.error());
    found = true;
  }
  if (auto dir = env("CREDENTIALS_DIRECTORY"); !found && dir && !dir->empty()) {
    // Another credential of the unit may be there without this one; a
    // `passphrase` that is there but unreadable is an error, not a reason to
    // fall back to a source the unit did not mean.
    auto read = ReadPassphraseFile(*dir + "/" + kPassphraseCredential,
                                   "the systemd credential 'passphrase'", /*missing_ok=*/true,
                                   warnings, text);
    if (!read) return std::unexpected(read.error());
    found = *read;
  }
  if (auto value = env("INBEELD_PASSPHRASE"); !found && value) {
    text = *value;
    std::fill(value->begin(), value->end(), '\0');
    found = true;
  }
  if (!found) {
    auto first =
        PromptTerminal(purpose == PassphrasePurpose::kCreate ? "New passphrase: " : "Passphrase: ");
    if (!first) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "no passphrase: set INBEELD_PASSPHRASE_FILE to a file holding it, load the "
                  "systemd credential 'passphrase', set INBEELD_PASSPHRASE, or run on a "
                  "terminal");
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
    return Fail(ErrorCode::kInvalidArgument, "the passphrase is too short: use at least " +
                                                 std::to_string(kMinPassphraseLength) +
                                                 " characters");
  }
  return FromString(text);
}

}  // namespace inbeeld::node
