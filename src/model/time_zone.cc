// TimeZone: IANA zones read from the system tz database. libstdc++ 12 has no
// std::chrono::tzdb, so TZif files are parsed here (src/model/tzif.cc).
// Loaded zones are cached for the life of the process (they are immutable).
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "src/model/text_util.h"
#include "src/model/tz_data.h"

namespace dealsync {

using namespace std::chrono;
using model_internal::Quote;

namespace {

constexpr size_t kMaxTzifBytes = 1 << 20;

// Names are relative paths below the zoneinfo directory: letters, digits,
// "_", "-", "+" and "/" separators; no empty, "." or ".." components.
bool IsValidZoneName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/' || name.back() == '/') {
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) {
      end = name.size();
    }
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return false;
    }
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '+' &&
          c != '.') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

std::string ZoneInfoDir() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
}

Result<std::shared_ptr<const TimeZone::Data>> ReadZone(const std::string& name) {
  const std::string path = ZoneInfoDir() + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound("unknown time zone " + Quote(name) + " (no file " + path +
                    "; expected an IANA name such as \"Europe/Berlin\" or \"UTC\")");
  }
  std::string bytes(kMaxTzifBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) {
    return NotFound("unknown time zone " + Quote(name) + " (" + path + " is not a readable file)");
  }
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() > kMaxTzifBytes) {
    return DataLoss("time zone file " + path + " is too large");
  }
  Result<TimeZone::Data> data = model_internal::ParseTzif(bytes, name);
  if (!data.ok()) {
    return data.status();
  }
  return std::make_shared<const TimeZone::Data>(std::move(data).value());
}

}  // namespace

Result<TimeZone> TimeZone::Load(std::string_view iana_name) {
  if (!IsValidZoneName(iana_name)) {
    return InvalidArgument("invalid time zone name " + Quote(iana_name) +
                           " (expected an IANA name such as \"Europe/Berlin\" or \"UTC\")");
  }
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Data>, std::less<>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(iana_name);
  if (it == cache.end()) {
    Result<std::shared_ptr<const Data>> data = ReadZone(std::string(iana_name));
    if (!data.ok()) {
      if (iana_name == "UTC" || iana_name == "Etc/UTC") {
        return Utc();  // minimal containers may ship no tz database at all
      }
      return data.status();
    }
    it = cache.emplace(std::string(iana_name), std::move(data).value()).first;
  }
  TimeZone zone;
  zone.data_ = it->second;
  return zone;
}

TimeZone TimeZone::Utc() {
  static const auto kUtc = [] {
    auto d = std::make_shared<Data>();
    d->name = "UTC";
    return std::shared_ptr<const Data>(std::move(d));
  }();
  TimeZone zone;
  zone.data_ = kUtc;
  return zone;
}

const std::string& TimeZone::name() const {
  return data_ ? data_->name : Utc().data_->name;
}

seconds TimeZone::OffsetAt(Timestamp t) const {
  if (!data_) {
    return seconds(0);
  }
  return seconds(data_->OffsetAt(floor<seconds>(t).time_since_epoch().count()));
}

CalendarDate TimeZone::LocalDate(Timestamp t) const {
  return CalendarDate::FromSysDays(floor<days>(t + OffsetAt(t)));
}

Timestamp TimeZone::StartOfDay(const CalendarDate& d) const {
  // The first instant whose local date is >= d. UTC offsets lie within
  // -12h..+14h (RFC 8536 allows up to +-26h), so the answer lies within
  // [midnight_utc - 26h, midnight_utc + 26h]; binary search over seconds, as
  // transitions fall on whole seconds.
  const int64_t midnight = duration_cast<seconds>(d.ToSysDays().time_since_epoch()).count();
  int64_t lo = midnight - 26 * 3600;  // local date < d here
  int64_t hi = midnight + 26 * 3600;  // local date >= d here
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    if (LocalDate(Timestamp(seconds(mid))) >= d) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return Timestamp(seconds(hi));
}

}  // namespace dealsync
