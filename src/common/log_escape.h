// Log lines cannot be forged: every control character in a logged message
// (a partner record id with a newline, an ANSI escape in a deal name) is
// written escaped, so one event is always one line.
//
//   EscapeControlCharacters("a\nb")  -> "a\\nb"   (\n \r \t by name, others as \xHH;
//                                                  DEL and the C1 controls too)
//   InstallLogEscaping()             wraps every sink of every registered spdlog
//                                    logger (the default one included) once; loggers
//                                    cloned from them afterwards share the wrapped
//                                    sinks. Call it after the sinks are set up.
//
// Thread-safety: EscapeControlCharacters is pure. InstallLogEscaping changes the
// loggers' sink lists: call it at start-up, before other threads log.
#pragma once

#include <string>
#include <string_view>

namespace dealsync {

// True when `text` holds a byte EscapeControlCharacters would change.
bool HasControlCharacters(std::string_view text);
std::string EscapeControlCharacters(std::string_view text);

void InstallLogEscaping();

}  // namespace dealsync
