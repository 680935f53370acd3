#include "tests/unit/engine/remote_file.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "src/engine/records_json.h"

namespace dealsync::testing {

Result<std::map<std::string, Opportunity>> LoadRemote(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return NotFound("cannot read " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, Opportunity> out;
  try {
    nlohmann::json j = nlohmann::json::parse(text.str());
    for (const auto& [id, rec] : j.items()) {
      Result<StoredRecord> r = DecodeRecord(rec.get<std::string>());
      if (!r.ok()) {
        return r.status();
      }
      out[id] = r->opp;
    }
  } catch (const std::exception& e) {
    return DataLoss(path + ": " + e.what());
  }
  return out;
}

Status SaveRemote(const std::string& path, const std::map<std::string, Opportunity>& records) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [id, o] : records) {
    StoredRecord r;
    r.opp = o;
    j[id] = EncodeRecord(r);
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump();
    out.flush();
    if (!out) {
      return Unavailable("cannot write " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Unavailable("cannot rename " + tmp);
  }
  return Status::Ok();
}

Timestamp NewestStamp(const std::map<std::string, Opportunity>& records) {
  Timestamp newest{};
  for (const auto& [id, o] : records) {
    newest = std::max(newest, o.modified_at);
  }
  return newest;
}

}  // namespace dealsync::testing
