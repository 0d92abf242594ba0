// The pipeline cache from Python: its statistics, whether a program would hit, and compiling
// many programs at once.
#pragma once

#include <pybind11/pybind11.h>

#include "vyre/backend/dispatch_config.h"
#include "vyre/ir/program.h"

namespace vyre::python {

// {"backend", "key", "would_hit", "tier", "miss", "explanation"}: PipelineCache::lookup_only for
// the backend routing picks under `config`.
pybind11::dict explain_program(const ir::Program& program, const DispatchConfig& config);

}  // namespace vyre::python
