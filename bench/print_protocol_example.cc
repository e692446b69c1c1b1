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
#include "tests/node/psi/protocol_example.h"

using namespace inbeeld;
using namespace inbeeld::node::psi;
using namespace inbeeld::node::psi::example;

int main(int argc, char** argv) {
  const std::string doc_path =
      argc > 1 ? std::string(argv[1]) : std::string(INBEELD_SOURCE_DIR) + "/docs/PROTOCOL.md";
  auto run = RunExample();
  if (!run) {
    std::fprintf(stderr, "the worked example fails: %s\n", run.error().message.c_str());
    return 2;
  }
  const Example& ex = *run;

  std::vector<std::pair<std::string, std::string>> blocks = {
      {"scalar-a", ScalarHex(kScalarALabel)}, {"scalar-b", ScalarHex(kScalarBLabel)}};
  for (const char* id : kIdentifiers) {
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
