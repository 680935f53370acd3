#include "dealsync/connector.h"

namespace dealsync {

Status ConnectorRegistry::Register(std::unique_ptr<ConnectorFactory> factory) {
  std::string name(factory->name());
  if (factories_.contains(name)) {
    return Status(StatusCode::kAlreadyExists, "connector \"" + name + "\" registered twice");
  }
  factories_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

const ConnectorFactory* ConnectorRegistry::Find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> ConnectorRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, factory] : factories_) {
    names.push_back(name);
  }
  return names;
}

std::string ConnectorRegistry::UnknownMessage(std::string_view name) const {
  std::string known;
  for (const auto& n : Names()) {
    known += known.empty() ? n : ", " + n;
  }
  return "unknown connector \"" + std::string(name) + "\" (known: " + known + ")";
}

}  // namespace dealsync
