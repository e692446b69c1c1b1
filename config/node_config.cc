// Names, lookups, shape validators and LoadConfig. ParseConfig is in
// parse_config.cc, the renderers in render_config.cc.
#include "config/node_config.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace inbeeld::config {
namespace {

// Bounds what a config file may cost to parse; real files are a few kilobytes.
constexpr std::uintmax_t kMaxConfigFileBytes = 1 << 20;

constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles = {{
    {Role::kLeerplicht, "leerplicht"},
    {Role::kSwv, "swv"},
    {Role::kSchool, "school"},
}};

constexpr std::array<std::pair<LabelField, std::string_view>, 4> kLabels = {{
    {LabelField::kCategory, "category"},
    {LabelField::kSince, "since"},
    {LabelField::kSchool, "school"},
    {LabelField::kPlan, "plan"},
}};

constexpr std::array<std::pair<MatchKeyType, std::string_view>, 3> kMatchKeyTypes = {{
    {MatchKeyType::kPgn, "pgn"},
    {MatchKeyType::kName, "name"},
    {MatchKeyType::kWeak, "weak"},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// REQUIRES: `digits` is 1..5 decimal digits, so the value fits.
int SmallNumber(std::string_view digits) {
  int value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}
bool IsHexLower(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::unexpected<Error> BadAddress(std::string_view why) {
  return Fail(ErrorCode::kInvalidArgument,
              "expected host:port with a port from 1 to 65535 (" + std::string(why) + ")");
}

// DNS name (RFC 1123 labels) or, when every label is numeric, a dotted IPv4 address.
bool ValidHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  size_t labels = 0;
  bool all_numeric = true;
  bool ipv4_octets_ok = true;
  size_t start = 0;
  while (true) {
    const size_t dot = host.find('.', start);
    const std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return IsAlnum(c) || c == '-'; })) {
      return false;
    }
    ++labels;
    if (std::all_of(label.begin(), label.end(), IsDigit)) {
      if (label.size() > 3 || SmallNumber(label) > 255) ipv4_octets_ok = false;
    } else {
      all_numeric = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // "127.1" or "300.1.1.1" would be read differently by different resolvers.
  if (all_numeric) return labels == 4 && ipv4_octets_ok;
  return true;
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const auto& [value, name] : kRoles) {
    if (value == role) return name;
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (const auto& [value, known] : kRoles) {
    if (known == name) return value;
  }
  return Fail(ErrorCode::kInvalidArgument, R"(expected "leerplicht", "swv" or "school")");
}

std::string_view OnderwijstypeName(Onderwijstype type) {
  switch (type) {
    case Onderwijstype::kPo:
      return "po";
    case Onderwijstype::kVo:
      return "vo";
    case Onderwijstype::kPoVo:
      break;
  }
  return "po-vo";
}

Result<Onderwijstype> ParseOnderwijstype(std::string_view name) {
  for (const Onderwijstype type : {Onderwijstype::kPo, Onderwijstype::kVo, Onderwijstype::kPoVo}) {
    if (OnderwijstypeName(type) == name) return type;
  }
  return Fail(ErrorCode::kInvalidArgument, R"(expected "po", "vo" or "po-vo")");
}

std::string_view LabelFieldName(LabelField field) {
  for (const auto& [value, name] : kLabels) {
    if (value == field) return name;
  }
  return "unknown";
}

Result<LabelField> ParseLabelField(std::string_view name) {
  for (const auto& [value, known] : kLabels) {
    if (known == name) return value;
  }
  return Fail(ErrorCode::kInvalidArgument,
              R"(expected one of "category", "since", "school", "plan")");
}

std::string_view MatchKeyTypeName(MatchKeyType type) {
  for (const auto& [value, name] : kMatchKeyTypes) {
    if (value == type) return name;
  }
  return "unknown";
}

Result<MatchKeyType> ParseMatchKeyType(std::string_view name) {
  for (const auto& [value, known] : kMatchKeyTypes) {
    if (known == name) return value;
  }
  return Fail(ErrorCode::kInvalidArgument, R"(expected one of "pgn", "name", "weak")");
}

bool DefaultHoldsPgn(Role role) { return role != Role::kSwv; }

std::optional<std::string_view> PgnKeyRefusal(Role node_role, bool holds_pgn, Role peer_role) {
  if (peer_role == Role::kSwv) {
    return "a BSN or onderwijsnummer may not be used in an exchange with a "
           "samenwerkingsverband (UAVG art. 46)";
  }
  if (node_role == Role::kSwv) {
    return "this node is a samenwerkingsverband (role swv) and may not use a BSN or "
           "onderwijsnummer in an exchange (UAVG art. 46)";
  }
  if (!holds_pgn) {
    return "this node does not hold a BSN or onderwijsnummer (node.holds_pgn = false)";
  }
  return std::nullopt;
}

std::vector<MatchKeyType> DefaultMatchKeys(Role node_role, bool holds_pgn, Role peer_role) {
  if (PgnKeyRefusal(node_role, holds_pgn, peer_role)) {
    return {MatchKeyType::kName, MatchKeyType::kWeak};
  }
  return {MatchKeyType::kPgn, MatchKeyType::kName, MatchKeyType::kWeak};
}

const ProcessingActivity* NodeConfig::FindActivity(std::string_view id) const {
  auto it = std::find_if(activities.begin(), activities.end(),
                         [&](const ProcessingActivity& a) { return a.id == id; });
  return it == activities.end() ? nullptr : &*it;
}

const PeerConfig* NodeConfig::FindPeer(std::string_view name) const {
  auto it =
      std::find_if(peers.begin(), peers.end(), [&](const PeerConfig& p) { return p.name == name; });
  return it == peers.end() ? nullptr : &*it;
}

const PeerConfig* NodeConfig::FindPeerByKey(std::string_view key) const {
  // Public keys: a plain comparison is fine.
  auto it =
      std::find_if(peers.begin(), peers.end(), [&](const PeerConfig& p) { return p.key == key; });
  return it == peers.end() ? nullptr : &*it;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "::1" || host == "localhost") return true;
  // 127.0.0.0/8 in dotted form: "127." and three more numbers.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (!IsDigit(c)) {
      return false;
    }
  }
  return dots == 3 && host.back() != '.';
}

