// ParseConfig: TOML text -> validated NodeConfig.
//
// toml++ (Debian's libtomlplusplus 3.3.0) does the TOML; this file checks the
// shape. Debian ships only the exception-enabled build of the library
// (TOML_EXCEPTIONS=0 leaves toml::noex::parse unresolved at link time), so the
// parser's exceptions are caught in ParseToml and nowhere else.
#include <toml++/toml.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "config/node_config.h"
#include "config/toml_reader.h"

namespace inbeeld::config {
namespace {

using internal::LocatedError;
using internal::Printable;
using internal::TableReader;
using internal::TextKind;
using internal::TypeName;

constexpr size_t kMaxConfigBytes = 1 << 20;
constexpr size_t kMaxDescriptionChars = 200;
constexpr size_t kMaxActivities = 100;
constexpr size_t kMaxPeers = 1000;
constexpr int64_t kMaxRetentionDays = 36500;  // a hundred years

// The parser's description may quote a fragment of the input; keep it short and
// on one line.
std::string Sanitize(std::string_view description) {
  std::string out;
  for (const char c : description.substr(0, kMaxDescriptionChars)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
  if (description.size() > kMaxDescriptionChars) out += "...";
  return out;
}

Result<toml::table> ParseToml(std::string_view text, std::string_view file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    return Fail(ErrorCode::kInvalidArgument,
                std::string(file) + ":" + std::to_string(at.line) + ":" +
                    std::to_string(at.column) +
                    ": TOML syntax error: " + Sanitize(e.description()));
  } catch (const std::exception&) {
    return Fail(ErrorCode::kInternal, std::string(file) + ": the TOML parser failed");
  }
}

// Turns a bare Error from a validator ("must be ...") into one located at `key`.
std::unexpected<Error> At(const TableReader& reader, std::string_view key, const Error& error) {
  return std::unexpected(reader.ErrorAt(key, error.message));
}

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  Result<NodeConfig> Run(const toml::table& root) {
    NodeConfig config;
    const TableReader reader(root, file_, "");
    INBEELD_RETURN_IF_ERROR(
        reader.CheckKeys({"node", "retention", "sync", "report", "activity", "peer", "console"}));
    INBEELD_RETURN_IF_ERROR(ReadNode(root, config));
    INBEELD_RETURN_IF_ERROR(ReadRetention(root, config.retention));
    INBEELD_RETURN_IF_ERROR(ReadActivities(root, config));
    INBEELD_RETURN_IF_ERROR(ReadPeers(root, config));
    INBEELD_RETURN_IF_ERROR(ReadSync(root, config));
    INBEELD_RETURN_IF_ERROR(ReadConsole(root, config));
    INBEELD_RETURN_IF_ERROR(ReadReport(root, config.report));
    return config;
  }

 private:
  // root[name] as a table; nullptr if absent and optional.
  Result<const toml::table*> Section(const toml::table& root, std::string_view name,
                                     bool required) {
    const toml::node* node = root.get(name);
    if (node == nullptr) {
      if (!required) return nullptr;
      return std::unexpected(LocatedError(
          file_, 0, std::string(name) + ": required table [" + std::string(name) + "] is missing"));
    }
    if (const toml::table* table = node->as_table()) return table;
    return std::unexpected(LocatedError(file_, node->source().begin.line,
                                        std::string(name) + ": expected a table [" +
                                            std::string(name) + "], found " +
                                            std::string(TypeName(*node))));
  }

  // root[name] as an array of tables ([[name]]); empty if absent.
  Result<std::vector<const toml::table*>> TableArray(const toml::table& root, std::string_view name,
                                                     size_t max) {
    std::vector<const toml::table*> out;
    const toml::node* node = root.get(name);
    if (node == nullptr) return out;
    const std::string header = "[[" + std::string(name) + "]]";
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      const std::string found =
          node->is_table() ? "[" + std::string(name) + "]" : std::string(TypeName(*node));
      return std::unexpected(
          LocatedError(file_, node->source().begin.line,
                       std::string(name) + ": expected " + header + " tables, found " + found));
    }
    if (array->size() > max) {
      return std::unexpected(LocatedError(
          file_, node->source().begin.line,
          std::string(name) + ": at most " + std::to_string(max) + " " + header + " tables"));
    }
    for (const toml::node& entry : *array) {
      const toml::table* table = entry.as_table();
      if (table == nullptr) {
        return std::unexpected(LocatedError(file_, entry.source().begin.line,
                                            std::string(name) + ": expected " + header +
                                                " tables, found " + std::string(TypeName(entry))));
      }
      out.push_back(table);
    }
    return out;
  }

