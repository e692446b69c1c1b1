// RenderInitialConfig and RenderPeerBlock: TOML text written for people.
//
// Written by hand rather than through toml++'s formatter because the point of
// the template is its comments, which the formatter cannot emit. Every value
// passes through Quote, so any string renders as valid TOML.
#include <string>
#include <string_view>
#include <vector>

#include "config/node_config.h"

namespace inbeeld::config {
namespace {

constexpr std::string_view kDefaultListen = "127.0.0.1:8443";
constexpr std::string_view kActivityId = "thuiszitters-afstemming";

// A TOML basic string ("..."), escaping what TOML requires.
std::string Quote(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

// An array on one line, or one entry a line when that would be long.
std::string QuoteList(const std::vector<std::string>& items) {
  std::string one_line = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) one_line += ", ";
    one_line += Quote(items[i]);
  }
  one_line += "]";
  if (one_line.size() <= 60) return one_line;
  std::string out = "[\n";
  for (const std::string& item : items) out += "  " + Quote(item) + ",\n";
  return out + "]";
}

// The example activity differs by role in legal basis and recipients; the id is
// the same for all so that partners' allowed_purposes line up.
struct ExampleActivity {
  std::string_view legal_basis;
  std::vector<std::string> recipients;
  std::string_view example_peer_name;
  Role example_peer_role;
};

ExampleActivity ExampleFor(Role role) {
  switch (role) {
    case Role::kSwv:
      return {
          "AVG art. 6 lid 1 sub e; Wet op het primair onderwijs art. 18a en Wet op het "
          "voortgezet onderwijs 2020 (Wet passend onderwijs); Leerplichtwet 1969",
          {"leerplicht van de gemeenten in de regio"},
          "leerplicht-haarlem",
          Role::kLeerplicht};
    case Role::kSchool:
      return {
          "AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 21a (melding verzuim); "
          "Wet op het primair onderwijs / Wet op het voortgezet onderwijs 2020",
          {"leerplicht van de gemeente", "samenwerkingsverband passend onderwijs"},
          "leerplicht-haarlem",
          Role::kLeerplicht};
    case Role::kLeerplicht:
      break;
  }
  return {"AVG art. 6 lid 1 sub e; Leerplichtwet 1969 art. 16, 18, 25; Wet passend onderwijs",
          {"samenwerkingsverbanden passend onderwijs (PO en VO) in de regio",
           "leerplicht van andere gemeenten in de regio"},
          "swv-vo-zk",
          Role::kSwv};
}

std::string MatchKeyList(const std::vector<MatchKeyType>& types) {
  std::vector<std::string> names;
  for (const MatchKeyType type : types) names.emplace_back(MatchKeyTypeName(type));
  return QuoteList(names);
}

}  // namespace

std::string RenderInitialConfig(const InitialConfigSpec& spec) {
  const ExampleActivity example = ExampleFor(spec.role);
  const std::string listen =
      spec.listen_address.empty() ? std::string(kDefaultListen) : spec.listen_address;
  const bool holds_pgn = spec.holds_pgn.value_or(DefaultHoldsPgn(spec.role));
  std::vector<std::string> categories;
  if (holds_pgn) categories.emplace_back("BSN of onderwijsnummer (gepseudonimiseerd)");
  for (const char* category :
       {"naam, geboortedatum en geslacht (alleen als geblindeerde matchsleutel gedeeld)",
        "verzuimcategorie", "datum verzuim sinds", "school (BRIN-code)",
        "plan of aanbod aanwezig (ja/nee)"}) {
    categories.emplace_back(category);
  }

  std::string out;
  out += R"(# inbeeld — configuratie van dit knooppunt / configuration of this node
#
# Dit bestand is het verwerkingsregister (AVG art. 30) en het deelbeleid per
# partner van dit knooppunt. Laat wijzigingen meelezen door de functionaris
# gegevensbescherming (FG).
# This file is this node's register of processing activities and its sharing
# policy per peer. Have changes reviewed by the data protection officer (FG).
#
# Onbekende sleutels worden geweigerd: een tikfout stopt het knooppunt in plaats
# van stilletjes het beleid te veranderen.
# Unknown keys are refused: a typo stops the node instead of silently changing
# the policy. Format: TOML (https://toml.io).

[node]
# Naam van dit knooppunt, zoals partners hem zien. / Display name of this node.
name = )" +
         Quote(spec.node_name) + R"(
