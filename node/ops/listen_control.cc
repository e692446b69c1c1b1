#include "node/ops/listen_control.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "config/node_config.h"

namespace inbeeld::node::ops {

Result<int> BindLoopback(httplib::Server& server, std::string_view who, const std::string& host,
                         int port, std::string_view why_loopback) {
  const std::string prefix = std::string(who) + ": ";
  if (!config::IsLoopbackHost(host)) {
    return Fail(ErrorCode::kInvalidArgument,
                prefix + host + " is not a loopback address; " + std::string(why_loopback));
  }
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would
  // let a second server (another serve) bind the same port and share it.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  int bound = 0;
  if (port == 0) {
    bound = std::max(server.bind_to_any_port(host), 0);
  } else if (server.bind_to_port(host, port)) {
    bound = port;
  }
  if (bound == 0 && port != 0 && PortInUse(host, port)) {
    return Fail(ErrorCode::kAddressInUse, prefix + "port " + std::to_string(port) +
                                              " is already in use (another inbeeld serve?)");
  }
  if (bound == 0) {
    return Fail(ErrorCode::kUnavailable, prefix + "cannot listen on " + host + ":" +
                                             std::to_string(port) +
                                             " (is another program using that port?)");
  }
  return bound;
}

bool PortInUse(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return false;
  bool in_use = false;
  for (addrinfo* a = found; a != nullptr && !in_use; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE) in_use = true;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return in_use;
}

// The two flags are sequentially consistent: Listen sets listening_ before it
// reads stop_requested_, Stop sets stop_requested_ before it reads
// listening_, so at least one of them sees the other.
bool ListenControl::Listen() {
  listening_ = true;
  if (stop_requested_) {
    listening_ = false;
    return true;
  }
  const bool served = server_.listen_after_bind();
  listening_ = false;
  return served;
}

void ListenControl::Stop() {
  stop_requested_ = true;
  while (listening_) {
    server_.stop();  // a no-op until the listen has started
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace inbeeld::node::ops