  Status ReadNode(const toml::table& root, NodeConfig& config) {
    auto section = Section(root, "node", /*required=*/true);
    if (!section) return std::unexpected(std::move(section).error());
    const TableReader r(**section, file_, "node.");
    INBEELD_RETURN_IF_ERROR(
        r.CheckKeys({"name", "organisation", "role", "holds_pgn", "listen", "data_dir"}));

    auto name = r.String("name", TextKind::kLine);
    if (!name) return std::unexpected(std::move(name).error());
    config.node_name = std::move(*name);

    auto organisation = r.String("organisation", TextKind::kLine);
    if (!organisation) return std::unexpected(std::move(organisation).error());
    config.organisation = std::move(*organisation);

    auto role = ReadRole(r);
    if (!role) return std::unexpected(std::move(role).error());
    config.role = *role;

    auto holds_pgn = r.Bool("holds_pgn", DefaultHoldsPgn(config.role));
    if (!holds_pgn) return std::unexpected(std::move(holds_pgn).error());
    config.holds_pgn = *holds_pgn;

    auto listen = r.OptionalString("listen", TextKind::kLine);
    if (!listen) return std::unexpected(std::move(listen).error());
    if (*listen) {
      if (auto valid = ValidateAddress(**listen); !valid) return At(r, "listen", valid.error());
      config.listen_address = std::move(**listen);
    }

    auto data_dir = r.OptionalString("data_dir", TextKind::kLine);
    if (!data_dir) return std::unexpected(std::move(data_dir).error());
    if (*data_dir) {
      // A relative path would depend on the service's working directory.
      if ((*data_dir)->front() != '/') {
        return std::unexpected(
            r.ErrorAt("data_dir", "must be an absolute path (or leave it out to use --data-dir)"));
      }
      config.data_dir = std::move(**data_dir);
    }
    return {};
  }

  Result<Role> ReadRole(const TableReader& r) {
    auto text = r.String("role", TextKind::kLine);
    if (!text) return std::unexpected(std::move(text).error());
    auto role = ParseRole(*text);
    if (!role) return At(r, "role", role.error());
    return *role;
  }

  Result<int> Days(const TableReader& r, std::string_view key, std::optional<int> fallback) {
    auto days = r.Integer(key, 1, kMaxRetentionDays,
                          fallback ? std::optional<int64_t>(*fallback) : std::nullopt);
    if (!days) return std::unexpected(std::move(days).error());
    return static_cast<int>(*days);
  }

  Status ReadRetention(const toml::table& root, RetentionConfig& retention) {
    auto section = Section(root, "retention", /*required=*/false);
    if (!section) return std::unexpected(std::move(section).error());
    if (*section == nullptr) return {};
    const TableReader r(**section, file_, "retention.");
    INBEELD_RETURN_IF_ERROR(r.CheckKeys({"list_versions_days", "results_days", "audit_days"}));
    for (auto [key, field] : {std::pair{"list_versions_days", &retention.list_versions_days},
                              std::pair{"results_days", &retention.results_days},
                              std::pair{"audit_days", &retention.audit_days}}) {
      auto days = Days(r, key, *field);
      if (!days) return std::unexpected(std::move(days).error());
      *field = *days;
    }
    return {};
  }

