#include "src/cli/cli_support.h"

#include "dealsync/asio.h"  // before Asio: g++ 12 needs <utility> first

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "dealsync/connector.h"
#include "dealsync/http.h"
#include "src/cli/engine_session.h"
#include "src/transport/beast_http_client.h"

namespace dealsync::cli {

CLI::Option* AddConfigOption(CLI::App* cmd, std::string& dir, const std::string& help) {
  dir = kDefaultConfigDir;
  return cmd
      ->add_option("--config", dir,
                   help + " (default: $" + kConfigEnv + ", else " + kDefaultConfigDir + ")")
      ->envname(kConfigEnv)
      ->transform(
          [](std::string path) {
            // Operators often point at the file; the directory is what is loaded.
            const std::filesystem::path p(path);
            std::error_code ec;
            if (p.filename() == "dealsync.toml" && !std::filesystem::is_directory(p, ec)) {
              return p.parent_path().empty() ? std::string(".") : p.parent_path().string();
            }
            return path;
          },
          "DIR");
}

std::string DaemonReply::ErrorMessage() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    return body["error"].value("message", raw);
  }
  return raw;
}

std::string DaemonClient::base() const {
  const std::string& listen = daemon_.admin_listen;
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = colon == std::string::npos ? "8686" : listen.substr(colon + 1);
  if (host.empty() || host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "[::]") {
    host = "[::1]";
  }
  return (daemon_.admin_tls_cert.empty() ? "http://" : "https://") + host + ":" + port;
}

Result<DaemonReply> DaemonClient::Call(const std::string& method, const std::string& path,
                                       const std::string& body,
                                       std::chrono::milliseconds timeout) const {
  HttpRequest request;
  request.method = method;
  request.url = base() + path;
  request.body = body;
  request.timeout = timeout;
  std::string token;
  if (const char* file = std::getenv(kTokenFileEnv); file != nullptr && *file != '\0') {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return FailedPrecondition(std::string("$") + kTokenFileEnv + ": cannot read " + file);
    }
    token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) {
      token.pop_back();
    }
  } else if (!daemon_.admin_token.empty()) {
    Result<std::string> admin = ResolveCredential(daemon_.admin_token, daemon_.credentials_dir);
    if (!admin.ok()) {
      return admin.status().Annotate("[admin] token");
    }
    token = *admin;
  }
  // Without a token the daemon answers 401 with what it expects; asked anyway.
  if (!token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + token);
  }
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
  }

  ClientOptions options;
  options.allow_insecure_http_loopback = true;  // plain http only ever on loopback (the default)
  if (!daemon_.admin_tls_cert.empty()) {
    // The daemon's own certificate is the trust anchor: it is often self-signed.
    options.ca_file = CredentialPath(daemon_.admin_tls_cert, daemon_.credentials_dir);
    // ... or issued by a CA this host does not trust: the pinned leaf is enough.
    options.ca_file_certificates_are_anchors = true;
  }
  boost::asio::io_context io;
  BeastHttpClient client(io.get_executor(), options);
  std::optional<Result<HttpResponse>> response;
  boost::asio::co_spawn(
      io, [&]() -> Awaitable<void> { response.emplace(co_await client.Send(request)); },
      [&](std::exception_ptr e) {
        if (e) {
          response.emplace(Internal("request failed"));
        }
      });
  io.run();
  if (!response) {
    return Internal("no response");
  }
  if (!response->ok()) {
    return response->status().Annotate("cannot reach dealsyncd at " + base());
  }
  DaemonReply reply;
  reply.status = (*response)->status;
  reply.raw = std::move((*response)->body);
  reply.body = nlohmann::json::parse(reply.raw, nullptr, /*allow_exceptions=*/false);
  return reply;
}

std::string PathOfId(std::string_view id) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t slash = id.find('/', start);
    out += UrlEncode(id.substr(start, slash == std::string_view::npos ? id.npos : slash - start));
    if (slash == std::string_view::npos) {
      return out;
    }
    out += "/";
    start = slash + 1;
  }
}

Result<std::unique_ptr<EngineSession>> OpenEngineSession(const std::string& config_dir,
                                                         Access access) {
  ConfigLoadResult loaded = LoadConfig(config_dir, ConnectorRegistry::Default());
  if (!loaded.config) {
    for (const ConfigError& e : loaded.errors) {
      std::cerr << e.ToString() << "\n";
    }
    return InvalidArgument("the configuration in " + config_dir + " has " +
                           std::to_string(loaded.errors.size()) + " error(s)");
  }
  auto session = std::make_unique<EngineSession>();
  session->config = std::move(*loaded.config);
  const std::string& dir = session->config.daemon.state_dir;
  const bool in_use = RocksStoreInUse(dir);
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
  // Reads take a view even without a daemon: a daemon starting meanwhile then
  // still finds its lock free. Only a directory without a store yet is opened
  // as the writer, which creates it empty (as the daemon would).
  const bool view = in_use || (access == Access::kRead && exists);
  session->daemon_running = access == Access::kWrite && in_use;
  Result<std::unique_ptr<Store>> store = OpenRocksStore(dir, StoreOptions{.read_only = view});
  if (!store.ok()) {
    return store.status().Annotate("opening the state directory " + dir);
  }
  session->store = std::move(*store);
  session->engine = std::make_unique<SyncEngine>(*session->store, session->config, session->clock);
  return session;
}

}  // namespace dealsync::cli
