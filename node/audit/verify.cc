#include "node/audit/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "crypto/bytes.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "node/audit/audit_log.h"
#include "node/audit/base64.h"
#include "node/audit/list_commitments.h"
#include "node/audit/witness.h"
#include "node/keys/rotation.h"
#include "schema/audit_record.h"
#include "schema/json_reader.h"
#include "schema/utf8.h"

namespace inbeeld::node::audit {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kRedactedSeq = -2;  // a redacted line: its place is its sequence number
constexpr int64_t kUnknownSeq = -1;   // a line whose record or number could not be read
constexpr size_t kMaxEditMessages = 10;

// What an export's JSON files may hold; beyond this they are refused, named.
constexpr size_t kMaxKeysBytes = size_t{1} << 20;     // keys.json
constexpr size_t kMaxProofsBytes = size_t{64} << 20;  // proofs.json
constexpr size_t kMaxKeys = 4096;                     // witnesses, previous keys
constexpr size_t kMaxProofs = size_t{1} << 20;        // one per checkpoint after the first
constexpr size_t kMaxNameBytes = 512;                 // names, origins, fingerprints
constexpr size_t kMaxNoteBytes = 64 * 1024;           // a key announcement (a signed note)

Result<std::string> ReadText(const fs::path& path, size_t limit) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return Fail(ErrorCode::kNotFound, path.filename().string() + " is missing");
  if (fs::file_size(path, ec) > limit)
    return Fail(ErrorCode::kResourceExhausted, path.filename().string() + " is too large");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<uint64_t> ParseNumber(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

crypto::Hash HashOfLine(std::string_view line) {
  return crypto::LeafHash(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
}

std::string Lines(size_t n, std::string_view one, std::string_view many) {
  return n == 1 ? std::string(one) : fmt::format("{} {}", n, many);
}

// A signed note split at its last blank line: the signed text and each
// signature line (without its newline). Each line is then checked on its own,
// so a duplicated or foreign line cannot make the genuine ones unreadable.
struct NoteLines {
  std::string body;
  std::vector<std::string> lines;
};

std::optional<NoteLines> SplitNote(const std::string& text) {
  if (!text.ends_with('\n')) return std::nullopt;
  auto blank = text.rfind("\n\n");
  if (blank == std::string::npos) return std::nullopt;
  NoteLines out;
  out.body = text.substr(0, blank + 1);
  std::string_view rest(text);
  rest.remove_prefix(blank + 2);
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    out.lines.emplace_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  return out;
}

// One signature line as a note of its own (ParseNote's strict checks apply).
Result<crypto::ParsedNote> ParseOneLine(const NoteLines& note, const std::string& line) {
  return crypto::ParseNote(note.body + "\n" + line + "\n");
}

struct Witness {
  std::string peer;  // name in keys.json
  std::string name;  // key name in notes: OriginFor(key)
  crypto::VerifyingKey key;
};

// One of the node's keys, with the largest checkpoint size it signed (the
// current key: unbounded).
struct Epoch {
  crypto::VerifyingKey key;
  std::string origin;
  uint64_t through_size;
  std::string announcement;  // of the next key, base64 (previous keys only)
};

struct CosignedRecord {
  uint64_t line_no;
  uint64_t size;
  std::string peer;
  std::string digest;
};

struct ListReference {
  uint64_t line_no;
  std::string size;  // inbeeld.list_size as written
};

struct ChildOnList {
  uint64_t line_no;
  std::string root_hex;
  std::string subject;
};

class Verifier {
 public:
  Verifier(const fs::path& dir, const VerifyOptions& options, VerifyReport& report)
      : dir_(dir), options_(options), report_(report) {}

  void Run() {
    if (!ReadKeys()) return;
    ReadCheckpoints();
    if (!ReadRecords()) return;
    ReadLeafHashes();
    CheckSequence();
    CheckEdits();
    CheckLength();
    CheckRoots();
    CheckProofs();
    CheckCosignatureRecords();
    ReportMissingCheckpoints();
    CheckLists();
    CheckWitnessed();
    CheckKeyChanges();
    CheckInclusion();
  }

 private:
  void Problem(std::string text) { report_.problems.push_back(std::move(text)); }
  // A problem located at record `index`: later roots are explained by it.
  void RecordProblem(uint64_t index, std::string text) {
    first_bad_ = std::min(first_bad_, index);
    Problem(std::move(text));
  }
  uint64_t LatestSize() const { return roots_.empty() ? 0 : roots_.rbegin()->first; }
  // The first signed checkpoint that covers record `index`, or 0.
  uint64_t CheckpointCovering(uint64_t index) const {
    auto it = roots_.upper_bound(index);
    return it == roots_.end() ? 0 : it->first;
  }

  bool ReadKeys();
  void ReadCheckpoints();
  void ReadCheckpoint(const fs::path& path);
  bool ReadRecords();
  void NoteRecord(uint64_t line_no, const schema::AuditRecord& record);
  void ReadLeafHashes();
  void CheckSequence();
  void CheckEdits();
  void CheckLength();
  void CheckRoots();
  void CheckProofs();
  void CheckCosignatureRecords();
  void ReportMissingCheckpoints();
  void CheckLists();
  void CheckWitnessed();
  void CheckInclusion();
  void CheckKeyChanges();
  bool ReadPreviousKeys(const schema::JsonObject& node);
  // Whether `note` carries a valid signature of `epoch`'s key.
  static bool SignedBy(const NoteLines& note, const Epoch& epoch);

  const fs::path& dir_;
  const VerifyOptions& options_;
  VerifyReport& report_;

  std::string origin_;
  std::optional<crypto::VerifyingKey> node_key_;
  // keys.json's previous_keys and its key, in order.
  std::vector<Epoch> epochs_;
  size_t pinned_epoch_ = 0;  // the epoch of --expect-key
  struct KeyChange {
    uint64_t index;  // leaf
    std::string old_key, new_key, announcement;
  };
  std::vector<KeyChange> key_changes_;  // inbeeld.node.key.rotated records
  std::set<uint64_t> redacted_indices_;
  const Epoch& EpochFor(uint64_t size) const {
    for (const auto& e : epochs_) {
      if (size <= e.through_size) return e;
    }
    return epochs_.back();
  }
  std::vector<Witness> witnesses_;
  std::set<std::string> replaced_names_;  // key names of keys.json witnesses a pin replaced
  // keys.json's other keys of a pinned witness (it rotated): its lines by
  // them are present but never counted.
  std::vector<Witness> set_aside_;
  std::set<std::string> replaced_peers_;  // and their peer names

  std::map<uint64_t, crypto::Hash> roots_;                // size -> signed root
  std::map<uint64_t, std::set<std::string>> cosigned_;    // size -> digests of valid lines
  std::map<uint64_t, std::set<std::string>> doubtful_;    // size -> peers with failing lines
  std::map<uint64_t, std::vector<std::string>> missing_;  // size -> who names the absent checkpoint
  std::set<uint64_t> rejected_;  // checkpoint files present but not verifying

  std::vector<crypto::Hash> leaves_;
  std::vector<int64_t> seqs_;
  std::vector<bool> flagged_;  // lines the sequence check already named
  uint64_t sequence_end_ = 0;  // the record the covered lines should go on with
  uint64_t first_bad_ = UINT64_MAX;
  std::optional<std::vector<crypto::Hash>> signed_leaves_;  // leaf_hashes.txt, authenticated
  bool leaf_hashes_unusable_ = false;

  std::vector<CosignedRecord> cosigned_records_;
  std::map<std::string, ListReference> list_refs_;     // root hex -> first record naming it
  std::map<std::string, std::string> list_of_parent_;  // trace/operation of a parent -> root hex
  std::vector<ChildOnList> children_on_lists_;
};

bool Verifier::ReadKeys() {
  auto keys_text = ReadText(dir_ / "keys.json", kMaxKeysBytes);
  if (!keys_text) {
    Problem("keys.json: " + keys_text.error().message);
    return false;
  }
  // root > node > previous_keys > an entry: depth 4.
  auto doc = schema::JsonDocument::Parse(*keys_text, "keys.json",
                                         {.max_bytes = kMaxKeysBytes, .max_depth = 4});
  if (!doc) {
    Problem(doc.error().message);
    return false;
  }
  const schema::JsonObject& keys = doc->Root();
  auto node = keys.Object("node");
  auto origin = keys.String("origin", schema::JsonString::Text(kMaxNameBytes));
  auto key_text = node ? node->String("key", schema::JsonString::Text(kMaxNameBytes))
                       : Result<std::string>(std::unexpected(node.error()));
  if (origin && key_text) {
    origin_ = *origin;
    auto k = crypto::VerifyingKey::FromFingerprint(*key_text);
    if (k) node_key_ = *k;
  }
  if (!node_key_ || origin_ != OriginFor(*node_key_)) {
    Problem("keys.json: the node's key or origin is missing or malformed");
    return false;
  }
  std::string node_name;
  if (auto name = node->OptionalString("name", schema::JsonString::Text(kMaxNameBytes)); !name) {
    Problem(name.error().message);
  } else if (*name) {
    node_name = **name;
  }
  if (!ReadPreviousKeys(*node)) return false;
  for (size_t i = 0; i < epochs_.size(); ++i) {
    if (options_.node_key && *options_.node_key == epochs_[i].key) pinned_epoch_ = i;
  }
  if (options_.node_key && *options_.node_key != *node_key_ &&
      epochs_[pinned_epoch_].key == *options_.node_key) {
    // An earlier key of this node: followed to the current one through the
    // log's own records of each change (CheckKeyChanges).
    report_.node_key = CheckedKey{node_name, options_.node_key->Fingerprint(), true};
    report_.followed_to = node_key_->Fingerprint();
  } else if (options_.node_key && *options_.node_key != *node_key_) {
    // Everything else would only repeat this: nothing in the export is
    // signed by the key the auditor expects.
    Problem(
        fmt::format("keys.json: the node key is {}, not the expected {} (--expect-key): this "
                    "export was signed by another key, or keys.json was replaced",
                    node_key_->Fingerprint(), options_.node_key->Fingerprint()));
    report_.node_key = CheckedKey{node_name, options_.node_key->Fingerprint(), true};
    return false;
  }
  if (!report_.node_key) {
    report_.node_key =
        CheckedKey{node_name, node_key_->Fingerprint(), options_.node_key.has_value()};
  }

  if (keys.Has("witnesses")) {
    auto entries = keys.ObjectArray("witnesses", kMaxKeys);
    if (!entries) Problem(entries.error().message);
    for (const auto& w : entries ? *entries : std::vector<schema::JsonObject>()) {
      auto peer = w.String("peer", schema::JsonString::Text(kMaxNameBytes));
      auto key_of = w.String("key", schema::JsonString::Text(kMaxNameBytes));
      if (!peer || !key_of) {
        Problem(!peer ? peer.error().message : key_of.error().message);
        continue;
      }
      auto k = crypto::VerifyingKey::FromFingerprint(*key_of);
      if (!k) {
        Problem(w.ErrorAt("key", "not a key fingerprint").message);
        continue;
      }
      witnesses_.push_back({*peer, OriginFor(*k), *k});
    }
  }
  for (const auto& [peer, key] : options_.witnesses) {
    // A partner that rotated its key is listed once per key it cosigned
    // with. Pinned, only the pinned key counts: the others are set aside
    // (their lines are neither counted nor reported as unknown).
    if (std::any_of(witnesses_.begin(), witnesses_.end(),
                    [&](const Witness& w) { return w.peer == peer && w.key == key; })) {
      for (auto it = witnesses_.begin(); it != witnesses_.end();) {
        if (it->peer == peer && it->key != key) {
          set_aside_.push_back(*it);
          it = witnesses_.erase(it);
        } else {
          ++it;
        }
      }
      continue;
    }
    auto it = std::find_if(witnesses_.begin(), witnesses_.end(),
                           [&](const Witness& w) { return w.peer == peer; });
    if (it == witnesses_.end()) {
      Problem(fmt::format("keys.json lists no witness \"{}\" (--expect-witness)", peer));
      witnesses_.push_back({peer, OriginFor(key), key});
    } else if (it->key != key) {
      Problem(
          fmt::format("keys.json gives witness \"{}\" the key {}, not the expected {} "
                      "(--expect-witness): its cosignatures are checked against the expected "
                      "key only",
                      peer, it->key.Fingerprint(), key.Fingerprint()));
      replaced_names_.insert(it->name);
      replaced_peers_.insert(peer);
      *it = Witness{peer, OriginFor(key), key};
    }
  }
  for (const auto& w : witnesses_) {
    auto pinned = options_.witnesses.find(w.peer);
    report_.witness_keys.push_back({w.peer, w.key.Fingerprint(),
                                    pinned != options_.witnesses.end() && pinned->second == w.key});
  }
  return true;
}

bool Verifier::ReadPreviousKeys(const schema::JsonObject& node) {
  uint64_t last = 0;
  if (node.Has("previous_keys")) {
    auto entries = node.ObjectArray("previous_keys", kMaxKeys);
    bool ok = entries.has_value();
    for (const auto& entry : ok ? *entries : std::vector<schema::JsonObject>()) {
      auto key_text = entry.String("key", schema::JsonString::Text(kMaxNameBytes));
      auto through = entry.Uint("through_size");
      auto announcement = entry.String("announcement", schema::JsonString::Text(kMaxNoteBytes));
      ok = key_text && through && announcement;
      if (!ok) break;
      auto key = crypto::VerifyingKey::FromFingerprint(*key_text);
      ok = key.has_value() && *through > last;
      if (!ok) break;
      last = *through;
      epochs_.push_back({*key, OriginFor(*key), *through, *announcement});
    }
    if (!ok) {
      Problem(
          "keys.json: the node's previous keys are malformed (each needs a key, a "
          "through_size larger than the one before and the announcement of the next key)");
      return false;
    }
  }
  epochs_.push_back({*node_key_, origin_, UINT64_MAX, ""});
  for (size_t i = 0; i < epochs_.size(); ++i) {
    for (size_t j = i + 1; j < epochs_.size(); ++j) {
      if (epochs_[i].key == epochs_[j].key) {
        Problem("keys.json: the node's previous keys repeat a key");
        return false;
      }
    }
  }
  return true;
}

bool Verifier::SignedBy(const NoteLines& note, const Epoch& epoch) {
  for (const auto& line : note.lines) {
    auto parsed = ParseOneLine(note, line);
    if (parsed && parsed->signatures[0].name == epoch.origin &&
        crypto::VerifyNoteSignature(*parsed, epoch.origin, epoch.key)) {
      return true;
    }
  }
  return false;
}

// Each change of the node's key that keys.json lists is the log's own record
// inbeeld.node.key.rotated at the last leaf the old key signed, carrying an
// announcement signed by both keys; and the log records no other change.
void Verifier::CheckKeyChanges() {
  if (epochs_.size() > 1 && LatestSize() <= epochs_[epochs_.size() - 2].through_size) {
    // Only a checkpoint of the current key covers everything before the
    // change: without one, whoever held an old key could have written it all.
    Problem(
        fmt::format("the latest checkpoint (size {}) is signed by an earlier key of the node; "
                    "none by its current key {}, so the records cannot be trusted to be the "
                    "node's (export again from the node)",
                    LatestSize(), node_key_->Fingerprint()));
  }
  std::set<uint64_t> listed;
  for (size_t i = 0; i + 1 < epochs_.size(); ++i) {
    const Epoch& old_epoch = epochs_[i];
    const Epoch& new_epoch = epochs_[i + 1];
    const uint64_t index = old_epoch.through_size - 1;
    listed.insert(index);
    const std::string change =
        fmt::format("{} to {}", old_epoch.key.Fingerprint(), new_epoch.key.Fingerprint());
    // The announcement kept in keys.json: signed by both keys, naming them.
    auto bytes = BytesFromBase64(old_epoch.announcement, schema::kMaxKeyRotationSize);
    auto announced = bytes ? keys::VerifyAnnouncement(*bytes)
                           : Result<keys::AcceptedRotation>(std::unexpected(bytes.error()));
    if (!announced || announced->old_key != old_epoch.key || announced->new_key != new_epoch.key) {
      Problem(fmt::format(
          "keys.json: the change of the node's key from {} is not signed by both "
          "keys ({})",
          change, announced ? "the announcement names other keys" : announced.error().message));
      continue;
    }
    if (index >= leaves_.size()) {
      Problem(
          fmt::format("keys.json: the change of the node's key from {} is said to be record {}, "
                      "but the export holds {} records",
                      change, index + 1, leaves_.size()));
      continue;
    }
    if (redacted_indices_.contains(index)) {
      // Retention removed the record; keys.json keeps its announcement.
      report_.key_changes.push_back(fmt::format(
          "record {}: {}, signed by both (the record was removed by retention; the announcement "
          "is in keys.json)",
          index, change));
      continue;
    }
    auto it = std::find_if(key_changes_.begin(), key_changes_.end(),
                           [&](const KeyChange& c) { return c.index == index; });
    if (it == key_changes_.end()) {
      Problem(
          fmt::format("records.jsonl line {}: keys.json says the node's key changed from {} "
                      "here, but this record is not that change",
                      index + 1, change));
      continue;
    }
    if (it->old_key != old_epoch.key.Fingerprint() || it->new_key != new_epoch.key.Fingerprint() ||
        it->announcement != old_epoch.announcement) {
      Problem(
          fmt::format("records.jsonl line {}: the record of the change of the node's key "
                      "differs from keys.json's ({})",
                      index + 1, change));
      continue;
    }
    report_.key_changes.push_back(fmt::format("record {}: {}, signed by both", index, change));
  }
  for (const auto& c : key_changes_) {
    if (!listed.contains(c.index)) {
      Problem(
          fmt::format("records.jsonl line {}: a change of the node's key that keys.json does "
                      "not list (previous_keys)",
                      c.index + 1));
    }
  }
}

void Verifier::ReadCheckpoints() {
  std::error_code ec;
  if (!fs::is_directory(dir_ / "checkpoints", ec)) {
    Problem("checkpoints/ is missing");
    return;
  }
  // Only *.note files are checkpoints; anything else a file manager or an
  // archiver leaves there (.DS_Store, Thumbs.db) is not part of the export.
  std::vector<std::pair<uint64_t, fs::path>> notes;
  for (const auto& entry : fs::directory_iterator(dir_ / "checkpoints", ec)) {
    if (entry.path().extension() != ".note") continue;
    // The report is printed as JSON (`audit verify --json`), which cannot hold
    // a name that is not UTF-8; no exported checkpoint has such a name.
    if (!schema::IsValidUtf8(entry.path().filename().string())) {
      Problem("checkpoints/: a file whose name is not UTF-8 (not an exported checkpoint)");
      continue;
    }
    notes.emplace_back(ParseNumber(entry.path().stem().string()).value_or(UINT64_MAX),
                       entry.path());
  }
  std::sort(notes.begin(), notes.end());
  if (notes.empty()) Problem("checkpoints/ holds no checkpoint: nothing is signed");
  for (const auto& [size, path] : notes) ReadCheckpoint(path);
  report_.latest_size = LatestSize();
}

void Verifier::ReadCheckpoint(const fs::path& path) {
  std::string file = "checkpoints/" + path.filename().string();
  // A file that is there but does not verify is named for what it is, not
  // again as a missing checkpoint.
  if (auto named = ParseNumber(path.stem().string())) rejected_.insert(*named);
  auto text = ReadText(path, crypto::kMaxNoteSize);
  if (!text) {
    Problem(file + ": " + text.error().message);
    return;
  }
  auto note = SplitNote(*text);
  if (!note) {
    Problem(file + ": not a signed note");
    return;
  }
  // The node's own signature first: without it nothing else in the file
  // counts. After a key change, the key that signs a size is fixed
  // (keys.json previous_keys): one key per size, never two.
  auto checkpoint = crypto::ParseCheckpointBody(note->body);
  const Epoch& epoch = EpochFor(checkpoint ? checkpoint->size : UINT64_MAX);
  std::vector<std::pair<const std::string*, crypto::ParsedNote>> others;
  size_t malformed = 0;
  for (const auto& line : note->lines) {
    auto parsed = ParseOneLine(*note, line);
    if (!parsed) {
      ++malformed;
      continue;
    }
    const bool by_node = std::any_of(epochs_.begin(), epochs_.end(), [&](const Epoch& e) {
      return parsed->signatures[0].name == e.origin;
    });
    if (!by_node) others.emplace_back(&line, std::move(*parsed));
  }
  if (!SignedBy(*note, epoch)) {
    for (const auto& other : epochs_) {
      if (&other != &epoch && SignedBy(*note, other)) {
        Problem(
            fmt::format("{}: signed by the node's key {}, but checkpoints of this size are "
                        "signed by {} (keys.json previous_keys)",
                        file, other.key.Fingerprint(), epoch.key.Fingerprint()));
        return;
      }
    }
    Problem(file + ": the node's signature does not verify (checkpoint replaced or edited)");
    return;
  }
  if (!checkpoint || checkpoint->origin != epoch.origin) {
    Problem(file + ": not a checkpoint of this node's log");
    return;
  }
  const uint64_t size = checkpoint->size;
  if (path.stem().string() != std::to_string(size)) {
    Problem(file + ": file name does not match the checkpoint size " + std::to_string(size));
  }
  rejected_.erase(size);
  if (auto [it, inserted] = roots_.emplace(size, checkpoint->root);
      !inserted && it->second != checkpoint->root) {
    Problem(fmt::format("{}: two signed checkpoints of size {} with different roots (fork)", file,
                        size));
  }
  ++report_.checkpoints;

  // Cosignatures: each line on its own; a witness counts once per checkpoint.
  std::map<std::string, size_t> valid, failing;  // peer -> lines
  size_t unknown = 0;
  for (const auto& [line, parsed] : others) {
    const std::string& name = parsed.signatures[0].name;
    auto w = std::find_if(witnesses_.begin(), witnesses_.end(),
                          [&](const Witness& x) { return x.name == name; });
    if (w == witnesses_.end()) {
      auto aside = std::find_if(set_aside_.begin(), set_aside_.end(),
                                [&](const Witness& x) { return x.name == name; });
      if (aside != set_aside_.end()) {
        // Another key of a pinned witness: present (its record is not
        // "removed"), but not counted as that witness's cosignature.
        if (crypto::VerifyCosignature(parsed, aside->name, aside->key)) {
          cosigned_[size].insert(CosignatureDigest(*line));
        }
        continue;
      }
      if (!replaced_names_.contains(name)) ++unknown;  // else: the pin mismatch said it
      continue;
    }
    if (!crypto::VerifyCosignature(parsed, w->name, w->key)) {
      ++failing[w->peer];
      doubtful_[size].insert(w->peer);
      continue;
    }
    cosigned_[size].insert(CosignatureDigest(*line));
    if (valid[w->peer]++ == 0) {
      ++report_.cosignatures;
      if (std::find(report_.witnesses.begin(), report_.witnesses.end(), w->peer) ==
          report_.witnesses.end()) {
        report_.witnesses.push_back(w->peer);
      }
    }
  }
  if (malformed > 0) {
    Problem(fmt::format("{}: {} malformed (not counted)", file,
                        Lines(malformed, "a signature line is", "signature lines are")));
  }
  if (unknown > 0) {
    Problem(fmt::format("{}: {} by a key keys.json does not list (not counted)", file,
                        Lines(unknown, "a cosignature", "cosignatures")));
  }
  for (const auto& [peer, n] : failing) {
    if (valid[peer] > 0) {
      Problem(
          fmt::format("{}: besides its valid cosignature by \"{}\", {} in its name that {} "
                      "not verify (not counted)",
                      file, peer, Lines(n, "a line", "lines"), n == 1 ? "does" : "do"));
    } else {
      Problem(fmt::format(
          "{}: {} by \"{}\" {} not verify (forged, or the checkpoint was changed "
          "after it was witnessed)",
          file, Lines(n, "the cosignature", "cosignature lines"), peer, n == 1 ? "does" : "do"));
    }
  }
  for (const auto& [peer, n] : valid) {
    if (n > 1) {
      Problem(fmt::format("{}: the cosignature by \"{}\" appears {} times (counted once)", file,
                          peer, n));
    }
  }
}

bool Verifier::ReadRecords() {
  std::ifstream in(dir_ / "records.jsonl", std::ios::binary);
  if (!in) {
    Problem("records.jsonl is missing");
    return false;
  }
  std::string line;
  uint64_t line_no = 0;
  bool seen_content = false;
  constexpr std::string_view kRedacted = "{\"redacted\":\"";
  while (std::getline(in, line)) {
    ++line_no;
    const uint64_t index = line_no - 1;
    if (line.starts_with(kRedacted) && line.ends_with("\"}")) {
      // Retention removed the content and kept the leaf hash.
      auto hash = HashFromBase64(line.substr(kRedacted.size(), line.size() - kRedacted.size() - 2));
      if (!hash) {
        RecordProblem(
            index,
            fmt::format("records.jsonl line {}: a redacted record with a malformed hash", line_no));
        hash = crypto::Hash{};
      } else if (seen_content) {
        RecordProblem(index,
                      fmt::format("records.jsonl line {}: redacted after a kept record (retention "
                                  "removes the oldest records first)",
                                  line_no));
      }
      ++report_.redacted;
      redacted_indices_.insert(index);
      leaves_.push_back(*hash);
      seqs_.push_back(kRedactedSeq);
      continue;
    }
    seen_content = true;
    leaves_.push_back(HashOfLine(line));
    auto record = schema::DecodeAuditRecord(line);
    if (!record) {
      RecordProblem(index,
                    fmt::format("records.jsonl line {}: {}", line_no, record.error().message));
      seqs_.push_back(kUnknownSeq);
      continue;
    }
    auto seq = record->attributes.find("inbeeld.seq");
    std::optional<uint64_t> got;
    if (seq != record->attributes.end()) got = ParseNumber(seq->second);
    if (!got || *got > static_cast<uint64_t>(INT64_MAX)) {
      RecordProblem(index, fmt::format("records.jsonl line {}: no sequence number", line_no));
      seqs_.push_back(kUnknownSeq);
    } else {
      seqs_.push_back(static_cast<int64_t>(*got));
    }
    NoteRecord(line_no, *record);
  }
  report_.records = leaves_.size();
  flagged_.assign(leaves_.size(), false);
  return true;
}

// Remembers what later checks need from a record: the cosignature it vouches
// for, the list it names, the list a matched child must be on.
void Verifier::NoteRecord(uint64_t line_no, const schema::AuditRecord& record) {
  const auto& a = record.attributes;
  auto attr = [&](std::string_view key) -> std::string {
    auto it = a.find(std::string(key));
    return it == a.end() ? "" : it->second;
  };
  if (record.name == "inbeeld.log.restored") {
    // Not a fault: a restore the node recorded openly. The auditor is told,
    // since records after the backup are gone (docs/PROTOCOL.md 2.2).
    report_.restores.push_back(
        fmt::format("record {}: restored from a backup of {} records made at {}", line_no - 1,
                    attr("inbeeld.backup_audit_size"), attr("inbeeld.backup_created_at")));
    return;
  }
  if (record.name == "inbeeld.node.key.rotated") {
    key_changes_.push_back({line_no - 1, attr("inbeeld.node_key.old"), attr("inbeeld.node_key"),
                            attr("inbeeld.announcement")});
    return;
  }
  if (record.name == "inbeeld.witness.cosigned") {
    auto size = ParseNumber(attr("inbeeld.cosigned_size"));
    if (!size) {
      Problem(fmt::format("records.jsonl line {}: a cosignature record without a size", line_no));
      return;
    }
    cosigned_records_.push_back(
        {line_no, *size, attr("inbeeld.peer"), attr("inbeeld.cosignature_sha256")});
    return;
  }
  if (std::string root = attr("inbeeld.list_root"); !root.empty()) {
    auto bytes = crypto::HexDecode(root);
    if (!bytes || bytes->size() != crypto::kHashSize || crypto::HexEncode(*bytes) != root) {
      Problem(fmt::format("records.jsonl line {}: a list root that is not 64 hex digits", line_no));
      return;
    }
    list_refs_.emplace(root, ListReference{line_no, attr("inbeeld.list_size")});
    if (record.name.starts_with("inbeeld.exchange.")) {
      list_of_parent_[record.trace_id + "/" + record.operation_id] = root;
    }
    return;
  }
  if (record.name == "inbeeld.exchange.subject" && record.parent_operation_id) {
    auto parent = list_of_parent_.find(record.trace_id + "/" + *record.parent_operation_id);
    if (parent != list_of_parent_.end()) {
      children_on_lists_.push_back({line_no, parent->second, attr(schema::kAttrDataSubject)});
    }
  }
}

void Verifier::ReadLeafHashes() {
  std::ifstream in(dir_ / "leaf_hashes.txt", std::ios::binary);
  if (!in || roots_.empty()) return;  // an export before leaf_hashes.txt existed
  std::vector<crypto::Hash> hashes;
  std::string line;
  while (std::getline(in, line)) {
    auto bytes = crypto::HexDecode(line);
    if (!bytes || bytes->size() != crypto::kHashSize || crypto::HexEncode(*bytes) != line) {
      leaf_hashes_unusable_ = true;
      return;
    }
    crypto::Hash h{};
    std::copy(bytes->begin(), bytes->end(), h.begin());
    hashes.push_back(h);
  }
  // Usable only once it hashes to the latest signed root: then each of its
  // hashes is the one the node signed for that record.
  if (hashes.size() != LatestSize() ||
      crypto::RootFromLeafHashes(hashes) != roots_.rbegin()->second) {
    leaf_hashes_unusable_ = true;
    return;
  }
  signed_leaves_ = std::move(hashes);
}

// Sequence numbers, read so that one deleted, duplicated, swapped or
// renumbered record is one message, and the lines after it are read in
// step again instead of each being reported.
void Verifier::CheckSequence() {
  const size_t n = roots_.empty() ? seqs_.size() : std::min<size_t>(seqs_.size(), LatestSize());
  int64_t expected = 0;
  for (size_t i = 0; i < n;) {
    const int64_t s = seqs_[i];
    const uint64_t line = i + 1;
    if (s < 0 || s == expected) {
      ++expected;
      ++i;
      continue;
    }
    const int64_t next = i + 1 < n ? seqs_[i + 1] : kUnknownSeq;
    if (s == expected + 1 && next == expected) {
      RecordProblem(i, fmt::format("records.jsonl lines {} and {}: records {} and {} are swapped",
                                   line, line + 1, expected, expected + 1));
      flagged_[i] = flagged_[i + 1] = true;
      expected += 2;
      i += 2;
    } else if (next == expected + 1) {
      RecordProblem(i, fmt::format("records.jsonl line {}: holds record {} where record {} belongs "
                                   "(replaced by a copy of another record, or its sequence number "
                                   "edited)",
                                   line, s, expected));
      flagged_[i] = true;
      ++expected;
      ++i;
    } else if (s > expected) {
      RecordProblem(i,
                    s == expected + 1
                        ? fmt::format("records.jsonl line {}: holds record {}, so record {} is "
                                      "missing (deleted)",
                                      line, s, expected)
                        : fmt::format("records.jsonl line {}: holds record {}, so records {} to {} "
                                      "are missing (deleted)",
                                      line, s, expected, s - 1));
      expected = s + 1;
      ++i;
    } else {
      RecordProblem(i, fmt::format("records.jsonl line {}: holds record {} again or out of order "
                                   "(records swapped or duplicated)",
                                   line, s));
      flagged_[i] = true;
      ++i;
    }
  }
  sequence_end_ = static_cast<uint64_t>(expected);
}

// With leaf hashes the node signed, an edited record is named by its line.
void Verifier::CheckEdits() {
  if (!signed_leaves_) return;
  const auto& signed_leaves = *signed_leaves_;
  std::vector<uint64_t> edited;
  bool redacted_reported = false;
  for (size_t i = 0; i < seqs_.size() && i < signed_leaves.size(); ++i) {
    const int64_t s = seqs_[i];
    if (s == kRedactedSeq) {
      if (leaves_[i] != signed_leaves[i] && !redacted_reported) {
        RecordProblem(i, fmt::format("records.jsonl line {}: the redacted record's hash is not the "
                                     "one the node signed (edited, or a record before it deleted)",
                                     i + 1));
        redacted_reported = true;
      }
      continue;
    }
    if (s < 0 || flagged_[i] || static_cast<uint64_t>(s) >= signed_leaves.size()) continue;
    if (leaves_[i] != signed_leaves[static_cast<size_t>(s)]) edited.push_back(i);
  }
  for (size_t k = 0; k < edited.size() && k < kMaxEditMessages; ++k) {
    uint64_t i = edited[k];
    uint64_t seq = static_cast<uint64_t>(seqs_[i]);
    RecordProblem(i, fmt::format("records.jsonl line {}: record {} was edited: it does not hash to "
                                 "the leaf that checkpoint {} signs",
                                 i + 1, seq, CheckpointCovering(seq)));
  }
  if (edited.size() > kMaxEditMessages) {
    Problem(fmt::format("records.jsonl: {} more records were edited (lines {} to {})",
                        edited.size() - kMaxEditMessages, edited[kMaxEditMessages] + 1,
                        edited.back() + 1));
  }
}

void Verifier::CheckLength() {
  if (roots_.empty()) return;
  const uint64_t latest = LatestSize();
  const uint64_t held = leaves_.size();
  if (sequence_end_ < latest && held < latest) {
    RecordProblem(held,
                  fmt::format("checkpoint {} covers {} records but records.jsonl holds only {} "
                              "(log truncated)",
                              latest, latest, held));
  } else if (sequence_end_ < latest) {
    // As many lines as records, but the last ones are gone: a line elsewhere
    // took their place (named above).
    const bool one = sequence_end_ + 1 == latest;
    RecordProblem(sequence_end_,
                  fmt::format("records.jsonl ends at record {}: {}, which checkpoint {} covers, {} "
                              "missing (deleted)",
                              sequence_end_ - 1,
                              one ? fmt::format("record {}", sequence_end_)
                                  : fmt::format("records {} to {}", sequence_end_, latest - 1),
                              latest, one ? "is" : "are"));
  }
  if (held > latest) {
    Problem(
        fmt::format("records.jsonl lines {} to {} are not covered by any signed checkpoint "
                    "(appended afterwards)",
                    latest + 1, held));
  }
}

// Each checkpoint's root against the records. A failure that a record-level
// message already explains, or that follows from an earlier failing
// checkpoint, is not repeated.
void Verifier::CheckRoots() {
  crypto::CompactRange range;
  uint64_t verified_up_to = 0;
  bool all_verified = true;
  for (const auto& [size, root] : roots_) {
    if (size > leaves_.size()) return;  // CheckLength named it
    while (range.size() < size) range.Append(leaves_[range.size()]);
    if (range.Root() == root) {
      verified_up_to = size;
      continue;
    }
    all_verified = false;
    if (first_bad_ < size) return;
    if (signed_leaves_) {
      Problem(
          fmt::format("checkpoint {}: records 1 to {} do not hash to its signed root, though "
                      "every record matches the latest checkpoint: the node signed two "
                      "histories (fork)",
                      size, size));
      continue;  // the later checkpoints verify or fail on their own
    }
    Problem(
        fmt::format("checkpoint {}: records 1 to {} do not hash to its signed root: a record "
                    "on lines {} to {} was edited, or history was rewritten{}",
                    size, size, verified_up_to + 1, size,
                    leaf_hashes_unusable_ ? " (leaf_hashes.txt does not match the signed root "
                                            "either, so the line cannot be named)"
                                          : ""));
    return;  // every later root includes the same records
  }
  if (leaf_hashes_unusable_ && all_verified) {
    Problem(
        fmt::format("leaf_hashes.txt does not hash to the root of checkpoint {} (edited), "
                    "though records.jsonl does",
                    LatestSize()));
  }
}

void Verifier::CheckProofs() {
  auto proofs_text = ReadText(dir_ / "proofs.json", kMaxProofsBytes);
  if (!proofs_text) {
    Problem(proofs_text.error().message);
    return;
  }
  // The array > an entry > its proof: depth 3.
  auto doc = schema::JsonDocument::ParseObjectArray(*proofs_text, "proofs.json", kMaxProofs,
                                                    {.max_bytes = kMaxProofsBytes, .max_depth = 3});
  if (!doc) {
    Problem(doc.error().message);
    return;
  }
  for (const auto& p : doc->Entries()) {
    auto from_size = p.Uint("from");
    auto to_size = p.Uint("to");
    // A consistency proof has at most 2 hashes per level of a 2^64 tree.
    auto proof = p.StringArray("proof", 128, schema::JsonString::Text(64));
    if (!from_size || !to_size || !proof) {
      Problem(!from_size ? from_size.error().message
                         : (!to_size ? to_size.error().message : proof.error().message));
      continue;
    }
    const uint64_t from = *from_size, to = *to_size;
    auto a = roots_.find(from), b = roots_.find(to);
    if (a == roots_.end() || b == roots_.end()) {
      for (uint64_t size : {from, to}) {
        if (!roots_.contains(size) && !rejected_.contains(size))
          missing_[size].push_back("proofs.json");
      }
      continue;
    }
    std::vector<crypto::Hash> hashes;
    bool malformed = false;
    for (const auto& h : *proof) {
      auto hash = HashFromBase64(h);
      if (!hash) {
        malformed = true;
        break;
      }
      hashes.push_back(*hash);
    }
    if (malformed || !crypto::VerifyConsistency(from, to, a->second, b->second, hashes)) {
      Problem(fmt::format("checkpoints {} and {} are not consistent: the log forked between them",
                          from, to));
    }
  }
}

// Each received cosignature is a record: its line must be in the export.
void Verifier::CheckCosignatureRecords() {
  for (const auto& r : cosigned_records_) {
    if (rejected_.contains(r.size)) continue;
    if (!roots_.contains(r.size)) {
      missing_[r.size].push_back(
          fmt::format("records.jsonl line {} (cosigned by \"{}\")", r.line_no, r.peer));
      continue;
    }
    if (cosigned_[r.size].contains(r.digest)) {
      ++report_.cosignature_records;
    } else if (!doubtful_[r.size].contains(r.peer) && !replaced_peers_.contains(r.peer)) {
      // (else a failing line or the pinned key's mismatch was named already)
      Problem(
          fmt::format("checkpoints/{}.note lacks the cosignature by \"{}\" that records.jsonl "
                      "line {} records (cosignature removed)",
                      r.size, r.peer, r.line_no));
    }
  }
}

void Verifier::ReportMissingCheckpoints() {
  for (const auto& [size, named_by] : missing_) {
    std::string who;
    for (const auto& n : named_by) {
      if (who.find(n) == std::string::npos) who += (who.empty() ? "" : ", ") + n;
    }
    Problem(
        fmt::format("checkpoint {} is not in the export (checkpoints/{}.note removed), though {} "
                    "{} it",
                    size, size, who, named_by.size() == 1 ? "names" : "name"));
  }
}

// Every list a record names: present, well formed, and hashing to its root.
void Verifier::CheckLists() {
  std::error_code ec;
  std::set<std::string> files;
  if (fs::is_directory(dir_ / "lists", ec)) {
    for (const auto& entry : fs::directory_iterator(dir_ / "lists", ec)) {
      if (entry.path().extension() == ".txt") files.insert(entry.path().filename().string());
    }
  }
  std::map<std::string, std::set<std::string>> members;  // lists children must be on
  std::set<std::string> verified;                        // roots whose file hashes to them
  for (const auto& c : children_on_lists_) members[c.root_hex];
  for (const auto& [root_hex, ref] : list_refs_) {
    const std::string name = root_hex + ".txt";
    const std::string file = "lists/" + name;
    files.erase(name);
    std::ifstream in(dir_ / "lists" / name, std::ios::binary);
    if (!in) {
      Problem(
          fmt::format("{} is missing: records.jsonl line {} names this list", file, ref.line_no));
      continue;
    }
    crypto::CompactRange range;
    std::string line, previous;
    bool broken = false;
    auto keep = members.find(root_hex);
    while (std::getline(in, line)) {
      if (!IsPseudonym(line)) {
        Problem(fmt::format("{} line {}: not an audit pseudonym (64 letters a to p)", file,
                            range.size() + 1));
        broken = true;
        break;
      }
      if (!previous.empty() && line <= previous) {
        Problem(
            fmt::format("{} line {}: out of order or repeated (a list is sorted, each child once)",
                        file, range.size() + 1));
        broken = true;
        break;
      }
      range.Append(HashOfLine(line));
      if (keep != members.end()) keep->second.insert(line);
      previous = std::move(line);
    }
    if (broken) continue;
    if (crypto::HexEncode(range.Root()) != root_hex) {
      Problem(
          fmt::format("{} does not hash to its root: a child was added, removed or changed", file));
      continue;
    }
    if (std::to_string(range.size()) != ref.size) {
      Problem(fmt::format("{} holds {} children, records.jsonl line {} says {}", file, range.size(),
                          ref.line_no, ref.size));
      continue;
    }
    verified.insert(root_hex);
    ++report_.lists;
  }
  for (const auto& name : files) Problem("lists/" + name + " is not named by any record");
  for (const auto& c : children_on_lists_) {
    const auto& on = members[c.root_hex];
    if (verified.contains(c.root_hex) && !on.contains(c.subject)) {
      Problem(
          fmt::format("records.jsonl line {}: the child is not on its session's list lists/{}.txt",
                      c.line_no, c.root_hex));
    }
  }
}

// A peer's copy of a checkpoint of this log must be a prefix of the export.
void Verifier::CheckWitnessed() {
  for (const auto& path : options_.witnessed_checkpoints) {
    const std::string file = path.filename().string();
    // Named in the report, which `audit verify --json` prints: UTF-8 only.
    if (!schema::IsValidUtf8(file)) {
      Problem("--witnessed-checkpoint: a file whose name is not UTF-8; rename it");
      continue;
    }
    auto text = ReadText(path, crypto::kMaxNoteSize);
    auto note = text ? SplitNote(*text) : std::nullopt;
    if (!note) {
      Problem(file + ": not a signed checkpoint (--witnessed-checkpoint)");
      continue;
    }
    auto checkpoint = crypto::ParseCheckpointBody(note->body);
    const Epoch& epoch = EpochFor(checkpoint ? checkpoint->size : UINT64_MAX);
    if (!checkpoint || !SignedBy(*note, epoch) || checkpoint->origin != epoch.origin) {
      Problem(file + ": not a checkpoint this node signed of this log (--witnessed-checkpoint)");
      continue;
    }
    const uint64_t size = checkpoint->size;
    if (size > leaves_.size()) {
      Problem(
          fmt::format("{}: a peer witnessed this log at {} records, but the export holds only "
                      "{}: it was cut back to an older checkpoint, or is older than what the "
                      "peer saw",
                      file, size, leaves_.size()));
      continue;
    }
    if (crypto::RootFromLeafHashes(std::span(leaves_).first(size)) != checkpoint->root) {
      Problem(
          fmt::format("{}: the export's records 1 to {} do not hash to the root a peer "
                      "witnessed: the log was rewritten after the peer saw it",
                      file, size));
      continue;
    }
    report_.witnessed.push_back(fmt::format("size {} ({})", size, file));
  }
}

// Every record against the latest checkpoint, with proofs taken from the
// tree's levels (an odd last node is carried up, as RFC 9162's left-balanced
// tree does), then checked by the RFC verifier.
void Verifier::CheckInclusion() {
  if (!report_.problems.empty() || roots_.empty()) return;
  auto [size, root] = *roots_.rbegin();
  std::vector<std::vector<crypto::Hash>> levels{
      std::vector<crypto::Hash>(leaves_.begin(), leaves_.begin() + static_cast<long>(size))};
  while (levels.back().size() > 1) {
    const auto& below = levels.back();
    std::vector<crypto::Hash> up;
    for (size_t i = 0; i + 1 < below.size(); i += 2)
      up.push_back(crypto::NodeHash(below[i], below[i + 1]));
    if (below.size() % 2 == 1) up.push_back(below.back());
    levels.push_back(std::move(up));
  }
  for (uint64_t index = 0; index < size; ++index) {
    std::vector<crypto::Hash> proof;
    uint64_t i = index;
    for (size_t level = 0; level + 1 < levels.size(); ++level, i /= 2) {
      uint64_t sibling = i ^ 1;
      if (sibling < levels[level].size()) proof.push_back(levels[level][sibling]);
    }
    if (!crypto::VerifyInclusion(leaves_[index], index, size, proof, root)) {
      Problem(fmt::format("records.jsonl line {}: not included in checkpoint {}", index + 1, size));
      return;
    }
  }
}

}  // namespace

VerifyReport VerifyExport(const fs::path& dir, const VerifyOptions& options) {
  VerifyReport report;
  Verifier(dir, options, report).Run();
  return report;
}

}  // namespace inbeeld::node::audit
