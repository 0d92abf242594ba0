#include "cuda_graph.h"

#include <fmt/format.h>

#include "cuda_launch_args.h"
#include "cuda_memory.h"
#include "cuda_stream.h"
#include "cuda_wait.h"
#include "vyre/diag/codes.h"

namespace vyre::cuda {
namespace {

bool needs_fill_kernel(const GraphCommand& command) {
  return command.kind == GraphCommand::Kind::Fill && ir::size_bytes(command.dst.element) == 8 &&
         static_cast<std::uint32_t>(command.pattern) !=
             static_cast<std::uint32_t>(command.pattern >> 32);
}

CUDA_KERNEL_NODE_PARAMS kernel_params(CUfunction function, LaunchArgs& args) {
  CUDA_KERNEL_NODE_PARAMS params{};
  params.func = function;
  params.gridDimX = args.grid[0];
  params.gridDimY = args.grid[1];
  params.gridDimZ = args.grid[2];
  params.blockDimX = args.block[0];
  params.blockDimY = args.block[1];
  params.blockDimZ = args.block[2];
  params.kernelParams = args.pointers.data();  // the driver copies the values
  return params;
}

}  // namespace

Result<std::unique_ptr<CudaGraph>> CudaGraph::instantiate(CudaDeviceResources& resources,
                                                          const GraphRecording& recording) {
  const CudaPipeline* fill_kernel = nullptr;
  for (const GraphCommand& command : recording.commands()) {
    // Compiled before the lease is taken: compiling loads the module under its own.
    if (needs_fill_kernel(command) && fill_kernel == nullptr) {
      fill_kernel = VYRE_TRY(resources.fill64());
    }
  }
  std::unique_ptr<CudaGraph> graph(new CudaGraph(resources));
  CallCheck check(resources.device->api());
  std::uint64_t generation = 0;
  Status built;
  {
    auto lease = VYRE_TRY(resources.device->enter());
    generation = lease.generation;
    std::lock_guard lock(graph->mutex_);
    built = graph->build(recording, lease, check, fill_kernel);
  }
  if (check.poison) {
    return device_lost(*resources.device, *check.poison, generation, "instantiating a graph");
  }
  VYRE_TRY(std::move(built));
  return graph;
}

Status CudaGraph::build(const GraphRecording& recording, const CudaDevice::Lease& lease,
                        CallCheck& check, const CudaPipeline* fill_kernel) {
  const DriverApi& api = resources_.device->api();
  generation_ = lease.generation;
  VYRE_TRY(check(api.graph_create(&graph_, 0), "cuGraphCreate", "recording a graph"));
  CUgraphNode previous = nullptr;
  LaunchArgs args;
  for (const GraphCommand& command : recording.commands()) {
    Node node;
    node.keep = command.keep;
    const CUgraphNode* after = previous != nullptr ? &previous : nullptr;
    const std::size_t count = previous != nullptr ? 1 : 0;
    const std::string during = fmt::format("adding command {} to a graph", nodes_.size());
    if (command.kind == GraphCommand::Kind::Launch) {
      const CudaPipeline* pipeline = VYRE_TRY(as_cuda_pipeline(*command.pipeline));
      node.pipeline = command.pipeline;
      node.function = VYRE_TRY(pipeline->function(lease, check, resources_.device));
      VYRE_TRY(pack_launch(*pipeline, command.bindings, command.geometry, lease, args));
      node.empty_grid = args.empty_grid;
      if (args.empty_grid) {
        VYRE_TRY(check(api.graph_add_empty_node(&node.node, graph_, after, count),
                       "cuGraphAddEmptyNode", during));
      } else {
        const CUDA_KERNEL_NODE_PARAMS params = kernel_params(node.function, args);
        VYRE_TRY(check(api.graph_add_kernel_node(&node.node, graph_, after, count, &params),
                       "cuGraphAddKernelNode", during));
      }
    } else if (command.kind == GraphCommand::Kind::Copy) {
      VYRE_TRY(check_generation(command.src, lease, "copy source"));
      VYRE_TRY(check_generation(command.dst, lease, "copy destination"));
      CUDA_MEMCPY3D copy{};
      copy.srcMemoryType = CU_MEMORYTYPE_DEVICE;
      copy.srcDevice = device_pointer(command.src);
      copy.dstMemoryType = CU_MEMORYTYPE_DEVICE;
      copy.dstDevice = device_pointer(command.dst);
      copy.WidthInBytes = command.src.size_bytes();
      copy.Height = 1;
      copy.Depth = 1;
      VYRE_TRY(
          check(api.graph_add_memcpy_node(&node.node, graph_, after, count, &copy, lease.context),
                "cuGraphAddMemcpyNode", during));
    } else if (needs_fill_kernel(command)) {
      DeviceBindings bindings;
      bindings.buffers = {command.dst};
      bindings.params = {Scalar::u64(command.pattern)};
      bindings.sizes = {command.dst.count};
      LaunchGeometry geometry;
      geometry.workgroup = fill_kernel->workgroup();
      geometry.groups = {(command.dst.count + geometry.workgroup[0] - 1) / geometry.workgroup[0], 1,
                         1};
      node.function = VYRE_TRY(fill_kernel->function(lease, check, resources_.device));
      VYRE_TRY(pack_launch(*fill_kernel, bindings, geometry, lease, args));
      const CUDA_KERNEL_NODE_PARAMS params = kernel_params(node.function, args);
      VYRE_TRY(check(api.graph_add_kernel_node(&node.node, graph_, after, count, &params),
                     "cuGraphAddKernelNode", during));
    } else {
      VYRE_TRY(check_generation(command.dst, lease, "fill destination"));
      const std::size_t unit = ir::size_bytes(command.dst.element);
      CUDA_MEMSET_NODE_PARAMS memset{};
      memset.dst = device_pointer(command.dst);
      memset.elementSize = unit == 8 ? 4 : static_cast<unsigned>(unit);
      memset.width = unit == 8 ? command.dst.count * 2 : command.dst.count;
      memset.height = 1;
      memset.value = static_cast<unsigned>(unit == 1   ? command.pattern & 0xff
                                           : unit == 2 ? command.pattern & 0xffff
                                                       : command.pattern & 0xffffffff);
      VYRE_TRY(
          check(api.graph_add_memset_node(&node.node, graph_, after, count, &memset, lease.context),
                "cuGraphAddMemsetNode", during));
    }
    previous = node.node;
    nodes_.push_back(std::move(node));
  }
  VYRE_TRY(check(api.graph_instantiate(&exec_, graph_, 0), "cuGraphInstantiate",
                 fmt::format("instantiating a graph of {} commands", nodes_.size())));
  return Ok{};
}

CudaGraph::~CudaGraph() {
  auto lease = resources_.device->enter();
  if (!lease.ok() || lease->generation != generation_) return;  // died with its context
  const DriverApi& api = resources_.device->api();
  // An executable graph still running is freed by the driver once it completes.
  if (exec_ != nullptr) api.graph_exec_destroy(exec_);
  if (graph_ != nullptr) api.graph_destroy(graph_);
}

Status CudaGraph::replay(BackendStream& stream) {
  auto* cuda_stream = dynamic_cast<CudaStream*>(&stream);
  if (cuda_stream == nullptr || cuda_stream->device() != resources_.device) {
    return Diagnostic::error(code::WrongDevice,
                             "a CUDA graph was replayed on a stream of another device",
                             "replay a graph on a stream of the device it was recorded for");
  }
  std::shared_ptr<const Keep> keep;
  CUgraphExec exec = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (replay_keep_ == nullptr) {
      auto all = std::make_shared<Keep>();
      for (const Node& node : nodes_) all->insert(all->end(), node.keep.begin(), node.keep.end());
      replay_keep_ = std::move(all);
    }
    keep = replay_keep_;
    exec = exec_;
  }
  return cuda_stream->launch_graph(exec, generation_, std::move(keep));
}

