// CudaGraph: a recording instantiated as one CUDA graph. The nodes are added explicitly (kernel,
// memcpy and memset nodes, each depending on the one before, as a capture of the recording on
// one stream would give), the graph is instantiated once, and a launch node's arguments and
// geometry are replaced in the executable graph (cuGraphExecKernelNodeSetParams) without
// instantiating again. Each replay keeps the graph's allocations alive on its stream until it
// completed, so an update or the graph's destruction never frees memory a replay still uses.
#pragma once

#include <cuda.h>

#include <memory>
#include <mutex>
#include <vector>

#include "cuda_device_resources.h"
#include "vyre/backend/graph.h"

namespace vyre::cuda {

class CudaGraph final : public BackendGraph {
 public:
  static Result<std::unique_ptr<CudaGraph>> instantiate(CudaDeviceResources& resources,
                                                        const GraphRecording& recording);
  ~CudaGraph() override;

  Status replay(BackendStream& stream) override;
  Status update_launch(std::uint32_t node, const DeviceBindings& bindings,
                       const LaunchGeometry& geometry) override;

 private:
  using Keep = std::vector<std::shared_ptr<DeviceAllocation>>;
  struct Node {
    CUgraphNode node = nullptr;
    std::shared_ptr<const CompiledPipeline> pipeline;  // launches only
    CUfunction function = nullptr;
    bool empty_grid = false;  // a launch of no workgroups: an empty node
    Keep keep;
  };
  explicit CudaGraph(CudaDeviceResources& resources) : resources_(resources) {}
  Status build(const GraphRecording& recording, const CudaDevice::Lease& lease, CallCheck& check,
               const CudaPipeline* fill_kernel);

  CudaDeviceResources& resources_;
  std::mutex mutex_;
  CUgraph graph_ = nullptr;
  CUgraphExec exec_ = nullptr;
  std::uint64_t generation_ = 0;
  std::vector<Node> nodes_;                  // by command index
  std::shared_ptr<const Keep> replay_keep_;  // every node's allocations; rebuilt after updates
};

}  // namespace vyre::cuda
