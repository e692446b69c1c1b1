#include "node/net/reply.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "schema/json_reader.h"

namespace inbeeld::node::net {
namespace {

constexpr std::array kAllCodes = {
    ErrorCode::kInvalidArgument,   ErrorCode::kNotFound,         ErrorCode::kAlreadyExists,
    ErrorCode::kUnauthenticated,   ErrorCode::kPermissionDenied, ErrorCode::kFailedPrecondition,
    ErrorCode::kResourceExhausted, ErrorCode::kDataLoss,         ErrorCode::kUnavailable,
    ErrorCode::kDeadlineExceeded,  ErrorCode::kAddressInUse,     ErrorCode::kInternal,
};

constexpr size_t kMaxQuotedChars = 200;

// A peer's error body, read through the strict reader. Only a body that is
// one well-formed JSON object (no repeated member, within kErrorBodyLimits)
// counts as ours; anything else (a proxy's HTML page, a truncated body) is
// quoted instead. Members other than the three below are ignored, so a later
// version may add some. A member of the wrong type counts as absent: an
// error body is already the bad news, and its own faults must not hide the
// status.
struct PeerErrorBody {
  std::optional<std::string> error;
  std::optional<std::string> message;
  std::optional<uint64_t> retry_after_s;
};

constexpr schema::JsonLimits kErrorBodyLimits{.max_bytes = 64 * 1024, .max_depth = 2};

std::optional<PeerErrorBody> ReadErrorBody(std::string_view body) {
  auto doc = schema::JsonDocument::Parse(body, "peer error body", kErrorBodyLimits);
  if (!doc) return std::nullopt;
  const schema::JsonObject& root = doc->Root();
  PeerErrorBody out;
  if (auto error = root.OptionalString("error", schema::JsonString::Text(64))) out.error = *error;
  if (auto message = root.OptionalString("message", schema::JsonString::MaybeEmpty(body.size()))) {
    out.message = *message;
  }
  if (auto hint = root.OptionalUint("retry_after_s")) out.retry_after_s = *hint;
  return out;
}

std::string Sanitised(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= kMaxQuotedChars) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kDataLoss:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kAddressInUse:  // our own listening socket: never a peer's doing
      return 500;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

ErrorCode ErrorCodeForHttpStatus(int status) {
  switch (status) {
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 408:
      return ErrorCode::kDeadlineExceeded;
    case 409:
      return ErrorCode::kFailedPrecondition;
    case 413:
    case 429:
      return ErrorCode::kResourceExhausted;
    case 503:
      return ErrorCode::kUnavailable;
    case 504:
      return ErrorCode::kDeadlineExceeded;
    default:
      break;
  }
  if (status >= 400 && status < 500) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (ErrorCode code : kAllCodes) {
    if (ErrorCodeName(code) == name) return code;
  }
  return std::nullopt;
}

std::string ErrorBody(ErrorCode code, std::string_view message,
                      std::optional<std::chrono::seconds> retry_after) {
  // nlohmann::json objects keep their keys sorted; "error", "message",
  // "retry_after_s" happen to be in order.
  nlohmann::json body{{"error", ErrorCodeName(code)}, {"message", message}};
  if (retry_after) body["retry_after_s"] = retry_after->count();
  // Invalid UTF-8 in a message is replaced rather than thrown on.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Reply ErrorReply(const Error& error) {
  const bool keep_details_home =
      error.code == ErrorCode::kInternal || error.code == ErrorCode::kDataLoss;
  return Reply{
      .status = HttpStatusFor(error.code),
      .content_type = "application/json",
      .body = ErrorBody(error.code, keep_details_home ? "internal error" : error.message),
  };
}

Reply BusyReply(std::string_view message, std::chrono::seconds retry_after) {
  const std::chrono::seconds hint =
      std::clamp(retry_after, std::chrono::seconds(1), kMaxRetryAfter);
  return Reply{
      .status = 429,
      .content_type = "application/json",
      .body = ErrorBody(ErrorCode::kResourceExhausted, message, hint),
      .retry_after = hint,
  };
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    // Saturate rather than overflow; anything this large is clamped anyway.
    seconds = std::min<int64_t>(seconds * 10 + (c - '0'), kMaxRetryAfter.count());
  }
  return std::chrono::seconds(seconds);
}

std::optional<std::chrono::seconds> RetryHintOf(const Reply& reply) {
  if (reply.status != 429 && reply.status != 503) return std::nullopt;
  if (reply.retry_after) return std::min(*reply.retry_after, kMaxRetryAfter);
  const auto body = ReadErrorBody(reply.body);
  if (!body || !body->retry_after_s) return std::nullopt;
  return *body->retry_after_s >= static_cast<uint64_t>(kMaxRetryAfter.count())
             ? kMaxRetryAfter
             : std::chrono::seconds(static_cast<int64_t>(*body->retry_after_s));
}

Error ErrorFromReply(std::string_view peer, const Reply& reply) {
  ErrorCode code = ErrorCodeForHttpStatus(reply.status);
  const auto body = ReadErrorBody(reply.body);
  if (body && body->error) {
    if (auto named = ErrorCodeFromName(*body->error)) code = *named;
  }
  std::string detail = reply.body;
  if (body && body->message) detail = *body->message;
  std::string text = "peer " + std::string(peer) + " answered HTTP " + std::to_string(reply.status);
  if (!detail.empty()) text += ": " + Sanitised(detail);
  return Error{code, std::move(text)};
}

}  // namespace inbeeld::node::net
