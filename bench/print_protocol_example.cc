// Prints the bytes of docs/PROTOCOL.md's worked example (§9, protocol v2) as
// the code produces them now — the scalars, the filler seeds, the hashes of
// a few keys, one filler, the four messages — one line each ("NAME HEX"),
// and says for each whether it equals the document's `<!-- example:NAME -->`
// block (the key table and the outcome, text blocks, too). With --markdown
// it prints every block annotated, field by field, ready to paste into the
// document. Use it to update the document after a deliberate change to the
// wire format; tests/node/psi/protocol_doc_test.cc checks the document
// against the code.
//
//   build/bench/print_protocol_example [--markdown] [PATH/TO/PROTOCOL.md]
//
// The example's inputs live in tests/node/psi/protocol_example.h, shared
// with the test.
//
// Exit status: 0 if every block equals the document, 1 if any differs or is
// missing, 2 if the example does not run.
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/bytes.h"
#include "node/psi/session.h"
#include "schema/match_keys.h"
#include "tests/node/psi/protocol_example.h"

using namespace inbeeld;
using namespace inbeeld::node::psi;
using namespace inbeeld::node::psi::example;

namespace {

// One annotated line: hex, padded, then "# comment".
class Annotated {
 public:
  explicit Annotated(std::string_view message) : message_(message) {}

  // The next `n` bytes as hex, a space after each of the leading `groups`
  // (sizes in bytes), with `comment`.
  void Field(size_t n, std::string_view comment, std::initializer_list<size_t> groups = {}) {
    std::string hex;
    size_t next = 0;
    auto group = groups.begin();
    if (group != groups.end()) next = *group;
    for (size_t k = 0; k < n; ++k) {
      if (group != groups.end() && k == next) {
        hex += ' ';
        if (++group != groups.end()) next += *group;
      }
      hex += Hex(message_.substr(at_ + k, 1));
    }
    at_ += n;
    Line(hex, comment);
  }
  void Comment(std::string_view comment) { out_ += "# " + std::string(comment) + "\n"; }
  const std::string& text() const { return out_; }
  size_t at() const { return at_; }

 private:
  void Line(const std::string& hex, std::string_view comment) {
    out_ += hex;
    out_ += std::string(hex.size() < 41 ? 41 - hex.size() : 1, ' ');
    out_ += "# " + std::string(comment) + "\n";
  }