  // After the activities: the purpose must name one of them.
  Status ReadSync(const toml::table& root, NodeConfig& config) {
    auto section = Section(root, "sync", /*required=*/false);
    if (!section) return std::unexpected(std::move(section).error());
    if (*section == nullptr) return {};
    const TableReader r(**section, file_, "sync.");
    INBEELD_RETURN_IF_ERROR(r.CheckKeys({"purpose", "every_days", "purge_every_hours"}));
    auto purpose = r.OptionalString("purpose", TextKind::kLine);
    if (!purpose) return std::unexpected(std::move(purpose).error());
    if (*purpose) {
      if (config.FindActivity(**purpose) == nullptr) {
        return std::unexpected(
            r.ErrorAt("purpose", "must be the id of an [[activity]] in this file"));
      }
      config.sync.purpose = std::move(**purpose);
    }
    auto every = r.Integer("every_days", 0, 365, int64_t{0});
    if (!every) return std::unexpected(std::move(every).error());
    config.sync.every_days = static_cast<int>(*every);
    if (config.sync.every_days > 0 && config.sync.purpose.empty()) {
      return std::unexpected(r.ErrorAt("every_days", "needs sync.purpose to be set"));
    }
    auto purge = r.Integer("purge_every_hours", 1, 8760, int64_t{24});
    if (!purge) return std::unexpected(std::move(purge).error());
    config.sync.purge_every_hours = static_cast<int>(*purge);
    return {};
  }

  Status ReadConsole(const toml::table& root, NodeConfig& config) {
    auto section = Section(root, "console", /*required=*/false);
    if (!section) return std::unexpected(std::move(section).error());
    if (*section == nullptr) return {};
    const TableReader r(**section, file_, "console.");
    INBEELD_RETURN_IF_ERROR(r.CheckKeys({"listen"}));
    auto listen = r.OptionalString("listen", TextKind::kLine);
    if (!listen) return std::unexpected(std::move(listen).error());
    if (!*listen) return {};
    if (!(*listen)->empty()) {
      auto address = ParseAddress(**listen, /*allow_any_port=*/true);
      if (!address) return std::unexpected(r.ErrorAt("listen", address.error().message));
      if (!IsLoopbackHost(address->host)) {
        return std::unexpected(
            r.ErrorAt("listen",
                      "must be a loopback address (127.0.0.1 or ::1): the console speaks plain "
                      "HTTP; reach it from elsewhere through an SSH tunnel"));
      }
    }
    config.console.listen = std::move(**listen);
    return {};
  }

  Status ReadReport(const toml::table& root, ReportConfig& report) {
    auto section = Section(root, "report", /*required=*/false);
    if (!section) return std::unexpected(std::move(section).error());
    if (*section == nullptr) return {};
    const TableReader r(**section, file_, "report.");
    INBEELD_RETURN_IF_ERROR(r.CheckKeys({"onderwijstype"}));
    auto type = r.OptionalString("onderwijstype", TextKind::kLine);
    if (!type) return std::unexpected(std::move(type).error());
    if (*type) {
      auto parsed = ParseOnderwijstype(**type);
      if (!parsed) return At(r, "onderwijstype", parsed.error());
      report.onderwijstype = *parsed;
    }
    return {};
  }

  // Messages about a peer or activity name it ("peer \"swv-vo-zk\": ") once its
  // name is known to be well-formed, and by position ("peer #2: ") until then.
  static void NameTable(TableReader& r, std::string_view key, std::string_view kind) {
    const std::optional<std::string_view> name = r.Peek(key);
    if (name && ValidateName(*name)) {
      r.set_path(std::string(kind) + " \"" + std::string(*name) + "\": ");
    }
  }

  // Reads `key` as a name ([a-z0-9-]{1,64}) and re-labels the reader with it.
  Result<std::string> ReadName(TableReader& r, std::string_view key, std::string_view kind) {
    auto name = r.String(key, TextKind::kLine);
    if (!name) return std::unexpected(std::move(name).error());
    if (auto valid = ValidateName(*name); !valid) return At(r, key, valid.error());
    r.set_path(std::string(kind) + " \"" + *name + "\": ");
    return std::move(*name);
  }

