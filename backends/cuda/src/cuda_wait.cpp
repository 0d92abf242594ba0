#include "cuda_wait.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "vyre/diag/codes.h"

namespace vyre::cuda {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSpinFor = std::chrono::microseconds(200);
constexpr auto kFirstSleep = std::chrono::microseconds(20);
constexpr auto kMaxSleep = std::chrono::milliseconds(1);

}  // namespace

Diagnostic lost_to_reset(std::string_view what) {
  return Diagnostic::error(code::DeviceLost,
                           fmt::format("the CUDA context was reset while {} was queued; that "
                                       "work and its results are lost",
                                       what),
                           "allocate and upload the buffers again and re-run the work; later "
                           "commands run in the new context");
}

Diagnostic device_lost(CudaDevice& device, CUresult error, std::uint64_t generation,
                       std::string_view during) {
  if (poisons_context(error)) {
    Diagnostic recovered = device.recover(error, generation, during);
    Diagnostic lost = Diagnostic::error(code::DeviceLost, recovered.message, recovered.help);
    lost.note(recovered.code +
              " (CudaContextLost): every buffer, stream and graph of this "
              "context is gone with it");
    return lost;
  }
  return Diagnostic::error(
      code::DeviceLost,
      fmt::format("the device reported {} while {}", describe_error(device.api(), error), during),
      "check the device with nvidia-smi and compare the result against the "
      "reference backend");
}

Status wait_for_device(CudaDevice& device, const WaitTarget& target,
                       std::chrono::nanoseconds timeout) {
  const auto start = Clock::now();
  auto sleep = std::chrono::duration_cast<Clock::duration>(kFirstSleep);
  for (;;) {
    CUresult state = CUDA_SUCCESS;
    {
      auto lease = VYRE_TRY(device.enter());
      if (lease.generation != target.generation) return lost_to_reset(target.what);
      state = timeout.count() == 0 ? target.block() : target.query();
    }
    if (state == CUDA_SUCCESS) return Ok{};
    if (state != CUDA_ERROR_NOT_READY) {
      return device_lost(device, state, target.generation, "waiting for " + target.what);
    }
    const auto waited = Clock::now() - start;
    if (waited >= timeout) {
      return Diagnostic::error(
          code::StreamTimeout,
          fmt::format("{} did not finish within {} us; it keeps running", target.what,
                      std::chrono::duration_cast<std::chrono::microseconds>(timeout).count()),
          "wait again, or wait with a longer timeout");
    }
    if (waited < kSpinFor) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::min<Clock::duration>(sleep, timeout - waited));
      sleep = std::min<Clock::duration>(sleep * 2, kMaxSleep);
    }
  }
}

}  // namespace vyre::cuda
