// /api/partners, /api/doelen: the pinned peers, the register, adding a peer.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "crypto/safety_code.h"
#include "crypto/signing.h"
#include "node/console/handlers.h"
#include "node/exchange/policy.h"
#include "node/exchange/report.h"
#include "node/exchange/results_store.h"
#include "node/net/client.h"
#include "node/net/routes.h"
#include "node/net/tls_identity.h"

namespace inbeeld::node::console {
namespace {

// "category, since" as ["categorie", "sinds"] ("none" as []).
std::vector<std::string> Words(const std::string& names) {
  static const std::map<std::string, std::string> kDutch = {
      {"category", "categorie"},
      {"since", "sinds"},
      {"school", "school"},
      {"plan", "aanbod"},
      {"pgn", "BSN/onderwijsnummer (geblindeerd)"},
      {"name", "naam en geboortedatum (geblindeerd)"},
      {"weak", "naamdelen en geboortejaar (geblindeerd)"}};
  std::vector<std::string> out;
  size_t start = 0;
  while (start < names.size()) {
    size_t end = names.find(", ", start);
    if (end == std::string::npos) end = names.size();
    const std::string word = names.substr(start, end - start);
    if (word != "none" && !word.empty()) {
      auto it = kDutch.find(word);
      out.push_back(it == kDutch.end() ? word : it->second);
    }
    start = end + 2;
  }
  return out;
}

nlohmann::json ActivityJson(const config::ProcessingActivity& a) {
  return {{"id", a.id},
          {"naam", a.name},
          {"doel", a.purpose},
          {"grondslag", a.legal_basis},
          {"verantwoordelijke", a.controller},
          {"categorieen", a.data_categories},
          {"ontvangers", a.recipients},
          {"bewaartermijn", a.retention_days}};
}

Result<ApiReply> Partners(Call& call) {
  const auto& config = call.node.config;
  exchange::ResultsStore results(*call.node.store);
  auto recent = results.Recent(500);
  if (!recent) return std::unexpected(recent.error());
  nlohmann::json partners = nlohmann::json::array();
  for (const auto& peer : config.peers) {
    nlohmann::json purposes = nlohmann::json::array();
    for (const auto& id : peer.policy.allowed_purposes) {
      const auto* activity = config.FindActivity(id);
      purposes.push_back({{"id", id},
                          {"naam", activity ? activity->name : id},
                          {"grondslag", activity ? activity->legal_basis : ""}});
    }
    std::string code;
    if (auto key = crypto::VerifyingKey::FromFingerprint(peer.key); key) {
      code = crypto::SafetyCode(key->bytes());
    }
    nlohmann::json last = nullptr, last_status = nullptr;
    for (const auto& s : *recent) {  // newest first
      if (s.peer == peer.name) {
        last = s.started_at;
        last_status = s.status;
        break;
      }
    }
    partners.push_back(
        {{"naam", peer.name},
         {"rol", std::string(config::RoleName(peer.role))},
         {"adres", peer.address},
         {"sleutel", peer.key},
         {"veiligheidscode", code},
         {"doelen", purposes},
         {"alleen_tellen", peer.policy.count_only},
         {"velden", Words(exchange::LabelMaskNames(exchange::AllowedLabelMask(peer)))},
         {"sleutels", Words(exchange::KeyMaskNames(exchange::AllowedKeyMask(config, peer)))},
         {"max_lijst", peer.policy.max_list_size},
         {"max_per_dag", peer.policy.max_sessions_per_day},
         {"laatste_uitwisseling", last},
         {"laatste_status", last_status}});
  }
  return JsonReply({{"partners", partners}});
}

Result<ApiReply> Activities(Call& call) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : call.node.config.activities) out.push_back(ActivityJson(a));
  return JsonReply({{"doelen", out}});
}

// A TLS handshake and an empty POST to /v1/ping: proves the address answers
// with the pinned key. A peer that predates /v1/ping answers 404 after the
// handshake, which proves the same.
Result<ApiReply> Reachability(Call& call) {
  const auto* peer = call.node.config.FindPeer(call.params[0]);
  if (peer == nullptr) return Fail(ErrorCode::kNotFound, "Deze partner is niet bekend.");
  auto key = crypto::VerifyingKey::FromFingerprint(peer->key);
  auto address = config::ParseAddress(peer->address);
  if (!key || !address) return Fail(ErrorCode::kInvalidArgument, "Sleutel of adres is ongeldig.");
  auto seed = call.node.identity.SeedForStorage().RevealForCrypto();
  auto identity = net::TlsIdentity::Create(seed.first<32>(), call.node.config.node_name);
  if (!identity) return std::unexpected(identity.error());
  net::ClientOptions options;
  options.connect_timeout = std::chrono::seconds(3);
  options.read_timeout = std::chrono::seconds(3);
  options.write_timeout = std::chrono::seconds(3);
  options.max_response_bytes = 1 << 16;
  auto client = net::PeerClient::Create(*identity, peer->name, key->bytes(), address->host,
                                        address->port, options);
  if (!client) return std::unexpected(client.error());
  auto reply = (*client)->Post(net::routes::kPing, "{}", "application/json");
  bool reachable = reply.has_value() || reply.error().code == ErrorCode::kNotFound;
  std::string message = "Bereikbaar: de partner antwoordde met de vastgelegde sleutel.";
  if (!reachable) {
    switch (reply.error().code) {
      case ErrorCode::kUnauthenticated:
        message =
            "Niet veilig bereikbaar: op dit adres antwoordt een andere sleutel, of de partner "
            "kent onze sleutel niet. Controleer de veiligheidscode samen.";
        break;
      case ErrorCode::kDeadlineExceeded:
        message = "Niet bereikbaar: de partner antwoordde niet binnen 3 seconden.";
        break;
      default:
        message =
            "Niet bereikbaar: er kon geen verbinding worden gemaakt met " + peer->address + ".";
    }
  }
  return JsonReply({{"bereikbaar", reachable}, {"melding", message}});
}

