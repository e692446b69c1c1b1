// Fuzzes the PSI sessions (node/psi/session.h) with hostile messages 1..4.
//
// Input: one selector byte, then the message. Selector bits 0-1 pick the step:
//   0  message 1 to a fresh responder (ResponderSession::Start)
//   1  message 3 to a responder that took the honest message 1
//   2  message 2 to an initiator that sent the honest message 1
//   3  message 4 to an initiator that took the honest message 2
// bit 2 picks count mode instead of match mode (fuzz/psi_fixture.h).
//
// Invariants beyond "no crash": an outcome only names records that exist, its
// counts add up, and a session that has answered (or refused) a message
// refuses the next one with kFailedPrecondition, as the header promises.
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "fuzz/psi_fixture.h"

namespace {

using inbeeld::ErrorCode;
using inbeeld::node::psi::Outcome;
namespace wire = inbeeld::schema::wire;

void CheckOutcome(const Outcome& o) {
  INBEELD_FUZZ_CHECK(o.own.strong + o.own.possible <= o.own_list_size);
  INBEELD_FUZZ_CHECK(o.peer.strong + o.peer.possible <= o.peer_list_size);
  INBEELD_FUZZ_CHECK(o.overlap == o.own.strong);
  for (const auto& pair : o.pairs) {
    INBEELD_FUZZ_CHECK(pair.local_index < o.own_list_size);
    INBEELD_FUZZ_CHECK(pair.peer_record < o.peer_list_size);
    INBEELD_FUZZ_CHECK(wire::CheckLabels(pair.peer_labels, wire::PresentLabels(pair.peer_labels)));
    INBEELD_FUZZ_CHECK((wire::PresentLabels(pair.peer_labels) & ~o.label_mask) == 0);
  }
}

template <typename R>
void CheckRefusesAgain(const R& second) {
  INBEELD_FUZZ_CHECK(!second && second.error().code == ErrorCode::kFailedPrecondition);
}

}  // namespace

INBEELD_FUZZ_TARGET(psi_session) {
  if (size < 1) return;
  const uint8_t selector = data[0];
  const std::string_view message(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto& f = inbeeld::fuzz::Fixture((selector & 4) ? wire::Mode::kCount : wire::Mode::kMatch);
  switch (selector & 3) {
    case 0: {
      auto header = inbeeld::node::psi::ResponderSession::PeekStart(message);
      auto responder =
          inbeeld::node::psi::ResponderSession::Start(message, f.ys, f.responder_params);
      if (!responder) return;
      INBEELD_FUZZ_CHECK(header.has_value());
      INBEELD_FUZZ_CHECK(header->list_size <= f.responder_params.max_peer_list_size);
      INBEELD_FUZZ_CHECK(!(*responder)->StartResponse().empty());
      return;
    }
    case 1: {
      auto responder = f.NewResponder();
      INBEELD_FUZZ_CHECK(responder != nullptr);
      auto finish = responder->HandleFinish(message);
      if (finish) {
        CheckOutcome(finish->outcome);
        INBEELD_FUZZ_CHECK(finish->outcome.own_list_size == f.ys.size());
      }
      CheckRefusesAgain(responder->HandleFinish(f.message3));
      return;
    }
    case 2: {
      auto initiator = f.NewInitiator();
      INBEELD_FUZZ_CHECK(initiator != nullptr);
      auto message3 = initiator->HandleStartResponse(message);
      if (message3) {
        auto m2 = wire::DecodeStartResponse(message, f.initiator_params.max_peer_list_size);
        INBEELD_FUZZ_CHECK(m2.has_value());
        INBEELD_FUZZ_CHECK(wire::DecodeFinishRequest(*message3, m2->key_mask, 1000).has_value());
      }
      CheckRefusesAgain(initiator->HandleStartResponse(f.message2));
      return;
    }
    case 3: {
      auto initiator = f.NewInitiator();
      INBEELD_FUZZ_CHECK(initiator != nullptr);
      INBEELD_FUZZ_CHECK(initiator->HandleStartResponse(f.message2).has_value());
      auto outcome = initiator->HandleFinishResponse(message);
      if (outcome) {
        CheckOutcome(*outcome);
        INBEELD_FUZZ_CHECK(outcome->own_list_size == f.xs.size());
      }
      CheckRefusesAgain(initiator->HandleFinishResponse(f.message4));
      return;
    }
  }
}
