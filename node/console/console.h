// node/console/console.h — the web console's request handling, without a
// socket (docs/CONSOLE.md is the contract; http_server.h puts it on a port).
//
// Console::Handle turns one request into one reply. In order it:
//   1. refuses a Host header that is not one of the console's own addresses
//      (a DNS-rebinding page could otherwise reach 127.0.0.1 under its own
//      name) — 421;
//   2. serves the page's own files (assets.h) to anyone;
//   3. for /api/: finds the session from the `inbeeld_sessie` cookie; on a
//      POST checks Origin / Sec-Fetch-Site (same origin only), and the
//      X-CSRF-Token header against the session (login and invitation POSTs,
//      which have no session, need Content-Type application/json instead);
//      checks the person's role for the route (docs/CONSOLE.md's table);
//   4. runs the route's handler inside an audit ActorScope
//      ("console:NAME", the client address), so every record the action
//      writes says who did it and from where.
// Every reply carries the security headers of docs/CONSOLE.md (a strict
// Content-Security-Policy among them). Errors are `{"fout": "…", "code":
// "…"}` in Dutch; an internal error never shows its details.
//
// Thread safety: Handle may be called from many threads at once. Requests
// that touch the store take turns on the console's connection; exchanges run
// on the job runner's own connection (jobs.h).
#ifndef INBEELD_NODE_CONSOLE_CONSOLE_H_
#define INBEELD_NODE_CONSOLE_CONSOLE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "node/console/jobs.h"
#include "node/console/people.h"
#include "node/datadir/node_dir.h"

namespace inbeeld::node::console {

inline constexpr const char* kSessionCookie = "inbeeld_sessie";
// Largest request body: a list file of a few hundred rows is kilobytes; a
// spreadsheet of 100,000 rows about 10 MB.
inline constexpr size_t kMaxUploadBytes = size_t{32} << 20;
// Largest JSON body (logins, decisions, requests), and its deepest nesting.
inline constexpr size_t kMaxJsonBytes = size_t{64} << 10;
inline constexpr size_t kMaxJsonDepth = 8;

struct ApiRequest {
  std::string method;                          // "GET", "POST", …
  std::string path;                            // without the query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string client_address;  // "127.0.0.1"
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ConsoleOptions {
  // Host header values accepted, e.g. {"127.0.0.1:8470", "localhost:8470"}.
  // Set by the server once it knows its port (SetAddress).
  std::vector<std::string> allowed_hosts;
  ConsolePolicy policy;
  // Called (on the request's thread, with the console's lock held) after a
  // partner was added to inbeeld.toml, so the serving process can reload its
  // configuration (`serve`: serve::Server::RequestReload). It must not call
  // back into the console; it may be empty.
  std::function<void()> peers_changed;
};

class Console {
 public:
  // `node` is the console's own unlocked view (its own store connection);
  // `jobs` runs the exchanges people start (on another connection). Both
  // must outlive the console.
  Console(UnlockedNode& node, JobRunner& jobs, ConsoleOptions options);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // The address the server bound, e.g. ("127.0.0.1", 8470): accepted Host
  // headers become that, "localhost:PORT" and "[::1]:PORT" as fits. Call
  // before serving.
  void SetAddress(const std::string& host, int port);

  // Replaces the configuration the console shows and checks against (the
  // partners, the register) after a reload; waits for a request in progress.
  void UpdateConfig(config::NodeConfig config);

  ApiReply Handle(const ApiRequest& request);

  // Whether `host` (a Host header's value) names this console; the HTTP
  // server asks before it reads a body.
  bool HostAllowed(std::string_view host) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace inbeeld::node::console

#endif  // INBEELD_NODE_CONSOLE_CONSOLE_H_
