// End-to-end match benchmark: a mutual match of n × n between two separate
// `inbeeld` processes on loopback — the responder's `inbeeld serve` and the
// initiator's `inbeeld match PEER --json` — over mutual TLS, with real
// SQLCipher stores, witnessing and audit records, exactly as a user runs it.
//
//   build/bench/match_bench [options] [N...]        default N: 10000 100000
//     --overlap F      share of each list that is on both (default 0.5)
//     --threads T      crypto threads of each process (default 2)
//     --keys K         key types matched on: pgn (default: two leerplicht nodes,
//                      one slot a record), or e.g. name,weak (leerplicht and an
//                      SWV, no PGN: 5 slots) or pgn,name,weak (6 slots)
//     --direct         no counting relay: the initiator connects straight to
//                      the server (no wire bytes, no timeline, no session memory)
//     --keep           keep the temporary directory (logs, stores)
//     --inbeeld PATH   the binary to run (default: the one built with this)
//
// For each n it prints the wall time of the `inbeeld match` command, the CPU
// of each process, the bytes on the wire, the peak memory of each node, a
// timeline of the session's phases, and the crypto lower bound measured in
// the same run:
//
//   bound = 2 sides × n × k × (t_h2g + 2·t_mul) / (2-thread speed-up of t_mul)
//
// with k the slots a record has for the key types (PROTOCOL.md §3.1); it also
// prints the bytes on the wire per record per side next to the 48·k bytes of
// points and tags the protocol needs,
//
// with t_h2g and t_mul single-thread medians (bench_util's MeasureCryptoCosts),
// measured just before and just after the match (the bound uses their mean).
//
// How each figure is taken:
//  - wall: spawn (node/process/spawn.h) of `inbeeld match` to its exit (wait4, polled every
//    5 ms). Includes the passphrase unlock (Argon2id, interactive profile) —
//    an `inbeeld status` run gives that no-op cost, subtracted in one line.
//  - CPU: the match process's user+sys from wait4's rusage; the server's from
//    /proc/PID/stat before and after. "Other" CPU is /proc/stat busy time over
//    the run minus both nodes and this program: the machine's other load
//    (hypervisor steal is printed separately).
//  - wire: the initiator talks to the server through a byte-counting TCP relay
//    in this program (TLS is end to end; the relay only copies). Bytes are
//    TLS records including handshakes and HTTP headers. The relay's read
//    timestamps give the timeline: unlock, witnessing, each side's crypto
//    phase, the responder's and the initiator's results + audit writes, the
//    witnessing after the session, the JSON output — each with the CPU and
//    RSS of both processes, sampled every 5 ms from /proc, and the phase's
//    group operations at the measured cost. (/proc/PID/io of the server is
//    printed too, but its rchar/wchar include SQLite's file I/O, so it is not
//    the wire — it shows the storage traffic of the results and audit write.)
//  - memory: serve — VmRSS before the match (idle, unlocked) and VmHWM during
//    the match (high-water mark reset through /proc/PID/clear_refs first).
//    match — its peak is dominated by the unlock's 64 MiB Argon2id buffer,
//    so the high-water mark is read and then reset when the first connection
//    reaches the relay (after the unlock, with the list loaded), and read
//    every 5 ms until exit: the session's own peak. (The reset also lowers
//    wait4's ru_maxrss, so that is used only with --direct.) Bytes per record
//    are measured above the serve process's idle RSS (same binary, unlocked
//    store, no session) for both nodes.
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "crypto/ristretto.h"
#include "node/process/spawn.h"
#include "node/psi/parallel.h"
#include "schema/csv_import.h"
#include "schema/synthetic.h"

extern char** environ;

using namespace inbeeld;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPurpose = "thuiszitters-afstemming";
const Clock::time_point kEpoch = Clock::now();

double Now() { return bench::Seconds(Clock::now() - kEpoch); }

[[noreturn]] void Die(const std::string& what) { throw std::runtime_error(what); }

std::string Thousands(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k != 0 && (digits.size() - k) % 3 == 0) out.push_back(',');
    out.push_back(digits[k]);
  }
  return out;
}

double MiB(uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }
double MB(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) Die("cannot write " + path.string());
}

// ------------------------------------------------------------------- /proc

std::optional<uint64_t> ProcStatusBytes(pid_t pid, std::string_view field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10) * 1024;
    }
  }
  return std::nullopt;
}

// user+sys seconds of a whole process (all threads), from /proc/PID/stat.
double ProcCpuSeconds(pid_t pid) {
  const std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string skip;
  for (int k = 0; k < 11; ++k) fields >> skip;  // fields 3..13
  uint64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resident set size from /proc/PID/statm (cheaper than status); 0 if gone.
uint64_t ProcRssBytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::map<std::string, uint64_t> ProcIo(pid_t pid) {
  std::map<std::string, uint64_t> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/io");
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      out[line.substr(0, colon)] = std::strtoull(line.c_str() + colon + 1, nullptr, 10);
    }
  }
  return out;
}

// Resets the peak-RSS mark (VmHWM) of a process to its current RSS (Linux).
bool ResetHighWaterMark(pid_t pid) {
  const std::string path = pid == 0 ? "/proc/self/clear_refs"
                                    : "/proc/" + std::to_string(pid) + "/clear_refs";
  int fd = open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  const bool ok = write(fd, "5", 1) == 1;
  close(fd);
  return ok;
}

// Busy and total CPU seconds of the whole machine so far (/proc/stat).
struct MachineCpu {
  double busy = 0, total = 0, steal = 0;  // busy excludes steal
};
MachineCpu ReadMachineCpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  std::vector<uint64_t> v;
  for (uint64_t x; v.size() < 8 && in >> x;) v.push_back(x);
  if (cpu != "cpu" || v.size() < 5) return {};
  uint64_t total = 0;
  for (uint64_t x : v) total += x;
  const uint64_t idle = v[3] + v[4];  // idle + iowait
  const uint64_t steal = v.size() > 7 ? v[7] : 0;
  const auto hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  return {static_cast<double>(total - idle - steal) / hz, static_cast<double>(total) / hz,
          static_cast<double>(steal) / hz};
}

