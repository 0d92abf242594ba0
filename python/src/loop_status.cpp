#include "loop_status.h"

#include <algorithm>
#include <mutex>
#include <optional>

#include "errors.h"
#include "vyre/ir/loop_status.h"

namespace vyre::python {
namespace {

struct Pending {
  std::shared_ptr<StatusWord> word;
  Stream stream;
};

bool same_stream(const Stream& a, const Stream& b) {
  return &a.backend_stream() == &b.backend_stream();
}

// Every word some launch may have set since its last check, with the stream it ran on.
std::mutex pending_mutex;
std::vector<Pending>& pending() {
  static auto* list = new std::vector<Pending>;  // never destroyed (see runtime_access.cpp)
  return *list;
}

std::vector<std::shared_ptr<StatusWord>> pending_on(const Stream& stream) {
  std::lock_guard lock(pending_mutex);
  std::vector<std::shared_ptr<StatusWord>> words;
  for (const Pending& p : pending()) {
    if (same_stream(p.stream, stream)) words.push_back(p.word);
  }
  return words;
}

void forget(const Stream& stream, const std::vector<std::shared_ptr<StatusWord>>& words) {
  std::lock_guard lock(pending_mutex);
  std::erase_if(pending(), [&](const Pending& p) {
    return same_stream(p.stream, stream) &&
           std::find(words.begin(), words.end(), p.word) != words.end();
  });
}

}  // namespace

std::shared_ptr<StatusWord> make_status_word(const PreparedKernel& kernel) {
  const ir::ProgramData& p = *kernel.program();
  const std::uint32_t index = *ir::loop_status_buffer(p);
  DeviceBuffer buffer = unwrap(released([&] {
    return kernel.device().allocate_zeroed(p.buffers[index].element,
                                           p.buffers[index].count.constant);
  }));
  return std::make_shared<StatusWord>(StatusWord{kernel.program(), std::move(buffer)});
}

const DeviceBuffer& LaunchStatusWords::for_launch(const PreparedKernel& kernel,
                                                  const Stream& stream) {
  auto found = std::find_if(words_.begin(), words_.end(),
                            [&](const auto& entry) { return same_stream(entry.first, stream); });
  if (found == words_.end()) {
    words_.emplace_back(stream, make_status_word(kernel));
    found = words_.end() - 1;
  }
  mark_pending(found->second, stream);
  return found->second->buffer;
}

void mark_pending(const std::shared_ptr<StatusWord>& word, const Stream& stream) {
  std::lock_guard lock(pending_mutex);
  for (const Pending& p : pending()) {
    if (p.word == word && same_stream(p.stream, stream)) return;
  }
  pending().push_back({word, stream});
}

void synchronize_checked(const Stream& stream, std::chrono::nanoseconds timeout) {
  const std::vector<std::shared_ptr<StatusWord>> words = pending_on(stream);
  // The words' downloads are queued behind the launches that set them; one wait covers both.
  unwrap(released([&]() -> Status {
    for (const auto& word : words) {
      VYRE_TRY(stream.download(word->buffer,
                               std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(&word->host),
                                                       sizeof(word->host))));
    }
    return stream.synchronize(timeout);
  }));
  forget(stream, words);
  std::optional<Diagnostic> capped;
  for (const auto& word : words) {
    if (word->host == 0) continue;
    if (!capped) capped = ir::loop_cap_diagnostic(*word->program, word->host);
    word->host = 0;
    // Zeroed again before the stream's later launches (it reports each capped loop once).
    unwrap(stream.fill(word->buffer, Scalar::u32(0)));
  }
  if (capped) raise_error(*capped);
}

void check_pending(const Stream& stream) {
  bool any = false;
  {
    std::lock_guard lock(pending_mutex);
    for (const Pending& p : pending()) any = any || same_stream(p.stream, stream);
  }
  if (any) synchronize_checked(stream);
}

}  // namespace vyre::python
