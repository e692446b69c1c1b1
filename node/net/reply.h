// node/net/reply.h — what a peer endpoint answers, and how errors cross the
// wire.
//
// Errors travel as an HTTP status plus a fixed JSON body
//   {"error":"permission_denied","message":"purpose 'x' is not allowed"}
// where "error" is ErrorCodeName(code). The message is the Error's message
// (which by house rule never holds an identifier, key or payload), except for
// kInternal and kDataLoss, whose details stay on the node that hit them.
//
// Thread safety: plain values and pure functions.
#ifndef INBEELD_NODE_NET_REPLY_H_
#define INBEELD_NODE_NET_REPLY_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace inbeeld::node::net {

struct Reply {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;
};

// HTTP status for an error code: 400, 401, 403, 404, 409, 429, 500, 503, 504.
int HttpStatusFor(ErrorCode code);

// Best-effort inverse of HttpStatusFor, for replies without our JSON body.
ErrorCode ErrorCodeForHttpStatus(int status);

// The code whose ErrorCodeName is `name`, or nullopt.
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

// The fixed JSON error body. `message` is JSON-escaped.
std::string ErrorBody(ErrorCode code, std::string_view message);

// An error reply for `error`: HttpStatusFor(code), ErrorBody, application/json.
Reply ErrorReply(const Error& error);

// Turns a non-2xx reply from `peer` into an Error: the code from the body's
// "error" field when it names one, else from the status; the message names the
// peer and status and quotes at most 200 printable ASCII characters of the
// body's "message" field (or of the body, if it is not our JSON).
Error ErrorFromReply(std::string_view peer, const Reply& reply);

}  // namespace inbeeld::node::net

#endif  // INBEELD_NODE_NET_REPLY_H_