# Organisatie die dit knooppunt beheert. / Organisation running this node.
organisation = )" +
         Quote(spec.organisation) + R"(
# Rol: "leerplicht", "swv" (samenwerkingsverband) of "school".
# Role of this node: "leerplicht", "swv" or "school".
role = )" +
         Quote(RoleName(spec.role)) + R"(
# Mag dit knooppunt een BSN of onderwijsnummer (PGN) bewaren? Een
# samenwerkingsverband niet (UAVG art. 46; OSO): importeer dan lijsten zonder
# BSN-kolom, met naam en geboortedatum. Zonder deze regel: false voor "swv",
# anders true.
# May this node hold a BSN or onderwijsnummer (PGN)? An SWV may not (UAVG
# art. 46; OSO): import lists without a BSN column, with name and birth date.
# Without this line: false for "swv", true otherwise.
holds_pgn = )" +
         std::string(holds_pgn ? "true" : "false") + R"(
# Adres waarop peers dit knooppunt bereiken (host:poort, IPv6 als [::1]:8443).
# Address to listen on for peers (host:port, IPv6 as [::1]:8443).
listen = )" +
         Quote(listen) + R"(
# Map voor de versleutelde lijsten, uitkomsten en het auditlog (absoluut pad).
# Zonder deze regel geldt --data-dir.
# Directory for encrypted lists, results and the audit log (absolute path).
# Without this line, --data-dir applies.
# data_dir = "/var/lib/inbeeld"

[retention]
# Bewaartermijnen in dagen (1 tot 36500). / Retention periods in days (1 to 36500).
# Oude versies van de eigen lijst. / Superseded versions of this node's list.
list_versions_days = 365
# Uitkomsten van afstemmingen met peers. / Results of exchanges with peers.
results_days = 365
# Auditlog: verantwoording aan FG, Inspectie en ouders. / Audit log.
audit_days = 3650

# Periodieke afstemming door `inbeeld serve` (en `inbeeld sync`). Haal de
# commentaartekens weg om in te schakelen. / Periodic reconciliation by
# `inbeeld serve` (and `inbeeld sync`); uncomment to enable.
# [sync]
# purpose = "thuiszitters-afstemming"   # een [[activity]] id / an activity id
# every_days = 21                        # 0 = niet gepland / not scheduled
# purge_every_hours = 24                 # bewaartermijnen toepassen / apply retention

# Rapportage: de kwartaalregistratie thuiszitters voor de Inspectie
# (`inbeeld report quarterly`). onderwijstype: "po", "vo" of "po-vo"; bij
# "po-vo" (ook zonder deze regel) volgt het per kind uit de leeftijd op de
# peildatum (12 jaar of ouder: VO; als de geboortedatum dat niet uitwijst:
# onbekend).
# Reports: the quarterly registration of thuiszitters for the Inspectie.
# onderwijstype: the sector(s) this node serves; "po-vo" (also without this
# line) derives it per child from the age on the reference date.
)" +
         std::string(spec.role == Role::kSwv ? "[report]\nonderwijstype = \"po-vo\"\n"
                                             : "# [report]\n# onderwijstype = \"po-vo\"\n") +
         R"(
# De webconsole voor medewerkers en FG, geserveerd door `inbeeld serve`. Alleen
# op loopback (gewone HTTP); van elders via een SSH-tunnel. "" = geen console.
# The web console served by `inbeeld serve`; loopback only ("" = none).
[console]
listen = "127.0.0.1:8470"

# Verwerkingsactiviteiten (AVG art. 30). Elke afstemming noemt er een, via id;
# het auditlog legt dat vast. Gebruik bij alle partners dezelfde id voor hetzelfde
# doel. Laat de FG doel en grondslag bevestigen voor gebruik.
# Processing activities. Every exchange names one by id and the audit log records
# it; partners must use the same id for the same purpose. Have the FG confirm
# purpose and legal basis before use.
#
#   id              a-z, 0-9 en '-', hooguit 64 tekens / at most 64 characters
#   name            korte naam / short name
#   purpose         doel / purpose
#   legal_basis     grondslag / legal basis
#   controller      verwerkingsverantwoordelijke / controller
#   data_categories categorieën persoonsgegevens (minstens één) / data categories
#   recipients      ontvangers / recipients (may be empty)
#   retention_days  bewaartermijn in dagen / retention in days
[[activity]]
id = )" + Quote(kActivityId) +
         R"(
