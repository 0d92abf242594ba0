// HostCopy: memcpy of large host ranges split over a few worker threads. One thread cannot move
// bytes between pageable and pinned memory as fast as a PCIe 5 copy engine does, so the staged
// transfers (cuda_staging.h) copy each chunk with several cores while the engine moves the last.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace vyre::cuda {

class HostCopy {
 public:
  // The process's workers: half the hardware threads, at most 8 (none on a 2-core machine).
  static HostCopy& shared();
  explicit HostCopy(unsigned workers);
  ~HostCopy();
  HostCopy(const HostCopy&) = delete;
  HostCopy& operator=(const HostCopy&) = delete;

  // memcpy(dst, src, bytes), in parallel above a megabyte. One call at a time runs in parallel;
  // concurrent callers take turns.
  void copy(void* dst, const void* src, std::size_t bytes);

 private:
  struct Part {
    char* dst = nullptr;
    const char* src = nullptr;
    std::size_t bytes = 0;
  };
  void work(std::stop_token stop, std::size_t index);

  std::mutex call_mutex_;  // one parallel copy at a time
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::condition_variable done_;
  std::vector<Part> parts_;  // one per worker
  std::uint64_t round_ = 0;
  std::size_t remaining_ = 0;
  std::vector<std::jthread> workers_;
};

}  // namespace vyre::cuda
