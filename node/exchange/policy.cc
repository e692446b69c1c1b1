#include "node/exchange/policy.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "node/clock/timestamp.h"

namespace inbeeld::node::exchange {

uint8_t AllowedLabelMask(const config::PeerConfig& peer) {
  uint8_t mask = 0;
  for (config::LabelField field : peer.policy.shared_labels) {
    switch (field) {
      case config::LabelField::kCategory:
        mask |= schema::wire::kLabelCategory;
        break;
      case config::LabelField::kSince:
        mask |= schema::wire::kLabelSince;
        break;
      case config::LabelField::kSchool:
        mask |= schema::wire::kLabelSchool;
        break;
      case config::LabelField::kPlan:
        mask |= schema::wire::kLabelPlan;
        break;
    }
  }
  return mask;
}

uint8_t AllowedKeyMask(const config::NodeConfig& config, const config::PeerConfig& peer) {
  // A configuration made by hand (not through ParseConfig) may leave the
  // list empty: then the defaults apply.
  const std::vector<config::MatchKeyType> keys =
      peer.policy.match_keys.empty()
          ? config::DefaultMatchKeys(config.role, config.holds_pgn, peer.role)
          : peer.policy.match_keys;
  uint8_t mask = 0;
  for (config::MatchKeyType type : keys) {
    switch (type) {
      case config::MatchKeyType::kPgn:
        mask |= schema::kKeyTypePgn;
        break;
      case config::MatchKeyType::kName:
        mask |= schema::kKeyTypeName;
        break;
      case config::MatchKeyType::kWeak:
        mask |= schema::kKeyTypeWeak;
        break;
    }
  }
  // Never a PGN with or as a samenwerkingsverband, or without holding PGNs,
  // whatever the file says (ParseConfig refuses such a file anyway).
  if (config::PgnKeyRefusal(config.role, config.holds_pgn, peer.role)) {
    mask &= static_cast<uint8_t>(~schema::kKeyTypePgn);
  }
  return mask;
}

Status CheckRequest(const config::NodeConfig& config, const config::PeerConfig& peer,
                    std::string_view purpose, schema::wire::Mode mode, uint64_t list_size) {
  if (config.FindActivity(purpose) == nullptr) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("purpose \"{}\" is not in {}'s register of processing activities",
                            purpose, config.node_name));
  }
  const auto& allowed = peer.policy.allowed_purposes;
  if (std::find(allowed.begin(), allowed.end(), purpose) == allowed.end()) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("purpose \"{}\" is not allowed for peer \"{}\" by {}'s policy", purpose,
                            peer.name, config.node_name));
  }
  if (mode == schema::wire::Mode::kMatch && peer.policy.count_only) {
    return Fail(ErrorCode::kPermissionDenied,
                fmt::format("{}'s policy allows only count mode with peer \"{}\"", config.node_name,
                            peer.name));
  }
  if (list_size > peer.policy.max_list_size) {
    return Fail(ErrorCode::kResourceExhausted,
                fmt::format("a list of {} records exceeds the limit of {} per session for peer "
                            "\"{}\" in {}'s policy",
                            list_size, peer.policy.max_list_size, peer.name, config.node_name));
  }
  return {};
}

Status CheckPeerListSize(const config::NodeConfig& config, const config::PeerConfig& peer,
                         uint64_t peer_list_size) {
  if (peer_list_size < peer.policy.min_list_size) {
    return Fail(
        ErrorCode::kPermissionDenied,
        fmt::format("a list of {} records from peer \"{}\" is below the minimum of {} "
                    "in {}'s policy (min_list_size): a list that small could single out "
                    "a child",
                    peer_list_size, peer.name, peer.policy.min_list_size, config.node_name));
  }
  return {};
}

Status CheckDailyLimit(const config::PeerConfig& peer, const std::string& role,
                       ResultsStore& results) {
  auto count =
      results.CountSince(peer.name, role, IsoUtc(results.clock().Now() - std::chrono::hours(24)));
  if (!count) return std::unexpected(count.error());
  if (*count >= peer.policy.max_sessions_per_day) {
    return Fail(ErrorCode::kResourceExhausted,
                fmt::format("peer \"{}\" already had {} sessions in the last 24 hours (limit {})",
                            peer.name, *count, peer.policy.max_sessions_per_day));
  }
  return {};
}

}  // namespace inbeeld::node::exchange