name = "Afstemming thuiszitterslijsten"
purpose = """\
  Nagaan welke thuiszitters ook bij partners in beeld zijn, zodat elk kind \
  dat thuiszit bij alle betrokken partners bekend is en binnen drie maanden \
  een passend aanbod krijgt (Thuiszitterspact)."""
legal_basis = )" +
         Quote(example.legal_basis) + R"(
controller = )" +
         Quote(spec.organisation) + R"(
data_categories = )" +
         QuoteList(categories) + R"(
recipients = )" +
         QuoteList(example.recipients) + R"(
retention_days = 365

# Peers: partners waarmee dit knooppunt afstemt. Voeg ze toe met
# `inbeeld peer add`, of haal het voorbeeld hieronder uit commentaar.
# Peers: partner nodes this node exchanges with. Add them with `inbeeld peer add`
# or uncomment the example below.
#
#   name                 a-z, 0-9 en '-', hooguit 64 tekens; uniek / unique
#   address              host:poort van de peer / the peer's host:port
#   key                  publieke sleutel van de peer: "ed25519:" + 64 hex;
#                        controleer hem via een tweede kanaal (telefoon) / the
#                        peer's public key; verify it over a second channel
#   role                 "leerplicht", "swv" of "school"
#   allowed_purposes     ids van [[activity]] die deze peer mag gebruiken; leeg =
#                        niets / activity ids allowed with this peer; empty = none
#   shared_labels        velden die bij een match gedeeld worden: "category",
#                        "since", "school", "plan" / label fields shared on a match
#   max_list_size        max. records per sessie / max records per session
#   min_list_size        min. records in de lijst van de peer, zodat een lijst
#                        van een enkel kind niet kan vragen "staat dit kind bij
#                        jullie?" / min records in the peer's list (anti-probing)
#   max_sessions_per_day max. sessies per dag / max sessions per day
#   count_only           true: alleen de omvang van de overlap / overlap size only
#                        (shared_labels moet dan leeg zijn / must then be empty)
#   match_keys           sleutels om kinderen te matchen: "pgn" (BSN of
#                        onderwijsnummer: zeker), "name" (naam en geboortedatum:
#                        waarschijnlijk), "weak" (zwakkere sleutels: mogelijk, ter
#                        bevestiging); nooit "pgn" met of als swv (UAVG art. 46).
#                        Zonder deze regel: alle drie, zonder "pgn" waar dat niet mag.
#                        / key types to match children on; never "pgn" with or as
#                        an SWV. Without this line: all three, minus "pgn" where
#                        it is not allowed.
#
# [[peer]]
# name = )" +
         Quote(example.example_peer_name) + R"(
# address = "127.0.0.1:8444"
# key = "ed25519:VUL-HIER-DE-SLEUTEL-VAN-DE-PEER-IN"
# role = )" +
         Quote(RoleName(example.example_peer_role)) + R"(
# allowed_purposes = [)" +
         Quote(kActivityId) + R"(]
# shared_labels = ["category", "since", "school", "plan"]
# max_list_size = 50000
# min_list_size = 5
# max_sessions_per_day = 10
# count_only = false
# match_keys = )" +
         MatchKeyList(DefaultMatchKeys(spec.role, holds_pgn, example.example_peer_role)) + R"(
)";
  return out;
}

std::string RenderPeerBlock(const PeerConfig& peer) {
  std::vector<std::string> labels;
  for (const LabelField label : peer.policy.shared_labels) {
    labels.emplace_back(LabelFieldName(label));
  }
  std::string out = "\n[[peer]]\n";
  out += "name = " + Quote(peer.name) + "\n";
  out += "address = " + Quote(peer.address) + "\n";
  out += "key = " + Quote(peer.key) + "\n";
  out += "role = " + Quote(RoleName(peer.role)) + "\n";
  out += "allowed_purposes = " + QuoteList(peer.policy.allowed_purposes) + "\n";
  out += "shared_labels = " + QuoteList(labels) + "\n";
  out += "max_list_size = " + std::to_string(peer.policy.max_list_size) + "\n";
  out += "min_list_size = " + std::to_string(peer.policy.min_list_size) + "\n";
  out += "max_sessions_per_day = " + std::to_string(peer.policy.max_sessions_per_day) + "\n";
  out += "count_only = " + std::string(peer.policy.count_only ? "true" : "false") + "\n";
  if (!peer.policy.match_keys.empty()) {
    out += "match_keys = " + MatchKeyList(peer.policy.match_keys) + "\n";
  }
  return out;
}

}  // namespace inbeeld::config
