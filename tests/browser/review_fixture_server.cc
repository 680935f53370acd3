// review_fixture_server: the review workspace (the same Workspace, ReviewApi
// and AdminApi the daemon hosts) over a seeded in-memory engine, on loopback
// HTTP, for the browser tests and the screenshot script. Prints
// "listening <port>" and serves until SIGTERM/SIGINT or stdin closes.
//   review_fixture_server [--deals N] [--port P]
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
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
  // Read on the io_context itself, so nothing outlives it.
  boost::asio::posix::stream_descriptor input(io);
  boost::system::error_code assigned;
  const int stdin_copy = ::dup(0);
  input.assign(stdin_copy, assigned);
  char byte = 0;
  std::function<void()> watch_stdin = [&] {
    input.async_read_some(boost::asio::buffer(&byte, 1),
                          [&](const boost::system::error_code& ec, size_t) {
                            if (ec) {
                              server.Stop();
                              io.stop();
                            } else {
                              watch_stdin();
                            }
                          });
  };
  if (!assigned) {
    watch_stdin();
  } else if (stdin_copy >= 0) {
    ::close(stdin_copy);  // stdin cannot be polled (a file, /dev/null): signals only
  }
  io.run();
  return 0;
}
