// A connector factory for config tests: a small option table and one semantic check.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dealsync/config.h"
#include "dealsync/connector.h"

namespace dealsync::testing {

// A registry holding only the "fake" connector.
ConnectorRegistry& FakeRegistry();

// A temporary copy of testdata/good; removed on destruction.
class ConfigDir {
 public:
  ConfigDir();
  ~ConfigDir();
  const std::string& path() const { return path_; }
  // Writes testdata/bad/<name> to <dir>/<relative>.
  void CopyBad(const std::string& name, const std::string& relative);
  void Write(const std::string& relative, const std::string& content);
  void Remove(const std::string& relative);
  // LoadConfig's errors as strings, with the directory prefix removed.
  std::vector<std::string> Errors() const;

 private:
  std::string path_;
};

}  // namespace dealsync::testing
