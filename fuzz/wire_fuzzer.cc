// Fuzzes the PSI wire decoders (schema/wire.h) with a peer's message bytes.
//
// Invariants beyond "no crash": the decoders are strict, so whatever decodes
// re-encodes to exactly the same bytes; the peek functions agree with the
// full decoders; a decoded count never exceeds the caller's limit.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "schema/wire.h"

namespace {

namespace wire = inbeeld::schema::wire;

template <size_t N>
std::vector<std::array<uint8_t, N>> Copy(wire::ItemView<N> view) {
  std::vector<std::array<uint8_t, N>> out(view.size());
  for (size_t k = 0; k < view.size(); ++k)
    std::copy(view[k].begin(), view[k].end(), out[k].begin());
  return out;
}

void CheckPeeks(std::string_view message, wire::MessageType type, const wire::SessionId& id) {
  auto peeked_type = wire::PeekMessageType(message);
  INBEELD_FUZZ_CHECK(peeked_type && *peeked_type == type);
  auto peeked_id = wire::PeekSessionId(message);
  INBEELD_FUZZ_CHECK(peeked_id && *peeked_id == id);
}

}  // namespace

INBEELD_FUZZ_TARGET(wire) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  (void)wire::PeekMessageType(message);
  (void)wire::PeekSessionId(message);

  for (uint32_t limit : {2u, 1000u}) {
    auto header = wire::DecodeStartHeader(message);
    if (auto m1 = wire::DecodeStartRequest(message, limit)) {
      INBEELD_FUZZ_CHECK(m1->header.list_size <= limit);
      INBEELD_FUZZ_CHECK(header && *header == m1->header);
      INBEELD_FUZZ_CHECK(wire::IsValidPurpose(m1->header.purpose));
      CheckPeeks(message, wire::MessageType::kStartRequest, m1->header.session_id);
      INBEELD_FUZZ_CHECK(wire::EncodeStartRequest(m1->header, Copy(m1->a)) == message);
    }

    if (auto m2 = wire::DecodeStartResponse(message, limit)) {
      INBEELD_FUZZ_CHECK(m2->b_records <= limit && m2->c_records <= limit);
      CheckPeeks(message, wire::MessageType::kStartResponse, m2->session_id);
      INBEELD_FUZZ_CHECK(wire::EncodeStartResponse(m2->session_id, m2->label_mask, m2->key_mask,
                                                   m2->list_date, Copy(m2->b),
                                                   Copy(m2->c)) == message);
    }

    for (uint8_t key_mask = 1; key_mask <= 7; ++key_mask) {
      auto m3 = wire::DecodeFinishRequest(message, key_mask, limit);
      if (!m3) continue;
      INBEELD_FUZZ_CHECK(m3->d_records <= limit && m3->labels.size() <= limit);
      CheckPeeks(message, wire::MessageType::kFinishRequest, m3->session_id);
      for (const auto& entry : m3->labels) {
        INBEELD_FUZZ_CHECK(wire::CheckLabels(entry.labels, m3->label_mask).has_value());
      }
      INBEELD_FUZZ_CHECK(wire::EncodeFinishRequest(m3->session_id, m3->label_mask, key_mask,
                                                   Copy(m3->d), m3->labels) == message);
    }

    if (auto m4 = wire::DecodeFinishResponse(message, limit)) {
      INBEELD_FUZZ_CHECK(m4->labels.size() <= limit);
      CheckPeeks(message, wire::MessageType::kFinishResponse, m4->session_id);
      INBEELD_FUZZ_CHECK(wire::EncodeFinishResponse(m4->session_id, m4->responder, m4->initiator,
                                                    m4->label_mask, m4->labels) == message);
    }
  }
}
