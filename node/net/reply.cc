#include "node/net/reply.h"

#include <array>
#include <cstdio>

namespace inbeeld::node::net {
namespace {

constexpr std::array kAllCodes = {
    ErrorCode::kInvalidArgument,   ErrorCode::kNotFound,         ErrorCode::kAlreadyExists,
    ErrorCode::kUnauthenticated,   ErrorCode::kPermissionDenied, ErrorCode::kFailedPrecondition,
    ErrorCode::kResourceExhausted, ErrorCode::kDataLoss,         ErrorCode::kUnavailable,
    ErrorCode::kDeadlineExceeded,  ErrorCode::kInternal,
};

constexpr size_t kMaxQuotedChars = 200;

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// The raw text of string field `field` in a flat JSON object, without
// unescaping; nullopt if absent. Enough for our own fixed error body, and
// harmless on anything else: the result is only ever quoted, sanitised.
std::optional<std::string_view> RawJsonStringField(std::string_view json, std::string_view field) {
  const std::string key = "\"" + std::string(field) + "\":\"";
  size_t start = json.find(key);
  if (start == std::string_view::npos) return std::nullopt;
  start += key.size();
  size_t end = start;
  while (end < json.size() && json[end] != '"') {
    end += json[end] == '\\' ? 2 : 1;
  }
  if (end >= json.size()) return std::nullopt;
  return json.substr(start, end - start);
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

std::string ErrorBody(ErrorCode code, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(body, ErrorCodeName(code));
  body += ",\"message\":";
  AppendJsonString(body, message);
  body += '}';
  return body;
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

Error ErrorFromReply(std::string_view peer, const Reply& reply) {
  ErrorCode code = ErrorCodeForHttpStatus(reply.status);
  if (auto name = RawJsonStringField(reply.body, "error")) {
    if (auto named = ErrorCodeFromName(*name)) code = *named;
  }
  std::string_view detail = reply.body;
  if (auto message = RawJsonStringField(reply.body, "message")) detail = *message;
  std::string text = "peer " + std::string(peer) + " answered HTTP " + std::to_string(reply.status);
  if (!detail.empty()) text += ": " + Sanitised(detail);
  return Error{code, std::move(text)};
}

}  // namespace inbeeld::node::net
