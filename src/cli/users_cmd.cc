// dealsyncctl users hash-password: reads a password from stdin (one line) and
// prints the PBKDF2-SHA256 hash to store in the credential a user's
// password_hash names ([[admin.users]] in dealsync.toml). The password is never
// a command-line argument (it would show in ps and shell history).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <iostream>
#include <string>

#include "src/admin/auth.h"
#include "src/cli/commands.h"

namespace dealsync::cli {
namespace {

constexpr int kIterations = 600000;  // OWASP's 2023 figure for PBKDF2-HMAC-SHA256

int RunHashPassword() {
  if (::isatty(0) != 0) {
    std::cerr << "Password (input is not hidden; prefer: dealsyncctl users hash-password < file): ";
  }
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') {
    password.pop_back();
  }
  if (password.size() < 10) {
    std::cerr << "dealsyncctl users hash-password: use at least 10 characters\n";
    return 1;
  }
  std::cout << HashPassword(password, SystemRandomBytes()(16), kIterations) << "\n";
  return 0;
}

}  // namespace

void AddUsersCommand(CLI::App& app, int& exit_code) {
  CLI::App* users = app.add_subcommand("users", "review workspace users");
  users->require_subcommand(1);
  CLI::App* hash = users->add_subcommand(
      "hash-password", "read a password on stdin, print the hash for a password_hash credential");
  hash->callback([&exit_code] { exit_code = RunHashPassword(); });
}

}  // namespace dealsync::cli
