// PreparedKernel: a program made ready to launch on one device, again and again. prepare()
// resolves the route, the pipeline and the binding layout once; launch() then binds device
// buffers and params by position or by a slot resolved in advance, checks their types and
// counts with a few comparisons, and enqueues the kernel on a stream: no hashing, no cache
// lookup, no allocation.
//
//   auto k = VYRE_TRY(runtime.prepare(program, device));
//   VYRE_TRY(k.launch({x, y, Scalar::f32(2.0f)}, stream));   // buffers, then params
//   ArgSlot a = VYRE_TRY(k.slot("a"));
//   LaunchArgs args = k.args();
//   args.set(a, Scalar::f32(3.0f)); ...; VYRE_TRY(k.launch(args, stream));
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_bindings.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/backend/graph.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

// One positional argument: a device buffer (borrowed for the call) or a scalar param.
class KernelArg {
 public:
  KernelArg(const DeviceBuffer& buffer) : buffer_(&buffer) {}  // NOLINT implicit
  KernelArg(Scalar scalar) : scalar_(scalar) {}                // NOLINT implicit
  bool is_buffer() const { return buffer_ != nullptr; }
  const DeviceBuffer& buffer() const { return *buffer_; }
  const Scalar& scalar() const { return scalar_; }

 private:
  const DeviceBuffer* buffer_ = nullptr;
  Scalar scalar_;
};

// A buffer or param of the kernel, resolved from its name once.
struct ArgSlot {
  enum class Kind : std::uint8_t { Buffer, Param };
  Kind kind = Kind::Buffer;
  std::uint32_t index = 0;  // declaration index among the program's buffers or params
};

// Arguments bound by slot; made by PreparedKernel::args() with room for every argument.
class LaunchArgs {
 public:
  void set(ArgSlot slot, const DeviceBuffer& buffer) { buffers_[slot.index] = buffer; }
  void set(ArgSlot slot, Scalar value) {
    params_[slot.index] = value;
    param_set_[slot.index] = true;
  }
  // Exchanges the buffers in two slots (ping-pong stencils).
  void swap(ArgSlot a, ArgSlot b) { std::swap(buffers_[a.index], buffers_[b.index]); }
  const std::vector<DeviceBuffer>& buffers() const { return buffers_; }
  const std::vector<Scalar>& params() const { return params_; }
  bool param_set(std::size_t index) const { return param_set_[index]; }

 private:
  friend class PreparedKernel;
  std::vector<DeviceBuffer> buffers_;
  std::vector<Scalar> params_;
  std::vector<bool> param_set_;
};

// What prepare() did: where the kernel runs and why, and how the pipeline was obtained.
struct PreparedReport {
  std::string backend;
  std::string backend_why;
  std::string device;  // "opencl:0"
  std::string cache_outcome;
  double startup_ms = 0;  // acquiring (constructing) the backend
  double routing_ms = 0;
  double obtain_ms = 0;  // pipeline cache lookup, load or compile
};

class PreparedKernel {
 public:
  PreparedKernel() = default;
  PreparedKernel(PreparedKernel&&) noexcept;
  PreparedKernel& operator=(PreparedKernel&&) noexcept;
  ~PreparedKernel();

  const ir::Program& program() const;
  const Device& device() const;
  const std::shared_ptr<const CompiledPipeline>& pipeline() const;
  const PreparedReport& report() const;

  // UnknownKernelArg (VY4210) when the program declares no buffer or param of that name.
  Result<ArgSlot> slot(std::string_view name) const;
  // Room for every argument, all unset.
  LaunchArgs args() const;

  // Positional: every buffer in declaration order, then every param in declaration order.
  // KernelArgMismatch (VY4209) for a wrong arity, kind, element type or count; sizes come from
  // the buffers' counts (or the config's sizes); geometry as Runtime::run derives it.
  Status launch(std::initializer_list<KernelArg> args, const Stream& stream) const;
  Status launch(std::span<const KernelArg> args, const Stream& stream) const;
  Status launch(const LaunchArgs& args, const Stream& stream) const;

  // Adds this launch to a recording / replaces a recorded launch's arguments.
  Result<GraphNode> record(GraphRecording& recording, const LaunchArgs& args) const;
  Result<GraphNode> record(GraphRecording& recording, std::initializer_list<KernelArg> args) const;
  Status update(Graph& graph, GraphNode node, const LaunchArgs& args) const;
  Status update(Graph& graph, GraphNode node, std::initializer_list<KernelArg> args) const;

  struct State;

 private:
  friend class Runtime;
  explicit PreparedKernel(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace vyre
