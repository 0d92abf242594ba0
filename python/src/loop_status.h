// Capped while loops on resident calls (vyre/ir/loop_status.h): Runtime::run reads a program's
// loop status word back after each dispatch; a resident launch returns before the device ran
// it, so the word is read at the next host sync point of the stream it was launched on
// (Stream.synchronize, Device.synchronize and Array.numpy for the default stream), which then
// raises LoopCapReached (VY2103) naming the loop, once.
//
// Each prepared kernel keeps one word per stream it launches on, zeroed when made and again
// after a check found it set; a graph keeps one per recorded launch of such a kernel. Programs
// without while loops have no word and cost nothing here.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "vyre/backend/device_buffer.h"
#include "vyre/backend/stream.h"
#include "vyre/ir/program.h"
#include "vyre/runtime/prepared_kernel.h"

namespace vyre::python {

struct StatusWord {
  ir::Program program;
  DeviceBuffer buffer;     // u32[1]: the largest id of a loop that reached its cap, 0 for none
  std::uint32_t host = 0;  // where a check downloads it to
};

// A zeroed word for launches of `kernel` (raises vyre.Error if the device cannot allocate it).
std::shared_ptr<StatusWord> make_status_word(const PreparedKernel& kernel);

// The words of one prepared kernel's direct launches, one per stream.
class LaunchStatusWords {
 public:
  // The word to bind for a launch on `stream`, made on first use and marked pending there.
  const DeviceBuffer& for_launch(const PreparedKernel& kernel, const Stream& stream);

 private:
  std::vector<std::pair<Stream, std::shared_ptr<StatusWord>>> words_;
};

// Work on `stream` may set `word`: the stream's next checked sync reads it.
void mark_pending(const std::shared_ptr<StatusWord>& word, const Stream& stream);

// Stream::synchronize(timeout), then the pending words of `stream`: raises vyre.Error for a
// failed wait, or LoopCapReached (VY2103) for the first word a capped loop set.
void synchronize_checked(const Stream& stream, std::chrono::nanoseconds timeout = {});

// synchronize_checked(stream) when words are pending on `stream`; nothing otherwise.
void check_pending(const Stream& stream);

}  // namespace vyre::python
