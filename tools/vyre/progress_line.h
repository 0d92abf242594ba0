// One progress line on stderr for work that takes a while (a compile, a long dispatch, fuzzing):
// rewritten in place on a terminal, plain lines elsewhere (CI logs) at most every `plain_every`.
#pragma once

#include <chrono>
#include <string>

namespace vyre::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::chrono::seconds plain_every = std::chrono::seconds(10));
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Shows `text`; off a terminal only the first line and then one per `plain_every` are written.
  void show(const std::string& text);
  // Ends the line (on a terminal it is erased, so the result starts on a clean line).
  void finish();
  bool shown() const { return shown_; }

 private:
  using Clock = std::chrono::steady_clock;
  bool tty_;
  bool shown_ = false;
  bool open_ = false;  // a rewritten line is on the terminal now
  std::chrono::seconds plain_every_;
  Clock::time_point last_{};
};

// "12 s", "3 min 4 s": an elapsed time or an estimate for a progress line.
std::string duration_text(double seconds);

}  // namespace vyre::cli