std::string LoadAverage() {
  std::string s = ReadFile("/proc/loadavg");
  std::istringstream in(s);
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// --------------------------------------------------------------- processes

struct Node {
  std::string name;  // also the peer name the other node uses
  std::string role;
  fs::path home, pass, csv;
  std::string fingerprint;
};

std::vector<std::string> NodeEnv(const Node& node) {
  return {"INBEELD_HOME=" + node.home.string(), "INBEELD_PASSPHRASE_FILE=" + node.pass.string(),
          "PATH=/usr/bin:/bin"};
}

// node/process/spawn.h's Spawn, stdout to `out` and stderr to `err` (or to
// `out` if `err` is empty). Before spawning, this process's own peak RSS mark
// is reset: Linux carries the spawning process's mark into the child's
// ru_maxrss at exec.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::vector<std::string>& env, const fs::path& out, const fs::path& err = {}) {
  ResetHighWaterMark(0);
  node::process::SpawnOptions options;
  options.stdout_file = out;
  options.stderr_file = err;
  auto pid = node::process::Spawn(binary, args, env, options);
  if (!pid) Die(pid.error().message);
  return *pid;
}

struct Finished {
  int exit_code = -1;
  double start = 0, end = 0;  // Now() at spawn and at exit (reaped)
  double cpu = 0;             // user + sys
  uint64_t maxrss = 0;        // bytes
  std::string out, err;
  double wall() const { return end - start; }
};

Finished Reaped(int status, const rusage& ru, double start, double end) {
  Finished f;
  f.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  f.start = start;
  f.end = end;
  f.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  f.maxrss = static_cast<uint64_t>(ru.ru_maxrss) * 1024;
  return f;
}

// Runs an `inbeeld` command of `node` to completion.
Finished Cli(const std::string& binary, const Node& node, const fs::path& scratch,
             const std::vector<std::string>& args, bool must_succeed = true) {
  const fs::path out = scratch / "cli.out", err = scratch / "cli.err";
  const double start = Now();
  const pid_t pid = Spawn(binary, args, NodeEnv(node), out, err);
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) Die("wait4 failed");
  Finished f = Reaped(status, ru, start, Now());
  f.out = ReadFile(out);
  f.err = ReadFile(err);
  if (must_succeed && f.exit_code != 0) {
    Die(node.name + ": `inbeeld " + args.front() + "` exited " + std::to_string(f.exit_code) +
        ":\n" + f.err);
  }
  return f;
}

