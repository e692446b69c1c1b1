// Prints the bytes of docs/PROTOCOL.md's worked example as the code produces
// them now — the scalars, the five hashes and the four messages — one line
// each ("NAME HEX"), and says for each whether it equals the document's
// `<!-- example:NAME -->` hex block. Use it to update the document after a
// deliberate change to the wire format; tests/node/psi/protocol_doc_test.cc
// checks the document against the code.
//
//   build/bench/print_protocol_example [PATH/TO/PROTOCOL.md]
//
// Formerly the opt-in test ProtocolDoc.PrintExampleOnRequest
// (INBEELD_PRINT_EXAMPLE=1). The example's inputs below are a copy of the
// ones in protocol_doc_test.cc: change both together. If the copies drift,
// the comparison with the document printed here shows it.
//
// Exit status: 0 if every block equals the document, 1 if any differs or is
// missing, 2 if the example does not run.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "node/psi/session.h"
#include "tests/node/psi/psi_test_util.h"

using namespace inbeeld;
using namespace inbeeld::node::psi;
using namespace inbeeld::node::psi::testing;

namespace {

// ------------------------------------ the example (as in protocol_doc_test.cc)

wire::Labels L(schema::Category category, schema::Date since, std::string school, bool plan) {
  return wire::Labels{category, since, std::move(school), plan};
}

PsiInput In(std::string_view digits, wire::Labels labels) {
  PsiInput input;
  std::copy(digits.begin(), digits.end(), input.digits.begin());
  input.labels = std::move(labels);
  return input;
}

using C = schema::Category;

std::vector<PsiInput> InitiatorList() {
  return {In("123456782", L(C::kRelatiefVerzuim, {2025, 9, 1}, "12AB", false)),
          In("111222333", L(C::kAbsoluutVerzuim, {2025, 11, 17}, "34CD01", true)),
          In("101222331", L(C::kVrijstelling5a, {2024, 8, 19}, "56EF", false))};
}

std::vector<PsiInput> ResponderList() {
  return {In("101222331", L(C::kVrijstelling5a, {2024, 8, 20}, "56EF", true)),
          In("246801359", L(C::kDreigend, {2025, 12, 1}, "78GH", false)),
          In("111222333", L(C::kRelatiefVerzuim, {2025, 11, 10}, "34CD01", true)),
          In("314159265", L(C::kRelatiefVerzuim, {2025, 10, 6}, "90JK02", false))};
}

constexpr std::string_view kScalarALabel = "inbeeld PROTOCOL.md worked example: initiator scalar a";
constexpr std::string_view kScalarBLabel = "inbeeld PROTOCOL.md worked example: responder scalar b";

struct Example {
  std::string message1, message2, message3, message4;
};

template <typename T>
bool Check(const Result<T>& r, const char* step) {
  if (r) return true;
  std::fprintf(stderr, "the worked example fails at %s: %s\n", step, r.error().message.c_str());
  return false;
}

bool RunExample(Example& ex) {
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

  auto initiator = InitiatorSession::CreateForTesting(
      InitiatorList(), ip,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarALabel), {2, 0, 1}});
  if (!Check(initiator, "InitiatorSession::CreateForTesting")) return false;
  ex.message1 = (*initiator)->StartMessage();
  auto responder = ResponderSession::StartForTesting(
      ex.message1, ResponderList(), rp,
      Determinism{CountingSessionId(), ScalarFromLabel(kScalarBLabel), {3, 1, 0, 2}});
  if (!Check(responder, "ResponderSession::StartForTesting")) return false;
  ex.message2 = (*responder)->StartResponse();
  auto m3 = (*initiator)->HandleStartResponse(ex.message2);
  if (!Check(m3, "HandleStartResponse")) return false;
  ex.message3 = *m3;
  auto finish = (*responder)->HandleFinish(ex.message3);
  if (!Check(finish, "HandleFinish")) return false;
  ex.message4 = finish->message;
  auto outcome = (*initiator)->HandleFinishResponse(ex.message4);
  return Check(outcome, "HandleFinishResponse");
}

std::string Hex(std::string_view bytes) {
  return crypto::HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string HashHex(std::string_view digits) {
  auto h = crypto::Point::HashToGroup(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(digits.data()), digits.size()),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kHashToGroupDst.data()),
                               kHashToGroupDst.size()));
  return crypto::HexEncode(h->Encode());
}

std::string ScalarHex(std::string_view label) {
  return crypto::HexEncode(ScalarFromLabel(label).RevealForCrypto());
}

// ------------------------------------------------ the document's hex blocks

// The ```hex block after `<!-- example:NAME -->`, with `#` comments and
// whitespace removed (the same reading as protocol_doc_test.cc); empty if
// there is none.
std::string HexBlock(const std::string& doc, std::string_view name) {
  const std::string marker = "<!-- example:" + std::string(name) + " -->";
  size_t at = doc.find(marker);
  if (at == std::string::npos) return "";
  at = doc.find("```hex\n", at);
  if (at == std::string::npos) return "";
  at = doc.find('\n', at) + 1;
  const size_t end = doc.find("```", at);
  if (end == std::string::npos) return "";
  std::string out;
  std::istringstream lines(doc.substr(at, end - at));
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    for (char c : line) {
      if (c != ' ' && c != '\t' && c != '\r') out.push_back(c);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string doc_path =
      argc > 1 ? std::string(argv[1]) : std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md";
  Example ex;
  if (!RunExample(ex)) return 2;

  std::vector<std::pair<std::string, std::string>> blocks = {
      {"scalar-a", ScalarHex(kScalarALabel)}, {"scalar-b", ScalarHex(kScalarBLabel)}};
  for (const char* id : {"123456782", "111222333", "101222331", "246801359", "314159265"}) {
    blocks.emplace_back(std::string("hash-") + id, HashHex(id));
  }
  blocks.emplace_back("message1", Hex(ex.message1));
  blocks.emplace_back("message2", Hex(ex.message2));
  blocks.emplace_back("message3", Hex(ex.message3));
  blocks.emplace_back("message4", Hex(ex.message4));
  for (const auto& [name, hex] : blocks) std::printf("%s %s\n", name.c_str(), hex.c_str());

  std::ifstream in(doc_path);
  if (!in) {
    std::fprintf(stderr, "\ncannot read %s: not compared with the document\n", doc_path.c_str());
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  int differ = 0;
  std::fprintf(stderr, "\ncompared with %s:\n", doc_path.c_str());
  for (const auto& [name, hex] : blocks) {
    const std::string documented = HexBlock(doc, name);
    const char* verdict = documented.empty() ? "MISSING in the document"
                          : documented == hex ? "same as the document"
                                              : "DIFFERS from the document";
    if (documented != hex) ++differ;
    std::fprintf(stderr, "  %-15s %s\n", name.c_str(), verdict);
  }
  return differ == 0 ? 0 : 1;
}
