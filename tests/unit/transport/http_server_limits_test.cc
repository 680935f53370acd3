// HttpServer under connection floods, on real loopback sockets: the
// connection cap answers 503 and closes, and at the file-descriptor limit
// (EMFILE) the accept loop backs off instead of spinning a core.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dealsync/asio.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "src/transport/http_server.h"

namespace dealsync {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

Awaitable<HttpResponse> Ok(HttpRequest) {
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = "ok\n";
  co_return r;
}

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends a GET and reads one response (headers and a Content-Length body), or
// what arrives before the peer closes or 5 s pass.
std::string Get(int fd, bool keep_alive) {
  const std::string request = std::string("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n") +
                              (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    return "send failed: " + std::string(std::strerror(errno));
  }
  std::string in;
  char buf[4096];
  for (;;) {
    const size_t end = in.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t cl = in.find("Content-Length: ");
      const size_t length = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
      if (in.size() >= end + 4 + length) {
        return in;
      }
    }
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      return in;
    }
    in.append(buf, static_cast<size_t>(n));
  }
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST(HttpServerLimitsTest, ConnectionCapAnswers503AndServesAgainWhenOneCloses) {
  asio::io_context io;
  ServerOptions options;
  options.max_connections = 2;
  std::vector<std::string> warnings;
  options.on_warning = [&](const std::string& w) { warnings.push_back(w); };
  HttpServer server(io.get_executor(), options, Ok);
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  const int a = Connect(*port);
  const int b = Connect(*port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(Get(a, true).substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(Get(b, true).substr(0, 15), "HTTP/1.1 200 OK");
  const int c = Connect(*port);
  ASSERT_GE(c, 0);
  const std::string refused = Get(c, true);
  EXPECT_EQ(refused.substr(0, 32), "HTTP/1.1 503 Service Unavailable") << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  char byte;
  EXPECT_EQ(::recv(c, &byte, 1, 0), 0);  // and closed
  ::close(c);

  ::close(a);  // a slot frees up: the next connection is served
  std::string served;
  for (int attempt = 0; attempt < 50 && served.substr(0, 15) != "HTTP/1.1 200 OK"; ++attempt) {
    const int d = Connect(*port);
    ASSERT_GE(d, 0);
    served = Get(d, false);
    ::close(d);
    if (served.substr(0, 15) != "HTTP/1.1 200 OK") {
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  EXPECT_EQ(served.substr(0, 15), "HTTP/1.1 200 OK") << served;
  ::close(b);

  asio::post(io, [&] { server.Stop(); });
  guard.reset();
  loop.join();
  EXPECT_GE(server.refused_connections(), 1u);
  ASSERT_FALSE(warnings.empty());
  EXPECT_NE(warnings[0].find("max_connections"), std::string::npos) << warnings[0];
}

struct FloodReport {
  double cpu_seconds = 0;
  double wall_seconds = 0;
  uint64_t accept_errors = 0;
  uint64_t accepted = 0;
};

// The child: a server whose process may open only three more descriptors.
[[noreturn]] void ServeAtDescriptorLimit(int ready_fd, int report_fd) {
  asio::io_context io;
  ServerOptions options;
  options.max_connections = 1000;  // the descriptor limit, not the cap, is what bites
  if (std::getenv("DEALSYNC_TEST_NO_ACCEPT_BACKOFF") != nullptr) {  // shows the spin it prevents
    options.accept_backoff = options.accept_backoff_max = milliseconds(0);
  }
  HttpServer server(io.get_executor(), options, Ok);
  auto port = server.Start();
  if (!port.ok()) {
    ::_exit(2);
  }
  size_t open_fds = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++open_fds;
  }
  rlimit limit{open_fds + 3, open_fds + 3};
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    ::_exit(3);
  }
  const uint16_t p = *port;
  if (::write(ready_fd, &p, sizeof p) != sizeof p) {
    ::_exit(4);
  }

  // Measure from 300 ms (the flood has arrived) to 1800 ms.
  FloodReport report;
  double cpu0 = 0;
  auto wall0 = std::chrono::steady_clock::now();
  asio::steady_timer start(io, milliseconds(300));
  asio::steady_timer end(io, milliseconds(1800));
  asio::steady_timer deadline(io, std::chrono::seconds(20));
  asio::steady_timer poll(io);
  start.async_wait([&](boost::system::error_code) {
    cpu0 = CpuSeconds();
    wall0 = std::chrono::steady_clock::now();
  });
  std::function<void(boost::system::error_code)> check = [&](boost::system::error_code) {
    if (server.handled_requests() > 0) {  // the parent's request after the flood
      server.Stop();
      io.stop();
      return;
    }
    poll.expires_after(milliseconds(20));
    poll.async_wait(check);
  };
  end.async_wait([&](boost::system::error_code) {
    report.cpu_seconds = CpuSeconds() - cpu0;
    report.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    report.accept_errors = server.accept_errors();
    report.accepted = server.accepted_connections();
    if (::write(report_fd, &report, sizeof report) != sizeof report) {
      ::_exit(5);
    }
    check({});
  });
  deadline.async_wait([&](boost::system::error_code) { io.stop(); });
  io.run();
  ::_exit(server.handled_requests() > 0 ? 0 : 6);
}

TEST(HttpServerLimitsTest, AcceptAtTheDescriptorLimitBacksOffInsteadOfSpinning) {
  int ready[2];
  int report_pipe[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(report_pipe), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(report_pipe[0]);
    ServeAtDescriptorLimit(ready[1], report_pipe[1]);
  }
  ::close(ready[1]);
  ::close(report_pipe[1]);
  uint16_t port = 0;
  ASSERT_EQ(::read(ready[0], &port, sizeof port), static_cast<ssize_t>(sizeof port));

  // Far more connections than the child has descriptors left; the kernel
  // completes them into the listen backlog, where accept() meets EMFILE.
  std::vector<int> flood;
  for (int i = 0; i < 40; ++i) {
    const int fd = Connect(port);
    ASSERT_GE(fd, 0);
    flood.push_back(fd);
  }
  FloodReport report;
  ASSERT_EQ(::read(report_pipe[0], &report, sizeof report), static_cast<ssize_t>(sizeof report));
  for (int fd : flood) {
    ::close(fd);
  }
  // Descriptors come back: the server accepts and answers again by itself.
  std::string served;
  for (int attempt = 0; attempt < 100 && served.substr(0, 15) != "HTTP/1.1 200 OK"; ++attempt) {
    const int fd = Connect(port);
    ASSERT_GE(fd, 0);
    served = Get(fd, false);
    ::close(fd);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(ready[0]);
  ::close(report_pipe[0]);

  std::printf("at the descriptor limit: %.3f s CPU in %.3f s, %llu failed accepts, %llu accepted\n",
              report.cpu_seconds, report.wall_seconds,
              static_cast<unsigned long long>(report.accept_errors),
              static_cast<unsigned long long>(report.accepted));
  EXPECT_GT(report.accept_errors, 0u) << "the descriptor limit was never reached";
  EXPECT_LT(report.accept_errors, 100u) << "accept was retried without backing off";
  EXPECT_LT(report.cpu_seconds, 0.1 * report.wall_seconds)
      << "the server used " << report.cpu_seconds << " s of CPU in " << report.wall_seconds
      << " s at the descriptor limit (" << report.accept_errors << " failed accepts)";
  EXPECT_EQ(served.substr(0, 15), "HTTP/1.1 200 OK") << served;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
}

}  // namespace
}  // namespace dealsync