void StopProcess(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const double deadline = Now() + 10;
  while (Now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// `inbeeld serve` of one node, stopped with SIGTERM on destruction.
class Server {
 public:
  Server(const std::string& binary, const Node& node, const fs::path& scratch, unsigned threads) {
    const fs::path port_file = scratch / (node.name + ".port");
    log_ = scratch / (node.name + "-serve.log");
    pid_ = Spawn(binary,
                 {"serve", "--listen", "127.0.0.1:0", "--port-file", port_file.string(), "--threads",
                  std::to_string(threads), "--console-listen", ""},
                 NodeEnv(node), log_);
    const double deadline = Now() + 60;
    while (Now() < deadline) {
      if (fs::exists(port_file)) {
        port_ = std::stoi(ReadFile(port_file));
        return;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        Die(node.name + ": `inbeeld serve` exited early:\n" + ReadFile(log_));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Die(node.name + ": `inbeeld serve` did not start within 60 s");
  }
  ~Server() { Stop(); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  void Stop() {
    StopProcess(pid_);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const fs::path& log() const { return log_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  fs::path log_;
};

// ------------------------------------------------------------------- relay

// One read by the relay: `bytes` arrived from the client (c2s) or the server.
struct Event {
  double t;
  bool c2s;
  uint32_t bytes;
};
struct ConnLog {
  double accepted = 0;
  double closed = -1;
  uint64_t c2s = 0, s2c = 0;
  std::vector<Event> events;
};

// A loopback TCP relay that copies bytes between the initiator and the
// server unchanged (TLS stays end to end) and logs when they passed.
class Relay {
 public:
  explicit Relay(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      Die("relay: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) Die("relay: pipe");
    thread_ = std::thread([this] { Loop(); });
  }
  ~Relay() { Stop(); }
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  int port() const { return port_; }
  size_t accepted() const { return accepted_.load(); }
  std::vector<ConnLog> Stop() {
    if (thread_.joinable()) {
      (void)!write(wake_[1], "x", 1);
      thread_.join();
      close(listen_fd_);
      close(wake_[0]);
      close(wake_[1]);
    }
    return logs_;
  }

 private:
  struct Side {
    int fd = -1;
    bool eof = false;       // nothing more to read from this side
    bool shut = false;      // we shut down writing to this side
    std::string pending;    // bytes read from the *other* side, not yet written here
    size_t offset = 0;
  };
  struct Pair {
    Side client, server;
    size_t log = 0;
    bool dead = false;
  };

  static void Flush(Side& to) {
    while (to.offset < to.pending.size()) {
      const ssize_t w = write(to.fd, to.pending.data() + to.offset, to.pending.size() - to.offset);
      if (w <= 0) return;
      to.offset += static_cast<size_t>(w);
    }
    to.pending.clear();
    to.offset = 0;
  }

  void Pump(Pair& p, bool from_client) {
    Side& from = from_client ? p.client : p.server;
    Side& to = from_client ? p.server : p.client;
    if (from.eof || !to.pending.empty()) return;
    char buf[1 << 16];
    const ssize_t r = read(from.fd, buf, sizeof buf);
    if (r > 0) {
      ConnLog& log = logs_[p.log];
      log.events.push_back({Now(), from_client, static_cast<uint32_t>(r)});
      (from_client ? log.c2s : log.s2c) += static_cast<uint64_t>(r);
      to.pending.assign(buf, static_cast<size_t>(r));
      to.offset = 0;
      Flush(to);
    } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      from.eof = true;
    }
  }

  void Settle(Pair& p) {
    for (Side* to : {&p.server, &p.client}) {
      const Side& from = to == &p.server ? p.client : p.server;
      if (from.eof && to->pending.empty() && !to->shut) {
        shutdown(to->fd, SHUT_WR);
        to->shut = true;
      }
    }
    if (p.client.shut && p.server.shut) {
      close(p.client.fd);
      close(p.server.fd);
      logs_[p.log].closed = Now();
      p.dead = true;
    }
  }

  void Accept() {
    for (;;) {
      const int c = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) return;
      const double at = Now();
      const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(target_port_));
      if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(c);
        if (s >= 0) close(s);
        continue;
      }
      fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
      logs_.push_back(ConnLog{at, -1, 0, 0, {}});
      Pair p;
      p.client.fd = c;
      p.server.fd = s;
      p.log = logs_.size() - 1;
      pairs_.push_back(std::move(p));
      accepted_.fetch_add(1);
    }
  }

  void Loop() {
    for (;;) {
      std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (Pair& p : pairs_) {
        for (bool client : {true, false}) {
          Side& me = client ? p.client : p.server;
          const Side& other = client ? p.server : p.client;
          short events = 0;
          if (!me.eof && other.pending.empty()) events |= POLLIN;
          if (!me.pending.empty()) events |= POLLOUT;
          fds.push_back({me.fd, events, 0});
        }
      }
      if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) return;
      if (fds[0].revents != 0) {
        for (Pair& p : pairs_) {
          close(p.client.fd);
          close(p.server.fd);
        }
        pairs_.clear();
        return;
      }
      if (fds[1].revents != 0) Accept();
      for (size_t k = 0; k + 2 < fds.size() && k / 2 < pairs_.size(); k += 2) {
        Pair& p = pairs_[k / 2];
        const short cr = fds[k + 2].revents, sr = fds[k + 3].revents;
        if (sr & POLLOUT) Flush(p.server);
        if (cr & POLLOUT) Flush(p.client);
        if (cr & (POLLIN | POLLHUP | POLLERR)) Pump(p, true);
        if (sr & (POLLIN | POLLHUP | POLLERR)) Pump(p, false);
        if ((cr | sr) & POLLERR) {
          p.client.eof = p.server.eof = true;
          p.client.pending.clear();
          p.server.pending.clear();
        }
        Settle(p);
      }
      std::erase_if(pairs_, [](const Pair& p) { return p.dead; });
    }
  }

  int target_port_;
  int port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<size_t> accepted_{0};
  std::vector<Pair> pairs_;     // relay thread only
  std::vector<ConnLog> logs_;   // relay thread only until Stop() joined
};

// ------------------------------------------------------------------ phases

// One HTTP exchange on one connection (each Post is a fresh TLS connection).
struct Exchange {
  bool ok = false;
  double opened = 0;         // relay accepted the connection
  double request_end = 0;    // last byte from the client
  double response_start = 0; // first byte of the response
  double response_end = 0;   // last byte from the server
  uint64_t c2s = 0, s2c = 0;
};

Exchange Analyse(const ConnLog& log) {
  Exchange x;
  x.opened = log.accepted;
  x.c2s = log.c2s;
  x.s2c = log.s2c;
  // The client's TLS close_notify (a 24-byte alert) may follow the response:
  // small client bytes after the server's last ones are not the request.
  size_t end = log.events.size();
  while (end > 0 && log.events[end - 1].c2s && log.events[end - 1].bytes <= 64) --end;
  size_t last_c2s = end;
  for (size_t k = 0; k < end; ++k) {
    if (log.events[k].c2s) last_c2s = k;
  }
  if (last_c2s == end) return x;
  x.request_end = log.events[last_c2s].t;
  // Server bytes after the request: TLS 1.3 session tickets may come first
  // (sent when the server completes the handshake, possibly after a short
  // upload already passed). A small burst followed by >= 2 ms of silence and
  // then more bytes is such a ticket burst, not the response.
  std::vector<std::pair<size_t, uint64_t>> bursts;  // first event, bytes
  double last_t = -1;
  for (size_t k = last_c2s + 1; k < end; ++k) {
    const Event& e = log.events[k];
    if (bursts.empty() || e.t - last_t > 0.002) bursts.emplace_back(k, 0);
    bursts.back().second += e.bytes;
    last_t = e.t;
  }
  if (bursts.empty()) return x;
  size_t first = 0;
  while (first + 1 < bursts.size() && bursts[first].second <= 2048) ++first;
  if (first > 1) first = 1;  // at most one ticket burst
  x.response_start = log.events[bursts[first].first].t;
  x.response_end = log.events[end - 1].t;
  x.ok = true;
  return x;
}

struct Timeline {
  bool ok = false;
  size_t connections = 0, witness_connections = 0;
  double first_open = 0, witness_end = 0;
  Exchange start, finish;
  uint64_t witness_bytes = 0, total_bytes = 0;
  // The initiator witnesses again after a completed session.
  size_t after_connections = 0;
  double after_open = 0, after_end = 0;
  uint64_t after_bytes = 0;
};

Timeline MakeTimeline(const std::vector<ConnLog>& logs, size_t n) {
  Timeline t;
  t.connections = logs.size();
  for (const ConnLog& l : logs) t.total_bytes += l.c2s + l.s2c;
  // The PSI exchanges are the two connections carrying >= 16·n bytes up
  // (message 1: 32 a slot, message 3: 16 a slot; witnessing is a few kB).
  std::vector<size_t> big;
  for (size_t k = 0; k < logs.size(); ++k) {
    if (logs[k].c2s >= 16 * n) big.push_back(k);
  }
  if (big.size() != 2 || logs.empty()) return t;
  t.start = Analyse(logs[big[0]]);
  t.finish = Analyse(logs[big[1]]);
  t.first_open = logs.front().accepted;
  t.witness_end = t.first_open;
  for (size_t k = 0; k < big[0]; ++k) {
    ++t.witness_connections;
    t.witness_bytes += logs[k].c2s + logs[k].s2c;
    if (!logs[k].events.empty()) t.witness_end = std::max(t.witness_end, logs[k].events.back().t);
  }
  for (size_t k = big[1] + 1; k < logs.size(); ++k) {
    if (t.after_connections++ == 0) t.after_open = logs[k].accepted;
    t.after_bytes += logs[k].c2s + logs[k].s2c;
    if (!logs[k].events.empty()) t.after_end = std::max(t.after_end, logs[k].events.back().t);
  }
  t.ok = t.start.ok && t.finish.ok;
  return t;
}

// ------------------------------------------------------------------ crypto

struct CryptoFloor {
  double h2g = 0, mul = 0, decode = 0, speedup = 0;
};

CryptoFloor MeasureFloor() {
  CryptoFloor f;
  const bench::CryptoCosts costs = bench::MeasureCryptoCosts();
  f.h2g = costs.hash_to_group_s;
  f.mul = costs.scalar_mult_s;

  constexpr size_t kBatch = 4000;
  static constexpr std::string_view kDst = "inbeeld-bench-ristretto255-SHA512";
  const auto dst = std::span(reinterpret_cast<const uint8_t*>(kDst.data()), kDst.size());
  std::vector<std::array<uint8_t, 32>> points(kBatch), out(kBatch);
  for (size_t k = 0; k < kBatch; ++k) {
    const uint64_t v = k;
    points[k] = crypto::Point::HashToGroup(std::span(reinterpret_cast<const uint8_t*>(&v), 8), dst)
                    ->Encode();
  }
  // Point validation, as the sessions do for C and D (decode only).
  f.decode = bench::MedianSeconds(9, [&] {
               for (size_t k = 0; k < 2000; ++k) {
                 if (!crypto::Point::Decode(points[k])) std::abort();
               }
             }) /
             2000;
  // 2-thread speed-up of scalar multiplications, as the sessions run them
  // (ParallelFor over MultiplyRaw); one thread and two alternate, 7 pairs.
  const crypto::Scalar s = crypto::Scalar::Random();
  auto run = [&](unsigned threads) {
    const auto t0 = Clock::now();
    node::psi::ParallelFor(kBatch, threads, [&](size_t begin, size_t end) {
      for (size_t k = begin; k < end; ++k) {
        if (!crypto::MultiplyRaw(points[k], s, out[k])) return k;
      }
      return end;
    });
    return bench::Seconds(Clock::now() - t0);
  };
  std::vector<double> ratios;
  for (int r = 0; r < 7; ++r) {
    const double one = run(1);
    const double two = run(2);
    ratios.push_back(one / two);
  }
  std::sort(ratios.begin(), ratios.end());
  f.speedup = ratios[ratios.size() / 2];
  return f;
}

CryptoFloor Mean(const CryptoFloor& a, const CryptoFloor& b) {
  return {(a.h2g + b.h2g) / 2, (a.mul + b.mul) / 2, (a.decode + b.decode) / 2,
          (a.speedup + b.speedup) / 2};
}

// --------------------------------------------------------------- the bench

struct Options {
  std::vector<size_t> sizes;
  std::string keys = "pgn";  // --match-keys for both peers
  double overlap = 0.5;
  unsigned threads = 2;
  bool direct = false;
  bool keep = false;
  std::string binary = INBEELD_BINARY;
};

schema::Date Today() {
  const std::chrono::year_month_day ymd{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  return schema::Date{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                      static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// "2026-11-22T14:47:57Z" → seconds since the epoch (UTC); -1 if malformed.
long long IsoSeconds(const std::string& iso) {
  int y, mo, d, h, mi, s;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6) return -1;
  const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(mo)} /
                                  std::chrono::day{static_cast<unsigned>(d)}};
  return day.time_since_epoch().count() * 86400LL + h * 3600LL + mi * 60LL + s;
}

// Own references in a certain or probable pair (a possible pair is a
// namesake the generator made by chance, not a child in common).
std::set<std::string> References(const nlohmann::json& session) {
  std::set<std::string> out;
  if (session.contains("matches")) {
    for (const auto& m : session["matches"]) {
      if (m["strength"] != "possible") out.insert(m["own_reference"].get<std::string>());
    }
  }
  return out;
}

// Slots a record has for a --keys list (PROTOCOL.md §3.1).
size_t SlotsFor(const std::string& keys) {
  size_t k = 0;
  if (keys.find("pgn") != std::string::npos) k += 1;
  if (keys.find("name") != std::string::npos) k += 2;
  if (keys.find("weak") != std::string::npos) k += 3;
  return k;
}

class TempDir {
 public:
  explicit TempDir(bool keep) : keep_(keep) {
    std::string pattern = (fs::temp_directory_path() / "inbeeld-match-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Die("cannot create a temporary directory");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (keep_) {
      std::printf("  kept %s\n", path_.c_str());
    } else {
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }

 private:
  bool keep_;
  fs::path path_;
};

struct Verdicts {
  size_t n = 0;
  double ratio = 0;
  double serve_bpr = -1, match_bpr = -1;
};

Verdicts RunOne(const Options& opt, size_t n) {
  const size_t expected_common = static_cast<size_t>(std::llround(opt.overlap * static_cast<double>(n)));
  std::printf("\n== n = %s x %s, overlap %.2f, --threads %u per node, %s ==\n",
              Thousands(n).c_str(), Thousands(n).c_str(), opt.overlap, opt.threads,
              opt.direct ? "direct connection" : "through a counting relay");
  std::printf("load average before: %s\n", LoadAverage().c_str());
  std::fflush(stdout);
  TempDir dir(opt.keep);
  const fs::path& root = dir.path();

  Node ini{"leerplicht-bench", "leerplicht", root / "leerplicht", root / "leerplicht.pass",
           root / "leerplicht.csv", ""};
  // With PGN keys the partner is another leerplicht node (an SWV never uses a
  // PGN); without, an SWV.
  const bool pgn = opt.keys.find("pgn") != std::string::npos;
  Node res{pgn ? "partner-bench" : "swv-bench", pgn ? "leerplicht" : "swv", root / "partner",
           root / "partner.pass", root / "partner.csv", ""};
  const size_t slots = SlotsFor(opt.keys);

  // Setup, not timed against the bound.
  std::set<std::string> ini_expected, res_expected;
  size_t true_overlap = 0;
  double generate_s = 0;
  {
    const double t0 = Now();
    schema::RegionSpec spec;
    spec.seed = 20261122 + n;
    spec.partners = {{"Leerplicht Bench", n}, {"SWV Bench", n}};
    spec.overlap = opt.overlap;
    spec.today = Today();
    auto lists = schema::GenerateRegion(spec);
    std::set<std::string> ini_ids;
    for (const auto& r : lists[0]) ini_ids.insert(r.identifier->digits());
    std::set<std::string> common;
    for (const auto& r : lists[1]) {
      if (ini_ids.count(r.identifier->digits())) common.insert(r.identifier->digits());
    }
    true_overlap = common.size();
    for (const auto& r : lists[0]) {
      if (common.count(r.identifier->digits())) ini_expected.insert(r.own_reference);
    }
    for (const auto& r : lists[1]) {
      if (common.count(r.identifier->digits())) res_expected.insert(r.own_reference);
    }
    WriteFile(ini.csv, schema::WriteListCsv(lists[0], ';', true));
    // An SWV's export has no BSN column: it is matched by name and birth date.
    if (res.role == "swv") {
      for (auto& r : lists[1]) r.identifier.reset();
    }
    WriteFile(res.csv, schema::WriteListCsv(lists[1], ';', true));
    generate_s = Now() - t0;
  }
  malloc_trim(0);  // keep this process small: its peak carries into children
  if (true_overlap != expected_common) {
    std::printf("note: the generated lists share %zu identifiers (round(overlap·n) = %zu)\n",
                true_overlap, expected_common);
  }

  double init_s = 0;
  for (Node* node : {&ini, &res}) {
    WriteFile(node->pass, "match-bench passphrase for " + node->name + "\n");
    fs::permissions(node->pass, fs::perms::owner_read | fs::perms::owner_write);
    Finished f = Cli(opt.binary, *node, root,
                     {"init", "--name", node->name, "--organisation", "Bench " + node->name,
                      "--role", node->role, "--kdf-profile", "interactive", "--json"});
    init_s += f.wall();
    node->fingerprint = nlohmann::json::parse(f.out)["fingerprint"].get<std::string>();
  }
  Finished import_ini = Cli(opt.binary, ini, root, {"import", ini.csv.string()});
  Finished import_res = Cli(opt.binary, res, root, {"import", res.csv.string()});
  std::error_code ec;
  fs::remove(ini.csv, ec);
  fs::remove(res.csv, ec);
  std::printf(
      "setup (not counted): generate lists %.2f s; init 2 nodes %.2f s; import %s rows: %.2f s "
      "and %.2f s (%.0f and %.0f us/row)\n",
      generate_s, init_s, Thousands(n).c_str(), import_ini.wall(), import_res.wall(),
      import_ini.wall() / static_cast<double>(n) * 1e6,
      import_res.wall() / static_cast<double>(n) * 1e6);

  const std::string max_list = std::to_string(std::max<size_t>(n, 50000));
  Cli(opt.binary, res, root,
      {"peer", "add", ini.name, "--address", "127.0.0.1:9", "--key", ini.fingerprint, "--role",
       ini.role, "--purpose", kPurpose, "--max-list-size", max_list, "--match-keys", opt.keys});
  Server server(opt.binary, res, root, opt.threads);
  std::unique_ptr<Relay> relay;
  if (!opt.direct) relay = std::make_unique<Relay>(server.port());
  const int connect_port = opt.direct ? server.port() : relay->port();
  Cli(opt.binary, ini, root,
      {"peer", "add", res.name, "--address", "127.0.0.1:" + std::to_string(connect_port), "--key",
       res.fingerprint, "--role", res.role, "--purpose", kPurpose, "--max-list-size", max_list,
       "--match-keys", opt.keys});

  // A no-op unlock of the initiator (Argon2id + opening the store), 3 times.
  std::vector<Finished> noop;
  for (int k = 0; k < 3; ++k) noop.push_back(Cli(opt.binary, ini, root, {"status"}));
  std::sort(noop.begin(), noop.end(),
            [](const Finished& a, const Finished& b) { return a.wall() < b.wall(); });
  const Finished& unlock = noop[1];

  std::printf("measuring the crypto floor (before the match)...\n");
  std::fflush(stdout);
  const CryptoFloor before = MeasureFloor();

  // The match.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the floor's threads settle
  const uint64_t serve_idle = ProcStatusBytes(server.pid(), "VmRSS").value_or(0);
  const bool serve_hwm_reset = ResetHighWaterMark(server.pid());
  const double serve_cpu0 = ProcCpuSeconds(server.pid());
  const auto serve_io0 = ProcIo(server.pid());
  const MachineCpu machine0 = ReadMachineCpu();
  const double self_cpu0 = SelfCpuSeconds();
  const std::string load_at_match = LoadAverage();

  const fs::path match_out = root / "match.json", match_err = root / "match.err";
  const double start = Now();
  const pid_t pid =
      Spawn(opt.binary,
            {"match", res.name, "--purpose", kPurpose, "--json", "--threads",
             std::to_string(opt.threads), "--timeout", "900"},
            NodeEnv(ini), match_out, match_err);
  bool child_reset = false;
  uint64_t child_ready_rss = 0, child_unlock_hwm = 0, child_session_hwm = 0;
  // Every 5 ms: CPU and RSS of both processes, for the per-phase figures.
  struct Sample {
    double t, i_cpu, r_cpu;
    uint64_t i_rss, r_rss;
  };
  std::vector<Sample> samples;
  samples.push_back({start, 0, serve_cpu0, 0, serve_idle});
  int status = 0;
  rusage ru{};
  double end = 0;
  const double deadline = start + 3600;
  for (;;) {
    const pid_t w = wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) {
      end = Now();
      break;
    }
    if (w < 0) Die("wait4 on `inbeeld match` failed");
    if (relay && !child_reset && relay->accepted() > 0) {
      child_ready_rss = ProcStatusBytes(pid, "VmRSS").value_or(0);
      child_unlock_hwm = ProcStatusBytes(pid, "VmHWM").value_or(0);
      child_reset = ResetHighWaterMark(pid);
    }
    if (child_reset) {
      if (auto hwm = ProcStatusBytes(pid, "VmHWM")) child_session_hwm = *hwm;
    }
    {
      Sample x = samples.back();
      x.t = Now();
      if (const double c = ProcCpuSeconds(pid); c >= 0) x.i_cpu = c;
      x.i_rss = ProcRssBytes(pid);
      if (const double c = ProcCpuSeconds(server.pid()); c >= 0) x.r_cpu = c;
      x.r_rss = ProcRssBytes(server.pid());
      samples.push_back(x);
    }
    if (Now() > deadline) {
      kill(pid, SIGKILL);
      Die("`inbeeld match` did not finish within an hour");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Finished match = Reaped(status, ru, start, end);
  const double serve_cpu1 = ProcCpuSeconds(server.pid());
  samples.push_back({end, match.cpu, serve_cpu1, 0, ProcRssBytes(server.pid())});
  const uint64_t serve_hwm = ProcStatusBytes(server.pid(), "VmHWM").value_or(0);
  const auto serve_io1 = ProcIo(server.pid());
  const MachineCpu machine1 = ReadMachineCpu();
  const double self_cpu1 = SelfCpuSeconds();
  const std::string load_after = LoadAverage();
  std::vector<ConnLog> logs;
  if (relay) logs = relay->Stop();
  match.out = ReadFile(match_out);
  match.err = ReadFile(match_err);
  if (match.exit_code != 0) {
    Die("`inbeeld match` exited " + std::to_string(match.exit_code) + ":\n" + match.err +
        "\nserver log:\n" + ReadFile(server.log()));
  }
  server.Stop();

  std::printf("measuring the crypto floor (after the match)...\n");
  std::fflush(stdout);
  const CryptoFloor after = MeasureFloor();
  const CryptoFloor floor = Mean(before, after);

  // Check both sides' results against the generated lists.
  const nlohmann::json ini_json = nlohmann::json::parse(match.out);
  const std::string session = ini_json["session"].get<std::string>();
  const nlohmann::json res_json =
      nlohmann::json::parse(Cli(opt.binary, res, root, {"results", session, "--json"}).out);
  const auto overlap_of = [](const nlohmann::json& j) -> long long {
    return j.contains("overlap") ? j["overlap"].get<long long>() : -1;
  };
  const bool ok = ini_json["status"] == "completed" && res_json["status"] == "completed" &&
                  overlap_of(ini_json) == static_cast<long long>(true_overlap) &&
                  overlap_of(res_json) == static_cast<long long>(true_overlap) &&
                  References(ini_json) == ini_expected && References(res_json) == res_expected;
  const long long session_s =
      IsoSeconds(ini_json["finished_at"].get<std::string>()) -
      IsoSeconds(ini_json["started_at"].get<std::string>());

  // ------------------------------------------------------------ report
  const double nd = static_cast<double>(n);
  const double kd = static_cast<double>(slots);
  const double per_side_1t = nd * kd * (floor.h2g + 2 * floor.mul);
  const double bound = 2 * per_side_1t / floor.speedup;
  const double bound_with_decode = 2 * (per_side_1t + nd * kd * floor.decode) / floor.speedup;
  const double wall = match.wall();
  const double serve_cpu = serve_cpu1 - serve_cpu0;
  const double self_cpu = self_cpu1 - self_cpu0;
  const double other_cpu = (machine1.busy - machine0.busy) - serve_cpu - match.cpu - self_cpu;

  std::printf(
      "crypto, same run (one thread, medians): hash-to-group %.1f us, scalar mult %.1f us, point "
      "decode %.1f us; 2 threads do %.2fx the scalar mults of one\n"
      "  (before the match: %.1f / %.1f / %.1f us, %.2fx; after: %.1f / %.1f / %.1f us, %.2fx)\n",
      floor.h2g * 1e6, floor.mul * 1e6, floor.decode * 1e6, floor.speedup, before.h2g * 1e6,
      before.mul * 1e6, before.decode * 1e6, before.speedup, after.h2g * 1e6, after.mul * 1e6,
      after.decode * 1e6, after.speedup);
  std::printf(
      "bound = 2 sides x n x %zu slots (%s) x (t_h2g + 2 t_mul) / %.2f = %.2f s   (adding the "
      "point validations per side the protocol also does: %.2f s)\n",
      slots, opt.keys.c_str(), floor.speedup, bound, bound_with_decode);
  std::printf("inbeeld match, wall (spawn to exit)        %8.2f s = %.2f x bound\n", wall,
              wall / bound);
  std::printf("  minus a no-op unlock (`inbeeld status`, %.2f s)  %8.2f s = %.2f x bound\n",
              unlock.wall(), wall - unlock.wall(), (wall - unlock.wall()) / bound);
  Timeline tl;
  if (relay) tl = MakeTimeline(logs, n);
  if (tl.ok) {
    const double span = tl.finish.response_end - tl.witness_end;
    std::printf("  PSI span, witnessed -> message 4 received %8.2f s = %.2f x bound\n", span,
                span / bound);
  }
  std::printf("  results started_at..finished_at (1 s resolution): %lld s\n", session_s);
  std::printf(
      "CPU user+sys: match %.2f s, serve %.2f s, both %.2f s = %.2f x the one-thread crypto "
      "(%.2f s)\n"
      "  other processes on the machine during the match: %.2f CPU-s over %.2f s wall, plus "
      "%.2f s stolen by the hypervisor (load average at start %s, after %s)\n",
      match.cpu, serve_cpu, match.cpu + serve_cpu, (match.cpu + serve_cpu) / (2 * per_side_1t),
      2 * per_side_1t, std::max(0.0, other_cpu), wall, machine1.steal - machine0.steal,
      load_at_match.c_str(), load_after.c_str());

  if (relay) {
    std::printf(
        "wire (TLS bytes counted by the relay, %zu connections): %.2f MB = %.2f x 2·48·k·n "
        "(%.2f MB of points and tags)\n",
        tl.connections, MB(tl.total_bytes),
        static_cast<double>(tl.total_bytes) / (96.0 * kd * nd), 96.0 * kd * nd / 1e6);
    if (tl.ok) {
      std::printf(
          "  message 1 %.2f MB, message 2 %.2f MB, message 3 %.2f MB, message 4 %.3f MB "
          "(each with its TLS handshake and HTTP header); witnessing %.1f kB in %zu connections "
          "before and %.1f kB in %zu after\n",
          MB(tl.start.c2s), MB(tl.start.s2c), MB(tl.finish.c2s), MB(tl.finish.s2c),
          static_cast<double>(tl.witness_bytes) / 1e3, tl.witness_connections,
          static_cast<double>(tl.after_bytes) / 1e3, tl.after_connections);
      std::printf(
          "  bytes on the wire per record per side: initiator (messages 1 + 3) %.1f, responder "
          "(messages 2 + 4) %.1f; the protocol's points and tags: 48 x %zu slots = %zu\n",
          static_cast<double>(tl.start.c2s + tl.finish.c2s) / nd,
          static_cast<double>(tl.start.s2c + tl.finish.s2c) / nd, slots, 48 * slots);
    }
  }
  const auto io_delta = [&](const char* key) {
    return serve_io1.count(key) && serve_io0.count(key) ? serve_io1.at(key) - serve_io0.at(key)
                                                        : uint64_t{0};
  };
  std::printf(
      "  serve /proc/PID/io during the match (sockets + SQLite files): rchar %.2f MB, wchar %.2f "
      "MB, storage writes %.2f MB\n",
      MB(io_delta("rchar")), MB(io_delta("wchar")), MB(io_delta("write_bytes")));

  Verdicts v;
  v.n = n;
  v.ratio = wall / bound;
  std::printf("memory:\n");
  if (serve_hwm_reset) {
    v.serve_bpr = static_cast<double>(serve_hwm) - static_cast<double>(serve_idle);
    v.serve_bpr /= nd;
    std::printf("  serve: idle %.1f MiB, peak during the match %.1f MiB -> %.0f bytes/record\n",
                MiB(serve_idle), MiB(serve_hwm), v.serve_bpr);
  } else {
    std::printf("  serve: idle %.1f MiB; peak not measurable (clear_refs refused)\n",
                MiB(serve_idle));
  }
  if (child_reset) {
    v.match_bpr = (static_cast<double>(child_session_hwm) - static_cast<double>(serve_idle)) / nd;
    std::printf(
        "  match: peak before its first connection %.1f MiB (exec, unlock with the interactive "
        "Argon2id's 64 MiB, list load; a no-op `inbeeld status` peaks at %.1f MiB);\n"
        "         at the first connection (list loaded) %.1f MiB; peak from then to exit %.1f "
        "MiB -> %.0f bytes/record above the idle node (serve's idle RSS)\n",
        MiB(child_unlock_hwm), MiB(unlock.maxrss), MiB(child_ready_rss), MiB(child_session_hwm),
        v.match_bpr);
  } else {
    std::printf(
        "  match: ru_maxrss %.1f MiB; a no-op `inbeeld status` %.1f MiB (the interactive "
        "Argon2id's 64 MiB) -> %.0f bytes/record by that measure (the session's own peak is "
        "measured only through the relay)\n",
        MiB(match.maxrss), MiB(unlock.maxrss),
        (static_cast<double>(match.maxrss) - static_cast<double>(unlock.maxrss)) / nd);
  }

  if (tl.ok) {
    // Phases, t = 0 at the spawn of `inbeeld match`.
    struct Phase {
      const char* what;
      double from, to, crypto;
      const char* ops;
      bool psi = false;  // a phase of the PSI session proper (not setup, storage, witnessing)
    };
    uint64_t psi_i_max = 0, psi_r_max = 0;
    const double sp = floor.speedup;
    const Exchange& s = tl.start;
    const Exchange& f = tl.finish;
    const std::vector<Phase> phases = {
        {"I: exec, unlock (Argon2id), load list, TLS", start, tl.first_open, 0, ""},
        {"I<->R: witness each other's audit log", tl.first_open, tl.witness_end, 0, ""},
        {"I: hash + blind A (Create)", tl.witness_end, s.opened, nd * (floor.h2g + floor.mul) / sp,
         "n h2g + n mul", true},
        {"-> message 1 (TLS handshake + upload)", s.opened, s.request_end, 0, "", true},
        {"R: load list, C = A^b, B = H(y)^b (Start)", s.request_end, s.response_start,
         nd * (floor.h2g + 2 * floor.mul) / sp, "n h2g + 2n mul", true},
        {"<- message 2", s.response_start, s.response_end, 0, "", true},
        {"I: check C, D = B^a, match (HandleStartResp)", s.response_end, f.opened,
         nd * (floor.decode + floor.mul) / sp, "n dec + n mul", true},
        {"-> message 3 (TLS handshake + upload)", f.opened, f.request_end, 0, "", true},
        {"R: check D, match, store results + audit", f.request_end, f.response_start,
         nd * floor.decode / sp, "n dec"},
        {"<- message 4", f.response_start, f.response_end, 0, ""},
    };
    std::vector<Phase> all_phases = phases;
    if (tl.after_connections > 0) {
      all_phases.push_back(
          {"I: store results + audit, checkpoint", f.response_end, tl.after_open, 0, ""});
      all_phases.push_back({"I<->R: witness again (after the session)", tl.after_open,
                            tl.after_end, 0, ""});
      all_phases.push_back({"I: print JSON, exit", tl.after_end, end, 0, ""});
    } else {
      all_phases.push_back(
          {"I: store results + audit, print JSON, exit", f.response_end, end, 0, ""});
    }
    // The last sample at or before t.
    auto at = [&](double t) -> const Sample& {
      auto it = std::upper_bound(samples.begin(), samples.end(), t,
                                 [](double x, const Sample& y) { return x < y.t; });
      return it == samples.begin() ? *it : *(it - 1);
    };
    std::printf(
        "timeline of the match (relay timestamps, t = 0 at spawn; CPU and RSS of I = match and "
        "R = serve sampled every 5 ms):\n"
        "  %-46s %6s %6s %6s %7s %6s %6s %6s %6s\n",
        "phase", "from", "to", "took", "crypto", "I cpu", "R cpu", "I MiB", "R MiB");
    double non_crypto = 0;
    for (const Phase& p : all_phases) {
      const double took = p.to - p.from;
      non_crypto += took - p.crypto;
      const Sample &a = at(p.from), &b = at(p.to);
      uint64_t i_max = 0, r_max = 0;
      for (const Sample& x : samples) {
        if (x.t >= p.from && x.t <= p.to) {
          i_max = std::max(i_max, x.i_rss);
          r_max = std::max(r_max, x.r_rss);
        }
      }
      if (p.psi) {
        psi_i_max = std::max(psi_i_max, i_max);
        psi_r_max = std::max(psi_r_max, r_max);
      }
      char crypto_text[16] = "", i_text[16] = "-", r_text[16] = "-";
      if (p.crypto > 0) std::snprintf(crypto_text, sizeof crypto_text, "%.2f", p.crypto);
      if (i_max > 0) std::snprintf(i_text, sizeof i_text, "%.0f", MiB(i_max));
      if (r_max > 0) std::snprintf(r_text, sizeof r_text, "%.0f", MiB(r_max));
      std::printf("  %-46s %6.2f %6.2f %6.2f %7s %6.2f %6.2f %6s %6s\n", p.what, p.from - start,
                  p.to - start, took, crypto_text, b.i_cpu - a.i_cpu, b.r_cpu - a.r_cpu, i_text,
                  r_text);
    }
    std::printf(
        "  crypto: the phase's group operations at the measured one-thread cost / %.2f (the "
        "2-thread speed-up): Create n h2g + n mul; Start n h2g + 2n mul; HandleStartResponse n "
        "decode + n mul; HandleFinish n decode\n",
        sp);
    std::printf("  wall %.2f s = crypto at the measured cost %.2f s + everything else %.2f s\n",
                wall, bound_with_decode, non_crypto);
    std::printf("  this program (relay + sampling) used %.2f CPU-s during the match\n", self_cpu);
    std::printf(
        "  memory of the PSI phases alone (Create to message 3; sampled RSS, not counting the "
        "results + audit write): match %.1f MiB, serve %.1f MiB -> %.0f and %.0f bytes/record "
        "above the idle node\n",
        MiB(psi_i_max), MiB(psi_r_max),
        (static_cast<double>(psi_i_max) - static_cast<double>(serve_idle)) / nd,
        (static_cast<double>(psi_r_max) - static_cast<double>(serve_idle)) / nd);
  } else if (relay) {
    std::printf("timeline: could not identify the two PSI exchanges among %zu connections\n",
                logs.size());
  }
  if (relay) {
    std::printf("  connections (t = 0 at spawn): ");
    for (const ConnLog& l : logs) {
      std::printf("[%.3f-%.3f s, up %s B, down %s B] ", l.accepted - start, l.closed - start,
                  Thousands(l.c2s).c_str(), Thousands(l.s2c).c_str());
    }
    std::printf("\n");
  }

  std::printf("verified: %s (overlap %lld on the initiator, %lld on the responder, true overlap "
              "%zu; matched references %s)\n",
              ok ? "OK" : "WRONG RESULT", overlap_of(ini_json), overlap_of(res_json), true_overlap,
              References(ini_json) == ini_expected && References(res_json) == res_expected
                  ? "exactly the expected ones on both sides"
                  : "DIFFER from the expected ones");
  if (!ok) Die("the match result is wrong");
  std::printf("targets: wall <= 1.25 x bound (at 100,000): %.2f x -> %s; memory < 300 "
              "bytes/record per node: serve %.0f, match %.0f -> %s\n",
              v.ratio, n == 100000 ? (v.ratio <= 1.25 ? "MET" : "NOT MET") : "(n/a at this n)",
              v.serve_bpr, v.match_bpr,
              (v.serve_bpr >= 0 && v.match_bpr >= 0)
                  ? (v.serve_bpr < 300 && v.match_bpr < 300 ? "MET" : "NOT MET")
                  : "not measured");
  std::fflush(stdout);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    auto value = [&]() -> std::string {
      if (k + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++k];
    };
    if (a == "--overlap") {
      opt.overlap = std::strtod(value().c_str(), nullptr);
    } else if (a == "--threads") {
      opt.threads = static_cast<unsigned>(std::strtoul(value().c_str(), nullptr, 10));
    } else if (a == "--keys") {
      opt.keys = value();
    } else if (a == "--direct") {
      opt.direct = true;
    } else if (a == "--keep") {
      opt.keep = true;
    } else if (a == "--inbeeld") {
      opt.binary = value();
    } else if (!a.empty() && a[0] != '-' && std::strtoull(a.c_str(), nullptr, 10) >= 10) {
      opt.sizes.push_back(std::strtoull(a.c_str(), nullptr, 10));
    } else {
      std::fprintf(stderr,
                   "usage: match_bench [--overlap F] [--threads T] [--keys pgn|name,weak|pgn,name,weak] "
                   "[--direct] [--keep] "
                   "[--inbeeld PATH] [N...]   (default N: 10000 100000)\n");
      return 2;
    }
  }
  if (opt.sizes.empty()) opt.sizes = {10000, 100000};
  if (SlotsFor(opt.keys) == 0) {
    std::fprintf(stderr, "--keys names one or more of pgn, name, weak (comma separated)\n");
    return 2;
  }
  if (opt.overlap <= 0 || opt.overlap > 1 || opt.threads == 0) {
    std::fprintf(stderr, "--overlap must be in (0, 1] and --threads at least 1\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  std::printf("match_bench: inbeeld match <-> inbeeld serve, two processes on loopback over mutual "
              "TLS; %u cores online; binary %s\n",
              static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)), opt.binary.c_str());
  std::vector<Verdicts> all;
  try {
    for (size_t n : opt.sizes) all.push_back(RunOne(opt, n));
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "match_bench: %s\n", e.what());
    return 1;
  }
  std::printf("\nsummary:\n");
  for (const Verdicts& v : all) {
    std::printf("  n = %9s: wall / bound %.2f; bytes/record serve %.0f, match %.0f\n",
                Thousands(v.n).c_str(), v.ratio, v.serve_bpr, v.match_bpr);
  }
  return 0;
}
