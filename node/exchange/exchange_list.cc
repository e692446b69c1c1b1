#include "node/exchange/exchange_list.h"

#include <algorithm>

#include "schema/match_keys.h"

namespace inbeeld::node::exchange {

Result<ExchangeList> LoadExchangeList(Store& store, const crypto::SecretBytes& field_key,
                                      uint8_t label_mask, uint8_t key_mask) {
  auto version = store.CurrentVersion();
  if (!version) return std::unexpected(version.error());
  if (!*version) {
    return Fail(ErrorCode::kFailedPrecondition, "no list imported yet: run `inbeeld import FILE`");
  }
  ExchangeList list;
  list.version = **version;
  list.inputs.reserve(static_cast<size_t>(list.version.row_count));
  list.subjects.reserve(static_cast<size_t>(list.version.row_count));
  const bool names = (key_mask & (schema::kKeyTypeName | schema::kKeyTypeWeak)) != 0;
  INBEELD_RETURN_IF_ERROR(store.ForEachRow(
      list.version.id, names ? Unseal::kEverything : Unseal::kIdentifiers, field_key,
      [&](StoredRow& row) {
        psi::PsiInput input;
        input.keys = schema::DeriveMatchKeys(row.identifier, row.name, row.birth_date,
                                             (key_mask & schema::kKeyTypePgn) != 0);
        for (size_t s = 0; s < schema::kSlotCount; ++s) {
          if (!(key_mask & schema::SlotKeyType(s))) input.keys[s].reset();
        }
        if (label_mask & schema::wire::kLabelCategory) input.labels.category = row.category;
        if (label_mask & schema::wire::kLabelSince) input.labels.since = row.since;
        if (label_mask & schema::wire::kLabelSchool) input.labels.school = row.school_brin;
        if (label_mask & schema::wire::kLabelPlan) input.labels.plan = row.plan_in_place;
        list.inputs.push_back(std::move(input));
        list.subjects.push_back(row.subject);
      }));
  return list;
}

uint8_t NarrowToPresentKeys(const ExchangeList& list, uint8_t key_mask) {
  uint8_t present = 0;
  for (const psi::PsiInput& input : list.inputs) {
    for (size_t s = 0; s < schema::kSlotCount; ++s) {
      if (input.keys[s]) present |= schema::SlotKeyType(s);
    }
    if ((present & key_mask) == key_mask) break;
  }
  const auto narrowed = static_cast<uint8_t>(key_mask & present);
  return narrowed != 0 ? narrowed : key_mask;
}

}  // namespace inbeeld::node::exchange
