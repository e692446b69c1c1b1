// config/node_config.h — the node's configuration: parse, validate, one struct out.
//
// An inbeeld node reads one TOML file (by convention `inbeeld.toml`). It is both
// the node's register of processing activities (AVG art. 30) and its sharing
// policy per peer, so parsing is strict: every key is checked for type and range,
// and an unknown key is an error. A misspelt `alowed_purposes` must fail loudly,
// not silently allow nothing or everything.
//
// Layout (RenderInitialConfig writes a commented version of this):
//
//   [node]                       required
//   name = "Leerplicht Haarlem"  required, display name, 1..200 characters
//   organisation = "Gemeente Haarlem"   required, 1..200 characters
//   role = "leerplicht"          required: "leerplicht", "swv" or "school"
//   holds_pgn = true             optional; whether this node may hold a BSN or
//                                onderwijsnummer (PGN). Default: false for "swv"
//                                (UAVG art. 46; OSO), true otherwise
//   listen = "127.0.0.1:8443"    optional (this default); host:port, port 1..65535
//   data_dir = "/var/lib/inbeeld"  optional, absolute; absent: the caller's --data-dir
//
//   [retention]                  optional, as are its keys; days, 1..36500
//   list_versions_days = 365
//   results_days = 365
//   audit_days = 3650
//
//   [sync]                       optional, as are its keys (region sync, `inbeeld sync`)
//   purpose = "thuiszitters-afstemming"  an [[activity]] id; absent: no sync runs
//   every_days = 21              0..365; 0 (the default): `serve` does not schedule it
//   purge_every_hours = 24       1..8760; how often `serve` applies [retention]
//
//   [report]                     optional, as is its key (node/report/quarterly.h)
//   onderwijstype = "po-vo"      "po", "vo" or "po-vo" (the default): the sector the
//                                quarterly Inspectie registration gives every
//                                child; "po-vo" derives it per child from the
//                                age on the reference date (12 or older: VO)
//
//   [[activity]]                 zero or more processing activities
//   id = "thuiszitters-afstemming"   required, [a-z0-9-]{1,64}, unique; the purpose
//                                    id named on the wire, so partners must agree on it
//   name, purpose, legal_basis, controller   required, non-empty text
//   data_categories = ["..."]    required, at least one entry
//   recipients = ["..."]         required, may be empty
//   retention_days = 365         required, 1..36500
//
//   [[peer]]                     zero or more peers
//   name = "swv-vo-zk"           required, [a-z0-9-]{1,64}, unique
//   address = "127.0.0.1:8444"   required, host:port (IPv6 in brackets)
//   key = "ed25519:<64 lowercase hex>"   required, unique; checked by shape only
//   role = "swv"                 required
//   allowed_purposes = ["thuiszitters-afstemming"]  required, may be empty; each
//                                an [[activity]] id of this file, no repeats
//   shared_labels = ["category", "since", "school", "plan"]  required, may be
//                                empty, no repeats; must be empty if count_only
//   max_list_size = 50000        optional (this default), 1..10,000,000
//   min_list_size = 5            optional (this default), 1..max_list_size: a
//                                smaller list from the peer is refused, so a
//                                list of one child cannot ask "is this child
//                                on your list?" (SECURITY.md, "Probing")
//   max_sessions_per_day = 10    optional (this default), 1..10,000
//   count_only = false           optional (this default)
//   match_keys = ["pgn", "name", "weak"]  optional, no repeats, at least one;
//                                the key types this node matches on with the peer
//                                (schema/match_keys.h). Default: all three, minus
//                                "pgn" when the peer or this node is an "swv" or
//                                this node does not hold PGNs. "pgn" is refused in
//                                exactly those cases.
//
// Errors: every ParseConfig/LoadConfig error has code kInvalidArgument (kNotFound
// or kDataLoss for a file that cannot be read) and a message of the form
//   inbeeld.toml:14: peer "swv-vo-zk": key: expected "ed25519:" followed by 64 hex characters
//   inbeeld.toml:3:9: TOML syntax error: <the parser's description>
// that is: file, line (and column for syntax errors), the key path, what was wrong.
// Only a missing [node] table has no line to point at.
// Messages name keys, peer names and activity ids but never echo other values.
//
// Thread safety: all functions are pure (LoadConfig reads one file); the structs
// are plain values, safe to share read-only between threads.
#ifndef INBEELD_CONFIG_NODE_CONFIG_H_
#define INBEELD_CONFIG_NODE_CONFIG_H_

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace inbeeld::config {

// The kind of partner a node belongs to.
enum class Role { kLeerplicht, kSwv, kSchool };

// "leerplicht", "swv", "school".
std::string_view RoleName(Role role);
// Inverse of RoleName; exact, lower case. kInvalidArgument otherwise.
Result<Role> ParseRole(std::string_view name);

// The label fields of a list row that may be exchanged for matched records.
enum class LabelField { kCategory, kSince, kSchool, kPlan };

// "category", "since", "school", "plan".
std::string_view LabelFieldName(LabelField field);
// Inverse of LabelFieldName; exact. kInvalidArgument otherwise.
Result<LabelField> ParseLabelField(std::string_view name);

// The kinds of match key that may be used with a peer (schema/match_keys.h
// gives each its slots): the PGN (a match is certain), the full name with the
// full birth date (probable), and the weaker name keys (possible).
enum class MatchKeyType { kPgn, kName, kWeak };

// "pgn", "name", "weak".
std::string_view MatchKeyTypeName(MatchKeyType type);
// Inverse of MatchKeyTypeName; exact. kInvalidArgument otherwise.
Result<MatchKeyType> ParseMatchKeyType(std::string_view name);

// Whether a node of `role` holds PGNs when its configuration does not say:
// false for an SWV, which may not use a PGN in an exchange (UAVG art. 46; the
// OSO standard carries none), true otherwise.
bool DefaultHoldsPgn(Role role);

// Why "pgn" may not be a match key between a node of `node_role` (holding PGNs
// or not) and a peer of `peer_role`; nullopt when it may. The reason is a
// sentence for a configuration error.
std::optional<std::string_view> PgnKeyRefusal(Role node_role, bool holds_pgn, Role peer_role);

// The match keys used with a peer whose configuration does not list them:
// pgn (unless PgnKeyRefusal), name, weak.
std::vector<MatchKeyType> DefaultMatchKeys(Role node_role, bool holds_pgn, Role peer_role);

// One entry of the register of processing activities. Every exchange names one
// by `id`; the audit log records it.
struct ProcessingActivity {
  std::string id;  // [a-z0-9-]{1,64}
  std::string name;
  std::string purpose;
  std::string legal_basis;
  std::string controller;
  std::vector<std::string> data_categories;  // at least one
  std::vector<std::string> recipients;
  int retention_days = 365;

  bool operator==(const ProcessingActivity&) const = default;
};

// What this node allows with one peer. Enforced by node/, not here.
struct PeerPolicy {
  // Activity ids under which exchanges with this peer are allowed; each is an
  // id of NodeConfig::activities. Empty: the peer is configured but may do nothing.
  std::vector<std::string> allowed_purposes;
  // Label fields that may be exchanged with this peer for records both sides hold.
  std::vector<LabelField> shared_labels;
  size_t max_list_size = 50000;   // records per session, 1..10,000,000
  size_t min_list_size = 5;       // the peer's list, at least; 1..max_list_size
  int max_sessions_per_day = 10;  // 1..10,000
  bool count_only = false;        // the peer may only run count mode
  // Key types this node matches on with the peer, in the order configured; never
  // empty after ParseConfig (which fills in DefaultMatchKeys), never "pgn" where
  // PgnKeyRefusal applies.
  std::vector<MatchKeyType> match_keys = {};

  bool operator==(const PeerPolicy&) const = default;
};

struct PeerConfig {
  std::string name;     // [a-z0-9-]{1,64}, unique within the file
  std::string address;  // host:port, see ValidateAddress
  std::string key;      // "ed25519:" + 64 lowercase hex; shape checked, not the point
  Role role = Role::kLeerplicht;
  PeerPolicy policy;

  bool operator==(const PeerConfig&) const = default;
};

// Retention periods in days, each 1..36500.
struct RetentionConfig {
  int list_versions_days = 365;
  int results_days = 365;
  int audit_days = 3650;

  bool operator==(const RetentionConfig&) const = default;
};

// Region sync (node/region/): which purpose `inbeeld sync` uses with every
// peer that allows it, and how often `serve` runs it and the retention purge.
struct SyncConfig {
  std::string purpose;         // an activity id, or empty: sync is not configured
  int every_days = 0;          // 0..365; 0 = not scheduled by `serve`
  int purge_every_hours = 24;  // 1..8760

  bool operator==(const SyncConfig&) const = default;
};

// [console]: the web console `inbeeld serve` offers its people
// (docs/CONSOLE.md). Plain HTTP, so loopback only.
struct ConsoleConfig {
  std::string listen = "127.0.0.1:8470";  // "" = no console

  bool operator==(const ConsoleConfig&) const = default;
};

// The school sector(s) an SWV serves, for the quarterly registration: primary
// (PO), secondary (VO), or both, in which case a child's sector follows from
// its age (node/report/quarterly.h).
enum class Onderwijstype { kPo, kVo, kPoVo };

// "po", "vo", "po-vo".
std::string_view OnderwijstypeName(Onderwijstype type);
// Inverse of OnderwijstypeName; exact, lower case. kInvalidArgument otherwise.
Result<Onderwijstype> ParseOnderwijstype(std::string_view name);

// Reports (node/report/).
struct ReportConfig {
  Onderwijstype onderwijstype = Onderwijstype::kPoVo;

  bool operator==(const ReportConfig&) const = default;
};

struct NodeConfig {
  std::string node_name;
  std::string organisation;
  Role role = Role::kLeerplicht;
  bool holds_pgn = true;  // may hold a BSN or onderwijsnummer; see DefaultHoldsPgn
  std::string data_dir;   // absolute, or empty: then the caller's --data-dir is used
  std::string listen_address = "127.0.0.1:8443";
  std::vector<ProcessingActivity> activities;  // ids unique
  std::vector<PeerConfig> peers;               // names unique, keys unique
  RetentionConfig retention;
  SyncConfig sync;
  ConsoleConfig console;
  ReportConfig report;

  // nullptr when absent. Pointers are valid while this NodeConfig is unchanged.
  const ProcessingActivity* FindActivity(std::string_view id) const;
  const PeerConfig* FindPeer(std::string_view name) const;
  // `key` in the configured form "ed25519:<64 lowercase hex>"; exact match.
  const PeerConfig* FindPeerByKey(std::string_view key) const;

  bool operator==(const NodeConfig&) const = default;
};

// Parses and validates a configuration. `file_name` is used only in messages.
// On failure: kInvalidArgument, message as described at the top of this file.
// Input larger than 1 MiB is refused.
Result<NodeConfig> ParseConfig(std::string_view toml_text, std::string_view file_name);

// Reads `path` and calls ParseConfig with the path as given, so messages say
// where the file is. kNotFound if it does not exist, kDataLoss if it cannot be
// read, kInvalidArgument if it is not a regular file, is too large, or is invalid.
Result<NodeConfig> LoadConfig(const std::filesystem::path& path);

// What `inbeeld init` knows when it writes the first configuration.
struct InitialConfigSpec {
  std::string node_name;
  std::string organisation;
  Role role = Role::kLeerplicht;
  std::string listen_address;                    // empty: "127.0.0.1:8443"
  std::optional<bool> holds_pgn = std::nullopt;  // nullopt: DefaultHoldsPgn(role)
};

// A complete, commented (Dutch and English) TOML file: [node] from `spec` (with
// holds_pgn written out, so the PGN policy is visible to whoever reviews it), the
// default [retention], one example processing activity suited to the role (id
// "thuiszitters-afstemming" for every role, so partners agree on the purpose id)
// and a commented-out example [[peer]] with the default match_keys for it. The
// spec is not validated here: invalid fields render a file that ParseConfig
// rejects with a pointed message.
std::string RenderInitialConfig(const InitialConfigSpec& spec);

// One [[peer]] table, starting with a blank line, to append to a configuration
// file for `inbeeld peer add`. Empty match_keys are left out (the parser then
// takes DefaultMatchKeys). The peer is not validated here: append, then
// ParseConfig the whole text before writing it, which checks names, purposes and
// duplicates against the rest of the file.
std::string RenderPeerBlock(const PeerConfig& peer);

// "host:port": a DNS name, a dotted IPv4 address or a bracketed IPv6 address,
// then ':' and a decimal port 1..65535. kInvalidArgument, without echoing the input.
Status ValidateAddress(std::string_view host_port);

// The same check, keeping the parts: the host without IPv6 brackets and the
// port. Port 0 ("any free port") only where `allow_any_port`, i.e. to listen.
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> ParseAddress(std::string_view host_port, bool allow_any_port = false);
// 127.0.0.0/8 (dotted), ::1 or "localhost": the hosts the console may bind.
bool IsLoopbackHost(std::string_view host);

// Peer names and activity ids: 1..64 characters of a-z, 0-9 and '-'.
Status ValidateName(std::string_view name);

// "ed25519:" followed by 64 lowercase hex characters. Shape only.
Status ValidatePeerKey(std::string_view key);

}  // namespace inbeeld::config

#endif  // INBEELD_CONFIG_NODE_CONFIG_H_
