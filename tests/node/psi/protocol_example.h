// tests/node/psi/protocol_example.h — docs/PROTOCOL.md's worked example
// (protocol v2), in one place for the test that checks the document
// (protocol_doc_test.cc) and the tool that prints the current bytes
// (bench/print_protocol_example.cc).
//
// A block in the document is a fenced ```hex (or ```text) block right after a
// line `<!-- example:NAME -->`; in a hex block `#` starts a comment and
// whitespace is ignored; a text block is compared line by line.
#ifndef INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_
#define INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_

#include <array>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "node/psi/session.h"
#include "schema/match_keys.h"
#include "schema/person.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::node::psi::example {

namespace wire = schema::wire;

// One child as a partner system exports it, with the keys its fields give
// (docs/NORMALISATION.md; protocol_doc_test checks them against
// schema::DeriveMatchKeys) and its labels.
struct Record {
  std::string name;                // "x0", "y3": the local index in the document
  std::string who;                 // how the document introduces the child
  std::optional<std::string> pgn;  // 9 digits
  schema::PersonName raw;          // the name columns of the export
  std::optional<schema::PartialDate> birth;
  schema::MatchKeys keys;
  wire::Labels labels;
};

inline wire::Labels L(schema::Category category, schema::Date since, std::string school,
                      bool plan) {
  return wire::Labels{category, since, std::move(school), plan};
}

inline schema::PersonName Columns(std::optional<std::string> first_names,
                                  std::optional<std::string> roepnaam,
                                  std::optional<std::string> prefix,
                                  std::optional<std::string> surname) {
  schema::PersonName name;
  name.first_names = std::move(first_names);
  name.roepnaam = std::move(roepnaam);
  name.prefix = std::move(prefix);
  name.surname = std::move(surname);
  return name;
}

// The initiator, a leerplicht node: every child with its PGN and name.
inline std::vector<Record> InitiatorRecords() {
  using C = schema::Category;
  return {
      {.name = "x0",
       .who = "Jan van den Berg",
       .pgn = "123456782",
       .raw = Columns("Jan Pieter", "Jan", "van den", "Berg"),
       .birth = schema::PartialDate{2014, 3, 5},
       .keys = {"pgn|123456782", "name-dob|berg|jan|2014-03-05", std::nullopt,
                "surname-dob|berg|2014-03-05", "name-year|berg|jan|2014", std::nullopt},
       .labels = L(C::kRelatiefVerzuim, {2025, 9, 1}, "12AB", false)},
      {.name = "x1",
       .who = "Sanne de Vries",
       .pgn = "111222333",
       .raw = Columns("Susanne Maria", "Sanne", "de", "Vries"),
       .birth = schema::PartialDate{2015, 6, 12},
       .keys = {"pgn|111222333", "name-dob|vries|susanne|2015-06-12",
                "name-dob|vries|sanne|2015-06-12", "surname-dob|vries|2015-06-12",
                "name-year|vries|susanne|2015", "name-year|vries|sanne|2015"},
       .labels = L(C::kAbsoluutVerzuim, {2025, 11, 17}, "34CD01", true)},
      {.name = "x2",
       .who = "Mohammed Amrani",
       .pgn = "101222331",
       .raw = Columns("Mohammed Amin", std::nullopt, std::nullopt, "Amrani"),
       .birth = schema::PartialDate{2016, 9, 30},
       .keys = {"pgn|101222331", "name-dob|amrani|mohammed|2016-09-30", std::nullopt,
                "surname-dob|amrani|2016-09-30", "name-year|amrani|mohammed|2016", std::nullopt},
       .labels = L(C::kDreigend, {2025, 12, 1}, "56EF", false)},
  };
}

