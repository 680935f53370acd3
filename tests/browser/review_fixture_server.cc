// review_fixture_server: the review workspace (the same Workspace, ReviewApi
// and AdminApi the daemon hosts) over a seeded in-memory engine, on loopback
// HTTP, for the browser tests and the screenshot script. Prints
// "listening <port>" and serves until SIGTERM/SIGINT or stdin closes.
//   review_fixture_server [--deals N] [--port P]
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "src/transport/http_server.h"
#include "tests/unit/review/review_fixture.h"

namespace {

dealsync::Awaitable<dealsync::HttpResponse> Serve(dealsync::Workspace* front,
                                                  dealsync::HttpRequest request) {
  co_return front->Handle(request);
}

}  // namespace

int main(int argc, char** argv) {
  int deals = 6;
  uint16_t port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--deals") == 0) {
      deals = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--port") == 0) {
      port = static_cast<uint16_t>(std::atoi(argv[i + 1]));
    }
  }
  dealsync::testing::ReviewWorld world(deals);
  boost::asio::io_context io;
  dealsync::ServerOptions options;
  options.port = port;
  dealsync::HttpServer server(io.get_executor(), options, [&](dealsync::HttpRequest r) {
    return Serve(world.front.get(), std::move(r));
  });
  dealsync::Result<uint16_t> bound = server.Start();
  if (!bound.ok()) {
    std::cerr << "review_fixture_server: " << bound.status().ToString() << "\n";
    return 1;
  }
  std::cout << "listening " << *bound << std::endl;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) {
    server.Stop();
    io.stop();
  });
  // The parent closing our stdin also stops us (no orphan when a test dies).
  std::thread watcher([&io, &server] {
    char c;
    while (::read(0, &c, 1) > 0) {
    }
    boost::asio::post(io, [&] {
      server.Stop();
      io.stop();
    });
  });
  watcher.detach();
  io.run();
  return 0;
}
