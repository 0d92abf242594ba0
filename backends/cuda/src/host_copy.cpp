#include "host_copy.h"

#include <algorithm>
#include <cstring>

namespace vyre::cuda {
namespace {

constexpr std::size_t kParallelFrom = std::size_t{1} << 20;
constexpr std::size_t kAlign = 4096;  // parts start on page boundaries

}  // namespace

HostCopy& HostCopy::shared() {
  static HostCopy instance(std::min(8u, std::thread::hardware_concurrency() / 2));
  return instance;
}

HostCopy::HostCopy(unsigned workers) : parts_(workers) {
  workers_.reserve(workers);
  for (unsigned i = 0; i < workers; ++i) {
    workers_.emplace_back([this, i](std::stop_token stop) { work(stop, i); });
  }
}

HostCopy::~HostCopy() {
  for (auto& worker : workers_) worker.request_stop();
  wake_.notify_all();
  workers_.clear();  // joins
}

void HostCopy::work(std::stop_token stop, std::size_t index) {
  std::uint64_t seen = 0;
  for (;;) {
    Part part;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return round_ != seen; })) return;
      seen = round_;
      part = parts_[index];
    }
    if (part.bytes != 0) std::memcpy(part.dst, part.src, part.bytes);
    std::lock_guard lock(mutex_);
    if (--remaining_ == 0) done_.notify_one();
  }
}

void HostCopy::copy(void* dst, const void* src, std::size_t bytes) {
  if (workers_.empty() || bytes < kParallelFrom) {
    std::memcpy(dst, src, bytes);
    return;
  }
  std::lock_guard call(call_mutex_);
  const std::size_t shares = workers_.size() + 1;  // the caller copies one share too
  const std::size_t share = (bytes / shares + kAlign - 1) / kAlign * kAlign;
  auto* to = static_cast<char*>(dst);
  const auto* from = static_cast<const char*>(src);
  std::size_t offset = 0;
  {
    std::lock_guard lock(mutex_);
    for (Part& part : parts_) {
      const std::size_t n = std::min(share, bytes - offset);
      part = {to + offset, from + offset, n};
      offset += n;
    }
    remaining_ = workers_.size();
    ++round_;
  }
  wake_.notify_all();
  if (offset < bytes) std::memcpy(to + offset, from + offset, bytes - offset);
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return remaining_ == 0; });
}

}  // namespace vyre::cuda
