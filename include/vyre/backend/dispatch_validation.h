// The checks every dispatch passes before a backend sees it, written once for every backend (as
// IREE's command_buffer_validation is): the launch against the backend's limits, the bindings
// against the program, and the pipeline against the backend instance. Backend::dispatch_async
// runs validate_dispatch; the runtime runs check_launch_limits before it obtains a pipeline, so
// a launch the device cannot run never costs a compile.
#pragma once

#include <string_view>

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

// The workgroup (each dimension, and its invocations), the grid (each dimension, and its total
// number of workgroups), and the program's shared memory against `caps`. The diagnostic names
// the limit that is exceeded and `backend_id`.
Status check_launch_limits(const ir::Program& program, const LaunchGeometry& geometry,
                           const Capabilities& caps, std::string_view backend_id);

// Bindings against the program's declarations: as many buffers, params and size values as
// declared, each buffer and param of its declared type, each size value within u32, each
// buffer of its declared element count and within caps.max_buffer_bytes.
Status check_bindings(const ir::Program& program, const Bindings& bindings,
                      const Capabilities& caps, std::string_view backend_id);

// All of the above, plus: `pipeline` was compiled or loaded by this instance of `backend`, and
// the launch uses the workgroup compiled into it.
Status validate_dispatch(const Backend& backend, const CompiledPipeline& pipeline,
                         const Bindings& bindings, const LaunchGeometry& geometry);

}  // namespace vyre