Result<ApiReply> AddPartner(Call& call) {
  auto body = JsonBody(call.request);
  if (!body) return std::unexpected(body.error());
  auto name = StringField(*body, "naam");
  auto address = StringField(*body, "adres");
  auto key = StringField(*body, "sleutel");
  auto role = StringField(*body, "rol");
  if (!name) return std::unexpected(name.error());
  if (!address) return std::unexpected(address.error());
  if (!key) return std::unexpected(key.error());
  config::PeerConfig peer;
  peer.name = *name;
  peer.address = *address;
  peer.key = *key;
  auto parsed_role = config::ParseRole(role ? *role : "");
  if (!parsed_role) {
    return Fail(ErrorCode::kInvalidArgument,
                "Kies de rol van de partner: leerplicht, swv of school.");
  }
  peer.role = *parsed_role;
  auto verifying = crypto::VerifyingKey::FromFingerprint(peer.key);
  if (!verifying) {
    return Fail(ErrorCode::kInvalidArgument,
                "Dit is geen geldige sleutel: verwacht 'ed25519:' en 64 tekens 0-9 of a-f, zoals "
                "de partner die op zijn scherm ziet.");
  }
  auto purposes = body->find("doelen");
  if (purposes == body->end() || !purposes->is_array() || purposes->empty()) {
    return Fail(ErrorCode::kInvalidArgument, "Kies minstens één doel uit het register.");
  }
  for (const auto& p : *purposes) {
    if (!p.is_string()) return Fail(ErrorCode::kInvalidArgument, "Een doel is geen tekst.");
    peer.policy.allowed_purposes.push_back(p.get<std::string>());
  }
  peer.policy.match_keys =
      config::DefaultMatchKeys(call.node.config.role, call.node.config.holds_pgn, peer.role);
  NodeDir dir(call.node.root, call.node.clock());
  auto added = dir.AddPeer(peer);
  if (!added) {
    INBEELD_RETURN_IF_ERROR(AuditAction(
        call.node, "inbeeld.peer.added", false,
        {{"inbeeld.peer", peer.name}, {"inbeeld.reason", "the configuration refused it"}}));
    // The config's own message says what is wrong (names, keys, purposes).
    return Fail(ErrorCode::kInvalidArgument, "Partner niet toegevoegd: " + added.error().message);
  }
  const std::string code = crypto::SafetyCode(verifying->bytes());
  std::string purpose_list;
  for (const auto& p : peer.policy.allowed_purposes) {
    purpose_list += (purpose_list.empty() ? "" : ", ") + p;
  }
  INBEELD_RETURN_IF_ERROR(
      AuditAction(call.node, "inbeeld.peer.added", true,
                  {{"inbeeld.peer", peer.name},
                   {"inbeeld.peer_key", peer.key},
                   {"inbeeld.peer_address", peer.address},
                   {"inbeeld.peer_role", std::string(config::RoleName(peer.role))},
                   {"inbeeld.peer_purposes", purpose_list}}));
  // The console's own view first (this request holds its lock), then the
  // serving process reloads the rest, as after SIGHUP.
  if (auto reloaded = dir.ReadConfig(); reloaded) call.node.config = std::move(*reloaded);
  const bool live = static_cast<bool>(call.peers_changed);
  if (live) call.peers_changed();
  return JsonReply({{"naam", peer.name},
                    {"veiligheidscode", code},
                    {"melding", live ? "De partner staat in inbeeld.toml en de node gebruikt hem "
                                       "meteen: u kunt met deze partner afstemmen."
                                     : "De partner staat in inbeeld.toml. Herstart de dienst "
                                       "(systemctl restart inbeeld) om met deze partner te kunnen "
                                       "afstemmen."}});
}

}  // namespace

std::vector<Route> PartnerRoutes() {
  return {
      {"GET", "/api/partners", kAnyone, Partners},
      {"GET", "/api/doelen", kAnyone, Activities},
      {"POST", "/api/partners", kAdminOnly, AddPartner},
      {"POST", "/api/partners/:/bereikbaarheid", kOperatorOnly | kAdminOnly, Reachability,
       /*needs_store=*/false},
  };
}

}  // namespace inbeeld::node::console
