#include "node/exchange/exchange_list.h"

#include <algorithm>

namespace inbeeld::node::exchange {

Result<ExchangeList> LoadExchangeList(Store& store, const crypto::SecretBytes& field_key,
                                      uint8_t label_mask) {
  auto version = store.CurrentVersion();
  if (!version) return std::unexpected(version.error());
  if (!*version) {
    return Fail(ErrorCode::kFailedPrecondition, "no list imported yet: run `inbeeld import FILE`");
  }
  ExchangeList list;
  list.version = **version;
  list.inputs.reserve(static_cast<size_t>(list.version.row_count));
  list.subjects.reserve(static_cast<size_t>(list.version.row_count));
  INBEELD_RETURN_IF_ERROR(store.ForEachRow(
      list.version.id, Unseal::kIdentifiers, field_key, [&](StoredRow& row) {
        // Protocol v1 matches on the PGN alone: a child without one cannot
        // take part until the key family (issue 8, protocol v2) does.
        if (!row.identifier) return;
        psi::PsiInput input;
        const std::string& digits = row.identifier->digits();
        std::copy_n(digits.begin(), input.digits.size(), input.digits.begin());
        if (label_mask & schema::wire::kLabelCategory) input.labels.category = row.category;
        if (label_mask & schema::wire::kLabelSince) input.labels.since = row.since;
        if (label_mask & schema::wire::kLabelSchool) input.labels.school = row.school_brin;
        if (label_mask & schema::wire::kLabelPlan) input.labels.plan = row.plan_in_place;
        list.inputs.push_back(std::move(input));
        list.subjects.push_back(row.subject);
      }));
  return list;
}

}  // namespace inbeeld::node::exchange
