#include "vyre/backend/pinned_memory.h"

#include <cstdlib>

namespace vyre {
namespace {

class HostMemory final : public PinnedMemory {
 public:
  explicit HostMemory(std::uint64_t bytes)
      : bytes_(bytes),
        data_(static_cast<std::uint8_t*>(std::aligned_alloc(kAlign, rounded(bytes)))) {}
  ~HostMemory() override { std::free(data_); }
  std::span<std::uint8_t> bytes() override { return {data_, data_ ? bytes_ : 0}; }
  bool pinned() const override { return false; }

 private:
  static constexpr std::uint64_t kAlign = 4096;
  static std::uint64_t rounded(std::uint64_t n) {
    return (n + kAlign - 1) / kAlign * kAlign + kAlign;
  }
  std::uint64_t bytes_;
  std::uint8_t* data_;
};

}  // namespace

std::unique_ptr<PinnedMemory> make_host_memory(std::uint64_t bytes) {
  return std::make_unique<HostMemory>(bytes);
}

}  // namespace vyre
