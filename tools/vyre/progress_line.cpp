#include "progress_line.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace vyre::cli {

ProgressLine::ProgressLine(std::chrono::seconds plain_every)
    : tty_(::isatty(STDERR_FILENO) != 0), plain_every_(plain_every) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::show(const std::string& text) {
  const auto now = Clock::now();
  if (tty_) {
    // \r and "erase to end of line" rewrite the line in place.
    std::fprintf(stderr, "\r%s\x1b[K", text.c_str());
    open_ = true;
  } else {
    if (shown_ && now - last_ < plain_every_) return;
    std::fprintf(stderr, "%s\n", text.c_str());
  }
  std::fflush(stderr);
  shown_ = true;
  last_ = now;
}

void ProgressLine::finish() {
  if (!open_) return;
  std::fprintf(stderr, "\r\x1b[K");
  std::fflush(stderr);
  open_ = false;
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  char text[48];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.0f s", std::floor(seconds));
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%.0f min %.0f s", std::floor(seconds / 60),
                  std::floor(std::fmod(seconds, 60)));
  } else {
    std::snprintf(text, sizeof text, "%.0f h %.0f min", std::floor(seconds / 3600),
                  std::floor(std::fmod(seconds, 3600) / 60));
  }
  return text;
}

}  // namespace vyre::cli
