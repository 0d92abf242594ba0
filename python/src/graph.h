// vyre.GraphRecording and vyre.Graph: launches (PreparedKernel.record), copies and fills recorded
// once on one device, instantiated (Graph::instantiate: a CUDA graph on cuda, the replayed list
// elsewhere) and replayed on a stream any number of times; PreparedKernel.update changes a
// recorded launch's arguments between replays.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <memory>

#include "loop_status.h"
#include "vyre/backend/graph.h"

namespace vyre::python {

// The loop status word of each recorded launch of a kernel with while loops, by node index.
using NodeStatusWords = std::map<std::uint32_t, std::shared_ptr<StatusWord>>;

struct Recording {
  std::shared_ptr<GraphRecording> recording;
  NodeStatusWords status;
};

struct RecordedGraph {
  std::shared_ptr<Graph> graph;
  NodeStatusWords status;  // shared by every replay of the graph
};

void bind_graph(pybind11::module_& m);

}  // namespace vyre::python
