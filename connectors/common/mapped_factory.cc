#include "connectors/common/mapped_factory.h"

namespace dealsync::connectors {

Status ConfigErrorsStatus(const std::vector<ConfigError>& errors) {
  std::string message;
  for (const auto& e : errors) {
    message += (message.empty() ? "" : "\n") + e.where.file + ":" + std::to_string(e.where.line) +
               ":" + std::to_string(e.where.column) + ": " + e.key_path + ": " + e.message;
  }
  return InvalidArgument(message);
}

}  // namespace dealsync::connectors
