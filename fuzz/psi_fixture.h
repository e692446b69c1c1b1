// fuzz/psi_fixture.h — one honest, reproducible PSI exchange for the session
// harness (fuzz/psi_session_fuzzer.cc) and its seeds (fuzz/make_corpus.cc).
//
// Small lists with every key type (a certain, a probable and a possible pair
// among them) and fixed secrets, so message 1..4 are the same bytes on every
// run and a mutated message meets sessions in exactly the state it was
// recorded in.
//
// Thread safety: Fixture() builds its value once (a function-local static).
#ifndef INBEELD_FUZZ_PSI_FIXTURE_H_
#define INBEELD_FUZZ_PSI_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "node/psi/session.h"
#include "tests/node/psi/psi_test_util.h"

namespace inbeeld::fuzz {

struct PsiFixture {
  node::psi::InitiatorParams initiator_params;
  node::psi::ResponderParams responder_params;
  std::vector<node::psi::PsiInput> xs, ys;
  std::string message1, message2, message3, message4;

  // Sessions with the fixture's secrets; the responder one has taken message 1.
  std::unique_ptr<node::psi::InitiatorSession> NewInitiator() const {
    auto s = node::psi::InitiatorSession::CreateForTesting(xs, initiator_params,
                                                           Secrets("a", xs.size(), ys.size()));
    return s ? std::move(*s) : nullptr;
  }
  std::unique_ptr<node::psi::ResponderSession> NewResponder() const {
    auto s = node::psi::ResponderSession::StartForTesting(message1, ys, responder_params,
                                                          Secrets("b", ys.size(), xs.size()));
    return s ? std::move(*s) : nullptr;
  }

  node::psi::Determinism Secrets(const char* side, size_t own, size_t peer) const {
    using node::psi::testing::IdentityOrder;
    const bool count = initiator_params.mode == schema::wire::Mode::kCount;
    return node::psi::testing::Fixed(side, IdentityOrder(own),
                                     count ? IdentityOrder(peer) : std::vector<uint32_t>{});
  }
};

// The exchange in match mode (all labels, all key types) or count mode.
inline const PsiFixture& Fixture(schema::wire::Mode mode) {
  auto build = [](schema::wire::Mode m) {
    namespace t = node::psi::testing;
    PsiFixture f;
    std::vector<t::Child> x = t::RandomChildren(4, 9001);
    std::vector<t::Child> y = {x[1], x[2], x[3]};
    y[1].pgn.reset();  // x2: probable, by name and birth date
    y[2].pgn.reset();  // x3: possible, by surname and birth date
    y[2].first_given = "anders";
    y[2].roepnaam.reset();
    for (auto& c : y) c.id += 100;
    f.xs = t::MakeInputs(x, 0);
    f.ys = t::MakeInputs(y, 1);
    f.initiator_params.mode = m;
    f.initiator_params.purpose = "thuiszitters-afstemming";
    f.initiator_params.label_mask = m == schema::wire::Mode::kMatch ? schema::wire::kAllLabels : 0;
    f.initiator_params.list_date = {2026, 11, 2};
    f.initiator_params.max_peer_list_size = 64;
    f.initiator_params.threads = 1;
    f.responder_params.allowed_label_mask = schema::wire::kAllLabels;
    f.responder_params.list_date = {2026, 10, 30};
    f.responder_params.max_peer_list_size = 64;
    f.responder_params.threads = 1;
    auto initiator = f.NewInitiator();
    f.message1 = initiator->StartMessage();
    auto responder = f.NewResponder();
    f.message2 = responder->StartResponse();
    f.message3 = *initiator->HandleStartResponse(f.message2);
    f.message4 = responder->HandleFinish(f.message3)->message;
    return f;
  };
  static const PsiFixture match = build(schema::wire::Mode::kMatch);
  static const PsiFixture count = build(schema::wire::Mode::kCount);
  return mode == schema::wire::Mode::kMatch ? match : count;
}

}  // namespace inbeeld::fuzz

#endif  // INBEELD_FUZZ_PSI_FIXTURE_H_
