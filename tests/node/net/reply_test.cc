#include "node/net/reply.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace inbeeld::node::net {
namespace {

TEST(ReplyTest, ErrorBodyIsFixedJsonWithEscapedMessage) {
  EXPECT_EQ(ErrorBody(ErrorCode::kPermissionDenied, "purpose \"x\"\n not\\allowed\x01"),
            R"({"error":"permission_denied","message":"purpose \"x\"\n not\\allowed\u0001"})");
}

TEST(ReplyTest, ErrorReplyKeepsInternalDetailsHome) {
  Reply internal = ErrorReply(Error{ErrorCode::kInternal, "open /var/lib/inbeeld/x failed"});
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.content_type, "application/json");
  EXPECT_EQ(internal.body, R"({"error":"internal","message":"internal error"})");

  Reply denied = ErrorReply(Error{ErrorCode::kPermissionDenied, "purpose not allowed"});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.body, R"({"error":"permission_denied","message":"purpose not allowed"})");
}

TEST(ReplyTest, StatusMappingRoundTripsForDistinctStatuses) {
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kUnauthenticated,
        ErrorCode::kPermissionDenied, ErrorCode::kFailedPrecondition, ErrorCode::kResourceExhausted,
        ErrorCode::kUnavailable, ErrorCode::kDeadlineExceeded, ErrorCode::kInternal}) {
    EXPECT_EQ(ErrorCodeForHttpStatus(HttpStatusFor(code)), code) << ErrorCodeName(code);
  }
  EXPECT_EQ(ErrorCodeForHttpStatus(413), ErrorCode::kResourceExhausted);
  EXPECT_EQ(ErrorCodeForHttpStatus(415), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ErrorCodeForHttpStatus(502), ErrorCode::kInternal);
}