  std::string_view message_;
  size_t at_ = 0;
  std::string out_;
};

const char* kTypeNames[] = {"", "StartRequest", "StartResponse", "FinishRequest", "FinishResponse"};

void Header(Annotated& a, int type) {
  a.Field(6, "\"INBL\", version 2, type " + std::to_string(type) + " (" + kTypeNames[type] + ")",
          {4, 1});
  a.Field(16, "session id");
}

std::string LabelMaskText(uint8_t mask) {
  std::string names;
  const char* parts[] = {"category", "since", "school", "plan"};
  for (int b = 0; b < 4; ++b) {
    if (mask & (1 << b)) names += std::string(names.empty() ? "" : "|") + parts[b];
  }
  return std::to_string(mask) + (names.empty() ? "" : " = " + names);
}

std::string KeyMaskText(uint8_t mask) {
  std::string names;
  const char* parts[] = {"pgn", "name", "weak"};
  for (int b = 0; b < 3; ++b) {
    if (mask & (1 << b)) names += std::string(names.empty() ? "" : "|") + parts[b];
  }
  return std::to_string(mask) + " = " + names + ", " + std::to_string(wire::SlotCount(mask)) +
         " slots a record";
}

std::string DateText(const schema::Date& d) {
  return std::to_string(wire::DateCode(d)) + " (" + schema::FormatIso(d) + ")";
}

const char* CategoryText(schema::Category c) {
  switch (wire::CategoryCode(c)) {
    case 1:
      return "relatief verzuim";
    case 2:
      return "absoluut verzuim";
    case 3:
      return "vrijstelling 5 onder a";
    default:
      return "dreigend";
  }
}

// What sits in one slot of a record's group: its key, or "filler n".
std::string SlotText(const Record& r, size_t slot, size_t n, std::string_view scalar) {
  if (r.keys[slot]) return "H(" + *r.keys[slot] + ")^" + std::string(scalar);
  return "filler " + std::to_string(n) + " (slot " + std::to_string(slot) + " empty)";
}

void LabelSection(Annotated& a, uint8_t mask, const std::vector<wire::LabelEntry>& entries,
                  std::string_view list, const std::vector<Record>& records,
                  const std::vector<uint32_t>& order) {
  a.Field(4, std::to_string(entries.size()) + " label entries");
  for (size_t k = 0; k < entries.size(); ++k) {
    const wire::LabelEntry& e = entries[k];
    a.Field(4, "entry " + std::to_string(k) + ": index " + std::to_string(e.index) + " into " +
                   std::string(list) + " (" + records[order[e.index]].name + ")");
    if (mask & wire::kLabelCategory) {
      a.Field(1, "  category " + std::to_string(wire::CategoryCode(*e.labels.category)) + " (" +
                     CategoryText(*e.labels.category) + ")");
    }
    if (mask & wire::kLabelSince) a.Field(4, "  since " + DateText(*e.labels.since));
    if (mask & wire::kLabelSchool) {
      a.Field(1 + e.labels.school->size(),
              "  school: length " + std::to_string(e.labels.school->size()) + ", \"" +
                  *e.labels.school + "\"",
              {1});
    }
    if (mask & wire::kLabelPlan) a.Field(1, std::string("  plan ") + (*e.labels.plan ? "1" : "0"));
  }
}

// Which C tag equals D[j].p, as " = C[i].q (xI-yJ)", or "".
std::string Meets(const wire::StartResponse& m2, const wire::FinishRequest& m3, size_t j, size_t p,
                  size_t k) {
  for (size_t n = 0; n < m2.c.size(); ++n) {
    if (std::equal(m2.c[n].begin(), m2.c[n].end(), m3.d[j * k + p].begin())) {
      const size_t i = n / k;
      return "  = C[" + std::to_string(i) + "]." + std::to_string(n % k) + ": " +
             InitiatorRecords()[kOrderA[i]].name + "-" + ResponderRecords()[kOrderB[j]].name;
    }
  }
  return "";
}

std::string Markdown(const Example& ex) {
  const std::vector<Record> xs = InitiatorRecords(), ys = ResponderRecords();
  auto m1 = wire::DecodeStartRequest(ex.message1, 100);
  auto m2 = wire::DecodeStartResponse(ex.message2, 100);
  const size_t k_offered = wire::SlotCount(m1->header.key_mask);
  const size_t k = wire::SlotCount(m2->key_mask);
  auto m3 = wire::DecodeFinishRequest(ex.message3, m2->key_mask, 100);
  auto m4 = wire::DecodeFinishResponse(ex.message4, 100);
  const std::vector<size_t> offered_slots = wire::GroupSlots(m1->header.key_mask);
  const std::vector<size_t> slots = wire::GroupSlots(m2->key_mask);
  std::string out;
  auto block = [&](const std::string& name, const std::string& fence, const std::string& body) {
    out += "<!-- example:" + name + " -->\n```" + fence + "\n" + body + "```\n\n";
  };

  block("scalar-a", "hex", ScalarHex(kScalarALabel) + "  # a, little-endian\n");
  block("scalar-b", "hex", ScalarHex(kScalarBLabel) + "  # b, little-endian\n");
  block("seed-a", "hex", SeedHex(kSeedALabel) + "  # the initiator's filler seed\n");
  block("seed-b", "hex", SeedHex(kSeedBLabel) + "  # the responder's filler seed\n");
  block("keys", "text", KeysText());
  for (const auto& [name, key] : kHashedKeys) {
    block(name, "hex", HashHex(key) + "  # H(" + key + ")\n");
  }
  block("filler-a-" + std::to_string(kShownFiller), "hex",
        FillerHex(kSeedALabel, kShownFiller) + "  # hash_to_ristretto255(seed-a || 00000002)\n");

  {
    Annotated a(ex.message1);
    Header(a, 1);
    a.Field(1, "mode 1 = match");
    a.Field(1, "offered label mask " + LabelMaskText(m1->header.label_mask));
    a.Field(1, "offered key mask " + KeyMaskText(m1->header.key_mask));
    a.Field(4, "list date " + DateText(m1->header.list_date));
    a.Field(1, "purpose length " + std::to_string(m1->header.purpose.size()));
    a.Field(m1->header.purpose.size(), "purpose \"" + m1->header.purpose + "\"");
    a.Field(4, "n_I = " + std::to_string(m1->header.list_size) + " records in A");
    for (size_t i = 0; i < m1->header.list_size; ++i) {
      const Record& r = xs[kOrderA[i]];
      a.Comment("A[" + std::to_string(i) + "] = " + r.name + " (" + r.who + ")");
      for (size_t p = 0; p < k_offered; ++p) {
        a.Field(32, "A[" + std::to_string(i) + "]." + std::to_string(p) + " = " +
                        SlotText(r, offered_slots[p], i * k_offered + p, "a"));
      }
    }
    block("message1", "hex", a.text());
  }
  {
    Annotated a(ex.message2);
    Header(a, 2);
    a.Field(1, "agreed label mask " + LabelMaskText(m2->label_mask));
    a.Field(1, "agreed key mask " + KeyMaskText(m2->key_mask));
    a.Field(4, "list date " + DateText(m2->list_date));
    a.Field(4, "n_R = " + std::to_string(m2->b_records) + " records in B");
    for (size_t j = 0; j < m2->b_records; ++j) {
      const Record& r = ys[kOrderB[j]];
      a.Comment("B[" + std::to_string(j) + "] = " + r.name + " (" + r.who + ")");
      for (size_t p = 0; p < k; ++p) {
        a.Field(32, "B[" + std::to_string(j) + "]." + std::to_string(p) + " = " +
                        SlotText(r, slots[p], j * k + p, "b"));
      }
    }
    a.Field(4, std::to_string(m2->c_records) + " records in C, in A's order (match mode)");
    for (size_t i = 0; i < m2->c_records; ++i) {
      a.Comment("C[" + std::to_string(i) + "] = A[" + std::to_string(i) + "] (" +
                xs[kOrderA[i]].name + ")");
      for (size_t p = 0; p < k; ++p) {
        const std::string at = "[" + std::to_string(i) + "]." + std::to_string(p);
        a.Field(16, "C" + at + " = tag(A" + at + "^b)");
      }
    }
    block("message2", "hex", a.text());
  }
  {
    Annotated a(ex.message3);
    Header(a, 3);
    a.Field(1, "label mask " + LabelMaskText(m3->label_mask) + " (the agreed one)");
    a.Field(4, std::to_string(m3->d_records) + " records in D, in B's order (match mode)");
    for (size_t j = 0; j < m3->d_records; ++j) {
      a.Comment("D[" + std::to_string(j) + "] = B[" + std::to_string(j) + "] (" +
                ys[kOrderB[j]].name + ")");
      for (size_t p = 0; p < k; ++p) {
        const std::string at = "[" + std::to_string(j) + "]." + std::to_string(p);
        a.Field(16, "D" + at + " = tag(B" + at + "^a)" + Meets(*m2, *m3, j, p, k));
      }
    }
    LabelSection(a, m3->label_mask, m3->labels, "A", xs, kOrderA);
    block("message3", "hex", a.text());
  }
  {
    Annotated a(ex.message4);
    Header(a, 4);
    a.Field(4, "responder strong = " + std::to_string(m4->responder.strong) +
                   " (records in a certain or probable pair)");
    a.Field(4, "responder possible = " + std::to_string(m4->responder.possible) +
                   " (records in possible pairs only)");
    a.Field(4, "initiator strong = " + std::to_string(m4->initiator.strong));
    a.Field(4, "initiator possible = " + std::to_string(m4->initiator.possible));
    a.Field(1, "label mask " + LabelMaskText(m4->label_mask));
    LabelSection(a, m4->label_mask, m4->labels, "B", ys, kOrderB);
    block("message4", "hex", a.text());
  }
  block("outcome", "text", OutcomeText(ex));
  out += "Message sizes: 1: " + std::to_string(ex.message1.size()) +
         " bytes, 2: " + std::to_string(ex.message2.size()) +
         " bytes, 3: " + std::to_string(ex.message3.size()) +
         " bytes, 4: " + std::to_string(ex.message4.size()) + " bytes.\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false;
  std::string doc_path = std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md";
  for (int k = 1; k < argc; ++k) {
    const std::string_view arg = argv[k];
    if (arg == "--markdown") {
      markdown = true;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "usage: print_protocol_example [--markdown] [PATH/TO/PROTOCOL.md]\n");
      return 2;
    } else {
      doc_path = std::string(arg);
    }
  }
  auto run = RunExample();
  if (!run) {
    std::fprintf(stderr, "the worked example fails: %s\n", run.error().message.c_str());
    return 2;
  }
  const Example& ex = *run;
  if (markdown) {
    std::printf("%s", Markdown(ex).c_str());
  } else {
    for (const auto& [name, hex] : HexBlocks(ex)) std::printf("%s %s\n", name.c_str(), hex.c_str());
  }

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
  auto verdict = [&](const std::string& name, const std::string& documented,
                     const std::string& now) {
    const char* v = documented.empty()  ? "MISSING in the document"
                    : documented == now ? "same as the document"
                                        : "DIFFERS from the document";
    if (documented != now) ++differ;
    std::fprintf(stderr, "  %-18s %s\n", name.c_str(), v);
  };
  for (const auto& [name, hex] : HexBlocks(ex)) verdict(name, HexBlock(doc, name), hex);
  for (const auto& [name, body] : TextBlocks(ex)) verdict(name, Block(doc, name, "text"), body);
  return differ == 0 ? 0 : 1;
}