Status CudaGraph::update_launch(std::uint32_t index, const DeviceBindings& bindings,
                                const LaunchGeometry& geometry) {
  CallCheck check(resources_.device->api());
  std::uint64_t generation = 0;
  Status updated;
  {
    auto lease = VYRE_TRY(resources_.device->enter());
    generation = lease.generation;
    std::lock_guard lock(mutex_);
    if (lease.generation != generation_) return lost_to_reset("a recorded graph");
    Node& node = nodes_.at(index);
    const CudaPipeline* pipeline = VYRE_TRY(as_cuda_pipeline(*node.pipeline));
    LaunchArgs args;
    VYRE_TRY(pack_launch(*pipeline, bindings, geometry, lease, args));
    if (args.empty_grid != node.empty_grid) {
      return Diagnostic::error(
          code::BadBindings,
          fmt::format("launch node {} was recorded with {} workgroups and "
                      "cannot change to {} in place",
                      index, node.empty_grid ? "no" : "some", args.empty_grid ? "none" : "some"),
          "record the graph again with the new geometry");
    }
    if (!args.empty_grid) {
      const CUDA_KERNEL_NODE_PARAMS params = kernel_params(node.function, args);
      updated = check(
          resources_.device->api().graph_exec_kernel_node_set_params(exec_, node.node, &params),
          "cuGraphExecKernelNodeSetParams",
          fmt::format("updating launch node {} of a graph", index));
    }
    if (updated.ok()) {
      node.keep.clear();
      for (const DeviceBufferView& view : bindings.buffers) {
        if (view.allocation != nullptr) node.keep.push_back(view.allocation->shared_from_this());
      }
      replay_keep_ = nullptr;  // replays already queued keep the old set
    }
  }
  if (check.poison) {
    return device_lost(*resources_.device, *check.poison, generation, "updating a graph");
  }
  return updated;
}

}  // namespace vyre::cuda
