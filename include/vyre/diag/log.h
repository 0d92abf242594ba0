// Levelled logging: the trace of vyre's decisions (routing, which cache tier hit or missed and
// why, compiles, stores written) for a person or an embedder's log. The level comes from
// VYRE_LOG (error | warn | info | debug; declared in backend/environment.h), read on first use,
// or from set_log_level(); records go to stderr as "vyre[info] cache: ..." unless an embedder
// installs a sink. Warnings and errors that concern one request stay Diagnostics returned or
// delivered to the cache's warning sink; the log only narrates.
//
// A disabled level costs one relaxed atomic load (log_enabled), so call sites test it before
// building a message.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "vyre/diag/diagnostic.h"

namespace vyre {

enum class LogLevel : unsigned char { Error = 0, Warn = 1, Info = 2, Debug = 3 };

struct LogRecord {
  LogLevel level;
  std::string_view component;  // "routing", "cache", "runtime"
  std::string_view message;
};

// Called from whichever thread logs; must be thread-safe.
using LogSink = std::function<void(const LogRecord&)>;

std::string_view log_level_name(LogLevel level);  // "error", "warn", "info", "debug"
std::optional<LogLevel> parse_log_level(std::string_view text);
// The level VYRE_LOG asks for: Warn when unset or empty; a value that names no level is a
// BadLogLevel (VY8003) warning in `problem` and the default.
LogLevel log_level_from_environment(std::optional<Diagnostic>* problem = nullptr);

// The level in force (VYRE_LOG on first use, unless set_log_level() came first).
LogLevel log_level();
void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

// Installs the sink every record goes to; an empty one restores stderr.
void set_log_sink(LogSink sink);

// Writes a record when `level` is enabled.
void log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace vyre
