// node/backup/backup_store.h — the SQL of node/backup/: the copy of the live
// store that a backup carries, and the configuration carried inside it.
//
// A backup's database is the whole store (schema, rows, audit log, schema
// version) exported with SQLCipher's sqlcipher_export into an attached file
// under the same key, plus one row of its own: inbeeld.toml's text in the
// copy's meta table (key "backup.config"), so the configuration is encrypted
// with everything else. On restore the configuration is read back from the
// restored store and then removed from it.
//
// Thread safety: as the Store it wraps (one thread at a time).
#ifndef INBEELD_NODE_BACKUP_BACKUP_STORE_H_
#define INBEELD_NODE_BACKUP_BACKUP_STORE_H_

#include <filesystem>
#include <string>

#include "base/error.h"
#include "node/store/store.h"

namespace inbeeld::node::backup {

class BackupStore {
 public:
  explicit BackupStore(Store& store) : store_(store) {}

  // Copies the store into `copy` in one transaction on the live store, so
  // the copy is consistent while other connections write (WAL), and puts
  // `config` into the copy's meta table. The copy is keyed like the store
  // (ATTACH without KEY takes the main database's key) and carries its schema
  // version. REQUIRES: `copy` exists and is empty (a store opened with
  // create=false, as a node's is, has no SQLITE_OPEN_CREATE, and ATTACH
  // inherits that); no transaction open. The copy is detached whether or not
  // it succeeded.
  // Errors: the store's, as "copying the store: ..." when the export failed
  // (`copy` may then hold part of a database: the caller removes it).
  Status ExportCopy(const std::filesystem::path& copy, const std::string& config);

  // On a store restored from a backup: the configuration the backup carried
  // ("" when there is none), and removing it from the store once it has been
  // written out.
  Result<std::string> CarriedConfig();
  Status DropCarriedConfig();

 private:
  Store& store_;
};

}  // namespace inbeeld::node::backup

#endif  // INBEELD_NODE_BACKUP_BACKUP_STORE_H_