  Status ReadActivities(const toml::table& root, NodeConfig& config) {
    auto tables = TableArray(root, "activity", kMaxActivities);
    if (!tables) return std::unexpected(std::move(tables).error());
    for (size_t i = 0; i < tables->size(); ++i) {
      TableReader r(*(*tables)[i], file_, "activity #" + std::to_string(i + 1) + ": ");
      NameTable(r, "id", "activity");
      INBEELD_RETURN_IF_ERROR(r.CheckKeys({"id", "name", "purpose", "legal_basis", "controller",
                                           "data_categories", "recipients", "retention_days"}));
      ProcessingActivity activity;
      auto id = ReadName(r, "id", "activity");
      if (!id) return std::unexpected(std::move(id).error());
      activity.id = std::move(*id);
      if (const ProcessingActivity* earlier = config.FindActivity(activity.id)) {
        const size_t index = static_cast<size_t>(earlier - config.activities.data());
        return std::unexpected(
            r.ErrorAt("id", "duplicate activity id; first used on line " +
                                std::to_string((*tables)[index]->source().begin.line)));
      }

      for (auto [key, field, kind] :
           {std::tuple{"name", &activity.name, TextKind::kLine},
            std::tuple{"purpose", &activity.purpose, TextKind::kParagraph},
            std::tuple{"legal_basis", &activity.legal_basis, TextKind::kParagraph},
            std::tuple{"controller", &activity.controller, TextKind::kLine}}) {
        auto text = r.String(key, kind);
        if (!text) return std::unexpected(std::move(text).error());
        *field = std::move(*text);
      }
      auto categories = r.StringArray("data_categories", TextKind::kLine, /*allow_empty=*/false);
      if (!categories) return std::unexpected(std::move(categories).error());
      activity.data_categories = std::move(*categories);
      auto recipients = r.StringArray("recipients", TextKind::kLine, /*allow_empty=*/true);
      if (!recipients) return std::unexpected(std::move(recipients).error());
      activity.recipients = std::move(*recipients);
      auto days = Days(r, "retention_days", std::nullopt);
      if (!days) return std::unexpected(std::move(days).error());
      activity.retention_days = *days;

      config.activities.push_back(std::move(activity));
    }
    return {};
  }

  Status ReadPeers(const toml::table& root, NodeConfig& config) {
    auto tables = TableArray(root, "peer", kMaxPeers);
    if (!tables) return std::unexpected(std::move(tables).error());
    for (size_t i = 0; i < tables->size(); ++i) {
      TableReader r(*(*tables)[i], file_, "peer #" + std::to_string(i + 1) + ": ");
      NameTable(r, "name", "peer");
      INBEELD_RETURN_IF_ERROR(r.CheckKeys({"name", "address", "key", "role", "allowed_purposes",
                                           "shared_labels", "max_list_size", "min_list_size",
                                           "max_sessions_per_day", "count_only", "match_keys"}));
      auto peer = ReadPeer(r, config);
      if (!peer) return std::unexpected(std::move(peer).error());

      // Duplicates point back at the first peer's table.
      auto line_of = [&](const PeerConfig* earlier) {
        const size_t index = static_cast<size_t>(earlier - config.peers.data());
        return std::to_string((*tables)[index]->source().begin.line);
      };
      if (const PeerConfig* earlier = config.FindPeer(peer->name)) {
        return std::unexpected(
            r.ErrorAt("name", "duplicate peer name; first used on line " + line_of(earlier)));
      }
      if (const PeerConfig* earlier = config.FindPeerByKey(peer->key)) {
        return std::unexpected(r.ErrorAt(
            "key", "same key as peer \"" + earlier->name + "\" on line " + line_of(earlier)));
      }
      config.peers.push_back(std::move(*peer));
    }
    return {};
  }

