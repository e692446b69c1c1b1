#include "node/net/reply.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace inbeeld::node::net {
namespace {

constexpr std::array kAllCodes = {
    ErrorCode::kInvalidArgument,   ErrorCode::kNotFound,         ErrorCode::kAlreadyExists,
    ErrorCode::kUnauthenticated,   ErrorCode::kPermissionDenied, ErrorCode::kFailedPrecondition,
    ErrorCode::kResourceExhausted, ErrorCode::kDataLoss,         ErrorCode::kUnavailable,
    ErrorCode::kDeadlineExceeded,  ErrorCode::kAddressInUse,     ErrorCode::kInternal,
};

constexpr size_t kMaxQuotedChars = 200;

// A string field of a JSON object; nullopt if the body is not an object or
// lacks it. Peers' bodies are untrusted: parsed without exceptions, and the
// result is only ever quoted, sanitised.
std::optional<std::string> JsonStringField(const nlohmann::json& body, const char* field) {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find(field);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
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
  const auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;
  auto it = body.find("retry_after_s");
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  // is_number_integer holds for both signed and unsigned JSON integers.
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    return value >= static_cast<uint64_t>(kMaxRetryAfter.count())
               ? kMaxRetryAfter
               : std::chrono::seconds(static_cast<int64_t>(value));
  }
  const int64_t value = it->get<int64_t>();
  if (value < 0) return std::nullopt;
  return std::min(std::chrono::seconds(value), kMaxRetryAfter);
}

Error ErrorFromReply(std::string_view peer, const Reply& reply) {
  ErrorCode code = ErrorCodeForHttpStatus(reply.status);
  const auto body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (auto name = JsonStringField(body, "error")) {
    if (auto named = ErrorCodeFromName(*name)) code = *named;
  }
  std::string detail = reply.body;
  if (auto message = JsonStringField(body, "message")) detail = *message;
  std::string text = "peer " + std::string(peer) + " answered HTTP " + std::to_string(reply.status);
  if (!detail.empty()) text += ": " + Sanitised(detail);
  return Error{code, std::move(text)};
}

}  // namespace inbeeld::node::net
