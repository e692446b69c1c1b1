// tests/node/psi/protocol_example.h — docs/PROTOCOL.md's worked example, in one
// place for the test that checks the document (protocol_doc_test.cc) and the
// tool that prints the current bytes (bench/print_protocol_example.cc).
//
// A block in the document is a fenced ```hex (or ```text) block right after a
// line `<!-- example:NAME -->`; in a hex block `#` starts a comment and
// whitespace is ignored.
#ifndef INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_
#define INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "node/psi/session.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi::example {

namespace wire = schema::wire;

inline wire::Labels L(schema::Category category, schema::Date since, std::string school, bool plan) {
  return wire::Labels{category, since, std::move(school), plan};
}

inline PsiInput In(std::string_view digits, wire::Labels labels) {
  PsiInput input;
  std::copy(digits.begin(), digits.end(), input.digits.begin());
  input.labels = std::move(labels);
  return input;
}

inline std::vector<PsiInput> InitiatorList() {
  using C = schema::Category;
  return {In("123456782", L(C::kRelatiefVerzuim, {2025, 9, 1}, "12AB", false)),
          In("111222333", L(C::kAbsoluutVerzuim, {2025, 11, 17}, "34CD01", true)),
          In("101222331", L(C::kVrijstelling5a, {2024, 8, 19}, "56EF", false))};
}

inline std::vector<PsiInput> ResponderList() {
  using C = schema::Category;
  return {In("101222331", L(C::kVrijstelling5a, {2024, 8, 20}, "56EF", true)),
          In("246801359", L(C::kDreigend, {2025, 12, 1}, "78GH", false)),
          In("111222333", L(C::kRelatiefVerzuim, {2025, 11, 10}, "34CD01", true)),
          In("314159265", L(C::kRelatiefVerzuim, {2025, 10, 6}, "90JK02", false))};
}

inline constexpr std::string_view kScalarALabel =
    "inbeeld PROTOCOL.md worked example: initiator scalar a";
inline constexpr std::string_view kScalarBLabel =
    "inbeeld PROTOCOL.md worked example: responder scalar b";
inline constexpr const char* kIdentifiers[] = {"123456782", "111222333", "101222331", "246801359",
                                               "314159265"};

struct Example {
  std::string message1, message2, message3, message4;
  Outcome initiator, responder;
};

// Runs both sessions with the example's fixed scalars, ids and orders.
inline Result<Example> RunExample() {
  InitiatorParams ip;
  ip.mode = wire::Mode::kMatch;
  ip.purpose = "thuiszitters.afstemming";
  ip.label_mask = wire::kAllLabels;
  ip.list_date = {2026, 1, 15};
  ip.threads = 1;
  ResponderParams rp;
  rp.allowed_label_mask = wire::kLabelCategory | wire::kLabelSince | wire::kLabelSchool;
  rp.list_date = {2026, 1, 12};
  rp.threads = 1;
  using testing::CountingSessionId;
  using testing::ScalarFromLabel;

  Example ex;
  auto initiator = InitiatorSession::CreateForTesting(
      InitiatorList(), ip,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarALabel), {2, 0, 1}});
  if (!initiator) return std::unexpected(initiator.error());
  ex.message1 = (*initiator)->StartMessage();
  auto responder = ResponderSession::StartForTesting(
      ex.message1, ResponderList(), rp,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarBLabel), {3, 1, 0, 2}});
  if (!responder) return std::unexpected(responder.error());
  ex.message2 = (*responder)->StartResponse();
  auto m3 = (*initiator)->HandleStartResponse(ex.message2);
  if (!m3) return std::unexpected(m3.error());
  ex.message3 = *m3;
  auto finish = (*responder)->HandleFinish(ex.message3);
  if (!finish) return std::unexpected(finish.error());
  ex.message4 = finish->message;
  ex.responder = finish->outcome;
  auto outcome = (*initiator)->HandleFinishResponse(ex.message4);
  if (!outcome) return std::unexpected(outcome.error());
  ex.initiator = *outcome;
  return ex;
}

inline std::string Hex(std::string_view bytes) {
  return crypto::HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

inline std::string HashHex(std::string_view digits) {
  auto h = crypto::Point::HashToGroup(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kHashToGroupDst.data()),
                               kHashToGroupDst.size()));
  return crypto::HexEncode(h->Encode());
}

inline std::string ScalarHex(std::string_view label) {
  return crypto::HexEncode(testing::ScalarFromLabel(label).RevealForCrypto());
}

// The fenced block after `<!-- example:NAME -->`; empty if there is none.
inline std::string Block(const std::string& doc, std::string_view name, std::string_view fence) {
  const std::string marker = "<!-- example:" + std::string(name) + " -->";
  size_t at = doc.find(marker);
  if (at == std::string::npos) return "";
  at = doc.find("```" + std::string(fence) + "\n", at);
  if (at == std::string::npos) return "";
  at = doc.find('\n', at) + 1;
  const size_t end = doc.find("```", at);
  if (end == std::string::npos) return "";
  return doc.substr(at, end - at);
}

// A hex block with comments and whitespace removed.
inline std::string HexBlock(const std::string& doc, std::string_view name) {
  std::string out;
  std::istringstream lines(Block(doc, name, "hex"));
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r') out.push_back(c);
    }
  }
  return out;
}

}  // namespace inbeeld::node::psi::example

#endif  // INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_
