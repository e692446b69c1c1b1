#include "node/backup/backup_store.h"

#include <fmt/format.h>

#include "node/store/sqlite_util.h"

namespace inbeeld::node::backup {
namespace {

constexpr const char* kConfigMeta = "backup.config";

}  // namespace

Status BackupStore::ExportCopy(const std::filesystem::path& copy, const std::string& config) {
  sqlite3* db = store_.handle();
  {
    auto attach = Statement::Prepare(db, "ATTACH DATABASE ? AS backup");
    if (!attach) return std::unexpected(attach.error());
    INBEELD_RETURN_IF_ERROR(attach->Bind(1, copy.string()));
    INBEELD_RETURN_IF_ERROR(attach->Run());
  }
  auto exported = [&]() -> Status {
    INBEELD_RETURN_IF_ERROR(Exec(db, "BEGIN"));
    auto body = [&]() -> Status {
      INBEELD_RETURN_IF_ERROR(Exec(db, "SELECT sqlcipher_export('backup')"));
      INBEELD_RETURN_IF_ERROR(
          Exec(db, fmt::format("PRAGMA backup.user_version = {}", store_.SchemaVersion()).c_str()));
      auto put =
          Statement::Prepare(db, "INSERT OR REPLACE INTO backup.meta(key, value) VALUES(?, ?)");
      if (!put) return std::unexpected(put.error());
      INBEELD_RETURN_IF_ERROR(put->Bind(1, std::string(kConfigMeta)));
      INBEELD_RETURN_IF_ERROR(put->Bind(2, config));
      return put->Run();
    }();
    if (!body) {
      (void)Exec(db, "ROLLBACK");
      return body;
    }
    return Exec(db, "COMMIT");
  }();
  auto detached = Exec(db, "DETACH DATABASE backup");
  if (!exported) return std::unexpected(WithContext(exported.error(), "copying the store"));
  return detached;
}

Result<std::string> BackupStore::CarriedConfig() { return store_.GetMeta(kConfigMeta); }

Status BackupStore::DropCarriedConfig() {
  return Exec(store_.handle(), "DELETE FROM meta WHERE key = 'backup.config'");
}

}  // namespace inbeeld::node::backup
