#include "vyre/diag/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <shared_mutex>

#include "vyre/diag/codes.h"
#include "vyre/diag/render.h"

namespace vyre {
namespace {

constexpr int kUnset = -1;
std::atomic<int> g_level{kUnset};

struct SinkSlot {
  std::shared_mutex mutex;
  LogSink sink;
};

SinkSlot& sink_slot() {
  static SinkSlot* slot = new SinkSlot;  // never destroyed: logging may run during exit
  return *slot;
}

void write_stderr(const LogRecord& r) {
  std::string line = "vyre[" + std::string(log_level_name(r.level)) + "] " +
                     std::string(r.component) + ": " + std::string(r.message) + "\n";
  std::fputs(line.c_str(), stderr);
}

// Reads VYRE_LOG once; a bad value is reported once, to stderr (a sink installed later never
// sees it: the level is decided before the first record).
int initial_level() {
  std::optional<Diagnostic> problem;
  const LogLevel level = log_level_from_environment(&problem);
  int expected = kUnset;
  if (g_level.compare_exchange_strong(expected, static_cast<int>(level)) && problem) {
    std::fputs(render_human(*problem).c_str(), stderr);
  }
  return g_level.load(std::memory_order_relaxed);
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Error:
      return "error";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "warn";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (LogLevel level : {LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug}) {
    if (text == log_level_name(level)) return level;
  }
  if (text == "warning") return LogLevel::Warn;
  return std::nullopt;
}

LogLevel log_level_from_environment(std::optional<Diagnostic>* problem) {
  // VYRE_LOG is declared in backend/environment.h (EnvVar::Log); diag sits below that table, so
  // it reads the variable itself.
  const char* value = std::getenv("VYRE_LOG");
  if (value == nullptr || *value == '\0') return LogLevel::Warn;
  if (auto level = parse_log_level(value)) return *level;
  if (problem != nullptr) {
    std::string shown(value);
    if (shown.size() > 64) shown = shown.substr(0, 64) + "...";
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    *problem = Diagnostic::warning(code::BadLogLevel,
                                   "VYRE_LOG='" + shown + "' names no log level; logging at warn",
                                   "set VYRE_LOG to error, warn, info or debug, or unset it");
  }
  return LogLevel::Warn;
}

LogLevel log_level() {
  int level = g_level.load(std::memory_order_relaxed);
  if (level == kUnset) level = initial_level();
  return static_cast<LogLevel>(level);
}

void set_log_level(LogLevel level) {
  g_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(log_level());
}

void set_log_sink(LogSink sink) {
  SinkSlot& slot = sink_slot();
  std::unique_lock lock(slot.mutex);
  slot.sink = std::move(sink);
}

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  const LogRecord record{level, component, message};
  SinkSlot& slot = sink_slot();
  std::shared_lock lock(slot.mutex);
  if (slot.sink) {
    slot.sink(record);
  } else {
    write_stderr(record);
  }
}

}  // namespace vyre
