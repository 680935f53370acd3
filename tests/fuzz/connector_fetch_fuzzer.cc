// Every connector's response parsing and mapping: the first byte picks a
// source of the shipped example config (Salesforce, HubSpot, REST with Link
// headers, REST with a body cursor) and an operation; the rest is the body
// every request is answered with. Whatever the body, the connector must
// answer with a page (records and per-record rejects) or a Status, never
// crash, throw or loop; a page's cursor must be readable by the next fetch.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dealsync/connector.h"
#include "src/platform/fake_clock.h"
#include "tests/fuzz/fuzz_support.h"

namespace dealsync::fuzz {
namespace {

void FetchTwice(const SourceConfig& source, int status, const std::string& body) {
  FixedTransport transport(status, body,
                           {{"Link", "<" + source.connection.base_url + "/next>; rel=\"next\""}});
  FakeClock clock;
  const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source.connector);
  auto connector = factory->Create(ConnectorContext{source, transport, clock});
  if (!connector.ok()) {
    std::abort();  // the example config is valid
  }
  Result<FetchPage> page = Run((*connector)->FetchChanges(""));
  if (page.ok()) {
    for (const Opportunity& o : page->records) {
      if (o.native_id.empty()) {
        std::abort();  // a mapped record always has its id
      }
    }
    // The cursor it produced must be accepted (or cleanly refused) next time.
    (void)Run((*connector)->FetchChanges(page->next_cursor));
  }
}

void UpdateOne(const SourceConfig& source, int status, const std::string& body) {
  FixedTransport transport(status, body);
  FakeClock clock;
  const ConnectorFactory* factory = ConnectorRegistry::Default().Find(source.connector);
  auto connector = factory->Create(ConnectorContext{source, transport, clock});
  if (!connector.ok()) {
    std::abort();
  }
  RecordUpdate update;
  update.native_id = "006000000000001";
  update.stage = Stage::kProposal;
  update.trace_id = "t-1";
  Result<std::vector<UpdateOutcome>> outcomes = Run((*connector)->Update({update}));
  if (outcomes.ok() && outcomes->size() != 1) {
    std::abort();  // one outcome per input, in order
  }
}

}  // namespace
}  // namespace dealsync::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dealsync::fuzz;
  static const std::vector<const dealsync::SourceConfig*> sources = ExampleSources();
  if (size < 1) {
    return 0;
  }
  const uint8_t selector = data[0];
  const dealsync::SourceConfig& source = *sources[selector % sources.size()];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  // Bit 4: a push instead of a fetch; bit 5: an error status instead of 200.
  const int status = (selector & 0x20) ? 400 + (selector & 0x0f) * 7 % 200 : 200;
  if (selector & 0x10) {
    UpdateOne(source, status, body);
  } else {
    FetchTwice(source, status, body);
  }
  return 0;
}
