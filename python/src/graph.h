// vyre.GraphRecording and vyre.Graph: launches (PreparedKernel.record), copies and fills recorded
// once on one device, instantiated (Graph::instantiate: a CUDA graph on cuda, the replayed list
// elsewhere) and replayed on a stream any number of times; PreparedKernel.update changes a
// recorded launch's arguments between replays.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "vyre/backend/graph.h"

namespace vyre::python {

struct Recording {
  std::shared_ptr<GraphRecording> recording;
};

struct RecordedGraph {
  std::shared_ptr<Graph> graph;
};

void bind_graph(pybind11::module_& m);

}  // namespace vyre::python
