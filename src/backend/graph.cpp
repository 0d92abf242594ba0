#include "vyre/backend/graph.h"

#include <fmt/format.h>

#include "device_checks.h"
#include "vyre/backend/stream.h"
#include "vyre/diag/codes.h"

namespace vyre {
namespace {

std::vector<std::shared_ptr<DeviceAllocation>> keep_of(const DeviceBindings& bindings) {
  std::vector<std::shared_ptr<DeviceAllocation>> keep;
  keep.reserve(bindings.buffers.size());
  for (const auto& view : bindings.buffers) keep.push_back(view.allocation->shared_from_this());
  return keep;
}

// The default executable graph: the recorded commands, replayed in order on the stream.
class ReplayGraph final : public BackendGraph {
 public:
  explicit ReplayGraph(std::vector<GraphCommand> commands) : commands_(std::move(commands)) {}

  Status replay(BackendStream& stream) override {
    for (const GraphCommand& c : commands_) {
      switch (c.kind) {
        case GraphCommand::Kind::Launch:
          VYRE_TRY(stream.launch(*c.pipeline, c.bindings, c.geometry));
          break;
        case GraphCommand::Kind::Copy:
          VYRE_TRY(stream.copy(c.src, c.dst));
          break;
        case GraphCommand::Kind::Fill:
          VYRE_TRY(stream.fill(c.dst, c.pattern));
          break;
      }
    }
    return Ok{};
  }

  Status update_launch(std::uint32_t node, const DeviceBindings& bindings,
                       const LaunchGeometry& geometry) override {
    commands_[node].bindings = bindings;
    commands_[node].geometry = geometry;
    return Ok{};
  }

 private:
  std::vector<GraphCommand> commands_;
};

}  // namespace

std::unique_ptr<BackendGraph> make_replay_graph(const GraphRecording& recording) {
  return std::make_unique<ReplayGraph>(recording.commands());
}

GraphNode GraphRecording::add(GraphCommand command) {
  commands_.push_back(std::move(command));
  return GraphNode{static_cast<std::uint32_t>(commands_.size() - 1)};
}

Result<GraphNode> GraphRecording::launch(std::shared_ptr<const CompiledPipeline> pipeline,
                                         const DeviceBindings& bindings,
                                         const LaunchGeometry& geometry) {
  VYRE_TRY(check_device_bindings(*pipeline->program(), bindings, device_));
  GraphCommand command;
  command.kind = GraphCommand::Kind::Launch;
  command.pipeline = std::move(pipeline);
  command.bindings = bindings;
  command.geometry = geometry;
  command.keep = keep_of(bindings);
  return add(std::move(command));
}

Result<GraphNode> GraphRecording::copy(const DeviceBuffer& src, const DeviceBuffer& dst) {
  GraphCommand command;
  command.kind = GraphCommand::Kind::Copy;
  command.src = VYRE_TRY(check_buffer(device_, src, "copy source"));
  command.dst = VYRE_TRY(check_buffer(device_, dst, "copy destination"));
  if (command.src.element != command.dst.element || command.src.count != command.dst.count) {
    return Diagnostic::error(code::TransferSizeMismatch,
                             fmt::format("recorded copy of {} {} into {} {}", command.src.count,
                                         ir::type_name(command.src.element), command.dst.count,
                                         ir::type_name(command.dst.element)),
                             "copy between buffers (or views) of one element type and count");
  }
  command.keep = {src.allocation(), dst.allocation()};
  return add(std::move(command));
}

Result<GraphNode> GraphRecording::fill(const DeviceBuffer& dst, Scalar value) {
  GraphCommand command;
  command.kind = GraphCommand::Kind::Fill;
  command.dst = VYRE_TRY(check_buffer(device_, dst, "fill destination"));
  command.pattern = element_pattern(dst.element(), value);
  command.keep = {dst.allocation()};
  return add(std::move(command));
}

Result<Graph> Graph::instantiate(GraphRecording recording) {
  Graph graph;
  graph.device_ = recording.device();
  if (!graph.device_.valid()) {
    return Diagnostic::error(code::UnknownDevice, "a graph recording without a device",
                             "record into GraphRecording(device) with an opened Device");
  }
  graph.graph_ = VYRE_TRY(graph.device_.backend().instantiate_graph(recording));
  graph.recording_ = std::move(recording);
  return graph;
}

Status Graph::replay(const Stream& stream) {
  if (!(stream.device() == device_)) {
    return Diagnostic::error(
        code::WrongDevice,
        fmt::format("a graph of {} replayed on a stream of {}", device_.id(), stream.device().id()),
        "replay a graph on a stream of the device it was recorded for");
  }
  for (const GraphCommand& c : recording_.commands()) {
    for (const auto& allocation : c.keep) {
      if (allocation->released()) {
        return Diagnostic::error(code::BufferReleased,
                                 "a buffer this graph uses was released since it was recorded",
                                 "keep a graph's buffers until its last replay, or update the "
                                 "launch to new buffers");
      }
    }
  }
  VYRE_TRY(graph_->replay(stream.backend_stream()));
  for (const GraphCommand& c : recording_.commands()) {
    if (c.status) stream.watch(c.status);
  }
  return Ok{};
}

Status Graph::update_launch(GraphNode node, const DeviceBindings& bindings,
                            const LaunchGeometry& geometry) {
  if (node.index < size() && recording_.commands()[node.index].kind == GraphCommand::Kind::Launch) {
    VYRE_TRY(check_device_bindings(*recording_.commands()[node.index].pipeline->program(), bindings,
                                   device_));
    return update_launch(node, bindings, geometry, keep_of(bindings));
  }
  return update_launch(node, bindings, geometry, {});
}

Status Graph::update_launch(GraphNode node, const DeviceBindings& bindings,
                            const LaunchGeometry& geometry,
                            std::vector<std::shared_ptr<DeviceAllocation>> keep) {
  if (node.index >= size() ||
      recording_.commands()[node.index].kind != GraphCommand::Kind::Launch) {
    return Diagnostic::error(
        code::BadGraphNode,
        fmt::format("node {} of a graph of {} commands is not a launch", node.index, size()),
        "update the nodes that recording a launch returned");
  }
  VYRE_TRY(graph_->update_launch(node.index, bindings, geometry));
  // The recording is the graph's own copy; only it may change here.
  auto& command = const_cast<GraphCommand&>(recording_.commands()[node.index]);
  command.bindings = bindings;
  command.geometry = geometry;
  command.keep = std::move(keep);
  return Ok{};
}

}  // namespace vyre
