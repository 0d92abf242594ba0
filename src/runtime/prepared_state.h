// What a PreparedKernel resolved at prepare time: the pipeline, the device, and the binding
// layout as index arithmetic (which buffer gives each size symbol, each count as a constant
// times symbol indices, the grid), plus the scratch bindings a launch fills in place.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "vyre/backend/device_allocator.h"
#include "vyre/runtime/prepared_kernel.h"

namespace vyre {

struct PreparedKernel::State {
  // constant * product of sizes[symbols[i]]
  struct Count {
    std::uint64_t constant = 1;
    std::vector<std::uint32_t> symbols;
    std::uint64_t evaluate(const std::vector<std::uint64_t>& sizes) const;
  };
  // A size symbol's value: `value` when buffer < 0, else buffers[buffer].count / divisor.
  struct SizeSource {
    int buffer = -1;
    std::uint64_t divisor = 1;
    std::uint64_t value = 0;
  };

  explicit State(ir::Program p) : program(std::move(p)) {}

  ir::Program program;
  Device device;
  DeviceKey key;
  std::shared_ptr<const CompiledPipeline> pipeline;
  PreparedReport report;
  std::vector<SizeSource> sizes;     // by size-symbol index
  std::vector<Count> buffer_counts;  // by buffer index
  std::array<Count, 3> threads;      // invocations per dimension, unless `grid`
  std::optional<std::array<std::uint64_t, 3>> grid;
  std::array<std::uint64_t, 3> max_groups{UINT64_MAX, UINT64_MAX, UINT64_MAX};

  std::mutex scratch_mutex;  // one launch at a time fills the scratch
  DeviceBindings scratch;
  LaunchGeometry scratch_geometry;

  // The loop status buffer (ir/loop_status.h), the last buffer, bound by the launch itself: a
  // word per stream for direct launches (under scratch_mutex), one per node for recorded ones.
  std::optional<std::uint32_t> status_buffer;
  std::vector<std::pair<std::weak_ptr<BackendStream>, std::shared_ptr<StatusWord>>> status_words;
  // The buffers a caller binds: all but the status buffer.
  std::size_t caller_buffers() const { return program->buffers.size() - (status_buffer ? 1 : 0); }
  Result<std::shared_ptr<StatusWord>> make_status_word() const;
  // This stream's word (made on first use), or null for a program without while loops.
  Result<std::shared_ptr<StatusWord>> status_word_for(const Stream& stream);

  DeviceBindings empty_bindings() const;
  Status check_device(const Device& other, std::string_view what) const;
  Status check_stream(const Stream& stream) const {
    return check_device(stream.device(), "a stream");
  }
};

// Resolves the layout of `program` for `pipeline` on `device`: UnresolvedSize (VY4011) for a size
// symbol that neither config.sizes nor any buffer count of the form c * symbol determines.
Result<std::unique_ptr<PreparedKernel::State>> resolve_prepared_state(
    const ir::Program& program, const Device& device,
    std::shared_ptr<const CompiledPipeline> pipeline, const DispatchConfig& config);

}  // namespace vyre