Result<HostPort> ParseAddress(std::string_view host_port, bool allow_any_port) {
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return BadAddress("no port");
  std::string_view host = host_port.substr(0, colon);
  const std::string_view port = host_port.substr(colon + 1);

  if (!host.empty() && host.front() == '[') {
    if (host.size() < 4 || host.back() != ']') return BadAddress("malformed IPv6 address");
    const std::string_view inner = host.substr(1, host.size() - 2);
    const bool ok = inner.size() <= 45 && inner.find(':') != std::string_view::npos &&
                    std::all_of(inner.begin(), inner.end(), [](char c) {
                      return IsHexLower(c) || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
                    });
    if (!ok) return BadAddress("malformed IPv6 address");
  } else if (host.find(':') != std::string_view::npos) {
    return BadAddress("put an IPv6 address in brackets, as in [::1]:8443");
  } else if (!ValidHost(host)) {
    return BadAddress("host is not a DNS name or dotted IPv4 address");
  }

  if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
    return BadAddress("port is not a number");
  }
  const int number = SmallNumber(port);
  if (number < (allow_any_port ? 0 : 1) || number > 65535) return BadAddress("port out of range");
  if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
  return HostPort{std::string(host), number};
}

Status ValidateAddress(std::string_view host_port) {
  auto parsed = ParseAddress(host_port);
  if (!parsed) return std::unexpected(parsed.error());
  return {};
}

Status ValidateName(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return IsDigit(c) || (c >= 'a' && c <= 'z') || c == '-';
      });
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument, "must be 1 to 64 characters of a-z, 0-9 and '-'");
  }
  return {};
}

Status ValidatePeerKey(std::string_view key) {
  constexpr std::string_view kPrefix = "ed25519:";
  const bool ok = key.size() == kPrefix.size() + 64 && key.starts_with(kPrefix) &&
                  std::all_of(key.begin() + kPrefix.size(), key.end(), IsHexLower);
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument,
                R"(expected "ed25519:" followed by 64 hex characters (lower case))");
  }
  return {};
}

Result<NodeConfig> LoadConfig(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return Fail(ErrorCode::kDataLoss, name + ": cannot read configuration: " + ec.message());
    }
    return Fail(ErrorCode::kNotFound, name + ": configuration file does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return Fail(ErrorCode::kInvalidArgument, name + ": configuration is not a regular file");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kDataLoss, name + ": cannot read configuration: " + ec.message());
  if (size > kMaxConfigFileBytes) {
    return Fail(ErrorCode::kInvalidArgument, name + ": configuration is larger than 1 MiB");
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kDataLoss, name + ": cannot open configuration");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Fail(ErrorCode::kDataLoss, name + ": error while reading configuration");
  return ParseConfig(text, name);
}

}  // namespace inbeeld::config
