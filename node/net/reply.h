// node/net/reply.h — what a peer endpoint answers, and how errors cross the
// wire.
//
// Errors travel as an HTTP status plus a fixed JSON body
//   {"error":"permission_denied","message":"purpose 'x' is not allowed"}
// where "error" is ErrorCodeName(code). The message is the Error's message
// (which by house rule never holds an identifier, key or payload), except for
// kInternal and kDataLoss, whose details stay on the node that hit them.
//
// "Busy, try again in N s" is a reply, not an Error: a handler returns
// BusyReply(message, N), a 429 whose Reply::retry_after the server sends as
// a `Retry-After: N` header and whose body carries the same number:
//   {"error":"resource_exhausted","message":"...","retry_after_s":N}
// (base/error.h, which every module shares, stays free of HTTP.) Other
// resource_exhausted errors (a daily limit, a list too long) are 429 too, but
// carry no hint: retrying soon would not help. On the client side
// RetryHintOf() reads the hint back.
//
// Thread safety: plain values and pure functions.
#ifndef INBEELD_NODE_NET_REPLY_H_
#define INBEELD_NODE_NET_REPLY_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::node::net {

struct Reply {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;
  // How long the caller should wait before trying again. PeerServer sends it
  // as a Retry-After header on a 429 or 503 and ignores it on other statuses;
  // PeerClient fills it from that header.
  std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

// The longest wait a retry hint may ask for; longer hints are clamped to it,
// on both sides, so a confused or hostile peer cannot park a caller for days.
inline constexpr std::chrono::seconds kMaxRetryAfter{3600};

// HTTP status for an error code: 400, 401, 403, 404, 409, 429, 500, 503, 504.
int HttpStatusFor(ErrorCode code);

// Best-effort inverse of HttpStatusFor, for replies without our JSON body
// (also 408 -> kDeadlineExceeded, 413 -> kResourceExhausted).
ErrorCode ErrorCodeForHttpStatus(int status);

// The code whose ErrorCodeName is `name`, or nullopt.
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

// The fixed JSON error body. `message` is JSON-escaped. With `retry_after`
// the body also has "retry_after_s" (whole seconds).
std::string ErrorBody(ErrorCode code, std::string_view message,
                      std::optional<std::chrono::seconds> retry_after = std::nullopt);

// An error reply for `error`: HttpStatusFor(code), ErrorBody, application/json.
Reply ErrorReply(const Error& error);

// "The node is busy; try again in `retry_after`": status 429, code
// resource_exhausted, `message` as given, the hint (clamped to
// 1 s..kMaxRetryAfter) in Reply::retry_after and in the body.
Reply BusyReply(std::string_view message, std::chrono::seconds retry_after);

// A Retry-After header value in its delta-seconds form ("120"), clamped to
// kMaxRetryAfter; nullopt for anything else (an HTTP-date, a sign, spaces
// inside, empty). Leading and trailing blanks are ignored.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

// The retry hint of a 429 or 503 reply: reply.retry_after (the header) if
// set, else a non-negative integer "retry_after_s" in its JSON body, clamped
// to kMaxRetryAfter. nullopt for other statuses and for replies without one.
std::optional<std::chrono::seconds> RetryHintOf(const Reply& reply);

// Turns a non-2xx reply from `peer` into an Error: the code from the body's
// "error" field when it names one, else from the status; the message names the
// peer and status and quotes at most 200 printable ASCII characters of the
// body's "message" field (or of the body, if it is not our JSON).
//
// "Our JSON" is what schema/json_reader.h accepts: one object of at most
// 64 KiB and depth 2 with no repeated member. Other members are ignored (a
// later version may add some); "error", "message" or "retry_after_s" of the
// wrong type count as absent, so the status still decides.
Error ErrorFromReply(std::string_view peer, const Reply& reply);

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_REPLY_H_
