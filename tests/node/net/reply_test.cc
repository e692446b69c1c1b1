#include "node/net/reply.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace inbeeld::node::net
