#include "node/ops/admin.h"

#include <httplib.h>

#include <atomic>

#include "node/ops/listen_control.h"

namespace inbeeld::node::ops {
namespace {

constexpr char kText[] = "text/plain; charset=utf-8";
constexpr char kExposition[] = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

AdminEndpoints::AdminEndpoints(Metrics& metrics, std::function<void()> refresh)
    : metrics_(metrics), refresh_(std::move(refresh)) {}

void AdminEndpoints::SetReady(std::string_view check, bool ok, std::string reason) {
  std::lock_guard lock(mu_);
  passed_[std::string(check)] = ok;
  if (ok) {
    failing_.erase(std::string(check));
  } else {
    failing_[std::string(check)] = reason.empty() ? "failing" : std::move(reason);
  }
}

void AdminEndpoints::RequireChecks(std::vector<std::string> checks) {
  std::lock_guard lock(mu_);
  required_ = std::move(checks);
}

bool AdminEndpoints::IsAdminPath(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

std::optional<AdminReply> AdminEndpoints::Handle(std::string_view method,
                                                 std::string_view path) const {
  if (!IsAdminPath(path)) return std::nullopt;
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return AdminReply{405, kText, "only GET and HEAD\n"};
  }
  AdminReply reply;
  if (path == "/healthz") {
    reply = {200, kText, "ok\n"};
  } else if (path == "/readyz") {
    std::string failures;
    {
      std::lock_guard lock(mu_);
      for (const std::string& check : required_) {
        auto passed = passed_.find(check);
        if (passed != passed_.end() && passed->second) continue;
        auto failing = failing_.find(check);
        failures += check + ": " +
                    (failing != failing_.end() ? failing->second : std::string("not yet checked")) +
                    "\n";
      }
    }
    reply = failures.empty() ? AdminReply{200, kText, "ready\n"}
                             : AdminReply{503, kText, std::move(failures)};
  } else {
    if (refresh_) refresh_();
    reply = {200, kExposition, metrics_.Render()};
  }
  if (head) reply.body.clear();
  return reply;
}

struct AdminHttpServer::Impl {
  const AdminEndpoints& endpoints;
  httplib::Server server;
  std::atomic<bool> bound{false};
  ListenControl control{server};
  std::vector<std::string> allowed_hosts;  // set once in Bind, before listening

  explicit Impl(const AdminEndpoints& e) : endpoints(e) {
    server.set_payload_max_length(1024);
    server.set_read_timeout(std::chrono::seconds(10));
    server.set_write_timeout(std::chrono::seconds(10));
    server.set_keep_alive_timeout(5);
    server.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      auto answer = [&](const AdminReply& reply) {
        res.status = reply.status;
        res.set_header("Cache-Control", "no-store");
        res.set_content(reply.body, reply.content_type.c_str());
        return httplib::Server::HandlerResponse::Handled;
      };
      bool host_ok = false;
      const std::string host = req.get_header_value("Host");
      for (const auto& allowed : allowed_hosts) host_ok |= host == allowed;
      if (!host_ok) {
        res.set_header("Connection", "close");
        return answer({421, "text/plain; charset=utf-8", "wrong Host\n"});
      }
      if (req.has_header("Transfer-Encoding") || req.has_header("Content-Length")) {
        res.set_header("Connection", "close");
        return answer({400, "text/plain; charset=utf-8", "no request body accepted\n"});
      }
      std::optional<AdminReply> reply = endpoints.Handle(req.method, req.path);
      if (!reply) return answer({404, "text/plain; charset=utf-8", "not found\n"});
      return answer(*reply);
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          res.status = 500;
          res.set_content("internal error\n", "text/plain; charset=utf-8");
        });
  }
};

AdminHttpServer::AdminHttpServer(const AdminEndpoints& endpoints)
    : impl_(std::make_unique<Impl>(endpoints)) {}

AdminHttpServer::~AdminHttpServer() { Stop(); }

Result<int> AdminHttpServer::Bind(const std::string& host, int port) {
  auto bound = BindLoopback(impl_->server, "admin listener", host, port,
                            "/metrics, /healthz and /readyz are served on 127.0.0.1 or ::1 only");
  if (!bound) return std::unexpected(bound.error());
  const std::string p = std::to_string(*bound);
  impl_->allowed_hosts = {(host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + p,
                          "localhost:" + p};
  impl_->bound = true;
  return *bound;
}

Status AdminHttpServer::ListenAfterBind() {
  if (!impl_->bound) return Fail(ErrorCode::kFailedPrecondition, "admin listener: not bound");
  if (!impl_->control.Listen()) {
    return Fail(ErrorCode::kInternal, "admin listener: accepting connections failed");
  }
  return {};
}

void AdminHttpServer::Stop() { impl_->control.Stop(); }

}  // namespace inbeeld::node::ops
