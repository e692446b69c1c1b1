#include "node/console/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>

#include "node/ops/admin.h"
#include "node/ops/listen_control.h"

namespace inbeeld::node::console {

struct ConsoleHttpServer::Impl {
  Console& console;
  const ops::AdminEndpoints* admin;
  httplib::Server server;
  std::atomic<bool> bound{false};
  ops::ListenControl control{server};

  Impl(Console& c, const ops::AdminEndpoints* a) : console(c), admin(a) {
    server.set_payload_max_length(kMaxUploadBytes);
    server.set_read_timeout(std::chrono::seconds(30));
    server.set_write_timeout(std::chrono::seconds(30));
    server.set_keep_alive_timeout(5);
    server.new_task_queue = [] { return new httplib::ThreadPool(4); };
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      ApiRequest request;
      request.method = req.method;
      request.path = req.path;
      for (const auto& [k, v] : req.params) request.query.emplace(k, v);
      for (const auto& [k, v] : req.headers) {
        std::string name = k;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        // httplib appends REMOTE_ADDR/PORT and LOCAL_* after the client's
        // headers; only the first of a name counts, so a client cannot
        // override what we read from the socket (we use remote_addr anyway).
        request.headers.emplace(std::move(name), v);
      }
      request.body = req.body;
      request.client_address = req.remote_addr;
      ApiReply reply = console.Handle(request);
      res.status = reply.status;
      for (const auto& [k, v] : reply.headers) res.set_header(k, v);
      if (!reply.content_type.empty()) {
        res.set_content(std::move(reply.body), reply.content_type.c_str());
      }
    };
    server.Get(".*", handle);
    server.Post(".*", handle);
    server.Put(".*", handle);
    server.Delete(".*", handle);
    server.Patch(".*", handle);
    // Before any body is read: bodies we would not bound (chunked, or
    // compressed and inflated by httplib without a limit) and requests for
    // another host name are refused, and the connection closed.
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      auto refuse = [&](int status, const char* body) {
        res.status = status;
        res.set_header("Connection", "close");
        res.set_content(body, "application/json; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
      };
      if (req.has_header("Transfer-Encoding")) {
        return refuse(411,
                      R"({"fout":"Stuur het verzoek met een Content-Length.","code":"lengte"})");
      }
      if (req.has_header("Content-Encoding")) {
        return refuse(
            415, R"({"fout":"Gecomprimeerde verzoeken worden niet aangenomen.","code":"inhoud"})");
      }
      if (!console.HostAllowed(req.get_header_value("Host"))) {
        return refuse(
            421, R"({"fout":"Open de console via het adres dat de node noemt.","code":"host"})");
      }
      // /healthz, /readyz, /metrics: no login (node/ops/admin.h), after the
      // same Host check; they hold nothing about a child.
      if (admin != nullptr && ops::AdminEndpoints::IsAdminPath(req.path)) {
        if (req.has_header("Content-Length")) {
          return refuse(400, R"({"fout":"Geen inhoud verwacht.","code":"inhoud"})");
        }
        std::optional<ops::AdminReply> reply = admin->Handle(req.method, req.path);
        res.status = reply->status;
        res.set_header("Cache-Control", "no-store");
        res.set_content(reply->body, reply->content_type.c_str());
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content(R"({"fout":"Er ging iets mis in de node.","code":"intern"})",
                          "application/json; charset=utf-8");
        });
  }
};

ConsoleHttpServer::ConsoleHttpServer(Console& console, const ops::AdminEndpoints* admin)
    : impl_(std::make_unique<Impl>(console, admin)) {}

ConsoleHttpServer::~ConsoleHttpServer() { Stop(); }

Result<int> ConsoleHttpServer::Bind(const std::string& host, int port) {
  auto bound = ops::BindLoopback(impl_->server, "console", host, port,
                                 "the console speaks plain HTTP and listens on 127.0.0.1 or ::1 "
                                 "only (reach it through an SSH tunnel)");
  if (!bound) return std::unexpected(bound.error());
  impl_->bound = true;
  impl_->console.SetAddress(host, *bound);
  return *bound;
}

Status ConsoleHttpServer::ListenAfterBind() {
  if (!impl_->bound) return Fail(ErrorCode::kFailedPrecondition, "console: not bound");
  if (!impl_->control.Listen()) {
    return Fail(ErrorCode::kInternal, "console: accepting connections failed");
  }
  return {};
}

void ConsoleHttpServer::Stop() { impl_->control.Stop(); }

}  // namespace inbeeld::node::console
