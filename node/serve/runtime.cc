#include "node/serve/runtime.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

namespace inbeeld::node::serve {
namespace {

std::string PeerNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

void DeclareServeMetrics(ops::Metrics& m) {
  using T = ops::Metrics::Type;
  m.Declare(metric::kSessions, T::kCounter,
            "Exchange sessions this process took part in (served, or started by its console or "
            "scheduler), by role, peer and outcome (completed, failed, refused).");
  m.Declare(metric::kSessionSeconds, T::kSummary, "Duration of those sessions, by role and peer.");
  m.Declare(metric::kRefusals, T::kCounter,
            "Refusals by peer and reason: sessions refused for policy, limit, busy, malformed or "
            "other; witness (a rolled-back or forked log); request (refused before a session "
            "existed: transport limits, malformed messages, unknown sessions).");
  m.Declare(metric::kLastCompleted, T::kGauge,
            "Unix time at which the latest completed session with each peer finished (any "
            "role, any process of this node).");
  m.Declare(metric::kAuditRecords, T::kGauge, "Records in the audit log.");
  m.Declare(metric::kListRows, T::kGauge, "Children on the current list version (a total).");
  m.Declare(metric::kPeers, T::kGauge, "Peers pinned in the configuration in force.");
  m.Declare(metric::kReloads, T::kCounter, "Configuration reloads by result (ok, failed).");
}

Status ServeRuntime::ReloadConfig() {
  std::lock_guard lock(reload_mu_);
  const size_t before = p_.responder_node->config.peers.size();
  auto fail = [&](const Error& error) -> Status {
    p_.metrics->Add(metric::kReloads, {{"result", "failed"}});
    p_.events->Write(ops::Level::kError, "config.reload_failed",
                     {{"error", error.message},
                      {"msg", fmt::format("configuration NOT reloaded; still serving {} peers "
                                          "with the old one",
                                          before)}});
    return std::unexpected(error);
  };
  auto fresh = p_.dir->ReadConfig();
  if (!fresh) return fail(fresh.error());
  auto setup = PeerSetupFor(*fresh);
  if (!setup) return fail(setup.error());
  if (server_ != nullptr && setup->pins.empty()) {
    return fail(Error{ErrorCode::kFailedPrecondition,
                      "no peers left in inbeeld.toml; a serving node keeps its peers until "
                      "a restart"});
  }
  std::set<std::string> old_names, new_names;
  for (const auto& peer : p_.responder_node->config.peers) old_names.insert(peer.name);
  for (const auto& peer : fresh->peers) new_names.insert(peer.name);
  std::vector<std::string> added, removed;
  for (const auto& n : new_names) {
    if (!old_names.contains(n)) added.push_back(n);
  }
  for (const auto& n : old_names) {
    if (!new_names.contains(n)) removed.push_back(n);
  }
  if (server_ != nullptr) {
    if (Status replaced = server_->ReplacePins(std::move(setup->pins)); !replaced) {
      return fail(replaced.error());
    }
  }
  {
    std::unique_lock config_lock(config_mu_);
    p_.responder_node->config = *fresh;
    p_.region_node->config = *fresh;
  }
  if (p_.console != nullptr) p_.console->UpdateConfig(*fresh);
  if (p_.jobs != nullptr) p_.jobs->UpdateConfig(*fresh);
  {
    std::lock_guard scheduler_lock(scheduler_mu_);
    scheduler_config_ = *fresh;
  }
  p_.metrics->Add(metric::kReloads, {{"result", "ok"}});
  p_.metrics->Set(metric::kPeers, {}, static_cast<double>(fresh->peers.size()));
  p_.events->Write(ops::Level::kInfo, "config.reloaded",
                   {{"peers", std::to_string(fresh->peers.size())},
                    {"added", PeerNames(added)},
                    {"removed", PeerNames(removed)},
                    {"msg", fmt::format("config reloaded: {} peers (+{}, -{})", fresh->peers.size(),
                                        added.size(), removed.size())}});
  if (server_ != nullptr && setup->max_body() > max_body_) {
    p_.events->Write(ops::Level::kWarning, "config.restart_needed",
                     {{"msg",
                       "a peer's max_list_size needs larger requests than this process "
                       "accepts; restart serve to accept them"}});
  }
  return {};
}

}  // namespace inbeeld::node::serve