// The responder, a youth-care node: names, and the PGN of one child only.
inline std::vector<Record> ResponderRecords() {
  using C = schema::Category;
  return {
      {.name = "y0",
       .who = "Jan van den Berg",
       .pgn = "123456782",
       .raw = Columns("Jan", std::nullopt, std::nullopt, "Berg, van den"),
       .birth = schema::PartialDate{2014, 3, 5},
       .keys = {"pgn|123456782", "name-dob|berg|jan|2014-03-05", std::nullopt,
                "surname-dob|berg|2014-03-05", "name-year|berg|jan|2014", std::nullopt},
       .labels = L(C::kRelatiefVerzuim, {2025, 9, 8}, "12AB", true)},
      {.name = "y1",
       .who = "Sanne de Vries",
       .pgn = std::nullopt,
       .raw = Columns(std::nullopt, "Sanne", "de", "Vries"),
       .birth = schema::PartialDate{2015, 6, 12},
       .keys = {std::nullopt, "name-dob|vries|sanne|2015-06-12", std::nullopt,
                "surname-dob|vries|2015-06-12", "name-year|vries|sanne|2015", std::nullopt},
       .labels = L(C::kAbsoluutVerzuim, {2025, 11, 10}, "34CD01", false)},
      {.name = "y2",
       .who = "Lotte de Vries, Sanne's twin sister",
       .pgn = std::nullopt,
       .raw = Columns("Lotte", std::nullopt, "de", "Vries"),
       .birth = schema::PartialDate{2015, 6, 12},
       .keys = {std::nullopt, "name-dob|vries|lotte|2015-06-12", std::nullopt,
                "surname-dob|vries|2015-06-12", "name-year|vries|lotte|2015", std::nullopt},
       .labels = L(C::kDreigend, {2025, 12, 1}, "34CD01", false)},
      {.name = "y3",
       .who = "Mohammed Amrani, a newcomer whose papers give only the birth year",
       .pgn = std::nullopt,
       .raw = Columns("Mohammed", std::nullopt, std::nullopt, "Amrani"),
       .birth = schema::PartialDate{2016, 0, 0},
       .keys = {std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                "name-year|amrani|mohammed|2016", std::nullopt},
       .labels = L(C::kRelatiefVerzuim, {2025, 10, 6}, "90JK02", false)},
  };
}

inline std::vector<PsiInput> Inputs(const std::vector<Record>& records) {
  std::vector<PsiInput> out;
  for (const Record& r : records) out.push_back(PsiInput{.keys = r.keys, .labels = r.labels});
  return out;
}

inline constexpr std::string_view kScalarALabel =
    "inbeeld PROTOCOL.md worked example: initiator scalar a";
inline constexpr std::string_view kScalarBLabel =
    "inbeeld PROTOCOL.md worked example: responder scalar b";
inline constexpr std::string_view kSeedALabel =
    "inbeeld PROTOCOL.md worked example: initiator filler seed";
inline constexpr std::string_view kSeedBLabel =
    "inbeeld PROTOCOL.md worked example: responder filler seed";

// π_I and π_R: record k of A is x[kOrderA[k]], of B y[kOrderB[k]].
inline const std::vector<uint32_t> kOrderA = {2, 0, 1};
inline const std::vector<uint32_t> kOrderB = {3, 1, 0, 2};

// The keys whose H(key) the document shows, by block name.
inline const std::vector<std::pair<std::string, std::string>> kHashedKeys = {
    {"hash-pgn", "pgn|123456782"},
    {"hash-name-dob", "name-dob|vries|sanne|2015-06-12"},
    {"hash-surname-dob", "surname-dob|vries|2015-06-12"},
    {"hash-name-year", "name-year|amrani|mohammed|2016"},
};
// The filler the document derives step by step: A's slot position 2.
inline constexpr uint32_t kShownFiller = 2;

inline InitiatorParams ExampleInitiatorParams() {
  InitiatorParams ip;
  ip.mode = wire::Mode::kMatch;
  ip.purpose = "thuiszitters.afstemming";
  ip.label_mask = wire::kAllLabels;
  ip.key_mask = schema::kAllKeyTypes;
  ip.list_date = {2026, 1, 15};
  ip.threads = 1;
  return ip;
}

inline ResponderParams ExampleResponderParams() {
  ResponderParams rp;
  rp.allowed_label_mask = wire::kLabelCategory | wire::kLabelSince | wire::kLabelSchool;
  rp.allowed_key_mask = schema::kAllKeyTypes;
  rp.list_date = {2026, 1, 12};
  rp.threads = 1;
  return rp;
}

struct Example {
  std::string message1, message2, message3, message4;
  Outcome initiator, responder;
};

