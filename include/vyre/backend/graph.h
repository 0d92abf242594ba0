// Recorded graphs: a sequence of launches and copies recorded once and replayed many times.
// CUDA instantiates a CUDA graph once; OpenCL and reference replay the recorded list. A launch
// node's bindings (buffers, params, sizes) and geometry can be replaced between replays.
//
//   GraphRecording recording(device);
//   GraphNode step = VYRE_TRY(recording.launch(pipeline, bindings, geometry));
//   Graph graph = VYRE_TRY(std::move(recording).instantiate());
//   VYRE_TRY(graph.replay(stream));
//   VYRE_TRY(graph.update_launch(step, other_bindings, geometry));
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "vyre/backend/backend.h"
#include "vyre/backend/device.h"
#include "vyre/backend/device_bindings.h"
#include "vyre/backend/device_buffer.h"
#include "vyre/diag/result.h"

namespace vyre {

class BackendStream;
class Stream;
struct StatusWord;  // stream.h

// A node of a recording: its position in the command list.
struct GraphNode {
  std::uint32_t index = 0;
};

// One recorded command. `keep` holds every allocation the command uses, so the recording (and
// a graph made from it) keeps its buffers alive.
struct GraphCommand {
  enum class Kind : std::uint8_t { Launch, Copy, Fill };
  Kind kind = Kind::Launch;
  // Launch
  std::shared_ptr<const CompiledPipeline> pipeline;
  DeviceBindings bindings;
  LaunchGeometry geometry;
  // Copy (src -> dst) and Fill (dst, pattern)
  DeviceBufferView src;
  DeviceBufferView dst;
  std::uint64_t pattern = 0;
  std::vector<std::shared_ptr<DeviceAllocation>> keep;
  // A launch's own loop status word (its binding is in `bindings`), if its program has while
  // loops and it was recorded through PreparedKernel: each replay has the stream watch it.
  std::shared_ptr<StatusWord> status;
};

// What a backend implements: an executable graph for one device.
class BackendGraph {
 public:
  virtual ~BackendGraph() = default;
  // Enqueues the whole graph on `stream` (same device), in recorded order.
  virtual Status replay(BackendStream& stream) = 0;
  // Replaces the bindings and geometry of launch node `node` for later replays. The layer above
  // checked that the node is a launch and the bindings fit its program.
  virtual Status update_launch(std::uint32_t node, const DeviceBindings& bindings,
                               const LaunchGeometry& geometry) = 0;
};

// The list being recorded. Validates each command as Stream would.
class GraphRecording {
 public:
  explicit GraphRecording(Device device) : device_(std::move(device)) {}

  const Device& device() const { return device_; }
  const std::vector<GraphCommand>& commands() const { return commands_; }

  Result<GraphNode> launch(std::shared_ptr<const CompiledPipeline> pipeline,
                           const DeviceBindings& bindings, const LaunchGeometry& geometry);
  Result<GraphNode> copy(const DeviceBuffer& src, const DeviceBuffer& dst);
  Result<GraphNode> fill(const DeviceBuffer& dst, Scalar value);

  // Adds an already validated command (PreparedKernel records through this).
  GraphNode add(GraphCommand command);

 private:
  Device device_;
  std::vector<GraphCommand> commands_;
};

// An instantiated graph: replay it any number of times, on any stream of its device.
class Graph {
 public:
  Graph() = default;
  // Asks the device's backend to instantiate the recording (Backend::instantiate_graph).
  static Result<Graph> instantiate(GraphRecording recording);

  const Device& device() const { return device_; }
  std::size_t size() const { return recording_.commands().size(); }
  Status replay(const Stream& stream);
  // New bindings and geometry for launch node `node` (BadGraphNode, VY4211, if it is not one).
  Status update_launch(GraphNode node, const DeviceBindings& bindings,
                       const LaunchGeometry& geometry);
  // The same, keeping `keep` alive for later replays (PreparedKernel::update uses this).
  Status update_launch(GraphNode node, const DeviceBindings& bindings,
                       const LaunchGeometry& geometry,
                       std::vector<std::shared_ptr<DeviceAllocation>> keep);
  const GraphRecording& recording() const { return recording_; }

 private:
  Device device_;
  GraphRecording recording_{Device{}};
  std::unique_ptr<BackendGraph> graph_;
};

// The default BackendGraph: replays the recorded commands through the stream one by one.
std::unique_ptr<BackendGraph> make_replay_graph(const GraphRecording& recording);

}  // namespace vyre