TEST(ReplyTest, ErrorFromReplyPrefersTheBodysCode) {
  Reply reply{.status = 409,
              .content_type = "application/json",
              .body = ErrorBody(ErrorCode::kAlreadyExists, "session exists")};
  Error error = ErrorFromReply("swv-po-2701", reply);
  EXPECT_EQ(error.code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(error.message, "peer swv-po-2701 answered HTTP 409: session exists");
}

TEST(ReplyTest, ErrorFromReplySanitisesForeignBodies) {
  Reply reply{.status = 502,
              .content_type = "text/html",
              .body = "<h1>bad\r\ngateway</h1>" + std::string(500, 'x')};
  Error error = ErrorFromReply("p", reply);
  EXPECT_EQ(error.code, ErrorCode::kInternal);
  EXPECT_EQ(error.message.find('\r'), std::string::npos);
  EXPECT_EQ(error.message.find('\n'), std::string::npos);
  EXPECT_LT(error.message.size(), 260u);

  Reply unknown_code{.status = 403,
                     .content_type = "application/json",
                     .body = R"({"error":"no_such_code","message":"m"})"};
  EXPECT_EQ(ErrorFromReply("p", unknown_code).code, ErrorCode::kPermissionDenied);
}

TEST(ReplyTest, ErrorCodeFromNameKnowsEveryName) {
  EXPECT_EQ(ErrorCodeFromName("deadline_exceeded"), ErrorCode::kDeadlineExceeded);
  EXPECT_EQ(ErrorCodeFromName("internal"), ErrorCode::kInternal);
  EXPECT_FALSE(ErrorCodeFromName("Internal").has_value());
}

TEST(ReplyTest, BusyReplyCarriesTheHintInHeaderFieldAndBody) {
  Reply busy = BusyReply("the node is busy with other sessions", std::chrono::seconds(90));
  EXPECT_EQ(busy.status, 429);
  EXPECT_EQ(busy.content_type, "application/json");
  EXPECT_EQ(busy.retry_after, std::chrono::seconds(90));
  EXPECT_EQ(busy.body,
            R"({"error":"resource_exhausted","message":"the node is busy with other sessions",)"
            R"("retry_after_s":90})");
  // Clamped: at least a second, at most kMaxRetryAfter.
  EXPECT_EQ(BusyReply("m", std::chrono::seconds(0)).retry_after, std::chrono::seconds(1));
  EXPECT_EQ(BusyReply("m", std::chrono::hours(48)).retry_after, kMaxRetryAfter);
  // A plain resource_exhausted error says nothing about retrying.
  Reply limit = ErrorReply(Error{ErrorCode::kResourceExhausted, "daily limit reached"});
  EXPECT_EQ(limit.status, 429);
  EXPECT_FALSE(limit.retry_after.has_value());
  EXPECT_EQ(limit.body.find("retry_after_s"), std::string::npos);
}

TEST(ReplyTest, ParseRetryAfterTakesDeltaSecondsOnly) {
  using std::chrono::seconds;
  EXPECT_EQ(ParseRetryAfter("120"), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 "), seconds(0));
  EXPECT_EQ(ParseRetryAfter("3600"), seconds(3600));
  EXPECT_EQ(ParseRetryAfter("3601"), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999"), kMaxRetryAfter);
  for (std::string_view bad :
       {"", " ", "-1", "+5", "1.5", "5s", "1 2", "0x10", "Wed, 21 Oct 2015 07:28:00 GMT"}) {
    EXPECT_FALSE(ParseRetryAfter(bad).has_value()) << bad;
  }
}

TEST(ReplyTest, RetryHintOfPrefersTheHeaderThenTheBody) {
  using std::chrono::seconds;
  Reply header_and_body{.status = 429,
                        .content_type = "application/json",
                        .body = ErrorBody(ErrorCode::kResourceExhausted, "busy", seconds(9)),
                        .retry_after = seconds(5)};
  EXPECT_EQ(RetryHintOf(header_and_body), seconds(5));
  header_and_body.retry_after.reset();
  EXPECT_EQ(RetryHintOf(header_and_body), seconds(9));
  header_and_body.status = 503;
  EXPECT_EQ(RetryHintOf(header_and_body), seconds(9));
  // Only 429 and 503 carry a hint.
  header_and_body.status = 413;
  EXPECT_FALSE(RetryHintOf(header_and_body).has_value());

  auto body_only = [](std::string body) {
    return RetryHintOf(Reply{.status = 429, .content_type = "application/json", .body = body});
  };
  EXPECT_EQ(body_only(R"({"retry_after_s":100000})"), kMaxRetryAfter);
  EXPECT_EQ(body_only(R"({"retry_after_s":18446744073709551615})"), kMaxRetryAfter);
  EXPECT_FALSE(body_only(R"({"retry_after_s":-1})").has_value());
  EXPECT_FALSE(body_only(R"({"retry_after_s":1.5})").has_value());
  EXPECT_FALSE(body_only(R"({"retry_after_s":"5"})").has_value());
  EXPECT_FALSE(body_only(R"([5])").has_value());
  EXPECT_FALSE(body_only("not json").has_value());
  EXPECT_FALSE(body_only("").has_value());
}

// A peer's body is read with schema/json_reader.h: only one well-formed
// object without a repeated member counts as ours, so two readers can never
// disagree about which "error" a body names.
TEST(ReplyTest, OnlyAStrictlyWellFormedBodyIsOurs) {
  using std::chrono::seconds;
  auto reply = [](int status, std::string body) {
    return Reply{.status = status, .content_type = "application/json", .body = std::move(body)};
  };
  // A repeated member: the status decides, and the body is quoted as text.
  const std::string twice = R"({"error":"internal","error":"not_found","message":"m"})";
  Error error = ErrorFromReply("p", reply(403, twice));
  EXPECT_EQ(error.code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(error.message, "peer p answered HTTP 403: " + twice);
  EXPECT_FALSE(RetryHintOf(reply(429, R"({"retry_after_s":5,"retry_after_s":7})")).has_value());

  // Deeper than an error body goes, or trailing bytes: not ours either.
  EXPECT_EQ(ErrorFromReply("p", reply(404, R"({"error":"internal","x":{"y":{}}})")).code,
            ErrorCode::kNotFound);
  EXPECT_EQ(ErrorFromReply("p", reply(404, R"({"error":"internal"} x)")).code,
            ErrorCode::kNotFound);
  EXPECT_FALSE(RetryHintOf(reply(429, R"({"retry_after_s":5}{})")).has_value());

  // Over 64 KiB: quoted (cut to 200 characters), no hint read from it.
  const std::string big =
      R"({"error":"internal","retry_after_s":5,"message":")" + std::string(64 * 1024, 'm') + "\"}";
  error = ErrorFromReply("p", reply(429, big));
  EXPECT_EQ(error.code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(error.message.rfind("peer p answered HTTP 429: {\"error\":\"internal\"", 0), 0u)
      << error.message;
  EXPECT_FALSE(RetryHintOf(reply(429, big)).has_value());

  // Unknown members are allowed (a later version may add some); a known member
  // of the wrong type counts as absent and the rest is still read.
  error = ErrorFromReply("p", reply(409, R"({"error":"not_found","message":7,"trace":"t"})"));
  EXPECT_EQ(error.code, ErrorCode::kNotFound);
  EXPECT_EQ(error.message,
            R"(peer p answered HTTP 409: {"error":"not_found","message":7,"trace":"t"})");
  error = ErrorFromReply("p", reply(409, R"({"error":5,"message":"wrong state","v":2})"));
  EXPECT_EQ(error.code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(error.message, "peer p answered HTTP 409: wrong state");
  EXPECT_EQ(RetryHintOf(reply(503, R"({"error":[1],"retry_after_s":12,"later":true})")),
            seconds(12));
}

TEST(ReplyTest, A408IsADeadline) {
  EXPECT_EQ(ErrorCodeForHttpStatus(408), ErrorCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace inbeeld::node::net
