// Fake remote CRM state persisted in a file for the SIGKILL crash test: a JSON
// object of records; Save() writes a temp file and renames it over the old
// one, so a rename is the remote's acknowledgement of a write.
#pragma once

#include <map>
#include <string>

#include "dealsync/model.h"
#include "dealsync/status.h"

namespace dealsync::testing {

Result<std::map<std::string, Opportunity>> LoadRemote(const std::string& path);
Status SaveRemote(const std::string& path, const std::map<std::string, Opportunity>& records);
// The newest modified_at in the records (epoch if none).
Timestamp NewestStamp(const std::map<std::string, Opportunity>& records);

}  // namespace dealsync::testing
