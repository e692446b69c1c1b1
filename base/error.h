// base/error.h — the error vocabulary every module shares.
//
// Fallible functions return Result<T> (or Status for no value). An Error carries
// a code that callers branch on and a message written for people: it says what
// was wrong and where (file, line, field) and never holds an identifier, a key or
// a peer's payload. Header-only, no behaviour: this is the one thing crypto/,
// schema/ and config/ share, so none of them depends on another.
//
// Thread safety: plain values; safe to copy between threads.
#ifndef INBEELD_BASE_ERROR_H_
#define INBEELD_BASE_ERROR_H_

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace inbeeld {

enum class ErrorCode {
  kInvalidArgument,     // the input is malformed; fix it and retry
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // refusing to overwrite
  kUnauthenticated,     // wrong passphrase, bad signature, unknown peer key
  kPermissionDenied,    // a policy refused (purpose, label, role)
  kFailedPrecondition,  // wrong state (node not initialised, message out of order)
  kResourceExhausted,   // a limit was hit (list size, sessions per day, body size)
  kDataLoss,            // stored data is corrupt or unreadable
  kUnavailable,         // a peer could not be reached; retrying may help
  kDeadlineExceeded,    // a peer was too slow
  kAddressInUse,        // an address this node should listen on is taken (another process)
  kInternal,            // a bug or a library failure we did not expect
};

// Stable lower-case name of a code, for JSON output and logs.
constexpr std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kDataLoss:
      return "data_loss";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::kAddressInUse:
      return "address_in_use";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

struct Error {
  ErrorCode code;
  std::string message;
};

// std::expected with one addition: [[nodiscard]] on the type, so a call whose
// Result or Status is dropped does not compile (the build turns
// -Wunused-result into an error; GCC 12's std::expected is not nodiscard).
// gnu::warn_unused also makes `auto r = F();` with `r` never read an
// unused-variable warning. Everything else is std::expected's own: the
// constructors are inherited and a std::expected<T, Error> converts
// implicitly. To ignore a result on purpose, cast it to (void) and say why
// next to it.
//
// GCC 12 has no .and_then/.transform (they arrive in GCC 13); when they do,
// and_then's callable must return std::expected itself, not a Result (the
// standard checks for that template), so propagate with
// INBEELD_RETURN_IF_ERROR or `if (!r)` instead.
template <typename T>
class [[nodiscard, gnu::warn_unused]] Result : public std::expected<T, Error> {
  using Base = std::expected<T, Error>;

 public:
  using Base::Base;
  using Base::operator=;
  constexpr Result() = default;
  // Implicit on purpose: a std::expected<T, Error> is a Result.
  constexpr Result(const Base& other) : Base(other) {}
  constexpr Result(Base && other) : Base(std::move(other)) {}
};
using Status = Result<void>;

// `return Fail(ErrorCode::kInvalidArgument, "line 17, column bsn: check digit");`
inline std::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

// Prefixes context onto an error as it travels up: "import list.csv: " + inner.
inline Error WithContext(Error error, std::string_view context) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

}  // namespace inbeeld

// Early return for Status-returning code: INBEELD_RETURN_IF_ERROR(store.Migrate());
#define INBEELD_RETURN_IF_ERROR(expr)                             \
  do {                                                            \
    if (auto inbeeld_status_ = (expr); !inbeeld_status_)          \
      return std::unexpected(std::move(inbeeld_status_).error()); \
  } while (0)

#endif  // INBEELD_BASE_ERROR_H_
