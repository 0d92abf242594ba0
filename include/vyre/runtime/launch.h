// Launch geometry: derived from the program and the dispatch config, then checked against a
// backend's limits before anything is dispatched.
#pragma once

#include <array>
#include <cstdint>

#include "vyre/backend/backend.h"
#include "vyre/diag/result.h"
#include "vyre/ir/program.h"

namespace vyre {

// Workgroups per dimension: grid_override if given; else ceil(threads / workgroup) where the
// threads are the program's dispatch(...) sizes, or the first writable buffer's element count
// along x. Sizes are by size-symbol index (Bindings::sizes).
Result<LaunchGeometry> derive_geometry(const ir::Program& program,
                                       const std::array<std::uint32_t, 3>& workgroup,
                                       const std::vector<std::uint64_t>& sizes,
                                       const DispatchConfig& config);

// The contract's checks that need no pipeline (vyre/backend/dispatch_validation.h): the
// geometry, the program's shared memory and the bindings against the backend's limits. The
// runtime runs them before it obtains a pipeline, so a launch the device cannot run never costs
// a compile; the diagnostic names the limit that is exceeded.
Status validate_launch(const ir::Program& program, const LaunchGeometry& geometry,
                       const Bindings& bindings, const Backend& backend);

}  // namespace vyre