// Runs both sessions with the example's fixed secrets and orders.
inline Result<Example> RunExample() {
  using testing::CountingSessionId;
  using testing::ScalarFromLabel;
  using testing::SeedFromLabel;
  Example ex;
  auto initiator =
      InitiatorSession::CreateForTesting(Inputs(InitiatorRecords()), ExampleInitiatorParams(),
                                         Determinism{.session_id = CountingSessionId(),
                                                     .scalar = ScalarFromLabel(kScalarALabel),
                                                     .order = kOrderA,
                                                     .count_order = {},
                                                     .filler_seed = SeedFromLabel(kSeedALabel)});
  if (!initiator) return std::unexpected(initiator.error());
  ex.message1 = (*initiator)->StartMessage();
  auto responder = ResponderSession::StartForTesting(
      ex.message1, Inputs(ResponderRecords()), ExampleResponderParams(),
      Determinism{.session_id = CountingSessionId(),
                  .scalar = ScalarFromLabel(kScalarBLabel),
                  .order = kOrderB,
                  .count_order = {},
                  .filler_seed = SeedFromLabel(kSeedBLabel)});
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

// ------------------------------------------------------------ as text

inline std::string Hex(std::string_view bytes) {
  return crypto::HexEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

inline std::string HashHex(std::string_view key) {
  return crypto::HexEncode(testing::HashKey(key).Encode());
}

inline std::string ScalarHex(std::string_view label) {
  return crypto::HexEncode(testing::ScalarFromLabel(label).RevealForCrypto());
}

inline std::string SeedHex(std::string_view label) {
  return crypto::HexEncode(testing::SeedFromLabel(label));
}

inline std::string FillerHex(std::string_view seed_label, uint32_t n) {
  return crypto::HexEncode(testing::FillerPoint(testing::SeedFromLabel(seed_label), n).Encode());
}

// "x0 slot 0 = pgn|123456782", one line per present key, both lists.
inline std::string KeysText() {
  std::string out;
  for (const auto& records : {InitiatorRecords(), ResponderRecords()}) {
    for (const Record& r : records) {
      for (size_t s = 0; s < schema::kSlotCount; ++s) {
        if (r.keys[s]) out += r.name + " slot " + std::to_string(s) + " = " + *r.keys[s] + "\n";
      }
    }
  }
  return out;
}

inline std::string CountsText(const wire::MatchCounts& c) {
  return std::to_string(c.strong) + " strong, " + std::to_string(c.possible) + " possible";
}

// The outcome block: each side's pairs by local names ("x1-y1 probable
// K7F-2QX"), counts and overlap, and the agreed masks.
inline std::string OutcomeText(const Example& ex) {
  auto pairs = [](const Outcome& o, char own, char peer, const std::vector<uint32_t>& peer_order) {
    std::string out;
    for (const MatchedPair& p : o.pairs) {
      if (!out.empty()) out += ", ";
      out += std::string(1, own) + std::to_string(p.local_index) + "-" + std::string(1, peer) +
             std::to_string(peer_order[p.peer_record]) + " " +
             std::string(schema::StrengthName(p.strength)) + " " + p.pair_code;
    }
    return out;
  };
  std::string out;
  out += "agreed_label_mask = " + std::to_string(ex.initiator.label_mask) + "\n";
  out += "agreed_key_mask = " + std::to_string(ex.initiator.key_mask) + "\n";
  out += "initiator_pairs = " + pairs(ex.initiator, 'x', 'y', kOrderB) + "\n";
  out += "responder_pairs = " + pairs(ex.responder, 'y', 'x', kOrderA) + "\n";
  out += "initiator_counts = " + CountsText(ex.initiator.own) + "\n";
  out += "responder_counts = " + CountsText(ex.responder.own) + "\n";
  out += "initiator_overlap = " + std::to_string(ex.initiator.overlap) + "\n";
  out += "responder_overlap = " + std::to_string(ex.responder.overlap) + "\n";
  out += "initiator_learns_list_size = " + std::to_string(ex.initiator.peer_list_size) + "\n";
  out += "responder_learns_list_size = " + std::to_string(ex.responder.peer_list_size) + "\n";
  return out;
}

// --------------------------------------------------------- the document

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

// Every hex block of the example, by name, as the code produces it now.
inline std::vector<std::pair<std::string, std::string>> HexBlocks(const Example& ex) {
  std::vector<std::pair<std::string, std::string>> blocks = {
      {"scalar-a", ScalarHex(kScalarALabel)},
      {"scalar-b", ScalarHex(kScalarBLabel)},
      {"seed-a", SeedHex(kSeedALabel)},
      {"seed-b", SeedHex(kSeedBLabel)},
  };
  for (const auto& [name, key] : kHashedKeys) blocks.emplace_back(name, HashHex(key));
  blocks.emplace_back("filler-a-" + std::to_string(kShownFiller),
                      FillerHex(kSeedALabel, kShownFiller));
  blocks.emplace_back("message1", Hex(ex.message1));
  blocks.emplace_back("message2", Hex(ex.message2));
  blocks.emplace_back("message3", Hex(ex.message3));
  blocks.emplace_back("message4", Hex(ex.message4));
  return blocks;
}

// Every text block of the example, by name.
inline std::vector<std::pair<std::string, std::string>> TextBlocks(const Example& ex) {
  return {{"keys", KeysText()}, {"outcome", OutcomeText(ex)}};
}

}  // namespace inbeeld::node::psi::example

#endif  // INBEELD_TESTS_NODE_PSI_PROTOCOL_EXAMPLE_H_