  Result<PeerConfig> ReadPeer(TableReader& r, const NodeConfig& config) {
    PeerConfig peer;
    auto name = ReadName(r, "name", "peer");
    if (!name) return std::unexpected(std::move(name).error());
    peer.name = std::move(*name);

    auto address = r.String("address", TextKind::kLine);
    if (!address) return std::unexpected(std::move(address).error());
    if (auto valid = ValidateAddress(*address); !valid) return At(r, "address", valid.error());
    peer.address = std::move(*address);

    auto key = r.String("key", TextKind::kLine);
    if (!key) return std::unexpected(std::move(key).error());
    if (auto valid = ValidatePeerKey(*key); !valid) return At(r, "key", valid.error());
    peer.key = std::move(*key);

    auto role = ReadRole(r);
    if (!role) return std::unexpected(std::move(role).error());
    peer.role = *role;

    auto purposes = r.StringArray("allowed_purposes", TextKind::kLine, /*allow_empty=*/true);
    if (!purposes) return std::unexpected(std::move(purposes).error());
    for (size_t i = 0; i < purposes->size(); ++i) {
      const std::string& purpose = (*purposes)[i];
      if (config.FindActivity(purpose) == nullptr) {
        return std::unexpected(r.ErrorAtEntry("allowed_purposes", i,
                                              r.EntryLine("allowed_purposes", i),
                                              "no [[activity]] has id " + Printable(purpose)));
      }
    }
    peer.policy.allowed_purposes = std::move(*purposes);

    auto labels = r.StringArray("shared_labels", TextKind::kLine, /*allow_empty=*/true);
    if (!labels) return std::unexpected(std::move(labels).error());
    for (size_t i = 0; i < labels->size(); ++i) {
      auto label = ParseLabelField((*labels)[i]);
      if (!label) {
        return std::unexpected(r.ErrorAtEntry("shared_labels", i, r.EntryLine("shared_labels", i),
                                              label.error().message));
      }
      peer.policy.shared_labels.push_back(*label);
    }

    auto list_size = r.Integer("max_list_size", 1, 10'000'000, 50'000);
    if (!list_size) return std::unexpected(std::move(list_size).error());
    peer.policy.max_list_size = static_cast<size_t>(*list_size);
    auto min_size = r.Integer("min_list_size", 1, *list_size, std::min<int64_t>(5, *list_size));
    if (!min_size) return std::unexpected(std::move(min_size).error());
    peer.policy.min_list_size = static_cast<size_t>(*min_size);

    auto sessions = r.Integer("max_sessions_per_day", 1, 10'000, 10);
    if (!sessions) return std::unexpected(std::move(sessions).error());
    peer.policy.max_sessions_per_day = static_cast<int>(*sessions);

    auto count_only = r.Bool("count_only", false);
    if (!count_only) return std::unexpected(std::move(count_only).error());
    peer.policy.count_only = *count_only;
    // Count mode reveals no labels; listing some would suggest otherwise to
    // whoever reviews this policy.
    if (peer.policy.count_only && !peer.policy.shared_labels.empty()) {
      return std::unexpected(r.ErrorAt("shared_labels", "must be empty when count_only = true"));
    }

    // After role: whether "pgn" is allowed depends on both nodes' roles.
    const std::optional<std::string_view> pgn_refused =
        PgnKeyRefusal(config.role, config.holds_pgn, peer.role);
    if (!r.Has("match_keys")) {
      peer.policy.match_keys = DefaultMatchKeys(config.role, config.holds_pgn, peer.role);
      return peer;
    }
    auto keys = r.StringArray("match_keys", TextKind::kLine, /*allow_empty=*/false);
    if (!keys) return std::unexpected(std::move(keys).error());
    for (size_t i = 0; i < keys->size(); ++i) {
      auto type = ParseMatchKeyType((*keys)[i]);
      if (!type) {
        return std::unexpected(
            r.ErrorAtEntry("match_keys", i, r.EntryLine("match_keys", i), type.error().message));
      }
      if (*type == MatchKeyType::kPgn && pgn_refused) {
        return std::unexpected(r.ErrorAtEntry("match_keys", i, r.EntryLine("match_keys", i),
                                              "\"pgn\": " + std::string(*pgn_refused)));
      }
      peer.policy.match_keys.push_back(*type);
    }
    return peer;
  }

  std::string_view file_;
};

}  // namespace

Result<NodeConfig> ParseConfig(std::string_view toml_text, std::string_view file_name) {
  if (toml_text.size() > kMaxConfigBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(file_name) + ": configuration is larger than 1 MiB");
  }
  auto root = ParseToml(toml_text, file_name);
  if (!root) return std::unexpected(std::move(root).error());
  return Parser(file_name).Run(*root);
}

}  // namespace inbeeld::config
