// /api/logboek…, /api/inzageverzoek: the privacy officer's screens.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "crypto/signing.h"
#include "node/audit/audit_log.h"
#include "node/audit/export.h"
#include "node/audit/verify.h"
#include "node/console/handlers.h"

namespace inbeeld::node::console {
namespace {

// A directory only this process can read, removed with everything in it.
class PrivateTempDir {
 public:
  static Result<PrivateTempDir> Create(const std::filesystem::path& parent) {
    std::string pattern = (parent / "console-verify-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      return Fail(ErrorCode::kInternal, "cannot create a temporary folder in the data directory");
    }
    return PrivateTempDir(pattern);
  }
  PrivateTempDir(PrivateTempDir&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  ~PrivateTempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit PrivateTempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Exports the live log and checks it as an outside auditor would, against
// this node's own key and the keys of the pinned peers that witness it.
Result<ApiReply> VerifyLog(Call& call) {
  auto temp = PrivateTempDir::Create(call.node.root);
  if (!temp) return std::unexpected(temp.error());
  const auto export_dir = temp->path() / "export";
  audit::AuditLog log(*call.node.store, call.node.identity);
  auto exported =
      audit::ExportAudit(log, call.node.config, call.node.identity.PublicKey(), export_dir);
  if (!exported) return std::unexpected(exported.error());
  audit::VerifyOptions options;
  options.node_key = call.node.identity.PublicKey();
  for (const auto& peer : call.node.config.peers) {
    if (auto key = crypto::VerifyingKey::FromFingerprint(peer.key); key) {
      options.witnesses.insert_or_assign(peer.name, *key);
    }
  }
  const audit::VerifyReport report = audit::VerifyExport(export_dir, options);
  INBEELD_RETURN_IF_ERROR(
      AuditAction(call.node, "inbeeld.audit.verified", report.ok(),
                  {{"inbeeld.count.records", std::to_string(report.records)},
                   {"inbeeld.count.problems", std::to_string(report.problems.size())}}));
  return JsonReply({{"in_orde", report.ok()},
                    {"records", report.records},
                    {"verwijderd_door_bewaartermijn", report.redacted},
                    {"controlepunten", report.checkpoints},
                    {"medeondertekeningen", report.cosignatures},
                    {"getuigen", report.witnesses},
                    {"meldingen", report.problems}});
}

}  // namespace

std::vector<Route> AuditRoutes() {
  std::vector<Route> routes = {
      {"POST", "/api/logboek/controle", kPrivacyOfficerOnly, VerifyLog},
  };
  for (auto& r : LogbookRoutes()) routes.push_back(std::move(r));
  return routes;
}

}  // namespace inbeeld::node::console
